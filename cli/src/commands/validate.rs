//! `polcheck validate`: check policy files against the service catalogue.
//!
//! Text output is one line per finding, `FILE:LINE:COL: severity[code]: message (did you mean
//! ...)`, compiler style; `--format json` prints one JSON array of every file's findings, each
//! with its `file`. Files that cannot be read, and policies IAM would refuse, are reported on
//! standard error as `FILE: error: ...` or `FILE:LINE:COL: error: ...`; the other files are
//! still checked.

use polcheck_core::json;
use polcheck_core::validate::{
    validate_policy_json, validate_policy_text, world::policy_documents, Finding,
};
use serde_json::Value;

use crate::input::read_text;
use crate::output::Format;
use crate::output::{colour, paint};
use crate::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when no file has a finding, 1 when any has one \
    (warnings count), 2 when a file cannot be read or is not a valid policy."
)]
pub struct Args {
    /// Policy files to check (`-` reads standard input).
    #[arg(value_name = "POLICY", required_unless_present = "worlds")]
    files: Vec<String>,
    /// World files or directories: check every policy document in them.
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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
        report(file, &findings, args.format, on, &mut json);
    }
    match crate::world::read_files(&args.worlds) {
        Err(e) => {
            eprintln!("error: {e}");
            code = ExitCode::InputError;
        }
        Ok(files) => {
            for (file, text) in &files {
                let doc = match json::parse(text) {
                    Ok(d) => d,
                    Err(e) => {
                        eprintln!("{file}:{}: error: invalid JSON: {}", e.position, e.message);
                        code = ExitCode::InputError;
                        continue;
                    }
                };
                for (path, node) in policy_documents(&doc.root) {
                    match validate_policy_json(node, doc.line_index(), &path) {
                        Ok(findings) => {
                            if !findings.is_empty() && code == ExitCode::Success {
                                code = ExitCode::Negative;
                            }
                            report(file, &findings, args.format, on, &mut json);
                        }
                        Err(e) => {
                            eprintln!(
                                "{file}:{}: error: {} (at {})",
                                e.location.position, e.kind, e.location.path
                            );
                            code = ExitCode::InputError;
                        }
                    }
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

/// Prints findings as text, or collects them for the JSON array.
fn report(file: &str, findings: &[Finding], format: Format, on: bool, json: &mut Vec<Value>) {
    for f in findings {
        match format {
            Format::Text => println!("{}", line(file, f, on)),
            Format::Json => {
                let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("file".into(), Value::String(file.to_string()));
                }
                json.push(v);
            }
        }
    }
}
