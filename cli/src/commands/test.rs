//! `polcheck test SUITE...`: runs suites, prints failures and `N passed, M failed`, like
//! `cargo test`: `-v` prints every test with its result and the deciding statement,
//! `--filter` runs only the tests whose name holds a text, `--format json` and `--format
//! junit` (JUnit XML, for CI dashboards) report every test.

use std::path::Path;

use polcheck_core::json::Document;
use polcheck_core::question::QuestionOptions;
use polcheck_core::suite::{Suite, SuiteRun, WorldSource};
use polcheck_core::Engine;
use serde_json::json;

use crate::input::read_text;
use crate::ExitCode;

/// `--format` of `polcheck test`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// A line per failure (`-v`: per test), then `N passed, M failed`.
    Text,
    /// One JSON document: every suite and test, with what it got.
    Json,
    /// JUnit XML: a `<testsuite>` per suite file, a `<testcase>` per test.
    Junit,
}

#[derive(clap::Args)]
pub struct Args {
    /// Suite files (JSON, in the format of shared/spec/policy-tests.md).
    #[arg(required = true)]
    suites: Vec<String>,
    /// Print every test with its result and the deciding statement, not only failures.
    #[arg(short, long)]
    verbose: bool,
    /// Run only the tests whose name contains this text (case-sensitive).
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
    /// Fail a test whose question `eval` would refuse: a resource of no type the action
    /// takes, a context value not of its key's type. Without it such a test runs and its
    /// problem is printed as a warning. (A misspelt action, or a caller the world does not
    /// hold, fails a test always, unless accepted.)
    #[arg(long)]
    strict: bool,
    /// Accept, in every test, an action the service catalogue does not know (a test accepts
    /// one alone with `"accept": ["unknownAction"]`).
    #[arg(long)]
    allow_unknown_action: bool,
    /// Accept, in every test, a caller its world does not hold (an external caller; a test
    /// accepts one alone with `"accept": ["unknownPrincipal"]`).
    #[arg(long)]
    allow_unknown_principal: bool,
}

/// One test, run.
struct Record {
    name: String,
    /// `line:col` of the test in its suite, when known.
    position: Option<String>,
    failure: Option<String>,
    got: Option<String>,
    blocked_by: Vec<String>,
    deciding: Vec<String>,
    /// What the question names that `eval` would refuse (accepted without `--strict`).
    warnings: Vec<String>,
}

/// One suite file: its tests, or why it could not be read.
struct SuiteReport {
    file: String,
    tests: Vec<Record>,
    error: Option<String>,
    filtered_out: usize,
}

