//! The access-path graph of a generated 10,000-role, 5,000-user export
//! (`benches/src/paths_estate.rs`): built, then queried. The timed version is the criterion
//! bench `benches/benches/paths.rs`; this test checks what the graph holds, and with
//! `--ignored` in release prints the times (see `benches/README.md`).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::time::Instant;

use polcheck_core::paths::{Graph, Options, Target};
use polcheck_core::Engine;

include!("../../benches/src/paths_estate.rs");

fn build(users: usize, roles: usize) -> (Engine, Graph) {
    let text = paths_estate(users, roles);
    let engine = Engine::builder()
        .world_file("estate.json", &text)
        .build()
        .unwrap();
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    (engine, graph)
}

#[test]
fn a_small_estate_has_chains_pass_role_edges_and_escalations() {
    let (engine, graph) = build(500, 1_000);
    let ids: std::collections::BTreeSet<&str> = graph.edges().iter().map(|e| e.method.id).collect();
    assert!(
        ids.contains("assume-role")
            && ids.contains("passrole-lambda")
            && ids.contains("create-policy-version"),
        "{ids:?}"
    );
    // user-0 passes an admin Lambda role (svc-41 is admin: 41 % 40 == 1, trusted by lambda).
    let u0 = graph.find("user-0").unwrap();
    let path = graph.shortest(&engine, u0, &Target::Admin).unwrap();
    assert_eq!(path.edges.len(), 1);
    assert!(!graph.escalations(&engine).is_empty());
}

#[test]
#[ignore = "timing: run in release with --ignored --nocapture"]
fn full_size_timings() {
    let text = paths_estate(5_000, 10_000);
    let t = Instant::now();
    let engine = Engine::builder()
        .world_file("estate.json", &text)
        .build()
        .unwrap();
    let load = t.elapsed();
    let t = Instant::now();
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let built = t.elapsed();
    let from = graph.find("user-7").unwrap();
    let t = Instant::now();
    let n = 100;
    for _ in 0..n {
        std::hint::black_box(graph.shortest(&engine, from, &Target::Admin));
    }
    let query = t.elapsed() / n;
    println!(
        "nodes {} edges {} load {load:?} graph {built:?} admin query {query:?}",
        graph.nodes().len(),
        graph.edges().len()
    );
}
