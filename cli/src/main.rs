//! `polcheck`: would AWS allow this? Answered offline.
//!
//! This binary only parses arguments, reads files and prints; every decision is made by
//! `polcheck-core`. Exit codes are documented on [`ExitCode`].
#![forbid(unsafe_code)]

mod commands;
mod input;
mod output;
mod report;
mod world;

use clap::{Parser, Subcommand};

/// The exit codes of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: allowed, every test passed, no finding.
    Success = 0,
    /// 1: denied (eval), a test failed (test), findings (validate).
    Negative = 1,
    /// 2: bad input: unreadable file, invalid JSON or policy, bad arguments, a malformed
    /// question.
    InputError = 2,
    /// 3: unknown: the inputs lack something the answer depends on (eval, batch; for flows a
    /// route target polcheck does not follow, or a world without network data), or the
    /// analysis (`diff`, `check`) cannot decide a construct of the input.
    Unknown = 3,
    /// 70: an internal error (a bug in polcheck), e.g. a batch line whose evaluation failed;
    /// every other line was still answered.
    Internal = 70,
}

impl ExitCode {
    /// The code of a run of answers: 1 when any is a deny, else 3 when any is unknown, else 0.
    pub fn of_outcomes(
        outcomes: impl IntoIterator<Item = polcheck_core::decide::Outcome>,
    ) -> ExitCode {
        use polcheck_core::decide::Outcome;
        let (mut denied, mut unknown) = (false, false);
        for o in outcomes {
            match o {
                Outcome::Allowed => {}
                Outcome::Unknown => unknown = true,
                _ => denied = true,
            }
        }
        if denied {
            ExitCode::Negative
        } else if unknown {
            ExitCode::Unknown
        } else {
            ExitCode::Success
        }
    }
}

#[derive(Parser)]
#[command(
    name = "polcheck",
    version,
    about = "Would AWS allow this? IAM and VPC answers, offline."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run policy test suites and print `N passed, M failed`.
    Test(commands::test::Args),
    /// Evaluate a request against policies or a world (like `aws iam simulate-custom-policy`),
    /// list who can do something, or evaluate a network flow (`--from`, `--to`).
    Eval(commands::eval::Args),
    /// List every instance port reachable from the internet.
    Exposure(commands::flow::ExposureArgs),
    /// Check policies against the service catalogue: unknown actions and condition keys,
    /// resources no action takes, operator and key type mismatches. Exit 1 on any finding,
    /// warnings included.
    Validate(commands::validate::Args),
    /// Expand action patterns such as `s3:Get*` to actions with their access levels.
    Actions(commands::actions::Args),
    /// Replay CloudTrail events against a world (and a proposed one): match rate, decisions
    /// that flip, unused access. Exit 1 on any disagreement or flip.
    Replay(commands::replay::Args),
    /// Print what the embedded service catalogue holds and its source version.
    Catalogue(commands::catalogue::Args),
    /// Access paths: how a principal can act as another, become admin, or reach an action,
    /// each hop with the statements that allow it. Exit 1 when there is no path.
    Paths(commands::paths::Args),
    /// Every principal that can escalate to admin, with its path. Exit 1 when any can.
    Escalation(commands::escalation::Args),
    /// Does NEW allow anything OLD does not? PASS/FAIL with witness requests, or UNKNOWN.
    Diff(commands::diff::Args),
    /// Check one policy: `--not-granted ACTION...` or `--no-public-access`.
    Check(commands::check::Args),
    /// Resource and trust policies of a world granting access outside the trust zone.
    Findings(commands::findings::Args),
}

fn main() -> std::process::ExitCode {
    output::quiet_on_closed_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::InputError
            } else {
                ExitCode::Success
            };
            let _ = e.print();
            return std::process::ExitCode::from(code as u8);
        }
    };
    let code = match cli.command {
        Command::Test(args) => commands::test::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Exposure(args) => commands::flow::run_exposure(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Actions(args) => commands::actions::run(args),
        Command::Catalogue(args) => commands::catalogue::run(args),
        Command::Paths(args) => commands::paths::run(args),
        Command::Escalation(args) => commands::escalation::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Findings(args) => commands::findings::run(args),
        Command::Replay(args) => commands::replay::run(args),
    };
    std::process::ExitCode::from(code as u8)
}
