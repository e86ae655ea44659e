//! Compile time: IAM JSON → parsed policies → compiled `PolicySet`, the whole way from JSON
//! text to a ready `Engine` (`polcheck-engine`, the figure #13 item 9 asks at least 1,000,000
//! statements/s of: statements / time), and Cedar's parse of the translated policies and
//! entities, for the same workloads.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use polcheck_benches::cedar::CedarWorkload;
use polcheck_benches::polcheck;
use polcheck_benches::workload::Workload;
use std::hint::black_box;

fn compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    for n in [10usize, 1_000, 10_000, 100_000] {
        let w = Workload::generate(n, 50, 100, 0x5eed_2026);
        let parsed = polcheck::parse(&w);
        let texts = w.iam_json();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("policy-{i}")).collect();
        g.throughput(criterion::Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("polcheck-engine", n), &n, |b, _| {
            b.iter(|| {
                let mut builder = polcheck_core::Engine::builder();
                for (name, text) in names.iter().zip(&texts) {
                    builder = builder.identity_policy(name, text).expect("parses");
                }
                black_box(builder.build().expect("builds"))
            })
        });
        g.bench_with_input(BenchmarkId::new("polcheck-parse", n), &n, |b, _| {
            b.iter(|| black_box(polcheck::parse(&w)))
        });
        g.bench_with_input(BenchmarkId::new("polcheck-compile", n), &n, |b, _| {
            b.iter(|| black_box(polcheck::compile(&parsed)))
        });
        if n <= 10_000 {
            g.bench_with_input(BenchmarkId::new("cedar-parse", n), &n, |b, _| {
                b.iter(|| black_box(CedarWorkload::build(&w)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
