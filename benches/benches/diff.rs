//! `analysis::diff` speed: two 100-statement identity policies (PASS: a reordered copy;
//! FAIL: one statement widened), and the diff of two versions of a 10,000-role export
//! (`findings::diff_worlds`: 1% of the roles changed, and every role changed: `sqs:*`
//! instead of `sqs:SendMessage`).

use criterion::{criterion_group, criterion_main, Criterion};
use polcheck_benches::diff_inputs::{all_changed, hundred_statements, one_percent_changed};
use polcheck_benches::estates::iam_export;
use polcheck_core::analysis::{diff, findings, PolicyType, Verdict};
use polcheck_core::world::World;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("diff");
    let (old, reordered, widened) = hundred_statements();
    assert_eq!(
        diff(&old, &reordered, PolicyType::Identity)
            .map(|d| d.verdict)
            .ok(),
        Some(Verdict::Pass)
    );
    assert_eq!(
        diff(&old, &widened, PolicyType::Identity)
            .map(|d| d.verdict)
            .ok(),
        Some(Verdict::Fail)
    );
    g.bench_function("100-statements-pass", |b| {
        b.iter(|| black_box(diff(&old, &reordered, PolicyType::Identity).is_ok()))
    });
    g.bench_function("100-statements-fail", |b| {
        b.iter(|| black_box(diff(&old, &widened, PolicyType::Identity).is_ok()))
    });
    g.sample_size(10);
    let export = iam_export(10_000);
    let load = |text: String| World::load(&[("roles.json".to_string(), text)]).map(|w| w.0);
    let (Ok(before), Ok(some), Ok(all)) = (
        load(export.clone()),
        load(one_percent_changed(&export)),
        load(all_changed(&export)),
    ) else {
        panic!("the generated exports load");
    };
    let changed = |w: &World| {
        findings::diff_worlds(&before, w)
            .map(|d| d.len())
            .unwrap_or(0)
    };
    assert_eq!(changed(&some), 100);
    assert_eq!(changed(&all), 10_000);
    g.bench_function("10000-roles-1pct-changed", |b| {
        b.iter(|| black_box(changed(&some)))
    });
    g.bench_function("10000-roles-all-changed", |b| {
        b.iter(|| black_box(changed(&all)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
