//! Single-request latency as the set grows (10 → 100,000 statements), polcheck against its
//! reference evaluator, cedar-policy and iam-rs on the same requests (the slow engines only
//! up to 10,000 statements, where one of their requests already takes milliseconds).
//! Every engine's decisions are checked against polcheck's before timing.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use polcheck_benches::cedar::CedarWorkload;
use polcheck_benches::iamrs::IamRsWorkload;
use polcheck_benches::polcheck::{PolcheckWorkload, WorldWorkload};
use polcheck_benches::workload::Workload;
use std::hint::black_box;

const REQUESTS: usize = 200;

fn latency(c: &mut Criterion) {
    let mut g = c.benchmark_group("latency");
    g.sample_size(20);
    for n in [10usize, 100, 1_000, 10_000, 100_000] {
        let w = Workload::generate(n, 50, REQUESTS, 0x5eed_2026);
        let pw = PolcheckWorkload::build(&w);
        let mut i = 0;
        g.bench_with_input(BenchmarkId::new("polcheck", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(pw.decide(i))
            })
        });
        g.bench_with_input(BenchmarkId::new("polcheck-explained", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(pw.decide_explained(i))
            })
        });
        if n > 10_000 {
            continue;
        }
        let cw = CedarWorkload::build(&w);
        let iw = IamRsWorkload::build(&w);
        let auth = cedar_policy::Authorizer::new();
        for i in 0..REQUESTS {
            let v = pw.decide(i);
            assert_eq!(v, pw.decide_reference(i), "reference disagrees on {i}");
            assert_eq!(v, cw.decide(&auth, i), "cedar disagrees on {i}");
        }
        g.bench_with_input(BenchmarkId::new("reference", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(pw.decide_reference(i))
            })
        });
        g.bench_with_input(BenchmarkId::new("cedar", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(cw.decide(&auth, i))
            })
        });
        g.bench_with_input(BenchmarkId::new("iam-rs", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(iw.decide(i))
            })
        });
    }
    g.finish();
}

/// Issue #13 item 3: the explained decision (`Engine::authorize`, bounded) beside the
/// outcome only (`Engine::check`) on the same requests, 10 to 100,000 statements; the
/// target is at most 5x at every size.
fn explained_vs_outcome(c: &mut Criterion) {
    let mut g = c.benchmark_group("explain");
    g.sample_size(20);
    for n in [10usize, 1_000, 10_000, 100_000] {
        let w = Workload::generate(n, 50, REQUESTS, 0x5eed_2026);
        let pw = PolcheckWorkload::build(&w);
        let mut i = 0;
        g.bench_with_input(BenchmarkId::new("check", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(pw.engine.check(&pw.requests[i]))
            })
        });
        g.bench_with_input(BenchmarkId::new("authorize", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(pw.engine.authorize(&pw.requests[i]))
            })
        });
    }
    g.finish();
}

/// Issue #13 item 2: a 10,000-statement world with a 500-statement extra identity policy,
/// against the same 10,500 statements without a world, through `Engine::check`.
fn world_plus_extra(c: &mut Criterion) {
    let mut g = c.benchmark_group("world");
    g.sample_size(20);
    let w = Workload::generate(10_000, 2, REQUESTS, 0x5eed_2026);
    let extra = Workload::generate(500, 2, 1, 0x0e47_2a00);
    let ww = WorldWorkload::build(&w, &extra);
    let n = ww.requests.len();
    let mut i = 0;
    for (name, engine) in [
        ("with-world", &ww.with_world),
        ("without-world", &ww.without_world),
    ] {
        g.bench_function(BenchmarkId::new(name, 10_000), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(engine.check(&ww.requests[i]))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, latency, explained_vs_outcome, world_plus_extra);
criterion_main!(benches);
