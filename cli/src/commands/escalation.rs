//! `polcheck escalation`: every user and role that is not admin but can become admin, with
//! its shortest path. Exit 1 when any is found, so CI can gate on it.

use serde_json::json;

use crate::output::Format;
use crate::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// World files or directories of AWS exports (repeatable; default: the bundled demo world).
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// The region new resources (functions, instances) are created in.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: Args) -> ExitCode {
    let (engine, graph) = match super::paths::graph(&args.worlds, &args.region) {
        Ok(g) => g,
        Err(e) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    let found = graph.escalations(&engine);
    let reports: Vec<_> = found
        .iter()
        .map(|e| graph.report(&engine, &e.path))
        .collect();
    match args.format {
        Format::Json => {
            let list: Vec<_> = reports
                .iter()
                .map(|r| {
                    let methods: Vec<&str> = r.hops.iter().map(|h| h.method.as_str()).collect();
                    json!({"Principal": r.from, "Methods": methods, "Path": r})
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "Escalations": list })).unwrap_or_default()
            );
        }
        Format::Text => {
            for r in &reports {
                println!("{} can become admin:", r.from);
                super::paths::print_path(r, "  ");
            }
            let principals = graph
                .nodes()
                .iter()
                .filter(|n| n.kind != polcheck_core::paths::NodeKind::External)
                .count();
            println!(
                "{} of {principals} principals can escalate to admin",
                reports.len()
            );
        }
    }
    if reports.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Negative
    }
}
