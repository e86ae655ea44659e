//! Access paths on a generated 10,000-role, 5,000-user export (`src/paths_estate.rs`):
//! building the principal graph (every edge decided by the engine), and a shortest-path
//! query to admin on it.

use criterion::{criterion_group, criterion_main, Criterion};
use polcheck_benches::paths_estate::paths_estate;
use polcheck_core::paths::{Graph, Options, Target};
use polcheck_core::Engine;
use std::hint::black_box;

fn paths(c: &mut Criterion) {
    let mut g = c.benchmark_group("paths");
    g.sample_size(10);
    let text = paths_estate(5_000, 10_000);
    let engine = Engine::builder()
        .world_file("estate.json", &text)
        .build()
        .expect("the generated estate loads");
    g.bench_function("graph-10000-roles-5000-users", |b| {
        b.iter(|| black_box(Graph::build(&engine, &Options::default()).map(|g| g.edges().len())))
    });
    let graph = Graph::build(&engine, &Options::default()).expect("a world");
    let from = graph.find("user-7").expect("user-7");
    let to = graph.find("user-0").expect("user-0");
    g.bench_function("shortest-to-admin", |b| {
        b.iter(|| black_box(graph.shortest(&engine, from, &Target::Admin).is_some()))
    });
    g.bench_function("shortest-to-principal", |b| {
        b.iter(|| {
            black_box(
                graph
                    .shortest(&engine, from, &Target::Principal(to))
                    .is_some(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, paths);
criterion_main!(benches);
