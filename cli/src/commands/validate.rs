//! `polcheck validate`: check policy files against IAM's grammar, the policy type's rules,
//! the service catalogue and the security checks, reporting every finding in one run.
//!
//! Text output is one line per finding, `FILE:LINE:COL: severity[code]: message (did you mean
//! ...)`, compiler style; what IAM would refuse goes to standard error as `FILE:LINE:COL:
//! error: message (at PATH) [code]`, every one of them, and the rest is still checked;
//! `--format json` prints one JSON
//! array of every file's findings, each with its `file` (a file that cannot be read is an
//! entry with code `unreadable-file`, so the array always carries everything); `--format
//! sarif` prints a SARIF 2.1.0 log. Suppressions come from `.polcheck.toml` (or `--config`)
//! and `--allow`.

use std::path::Path;

use polcheck_core::json;
use polcheck_core::policy::Location;
use polcheck_core::validate::suppress::Suppressions;
use polcheck_core::validate::{
    sarif, validate_json, validate_text, world::options_in, world::organization_findings,
    world::policy_documents, Finding, Options, PolicyType, Severity,
};
use serde::Deserialize;
use serde_json::Value;

use crate::input::read_text;
use crate::output::{colour, paint};
use crate::ExitCode;

/// `--format` of `validate`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    /// Lines for people.
    Text,
    /// A JSON array of findings.
    Json,
    /// A SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
}

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when no file has a finding, 1 when any has one \
    (warnings count), 2 when a file cannot be read or holds something IAM would refuse \
    (every finding is still reported).\n\nSuppressions: `.polcheck.toml` in the current \
    directory (or --config FILE) with `[validate] allow = [\"CODE\"]` and \
    `[[validate.ignore]] code = \"CODE\"  path = \"GLOB\"`; --allow CODE or CODE:GLOB."
)]
pub struct Args {
    /// Policy files to check (`-` reads standard input).
    #[arg(value_name = "POLICY", required_unless_present = "worlds")]
    files: Vec<String>,
    /// World files or directories: check every policy document in them, each as its kind.
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// The kind of policy the files are (default: inferred from each document).
    #[arg(long = "policy-type", value_name = "TYPE", value_parser = parse_policy_type)]
    policy_type: Option<PolicyType>,
    /// Silence a finding code everywhere, or `CODE:GLOB` for matching files only.
    #[arg(long = "allow", value_name = "CODE[:GLOB]")]
    allow: Vec<String>,
    /// The project file with suppressions (default: `.polcheck.toml` if present).
    #[arg(long = "config", value_name = "FILE")]
    config: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    format: ValidateFormat,
}

fn parse_policy_type(s: &str) -> Result<PolicyType, String> {
    s.parse()
        .map_err(|e: polcheck_core::validate::UnknownPolicyType| e.to_string())
}

/// `.polcheck.toml`, the part `validate` reads.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    validate: ValidateConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ValidateConfig {
    /// Codes silenced everywhere.
    #[serde(default)]
    allow: Vec<String>,
    /// Codes silenced in some files.
    #[serde(default)]
    ignore: Vec<IgnoreRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreRule {
    code: String,
    path: Option<String>,
    #[allow(dead_code, reason = "documentation for the reader of the file")]
    reason: Option<String>,
}

/// The suppressions of this run: the project file's, then `--allow`'s.
fn suppressions(args: &Args) -> Result<Suppressions, String> {
    let mut s = Suppressions::default();
    let file = match &args.config {
        Some(f) => Some(f.clone()),
        None => Path::new(".polcheck.toml")
            .is_file()
            .then(|| ".polcheck.toml".to_string()),
    };
    if let Some(file) = file {
        let text = read_text(&file).map_err(|e| format!("{}: error: {}", e.file, e.message))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| format!("{file}: error: {}", e.message()))?;
        for code in &config.validate.allow {
            s.allow(code, None);
        }
        for rule in &config.validate.ignore {
            s.allow(&rule.code, rule.path.as_deref());
        }
    }
    for a in &args.allow {
        match a.split_once(':') {
            Some((code, glob)) => s.allow(code, Some(glob)),
            None => s.allow(a, None),
        }
    }
    Ok(s)
}

