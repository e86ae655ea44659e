//! `polcheck check POLICY`: `--not-granted ACTION...` (like Access Analyzer's
//! `CheckAccessNotGranted`) and `--no-public-access` (like `CheckNoPublicAccess`). PASS (0),
//! FAIL (1) with the offending access and a witness each, UNKNOWN (3).

use polcheck_core::analysis::{self, PolicyType};

use super::diff::{guess_kind, parse_kind, read_policy, report};
use crate::output::Format;
use crate::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 PASS, 1 FAIL (listed with witnesses), 2 bad input, \
    3 UNKNOWN (a construct the analysis does not decide)."
)]
pub struct Args {
    /// The policy to check.
    policy: String,
    /// Fail when the policy grants any of these actions (patterns allowed).
    #[arg(long, num_args = 1.., value_name = "ACTION", required_unless_present = "no_public_access")]
    not_granted: Vec<String>,
    /// With `--not-granted`: only on these resources (default: any).
    #[arg(long, num_args = 1.., value_name = "ARN", requires = "not_granted")]
    resources: Vec<String>,
    /// Fail when the resource policy grants access to the public.
    #[arg(long, conflicts_with = "not_granted")]
    no_public_access: bool,
    /// The policy's kind; default: `resource` when a statement names a Principal, else
    /// `identity`.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<PolicyType>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let (text, policy) = match read_policy(&args.policy) {
        Ok(p) => p,
        Err(e) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    let kind = args.kind.unwrap_or_else(|| guess_kind(&[&policy]));
    let result = if args.no_public_access {
        if !kind.has_principals() {
            eprintln!(
                "error: --no-public-access checks resource and trust policies (got --kind {})",
                kind.name()
            );
            return ExitCode::InputError;
        }
        analysis::check_no_public_access(&text, kind).map(|d| (d, "publicAccess", "public access"))
    } else {
        analysis::check_not_granted(&text, kind, &args.not_granted, &args.resources).map(|d| {
            (
                d,
                "grantedAccess",
                "access granted among the listed actions",
            )
        })
    };
    match result {
        Ok((d, field, what)) => report(&d, args.format, field, what),
        Err(e) => {
            crate::report::error(&e.to_string());
            ExitCode::InputError
        }
    }
}
