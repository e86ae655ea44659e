//! `polcheck test SUITE...`: runs suites, prints failures and `N passed, M failed`.

use std::path::Path;

use polcheck_core::json::Document;
use polcheck_core::suite::{Suite, SuiteRun, WorldSource};
use polcheck_core::Engine;

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
    if polcheck_core::analysis::suite::is_diff_suite(&text) {
        return super::diff::run_suite(file, &text);
    }
    let suite = Suite::parse(&text).map_err(|e| format!("{file}:{e}"))?;
    let engine = match &suite.world {
        None => Engine::builder().build().map_err(|e| e.to_string())?,
        Some(WorldSource::Path(p)) => {
            let dir = Path::new(file).parent().unwrap_or(Path::new("."));
            let path = dir.join(p).display().to_string();
            crate::world::engine(Engine::builder(), &crate::world::read_files(&[path])?)?
        }
        Some(WorldSource::Inline(root)) => {
            let doc = Document::from_parts(root.clone(), suite.lines.clone());
            Engine::builder()
                .world_document(file, doc)
                .build()
                .map_err(|e| e.to_string())?
        }
        Some(_) => return Err(format!("{file}: a world source this version cannot read")),
    };
    let (mut passed, mut failed) = (0, 0);
    for (test, result) in suite
        .tests
        .iter()
        .zip(SuiteRun::new(&suite, &engine).run_all())
    {
        match result.failure {
            None => passed += 1,
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
