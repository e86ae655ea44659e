//! The network half at scale: import, `exposure`, and single flows (across the transit
//! gateway, through a load balancer) over a generated estate of 100 VPCs, 500 subnets, 1,000
//! security groups and 10,000 instances (`polcheck_benches::network_estate`).
//!
//! `cargo bench -p polcheck-benches --bench network` runs the criterion measurements;
//! `cargo bench -p polcheck-benches --bench network -- --once` runs each operation once and
//! prints what it found, for `valgrind --tool=callgrind` (instruction counts do not depend on
//! the machine's load).

use criterion::Criterion;
use polcheck_benches::network_estate::{network_estate, Sizes};
use polcheck_core::json;
use polcheck_core::network::{exposure, Flow, NetworkModel, Reachability};
use std::hint::black_box;

fn flow(from: &str, to: &str, port: u16) -> Flow {
    Flow::from_test_json(
        &serde_json::json!({"from": from, "to": to, "protocol": "tcp", "port": port}),
    )
    .expect("a well-formed flow")
}

fn main() {
    let text = network_estate(Sizes::LARGE);
    let doc = json::parse(&text).expect("the generated estate is JSON");
    let import = || {
        NetworkModel::import(&[("estate.json", &doc)])
            .expect("the estate imports")
            .0
    };
    let model = import();
    // Across the transit gateway: from VPC 3 to VPC 57 (the answer depends on the groups).
    let across = flow("i-3-1", "i-57-1", 22);
    let through = flow("internet", "lb:web-50", 443);
    let v = model.evaluate(&across).expect("the flow evaluates");
    assert!(
        v.hops.iter().any(|h| h.component == "tgw-1"),
        "the flow crosses the transit gateway"
    );
    let lb = model.evaluate(&through).expect("the flow evaluates");
    assert_ne!(lb.outcome, Reachability::Unknown, "{:?}", lb.unknowns);
    if std::env::args().any(|a| a == "--once") {
        let found = exposure(&model);
        println!(
            "{} interfaces, {} exposed interface-protocol pairs; across the tgw: {}; through the load balancer: {}",
            model.interfaces().len(),
            found.len(),
            v.outcome.as_str(),
            lb.outcome.as_str()
        );
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("network");
    g.sample_size(10);
    g.bench_function("import-10000-instances", |b| {
        b.iter(|| black_box(import().interfaces().len()))
    });
    g.bench_function("exposure-10000-instances", |b| {
        b.iter(|| black_box(exposure(&model).len()))
    });
    g.bench_function("flow-across-tgw", |b| {
        b.iter(|| black_box(model.evaluate(&across).is_ok()))
    });
    g.bench_function("flow-through-load-balancer", |b| {
        b.iter(|| black_box(model.evaluate(&through).is_ok()))
    });
    g.finish();
    c.final_summary();
}
