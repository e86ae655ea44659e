//! `polcheck catalogue`: what the embedded service catalogue holds, and where it comes from.

use polcheck_core::catalogue::Catalogue;
use serde_json::json;

use crate::output::Format;
use crate::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let cat = match Catalogue::get() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: the service catalogue cannot be read: {e}");
            return ExitCode::InputError;
        }
    };
    let counts = cat.counts();
    match args.format {
        Format::Text => {
            println!("source: {}", cat.source_version());
            println!("services: {}", counts.services);
            println!("actions: {}", counts.actions);
            println!("resource types: {}", counts.resource_types);
            println!("condition keys: {}", counts.condition_keys);
        }
        Format::Json => {
            let v = json!({
                "source": cat.source_version(),
                "services": counts.services,
                "actions": counts.actions,
                "resourceTypes": counts.resource_types,
                "conditionKeys": counts.condition_keys,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into())
            );
        }
    }
    ExitCode::Success
}
