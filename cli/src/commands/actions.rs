//! `polcheck actions`: expand action patterns (`s3:Get*`, `*:Describe*`) to the catalogue's
//! actions with their access levels, one per line, or as JSON with `--format json`.

use std::collections::HashSet;

use polcheck_core::catalogue::{ActionRef, Catalogue};
use serde_json::{json, Value};

use crate::output::Format;
use crate::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when every pattern matches an action, 1 when one \
    matches nothing (with a suggestion on standard error), 2 for a malformed pattern."
)]
pub struct Args {
    /// Action patterns, `service:action` with `*` and `?` wildcards, or `*`.
    #[arg(required = true, value_name = "PATTERN")]
    patterns: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Whether the catalogue can read `pattern`: `*`, or a non-empty service and action.
fn well_formed(pattern: &str) -> bool {
    pattern == "*"
        || pattern
            .split_once(':')
            .is_some_and(|(s, a)| !s.is_empty() && !a.is_empty() && !a.contains(':'))
}

/// What the user probably meant by a pattern that matches nothing.
fn suggestion(cat: &Catalogue, pattern: &str) -> Option<String> {
    let (svc, rest) = pattern.split_once(':')?;
    if let Some(s) = cat.suggest_action(pattern) {
        return Some(s);
    }
    if !svc.contains(['*', '?']) {
        return cat.suggest_service(svc).map(|s| format!("{s}:{rest}"));
    }
    None
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
    if let Some(bad) = args.patterns.iter().find(|p| !well_formed(p)) {
        eprintln!("error: malformed action pattern `{bad}` (expected `service:action` or `*`)");
        return ExitCode::InputError;
    }
    let mut code = ExitCode::Success;
    let mut seen = HashSet::new();
    let mut found: Vec<ActionRef> = Vec::new();
    for p in &args.patterns {
        let expanded = cat.expand_actions(p);
        if expanded.is_empty() {
            code = ExitCode::Negative;
            match suggestion(cat, p) {
                Some(s) => eprintln!("error: `{p}` matches no action (did you mean `{s}`?)"),
                None => eprintln!("error: `{p}` matches no action"),
            }
        }
        for a in expanded {
            if seen.insert(a.full_name()) {
                found.push(a);
            }
        }
    }
    match args.format {
        Format::Text => {
            let width = found.iter().map(|a| a.full_name().len()).max().unwrap_or(0);
            for a in &found {
                println!("{:width$}  {}", a.full_name(), a.access_level());
            }
        }
        Format::Json => {
            let items: Vec<Value> = found
                .iter()
                .map(|a| {
                    json!({
                        "action": a.full_name(),
                        "service": a.service.prefix(),
                        "name": a.action.name(),
                        "accessLevel": a.access_level().as_str(),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
            );
        }
    }
    code
}
