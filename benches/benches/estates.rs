//! Whole-estate work: loading and importing a generated 10,000-role IAM export, and
//! `exposure` over a generated VPC of 1,000 instances, 200 security groups and 50 subnets.

use criterion::{criterion_group, criterion_main, Criterion};
use polcheck_benches::estates::{iam_export, vpc_estate};
use polcheck_core::json;
use polcheck_core::network::{exposure, NetworkModel};
use polcheck_core::world::World;
use std::hint::black_box;

fn estates(c: &mut Criterion) {
    let mut g = c.benchmark_group("estates");
    g.sample_size(10);
    let export = iam_export(10_000);
    let files = vec![("roles.json".to_string(), export)];
    g.bench_function("load-10000-roles", |b| {
        b.iter(|| black_box(World::load(&files).is_ok()))
    });
    let vpc = vpc_estate(1_000, 200, 50);
    let doc = json::parse(&vpc).expect("the generated estate is JSON");
    let (model, _) =
        NetworkModel::import(&[("vpc.json", &doc)]).expect("the generated estate imports");
    assert!(
        !exposure(&model).is_empty(),
        "the generated estate exposes something"
    );
    g.bench_function("exposure-1000-instances", |b| {
        b.iter(|| black_box(exposure(&model).len()))
    });
    g.finish();
}

criterion_group!(benches, estates);
criterion_main!(benches);
