//! `analysis::diff` speed: two 100-statement identity policies (PASS: a reordered copy;
//! FAIL: one statement widened), and the diff of two versions of a 10,000-role export
//! (`findings::diff_worlds`: 1% of the roles changed, and every role changed: `sqs:*`
//! instead of `sqs:SendMessage`).

use criterion::{criterion_group, criterion_main, Criterion};
use polcheck_benches::estates::iam_export;
use polcheck_core::analysis::{diff, findings, PolicyType, Verdict};
use polcheck_core::world::World;
use std::hint::black_box;

const SERVICES: &[&str] = &[
    "s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "logs", "kms", "iam", "rds",
];

/// Statement `i`: two action patterns of one service, a resource of its own, and a condition
/// on every fifth statement.
fn statement(i: usize, widened: bool) -> String {
    let svc = SERVICES.get(i % SERVICES.len()).copied().unwrap_or("s3");
    let actions = if widened {
        format!(r#"["{svc}:*"]"#)
    } else {
        format!(r#"["{svc}:Get*","{svc}:List*"]"#)
    };
    let condition = match i % 5 {
        0 => r#","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#.to_string(),
        1 => format!(
            r#","Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"t{}"}}}}"#,
            i % 7
        ),
        _ => String::new(),
    };
    let effect = if i % 17 == 16 { "Deny" } else { "Allow" };
    format!(
        r#"{{"Sid":"S{i}","Effect":"{effect}","Action":{actions},"Resource":"arn:aws:{svc}:us-east-1:111122223333:res-{i}/*"{condition}}}"#
    )
}

fn policy(order: impl Iterator<Item = usize>, widened: Option<usize>) -> String {
    let s: Vec<String> = order.map(|i| statement(i, Some(i) == widened)).collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        s.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("diff");
    let old = policy(0..100, None);
    let reordered = policy((0..100).rev(), None);
    let widened = policy(0..100, Some(42));
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
        // 1%: roles 0..=99 reach every object of buckets named like theirs.
        load((0..100).fold(export.clone(), |t, i| {
            t.replace(&format!("bucket-{i}/*"), &format!("bucket-{i}*"))
        })),
        load(export.replace("\\\"sqs:SendMessage\\\"", "\\\"sqs:*\\\"")),
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