pub fn run(args: Args) -> ExitCode {
    let mut reports = Vec::new();
    let accept = QuestionOptions {
        allow_unknown_actions: args.allow_unknown_action,
        allow_unknown_principals: args.allow_unknown_principal,
    };
    for file in &args.suites {
        let report = match run_suite(file, args.filter.as_deref(), args.strict, accept) {
            Ok(r) => r,
            Err(e) => SuiteReport {
                file: file.clone(),
                tests: Vec::new(),
                error: Some(e),
                filtered_out: 0,
            },
        };
        if args.format == TestFormat::Text {
            print_text(&report, args.verbose);
        }
        reports.push(report);
    }
    let failed_tests: usize = reports
        .iter()
        .map(|r| r.tests.iter().filter(|t| t.failure.is_some()).count())
        .sum();
    let unreadable = reports.iter().filter(|r| r.error.is_some()).count();
    let passed: usize = reports
        .iter()
        .map(|r| r.tests.iter().filter(|t| t.failure.is_none()).count())
        .sum();
    let failed = failed_tests + unreadable;
    let filtered_out: usize = reports.iter().map(|r| r.filtered_out).sum();
    let warned: usize = reports
        .iter()
        .map(|r| r.tests.iter().filter(|t| !t.warnings.is_empty()).count())
        .sum();
    match args.format {
        TestFormat::Text => {
            if filtered_out > 0 {
                println!("({filtered_out} tests filtered out)");
            }
            if warned > 0 {
                println!(
                    "({warned} tests ask what `eval` would refuse, printed as warnings; --strict fails them)"
                );
            }
            println!("{passed} passed, {failed} failed");
        }
        TestFormat::Json => {
            let suites: Vec<_> = reports
                .iter()
                .map(|r| {
                    json!({
                        "file": r.file,
                        "error": r.error,
                        "filteredOut": r.filtered_out,
                        "tests": r.tests.iter().map(|t| json!({
                            "name": t.name,
                            "position": t.position,
                            "passed": t.failure.is_none(),
                            "got": t.got,
                            "blockedBy": t.blocked_by,
                            "deciding": t.deciding,
                            "failure": t.failure,
                            "warnings": t.warnings,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let out = json!({
                "suites": suites,
                "passed": passed,
                "failed": failed,
                "filteredOut": filtered_out,
                "warned": warned,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        TestFormat::Junit => print!("{}", junit(&reports)),
    }
    if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Negative
    }
}

fn print_text(r: &SuiteReport, verbose: bool) {
    if let Some(e) = &r.error {
        crate::report::error(e);
        return;
    }
    for t in &r.tests {
        let at = t
            .position
            .as_ref()
            .map(|p| format!("{}:{p}", r.file))
            .unwrap_or_else(|| r.file.clone());
        for w in &t.warnings {
            println!("warn {at}: {}: {w}", t.name);
        }
        match &t.failure {
            Some(why) => println!("FAIL {at}: {}: {why}", t.name),
            None if verbose => {
                let blocked = if t.blocked_by.is_empty() {
                    String::new()
                } else {
                    format!(", blocked by {}", t.blocked_by.join(", "))
                };
                let by = if t.deciding.is_empty() {
                    String::new()
                } else {
                    format!("; deciding: {}", t.deciding.join("; "))
                };
                println!(
                    "ok   {at}: {} ({}{blocked}{by})",
                    t.name,
                    t.got.as_deref().unwrap_or("passed")
                );
            }
            None => {}
        }
    }
}

/// Runs one suite; `Err` when it cannot be read at all.
fn run_suite(
    file: &str,
    filter: Option<&str>,
    strict: bool,
    accept: QuestionOptions,
) -> Result<SuiteReport, String> {
    let text = read_text(file).map_err(|e| e.to_string())?;
    let keep = |name: &str| filter.is_none_or(|f| name.contains(f));
    let mut report = SuiteReport {
        file: file.to_string(),
        tests: Vec::new(),
        error: None,
        filtered_out: 0,
    };
    if polcheck_core::analysis::suite::is_diff_suite(&text) {
        let tests =
            polcheck_core::analysis::suite::parse(&text).map_err(|e| format!("{file}:{e}"))?;
        for t in &tests {
            if !keep(&t.name) {
                report.filtered_out += 1;
                continue;
            }
            report.tests.push(Record {
                name: t.name.clone(),
                position: None,
                failure: polcheck_core::analysis::suite::run(t),
                got: None,
                blocked_by: Vec::new(),
                deciding: Vec::new(),
                warnings: Vec::new(),
            });
        }
        return Ok(report);
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
    let run = SuiteRun::new(&suite, &engine).strict(strict).accept(accept);
    for test in &suite.tests {
        if !keep(&test.name) {
            report.filtered_out += 1;
            continue;
        }
        let result = run.run(test);
        report.tests.push(Record {
            name: test.name.clone(),
            position: Some(test.location.position.to_string()),
            failure: result.failure,
            got: result.got,
            blocked_by: result.blocked_by.into_iter().collect(),
            deciding: result.deciding,
            warnings: result.warnings,
        });
    }
    Ok(report)
}

/// Escapes text for an XML attribute or element.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report: `<testsuites>` with a `<testsuite>` per file (an unreadable one with
/// an `<error>`), a `<testcase>` per test (a failed one with a `<failure>`).
fn junit(reports: &[SuiteReport]) -> String {
    let tests: usize = reports.iter().map(|r| r.tests.len()).sum();
    let failures: usize = reports
        .iter()
        .map(|r| r.tests.iter().filter(|t| t.failure.is_some()).count())
        .sum();
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"polcheck\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    );
    for r in reports {
        let f = r.tests.iter().filter(|t| t.failure.is_some()).count();
        let e = usize::from(r.error.is_some());
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{}\">\n",
            xml(&r.file),
            r.tests.len(),
            r.filtered_out
        ));
        if let Some(err) = &r.error {
            out.push_str(&format!(
                "    <error message=\"{}\">{}</error>\n",
                xml(err),
                xml(err)
            ));
        }
        for t in &r.tests {
            let name = xml(&t.name);
            let class = xml(&r.file);
            match &t.failure {
                None if t.warnings.is_empty() => out.push_str(&format!(
                    "    <testcase name=\"{name}\" classname=\"{class}\"/>\n"
                )),
                // A warning is what JUnit readers show beside a passed test: its stderr.
                None => out.push_str(&format!(
                    "    <testcase name=\"{name}\" classname=\"{class}\">\n      <system-err>{}</system-err>\n    </testcase>\n",
                    xml(&t.warnings.iter().map(|w| format!("warning: {w}")).collect::<Vec<_>>().join("\n"))
                )),
                Some(why) => out.push_str(&format!(
                    "    <testcase name=\"{name}\" classname=\"{class}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(why),
                    xml(&format!(
                        "{}{}",
                        t.position.as_deref().map(|p| format!("{}:{p}: ", r.file)).unwrap_or_default(),
                        why
                    ))
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
