//! The shared IAM conformance suites and our own IAM suites through the suite runner and the
//! engine, in whatever feature configuration this test is built with: `scripts/test-all.sh`
//! runs it with the default features and again with `--no-default-features`, so a Cargo
//! feature can only add (validate, the full catalogue), never change a decision.

#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::path::{Path, PathBuf};

use polcheck_core::decide::Outcome;
use polcheck_core::json::Document;
use polcheck_core::suite::{Suite, SuiteRun, WorldSource};
use polcheck_core::Context;
use polcheck_core::Engine;
use polcheck_core::Request;

fn shared() -> PathBuf {
    std::env::var_os("POLCHECK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// Runs one suite file; returns (tests run, failures).
fn run(path: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let suite = Suite::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let engine = match &suite.world {
        None => Engine::builder().build().unwrap(),
        Some(WorldSource::Path(p)) => {
            let file = path.parent().unwrap().join(p);
            let world = std::fs::read_to_string(&file).unwrap();
            Engine::builder()
                .world_file(&file.display().to_string(), &world)
                .build()
                .unwrap()
        }
        Some(WorldSource::Inline(root)) => Engine::builder()
            .world_document(
                "world",
                Document::from_parts(root.clone(), suite.lines.clone()),
            )
            .build()
            .unwrap(),
        Some(other) => panic!(
            "{}: a world source this test does not read: {other:?}",
            path.display()
        ),
    };
    let results = SuiteRun::new(&suite, &engine).run_all();
    let failures = suite
        .tests
        .iter()
        .zip(&results)
        .filter_map(|(t, r)| {
            r.failure
                .as_ref()
                .map(|f| format!("{}: {}: {f}", path.display(), t.name))
        })
        .collect();
    (results.len(), failures)
}

#[test]
fn every_iam_suite_passes_in_this_feature_configuration() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared().join("conformance/iam"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/suites");
    files.push(corpus.join("decision-flow.json"));
    files.push(corpus.join("world-demo.json"));
    assert!(files.len() >= 8, "{files:?}");
    let (mut tests, mut failures) = (0, Vec::new());
    for f in &files {
        let (n, mut fails) = run(f);
        tests += n;
        failures.append(&mut fails);
    }
    assert!(tests > 100, "{tests} tests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The example of issue #13: a table's resource policy governs its indexes, so a cross-account
/// `dynamodb:Query` on an index is allowed by it, with or without the `catalogue` feature.
#[test]
fn a_table_policy_governs_its_index_in_every_configuration() {
    let world = r#"{"AccountId": "111122223333", "ResourcePolicies": [{
        "ResourceArn": "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
        "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "dynamodb:Query", "Resource": "*"}]}}]}"#;
    let engine = Engine::builder()
        .world_file("w.json", world)
        .identity_policy(
            "caller",
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*"}}"#,
        )
        .unwrap()
        .build()
        .unwrap();
    let req = Request::new(
        Some("arn:aws:iam::444455556666:user/bob"),
        "dynamodb:Query",
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders/index/by-date",
        Context::new(),
    )
    .unwrap();
    assert_eq!(engine.check(&req).0, Outcome::Allowed);
    assert_eq!(engine.authorize(&req).outcome, Outcome::Allowed);
}
