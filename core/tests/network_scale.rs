//! The network half at the scale of issue #17 item 6, in release mode without the benches
//! crate: the generated estate of `benches/src/network_estate.rs` (100 VPCs joined by a transit
//! gateway, 10,000 instance interfaces, plus a shared-services VPC peered with VPC 0), its
//! import, `exposure`, and one flow across the transit gateway and one across the peering.
//!
//! ```sh
//! nice -n 19 cargo test -p polcheck-core --release --test network_scale -- --ignored --nocapture
//! ```
//!
//! prints the wall clock of each; `valgrind --tool=callgrind` on the test binary (with
//! `--ignored network_scale`) gives instruction counts. The numbers are in benches/README.md,
//! "Network scale (session 5)". The test itself asserts what the flows must find, and the
//! bounds of the issue (exposure < 1 s, a flow < 1 ms) only in release mode.

#[expect(dead_code, reason = "the IAM generators of the file are not used here")]
#[expect(
    clippy::indexing_slicing,
    reason = "generator code of the benches crate"
)]
#[path = "../../benches/src/estates.rs"]
mod estates;
#[expect(
    clippy::indexing_slicing,
    reason = "generator code of the benches crate"
)]
#[path = "../../benches/src/network_estate.rs"]
mod network_estate;

use std::time::{Duration, Instant};

use polcheck_core::json;
use polcheck_core::network::{exposure, Flow, NetworkModel, Reachability};

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: a malformed flow is a test bug"
)]
fn flow(from: &str, to: &str, port: u16) -> Flow {
    Flow::from_test_json(
        &serde_json::json!({"from": from, "to": to, "protocol": "tcp", "port": port}),
    )
    .unwrap()
}

/// The mean of `n` runs of `f`.
fn mean(n: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed() / n
}

#[test]
#[ignore = "a measurement: run in release mode with --ignored --nocapture"]
fn network_scale() {
    let text = network_estate::network_estate(network_estate::Sizes::LARGE);
    let doc = json::parse(&text).unwrap();
    let t = Instant::now();
    let (model, _) = NetworkModel::import(&[("estate.json", &doc)]).unwrap();
    let import = t.elapsed();
    let interfaces = model.interfaces().len();
    assert!(interfaces >= 10_000, "{interfaces}");
    assert!(model.vpcs().len() > 100);

    let t = Instant::now();
    let found = exposure(&model);
    let exposure_time = t.elapsed();
    assert!(!found.is_empty());

    let across_tgw = flow("i-3-1", "i-57-1", 22);
    let v = model.evaluate(&across_tgw).unwrap();
    assert!(v.hops.iter().any(|h| h.component == "tgw-1"), "{v:?}");
    let across_peering = flow("i-0-1", "i-shared-1", 443);
    let p = model.evaluate(&across_peering).unwrap();
    assert_eq!(p.outcome, Reachability::Allowed, "{p:?}");
    assert!(p.hops.iter().any(|h| h.component == "pcx-shared"), "{p:?}");
    // Not transitive: VPC 3 reaches VPC 0 by the transit gateway, but not the peered VPC.
    let q = model.evaluate(&flow("i-3-1", "i-shared-1", 443)).unwrap();
    assert_ne!(q.outcome, Reachability::Allowed, "{q:?}");

    let tgw_time = mean(1_000, || {
        std::hint::black_box(model.evaluate(&across_tgw).is_ok());
    });
    let peering_time = mean(1_000, || {
        std::hint::black_box(model.evaluate(&across_peering).is_ok());
    });
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{interfaces} interfaces in {} VPCs; import {import:?}; exposure {exposure_time:?} ({} exposed interface-protocol pairs); flow across the tgw ({}) {tgw_time:?}; flow across the peering ({}) {peering_time:?}; load {}",
        model.vpcs().len(),
        found.len(),
        v.outcome.as_str(),
        p.outcome.as_str(),
        load.trim()
    );
    if !cfg!(debug_assertions) {
        assert!(exposure_time < Duration::from_secs(1), "{exposure_time:?}");
        assert!(tgw_time < Duration::from_millis(1), "{tgw_time:?}");
        assert!(peering_time < Duration::from_millis(1), "{peering_time:?}");
    }
}
