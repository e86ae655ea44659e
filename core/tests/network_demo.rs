//! The demo network suite of the corpus: its world is a file next to it, read with positions.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::collections::BTreeSet;
use std::path::Path;

use polcheck_core::json;
use polcheck_core::network::{exposure, Flow, NetworkModel};

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/suites/network-demo.json"
);

fn load() -> (serde_json::Value, NetworkModel) {
    let text = std::fs::read_to_string(SUITE).expect("suite is readable");
    let suite: serde_json::Value = serde_json::from_str(&text).expect("suite is JSON");
    let world_rel = suite["world"].as_str().expect("world is a path");
    let world_path = Path::new(SUITE)
        .parent()
        .expect("suite has a folder")
        .join(world_rel);
    let world_text = std::fs::read_to_string(&world_path).expect("world is readable");
    let doc = json::parse(&world_text).expect("world parses");
    let (model, warnings) = NetworkModel::import(&[("network.json", &doc)]).expect("world imports");
    assert!(warnings.is_empty(), "{warnings:?}");
    (suite, model)
}

#[test]
fn demo_suite_passes() {
    let (suite, model) = load();
    let tests = suite["tests"].as_array().expect("tests");
    assert!(tests.len() >= 8);
    let mut failures = Vec::new();
    for test in tests {
        let flow = Flow::from_test_json(&test["flow"]).expect("flow reads");
        let verdict = model.evaluate(&flow).expect("flow evaluates");
        let got: BTreeSet<&str> = verdict.blocked_by();
        let mut ok = test["expect"] == verdict.outcome.as_str();
        if let Some(expected) = test["blockedBy"].as_array() {
            ok &= expected
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<BTreeSet<_>>()
                == got;
        }
        if !ok {
            failures.push(format!(
                "{}: got {got:?}\n{:#?}",
                test["name"], verdict.blockers
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn demo_exposure() {
    let (_, model) = load();
    let shown: Vec<String> = exposure(&model)
        .iter()
        .map(|e| {
            let ports: Vec<String> = e.ports.iter().map(|p| p.to_string()).collect();
            format!(
                "{} {} {} {}",
                e.instance_id.as_deref().unwrap_or(&e.interface_id),
                e.address,
                e.protocol,
                ports.join(",")
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "i-0web01a2b3c4d5e6f 2600:1f18:4a3:6e00::20 tcp 443",
            "i-0web01a2b3c4d5e6f 54.210.10.20 tcp 80,443",
            "lb:demo-web/subnet-0pub1a2b3c4d5e6f7 demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443",
            "lb:demo-web/subnet-0pub2a2b3c4d5e6f7 demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443",
        ]
    );
}
