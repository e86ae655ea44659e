//! The three-tier conformance suite: every flow test's `expect` and `blockedBy` must match.

use std::collections::BTreeSet;

use polcheck_core::json;
use polcheck_core::network::{Flow, NetworkModel};

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/network/three-tier.json"
);

#[test]
fn three_tier_suite_passes_exactly() {
    let text = std::fs::read_to_string(SUITE).expect("suite file is readable");
    let suite: serde_json::Value = serde_json::from_str(&text).expect("suite is JSON");
    let world_text = serde_json::to_string_pretty(&suite["world"]).expect("world serializes");
    let world = json::parse(&world_text).expect("world parses");
    let (model, warnings) =
        NetworkModel::import(&[("three-tier.json#world", &world)]).expect("world imports");
    assert!(warnings.is_empty(), "{warnings:?}");
    let tests = suite["tests"].as_array().expect("tests array");
    assert!(tests.len() >= 12);
    let mut failures = Vec::new();
    for test in tests {
        let name = test["name"].as_str().unwrap_or("?");
        let flow = Flow::from_test_json(&test["flow"]).expect("flow reads");
        let verdict = model.evaluate(&flow).expect("flow evaluates");
        let got: BTreeSet<&str> = verdict.blocked_by();
        let mut ok = test["expect"] == verdict.outcome.as_str();
        if let Some(expected) = test.get("blockedBy").and_then(|b| b.as_array()) {
            let expected: BTreeSet<&str> = expected.iter().filter_map(|v| v.as_str()).collect();
            ok &= expected == got;
        }
        if !ok {
            failures.push(format!(
                "{name}: expected {} {:?}, got {} {:?}\n{:#?}",
                test["expect"],
                test.get("blockedBy"),
                verdict.outcome.as_str(),
                got,
                verdict.blockers
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
