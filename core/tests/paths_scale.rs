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
    let (engine, graph) = build(200, 400);
    let ids: std::collections::BTreeSet<&str> = graph.edges().iter().map(|e| e.method.id).collect();
    assert!(
        ids.contains("assume-role")
            && ids.contains("passrole-lambda")
            && ids.contains("create-policy-version"),
        "{ids:?}"
    );
    // user-0 passes an admin Lambda role (svc-41: 41 % 40 == 1, trusted by lambda.amazonaws.com).
    let u0 = graph.find("user-0").unwrap();
    let path = graph.shortest(&engine, u0, &Target::Admin).unwrap();
    assert_eq!(path.edges.len(), 1);
    assert!(!graph.escalations(&engine).is_empty());
}

/// This process's CPU time so far (user + system, every thread), from `/proc/self/stat`
/// (Linux; `None` elsewhere). On a shared machine the wall clock counts the other processes'
/// turns too; the CPU time counts only this one's (its cache misses aside).
fn cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses: state is field 3, utime 14,
    // stime 15, in clock ticks (USER_HZ, 100 on Linux).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    let total = ticks(11)? + ticks(12)?;
    Some(std::time::Duration::from_millis(total * 10))
}

#[test]
#[ignore = "timing: run in release with --ignored --nocapture"]
fn full_size_timings() {
    let users = std::env::var("PATHS_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let roles = std::env::var("PATHS_ROLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let text = paths_estate(users, roles);
    let t = Instant::now();
    let engine = Engine::builder()
        .world_file("estate.json", &text)
        .build()
        .unwrap();
    let load = t.elapsed();
    let t = Instant::now();
    let cpu = cpu_time();
    let graph = Graph::build(&engine, &Options::default()).unwrap();
    let built = t.elapsed();
    let built_cpu = cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a));
    let mut by_method = std::collections::BTreeMap::new();
    for e in graph.edges() {
        *by_method.entry(e.method.id).or_insert(0usize) += 1;
    }
    println!("edges by kind: {by_method:?}");
    let mut froms = std::collections::BTreeSet::new();
    for e in graph
        .edges()
        .iter()
        .filter(|e| e.method.id == "attach-user-policy")
    {
        let n = graph.node(e.from).unwrap();
        froms.insert((n.name.clone(), format!("{:?}", n.admin)));
    }
    println!("attach-user-policy from {froms:?}");
    let from = graph.find("user-7").unwrap();
    let t = Instant::now();
    let n = 100;
    for _ in 0..n {
        std::hint::black_box(graph.shortest(&engine, from, &Target::Admin));
    }
    let query = t.elapsed() / n;
    println!(
        "nodes {} edges {} load {load:?} graph {built:?} (CPU time of every thread: {built_cpu:?}) admin query {query:?}",
        graph.nodes().len(),
        graph.edges().len()
    );
}
