//! Suites with a `world` run through the world API: `World::load`, `prepare`, `layers_for`,
//! `decide`. `data/world-basics.json` is a copy of the shared conformance suite
//! `conformance/iam/world-basics.json`; `corpus/suites/world-demo.json` is the demo estate.

#![expect(
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use polcheck_core::decide::decide;
use polcheck_core::world::World;
use polcheck_core::Request;
use polcheck_core::{Context, ContextValue};
use serde_json::Value;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads the suite's world (a path relative to the suite, or inline) and checks every test;
/// returns the failures, one line each.
fn run_suite(path: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let suite: Value = serde_json::from_str(&text).unwrap();
    let files = match &suite["world"] {
        Value::String(rel) => {
            let p = path.parent().unwrap().join(rel);
            vec![(
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )]
        }
        inline @ Value::Object(_) => vec![("inline world".to_string(), inline.to_string())],
        other => panic!("suite without a world: {other}"),
    };
    let (world, warnings) = World::load(&files).unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    let tests = suite["tests"].as_array().unwrap();
    let mut failures = Vec::new();
    for t in tests {
        let name = t["name"].as_str().unwrap();
        let r = &t["request"];
        let mut ctx = Context::new();
        if let Some(obj) = r["context"].as_object() {
            for (k, v) in obj {
                ctx.insert(k, ContextValue::from_json(v).unwrap());
            }
        }
        let mut req = Request::new(
            r["principal"].as_str(),
            r["action"].as_str().unwrap(),
            r["resource"].as_str().unwrap(),
            ctx,
        )
        .unwrap();
        req.set_resource_account(r["resourceAccount"].as_str().map(str::to_string));
        world.prepare(&mut req);
        let d = decide(&world.layers_for(&req), &req);
        let expect = t["expect"].as_str().unwrap();
        if d.outcome.as_str() != expect {
            failures.push(format!(
                "{name}: expected {expect}, got {} ({:?})",
                d.outcome, d.matched
            ));
            continue;
        }
        if let Some(blocked) = t["blockedBy"].as_array() {
            let want: BTreeSet<&str> = blocked.iter().map(|b| b.as_str().unwrap()).collect();
            let got: BTreeSet<&str> = d.blocked_by.iter().map(|k| k.as_str()).collect();
            if want != got {
                failures.push(format!("{name}: expected blockedBy {want:?}, got {got:?}"));
            }
        }
    }
    (tests.len(), failures)
}

#[test]
fn conformance_world_basics() {
    let (n, failures) = run_suite(&manifest().join("tests/data/world-basics.json"));
    assert_eq!(n, 10);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shared_conformance_copy_is_current() {
    // When the shared tree is present, the copy must match it.
    let shared = Path::new("/work/shared/conformance/iam/world-basics.json");
    if let Ok(text) = std::fs::read_to_string(shared) {
        let copy =
            std::fs::read_to_string(manifest().join("tests/data/world-basics.json")).unwrap();
        assert_eq!(text, copy, "refresh core/tests/data/world-basics.json");
    }
}
#[test]
fn demo_world_suite() {
    let (n, failures) = run_suite(&manifest().join("../corpus/suites/world-demo.json"));
    assert!(n >= 10, "only {n} tests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