/// One finding as a text line.
fn line(file: &str, f: &Finding, colour: bool) -> String {
    let severity = paint(
        f.severity.as_str(),
        match f.severity {
            Severity::Error => "31",
            Severity::Warning => "33",
            _ => "36",
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

/// What one run found: per file, its findings; and the files that could not be read.
struct Run {
    code: ExitCode,
    files: Vec<(String, Vec<Finding>)>,
    unreadable: Vec<(String, String)>,
}

impl Run {
    fn unreadable(&mut self, file: &str, message: String) {
        self.code = ExitCode::InputError;
        self.unreadable.push((file.to_string(), message));
    }

    fn add(&mut self, file: &str, findings: Vec<Finding>, quiet: &Suppressions) {
        let findings: Vec<Finding> = findings
            .into_iter()
            .filter(|f| !quiet.suppresses(file, f.code))
            .collect();
        if findings.iter().any(Finding::is_refused) {
            self.code = ExitCode::InputError;
        } else if !findings.is_empty() && self.code == ExitCode::Success {
            self.code = ExitCode::Negative;
        }
        match self.files.iter_mut().find(|(f, _)| f == file) {
            Some((_, all)) => all.extend(findings),
            None => self.files.push((file.to_string(), findings)),
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let quiet = match suppressions(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::InputError;
        }
    };
    let mut run = Run {
        code: ExitCode::Success,
        files: Vec::new(),
        unreadable: Vec::new(),
    };
    let options = Options {
        policy_type: args.policy_type,
        size_limit: None,
        account: None,
    };
    for file in &args.files {
        match read_text(file) {
            Ok(text) => run.add(file, validate_text(&text, &options), &quiet),
            Err(e) => run.unreadable(&e.file, e.message),
        }
    }
    match crate::world::read_files(&args.worlds) {
        Err(e) => run.unreadable("", e),
        Ok(files) => {
            for (file, text) in &files {
                let doc = match json::parse(text) {
                    Ok(d) => d,
                    Err(e) => {
                        let location = Location {
                            position: e.position,
                            ..Location::default()
                        };
                        let message = format!("invalid JSON: {}", e.message);
                        let finding = Finding {
                            location,
                            ..unreadable_finding(&message)
                        };
                        run.add(
                            file,
                            vec![Finding {
                                code: "invalid-json",
                                ..finding
                            }],
                            &quiet,
                        );
                        continue;
                    }
                };
                run.add(
                    file,
                    organization_findings(&doc.root, doc.line_index()),
                    &quiet,
                );
                for (path, node) in policy_documents(&doc.root) {
                    let mut opts = options_in(&doc.root, &path);
                    if args.policy_type.is_some() {
                        opts.policy_type = args.policy_type;
                    }
                    let findings = validate_json(node, doc.line_index(), &path, &opts);
                    run.add(file, findings, &quiet);
                }
            }
        }
    }
    print(&run, args.format);
    run.code
}

/// Prints the run in the chosen format; unreadable files also go to standard error.
fn print(run: &Run, format: ValidateFormat) {
    for (file, message) in &run.unreadable {
        if file.is_empty() {
            eprintln!("error: {message}");
        } else {
            eprintln!("{file}: error: {message}");
        }
    }
    match format {
        ValidateFormat::Text => {
            let on = colour();
            for (file, findings) in &run.files {
                for f in findings {
                    if f.is_refused() {
                        // What IAM would refuse goes to standard error, as other commands
                        // report bad input; the code comes last.
                        let at = match f.location.path.as_str() {
                            "" => String::new(),
                            path => format!(" (at {path})"),
                        };
                        eprintln!(
                            "{file}:{}: error: {}{at} [{}]",
                            f.location.position, f.message, f.code
                        );
                    } else {
                        println!("{}", line(file, f, on));
                    }
                }
            }
        }
        ValidateFormat::Json => {
            let mut out: Vec<Value> = Vec::new();
            for (file, message) in &run.unreadable {
                out.push(serde_json::json!({
                    "file": file, "code": "unreadable-file", "severity": "error",
                    "message": message, "refused": true,
                }));
            }
            for (file, findings) in &run.files {
                for f in findings {
                    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
                    if let Value::Object(m) = &mut v {
                        m.insert("file".into(), Value::String(file.clone()));
                    }
                    out.push(v);
                }
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&out).unwrap_or_else(|_| "[]".into())
            );
        }
        ValidateFormat::Sarif => {
            let mut files = run.files.clone();
            for (file, message) in &run.unreadable {
                files.push((file.clone(), vec![unreadable_finding(message)]));
            }
            let log = sarif::log(&files, env!("CARGO_PKG_VERSION"));
            println!(
                "{}",
                serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into())
            );
        }
    }
}

/// A file that could not be read, as a finding for the SARIF log.
fn unreadable_finding(message: &str) -> Finding {
    Finding {
        code: "unreadable-file",
        severity: Severity::Error,
        location: Default::default(),
        message: message.to_string(),
        suggestion: None,
        fix: None,
    }
}
