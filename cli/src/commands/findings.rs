//! `polcheck findings --world W`: every resource and trust policy of the world granting
//! access to a caller outside the trust zone (public, another account, a service not bound to
//! the account), with the granting statements and a witness each. `--baseline OLD` reports
//! only the external access the world gained since OLD (the diff of two worlds).

use polcheck_core::analysis::findings::{findings_against, Findings, TrustZone};
use serde_json::json;

use crate::output::{colour, paint, Format};
use crate::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 no finding, 1 findings, 2 bad input, 3 no finding but \
    some policy could not be decided (UNKNOWN, listed)."
)]
pub struct Args {
    /// World files or directories (default: the bundled demo estate).
    #[arg(long)]
    world: Vec<String>,
    /// The world before a change: report only access gained since.
    #[arg(long)]
    baseline: Vec<String>,
    /// The trust zone: the resource's account, or its organization.
    #[arg(long, value_enum, default_value_t = Zone::Account)]
    trust_zone: Zone,
    /// The organization's id (`o-...`) for `--trust-zone org`, when the world's
    /// `Organization.Id` does not give it. Without either, a policy whose conditions name an
    /// organization (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceOrgID`,
    /// `aws:SourceOrgPaths`) is UNKNOWN: whether it names the zone's organization cannot be told.
    #[arg(long, value_name = "ID")]
    org_id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Zone {
    Account,
    Org,
}

fn print(f: &Findings, format: Format) {
    match format {
        Format::Json => {
            let v = json!({
                "findings": f.findings.iter().map(|x| json!({
                    "resource": x.resource,
                    "kind": x.kind.name(),
                    "policy": x.policy,
                    "access": x.regions.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "unknown": f.unknown.iter().map(|(r, u)| json!({"resource": r, "unknown": u.to_string()})).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            let on = colour();
            for x in &f.findings {
                println!(
                    "{} {} ({} policy {})",
                    paint("FINDING", "31", on),
                    x.resource,
                    x.kind.name(),
                    x.policy
                );
                for r in &x.regions {
                    println!("  principals: {}", r.principals.join(", "));
                    println!("  actions:    {}", r.actions.join("; "));
                    for c in &r.conditions {
                        println!("  condition:  {c}");
                    }
                    println!("  statements: {}", r.statements.join("; "));
                    println!("  witness:    {}", r.witness);
                }
            }
            for (r, u) in &f.unknown {
                println!("{} {r}: {u}", paint("UNKNOWN", "33", on));
            }
            println!(
                "{} findings, {} undecided",
                f.findings.len(),
                f.unknown.len()
            );
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let load = |paths: &[String]| crate::world::from_flags(polcheck_core::Engine::builder(), paths);
    let world = match load(&args.world) {
        Ok(env) => env,
        Err(e) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    let baseline = if args.baseline.is_empty() {
        None
    } else {
        match load(&args.baseline) {
            Ok(env) => Some(env),
            Err(e) => {
                crate::report::error(&e.to_string());
                return ExitCode::InputError;
            }
        }
    };
    let Some(w) = world.world() else {
        eprintln!("error: the world holds no IAM export");
        return ExitCode::InputError;
    };
    let zone = match args.trust_zone {
        Zone::Account => TrustZone::Account,
        Zone::Org => TrustZone::Organization,
    };
    if let (Some(flag), Some(world_id)) = (&args.org_id, w.organization_id()) {
        if !flag.eq_ignore_ascii_case(world_id) {
            eprintln!("error: --org-id {flag} differs from the world's Organization.Id {world_id}");
            return ExitCode::InputError;
        }
    }
    if let Some(id) = &args.org_id {
        if !is_org_id(id) {
            eprintln!(
                "error: --org-id `{id}` is not an organization id (`o-` and 10 to 32 lowercase letters or digits)"
            );
            return ExitCode::InputError;
        }
    }
    let base = baseline.as_ref().and_then(|b| b.world());
    match findings_against(base, w, zone, args.org_id.as_deref()) {
        Ok(f) => {
            print(&f, args.format);
            if !f.findings.is_empty() {
                ExitCode::Negative
            } else if !f.unknown.is_empty() {
                ExitCode::Unknown
            } else {
                ExitCode::Success
            }
        }
        Err(e) => {
            crate::report::error(&e.to_string());
            ExitCode::InputError
        }
    }
}

/// `o-` and 10 to 32 lowercase letters or digits (AWS Organizations API Reference,
/// `Organization.Id`).
fn is_org_id(id: &str) -> bool {
    id.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}
