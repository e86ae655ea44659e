//! `polcheck diff OLD NEW`: does NEW allow anything OLD does not? PASS (0), FAIL (1) with the
//! newly allowed regions and an engine-confirmed witness request each, UNKNOWN (3) naming the
//! construct the analysis does not decide. `--removed` asks the reverse. See `docs/diff.md`.

use polcheck_core::analysis::{self, Diff, PolicyType, Verdict};
use polcheck_core::policy::Policy;

use crate::input::read_text;
use crate::output::{colour, paint, Format};
use crate::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 PASS (nothing newly allowed), 1 FAIL (new access, \
    listed with witnesses), 2 bad input, 3 UNKNOWN (a construct the analysis does not decide)."
)]
pub struct Args {
    /// The policy before the change (`-` for standard input).
    old: String,
    /// The policy after the change.
    new: String,
    /// The kind of both policies; default: `resource` when a statement names a Principal,
    /// else `identity`.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<PolicyType>,
    /// Report access OLD had that NEW lost instead.
    #[arg(long)]
    removed: bool,
    /// OLD and NEW are worlds (files or directories of AWS exports): report, per user and
    /// role, the identity-based access NEW grants that OLD did not (see also
    /// `polcheck findings --baseline` for resource and trust policies).
    #[arg(long, conflicts_with_all = ["removed", "kind"])]
    worlds: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Reads `--kind`.
pub fn parse_kind(s: &str) -> Result<PolicyType, String> {
    PolicyType::parse(s).ok_or_else(|| {
        format!("unknown kind `{s}` (expected identity, resource, trust, scp, rcp or boundary)")
    })
}

/// Reads a policy file, with errors naming the file and line:column.
pub fn read_policy(path: &str) -> Result<(String, Policy), String> {
    let text = read_text(path).map_err(|e| e.to_string())?;
    let policy = Policy::parse(&text).map_err(|e| format!("{path}:{e}"))?;
    Ok((text, policy))
}

/// The kind to use when none is given.
pub fn guess_kind(policies: &[&Policy]) -> PolicyType {
    if policies
        .iter()
        .any(|p| p.statements.iter().any(|s| s.principal.is_some()))
    {
        PolicyType::Resource
    } else {
        PolicyType::Identity
    }
}

/// Prints a result and returns its exit code. `field`: `newAccess` or `removedAccess`.
pub fn report(d: &Diff, format: Format, field: &str, what: &str) -> ExitCode {
    match format {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&d.to_json(field)).unwrap_or_default()
            );
        }
        Format::Text => {
            let on = colour();
            match &d.verdict {
                Verdict::Pass => println!("{}: {what}: nothing", paint("PASS", "32", on)),
                Verdict::Unknown(u) => println!("{}: {u}", paint("UNKNOWN", "33", on)),
                Verdict::Fail => {
                    let n = d.regions.len() + d.omitted;
                    println!(
                        "{}: {what}: {n} region{}",
                        paint("FAIL", "31", on),
                        if n == 1 { "" } else { "s" }
                    );
                    for (i, r) in d.regions.iter().enumerate() {
                        println!("region {}", i + 1);
                        println!("  actions:    {}", r.actions.join("; "));
                        if !r.example_actions.is_empty() {
                            println!("  e.g.        {}", r.example_actions.join(", "));
                        }
                        println!("  resources:  {}", r.resources.join("; "));
                        if !r.principals.is_empty() {
                            println!("  principals: {}", r.principals.join(", "));
                        }
                        for c in &r.conditions {
                            println!("  condition:  {c}");
                        }
                        println!("  statements: {}", r.statements.join("; "));
                        println!("  witness:    {}", r.witness);
                    }
                    if d.omitted > 0 {
                        println!("... and {} more regions", d.omitted);
                    }
                }
                _ => println!("{}: {what}", paint("UNKNOWN", "33", on)),
            }
        }
    }
    match d.verdict {
        Verdict::Pass => ExitCode::Success,
        Verdict::Fail => ExitCode::Negative,
        _ => ExitCode::Unknown,
    }
}

fn run_worlds(args: &Args) -> ExitCode {
    let load =
        |p: &str| crate::world::from_flags(polcheck_core::Engine::builder(), &[p.to_string()]);
    let (old, new) = match (load(&args.old), load(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    if old.world().is_none() || new.world().is_none() {
        eprintln!("error: both worlds need an IAM export");
        return ExitCode::InputError;
    }
    let label = format!("NEW (world {})", args.new);
    let diffs = match analysis::findings::diff_world_engines(&old, &new, &label) {
        Ok(d) => d,
        Err(e) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    let mut code = ExitCode::Success;
    match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = diffs
                .iter()
                .map(|p| serde_json::json!({"principal": p.principal, "diff": p.diff.to_json("newAccess")}))
                .collect();
            let fail = diffs.iter().any(|p| p.diff.verdict == Verdict::Fail);
            let result = if fail {
                "FAIL"
            } else if diffs.is_empty() {
                "PASS"
            } else {
                "UNKNOWN"
            };
            let v = serde_json::json!({"result": result, "principals": items});
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            if diffs.is_empty() {
                println!("PASS: no user or role gained identity-based access");
            }
            for p in &diffs {
                println!("== {}", p.principal);
                report(&p.diff, Format::Text, "newAccess", "access gained");
            }
        }
    }
    for p in &diffs {
        match p.diff.verdict {
            Verdict::Fail => code = ExitCode::Negative,
            Verdict::Unknown(_) if code == ExitCode::Success => code = ExitCode::Unknown,
            _ => {}
        }
    }
    code
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    if args.worlds {
        return run_worlds(&args);
    }
    let (old, new) = match (read_policy(&args.old), read_policy(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    let kind = args.kind.unwrap_or_else(|| guess_kind(&[&old.1, &new.1]));
    let result = if args.removed {
        analysis::removed(&old.0, &new.0, kind)
    } else {
        analysis::diff(&old.0, &new.0, kind)
    };
    match result {
        Ok(d) => {
            let (field, what) = if args.removed {
                ("removedAccess", "access OLD had that NEW lost")
            } else {
                ("newAccess", "access NEW grants that OLD did not")
            };
            report(&d, args.format, field, what)
        }
        Err(e) => {
            crate::report::error(&e.to_string());
            ExitCode::InputError
        }
    }
}
