//! `polcheck test SUITE...`: runs suites, prints failures and `N passed, M failed`.

use std::path::Path;

use polcheck_core::suite::{run_policy_test, Suite, TestKind};

use crate::input::read_text;
use crate::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Suite files (JSON, in the format of shared/spec/policy-tests.md).
    #[arg(required = true)]
    suites: Vec<String>,
}

pub fn run(args: Args) -> ExitCode {
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &args.suites {
        match run_suite(file) {
            Ok((p, f)) => {
                passed += p;
                failed += f;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Negative
    }
}

/// Runs one suite; `Err` when it cannot be read at all.
fn run_suite(file: &str) -> Result<(usize, usize), String> {
    let text = read_text(file).map_err(|e| e.to_string())?;
    let suite = Suite::parse(&text).map_err(|e| format!("{file}:{e}"))?;
    let _dir = Path::new(file).parent();
    if suite.world.is_some() {
        return Err(format!("{file}: worlds are not supported yet"));
    }
    let layers = suite.policies.compile();
    let (mut passed, mut failed) = (0, 0);
    for test in &suite.tests {
        let result = match &test.kind {
            TestKind::Request { .. } => run_policy_test(&layers, &suite, test),
            TestKind::Flow { .. } => None,
        };
        match result.and_then(|r| r.failure) {
            None if matches!(test.kind, TestKind::Request { .. }) => passed += 1,
            None => {
                failed += 1;
                println!(
                    "FAIL {file}: {}: network flows are not supported yet",
                    test.name
                );
            }
            Some(why) => {
                failed += 1;
                println!(
                    "FAIL {file}:{}: {}: {why}",
                    test.location.position, test.name
                );
            }
        }
    }
    Ok((passed, failed))
}
