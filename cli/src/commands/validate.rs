//! `polcheck validate`: check policy files against the service catalogue.
//!
//! Text output is one line per finding, `FILE:LINE:COL: severity[code]: message (did you mean
//! ...)`, compiler style; `--format json` prints one JSON array of every file's findings, each
//! with its `file`. Files that cannot be read, and policies IAM would refuse, are reported on
//! standard error as `FILE: error: ...` or `FILE:LINE:COL: error: ...`; the other files are
//! still checked.

use polcheck_core::validate::{validate_policy_text, Finding};
use serde_json::Value;

use crate::input::read_text;
use crate::output::{colour, paint};
use crate::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when no file has a finding, 1 when any has one \
    (warnings count), 2 when a file cannot be read or is not a valid policy."
)]
pub struct Args {
    /// Policy files to check (`-` reads standard input).
    #[arg(required = true, value_name = "POLICY")]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// One finding as a text line.
fn line(file: &str, f: &Finding, colour: bool) -> String {
    let severity = paint(
        f.severity.as_str(),
        match f.severity {
            polcheck_core::validate::Severity::Error => "31",
            polcheck_core::validate::Severity::Warning => "33",
            polcheck_core::validate::Severity::Info => "36",
        },
        colour,
    );
    let mut out = format!(
        "{file}:{}: {severity}[{}]: {}",
        f.location.position, f.code, f.message
    );
    if let Some(s) = &f.suggestion {
        out.push_str(&format!(" (did you mean `{s}`?)"));
    }
    out
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let mut code = ExitCode::Success;
    let mut json: Vec<Value> = Vec::new();
    let on = colour();
    for file in &args.files {
        let text = match read_text(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: error: {}", e.file, e.message);
                code = ExitCode::InputError;
                continue;
            }
        };
        let findings = match validate_policy_text(&text) {
            Ok(f) => f,
            Err(e) => {
                eprintln!(
                    "{file}:{}: error: {} (at {})",
                    e.location.position, e.kind, e.location.path
                );
                code = ExitCode::InputError;
                continue;
            }
        };
        if !findings.is_empty() && code == ExitCode::Success {
            code = ExitCode::Negative;
        }
        for f in &findings {
            match args.format {
                Format::Text => println!("{}", line(file, f, on)),
                Format::Json => {
                    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
                    if let Value::Object(m) = &mut v {
                        m.insert("file".into(), Value::String(file.clone()));
                    }
                    json.push(v);
                }
            }
        }
    }
    if let Format::Json = args.format {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into())
        );
    }
    code
}
