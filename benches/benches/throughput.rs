//! Batch throughput of `decide_outcome` over a workload's requests, on one core and on all
//! (rayon), at 1,000 and 10,000 statements.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polcheck_benches::polcheck::PolcheckWorkload;
use polcheck_benches::workload::Workload;
use rayon::prelude::*;
use std::hint::black_box;

const REQUESTS: usize = 2_000;

fn throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("throughput");
    g.sample_size(20);
    g.throughput(Throughput::Elements(REQUESTS as u64));
    for n in [1_000usize, 10_000] {
        let w = Workload::generate(n, 50, REQUESTS, 0x5eed_2026);
        let pw = PolcheckWorkload::build(&w);
        g.bench_with_input(BenchmarkId::new("one-core", n), &n, |b, _| {
            b.iter(|| {
                (0..REQUESTS).for_each(|i| {
                    black_box(pw.decide(i));
                })
            })
        });
        g.bench_with_input(BenchmarkId::new("all-cores", n), &n, |b, _| {
            b.iter(|| {
                (0..REQUESTS)
                    .into_par_iter()
                    .with_min_len(64)
                    .for_each(|i| {
                        black_box(pw.decide(i));
                    })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
