//! `validate` speed (issue #16): a generated corpus in the shapes of AWS's managed policies
//! (long action lists on `*`, many wildcard ARNs across services, tag conditions, one large
//! policy with 50 wildcard ARNs), validated in one process: the total, and the slowest
//! single policy. With `POLCHECK_MANAGED_DIR=DIR` (policy documents, one per `*.json`) the
//! same over real files. Then criterion on the slowest shape.
//!
//! `cargo bench -p polcheck-benches --bench validate`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use polcheck_core::catalogue::Catalogue;
use polcheck_core::validate::{validate_text, Options};

/// ARN patterns with wildcards, as managed policies write them.
const ARNS: &[&str] = &[
    "arn:aws:logs:*:*:*",
    "arn:aws:logs:*:*:log-group:/aws/lambda/*:log-stream:*",
    "arn:aws:ssm:*::document/AWS-*",
    "arn:aws:ssm:*:*:parameter/aws/*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:ec2:*::image/*",
    "arn:aws:s3:::*-bucket-*/*",
    "arn:aws:s3:::aws-*",
    "arn:aws:iam::*:role/aws-service-role/*",
    "arn:aws:kinesis:*:*:stream/*",
    "arn:aws:dynamodb:*:*:table/*/index/*",
    "arn:aws:lambda:*:*:function:*:*",
    "arn:aws:apigateway:*::/restapis/*/stages/*",
    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    "arn:aws:secretsmanager:*:*:secret:*-??????",
];

/// Every action of these services, for the long lists.
const SERVICES: &[&str] = &[
    "ec2", "s3", "iam", "logs", "ssm", "lambda", "dynamodb", "kms",
];

fn statement(actions: &[String], resources: &[&str], condition: bool) -> String {
    let a: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
    let r: Vec<String> = resources.iter().map(|r| format!("\"{r}\"")).collect();
    let cond = if condition {
        r#", "Condition": {"StringEquals": {"aws:ResourceTag/Team": "ops"}, "Bool": {"aws:SecureTransport": "true"}}"#
    } else {
        ""
    };
    format!(
        r#"{{"Effect": "Allow", "Action": [{}], "Resource": [{}]{cond}}}"#,
        a.join(", "),
        r.join(", ")
    )
}

/// The generated corpus: `n` policies cycling through four shapes.
fn corpus(n: usize) -> Vec<String> {
    let Ok(cat) = Catalogue::get() else {
        return Vec::new();
    };
    let mut actions: Vec<String> = Vec::new();
    for s in SERVICES {
        actions.extend(
            cat.expand_actions(&format!("{s}:*"))
                .iter()
                .map(|a| a.full_name()),
        );
    }
    (0..n)
        .map(|i| {
            let pick = |k: usize, len: usize| -> Vec<String> {
                (0..len)
                    .filter_map(|j| actions.get((i * 131 + k * 17 + j * 7) % actions.len().max(1)))
                    .cloned()
                    .collect()
            };
            let statements: Vec<String> = match i % 4 {
                // A read-only list: 300 actions on `*`.
                0 => vec![statement(&pick(0, 300), &["*"], false)],
                // Ten statements, each a few actions on three wildcard ARNs.
                1 => (0..10)
                    .map(|k| {
                        let r: Vec<&str> = (0..3)
                            .filter_map(|j| ARNS.get((i + k + j) % ARNS.len()))
                            .copied()
                            .collect();
                        statement(&pick(k, 8), &r, k % 3 == 0)
                    })
                    .collect(),
                // The large one: 50 wildcard ARNs over 40 actions.
                2 => {
                    let r: Vec<&str> = (0..50)
                        .filter_map(|j| ARNS.get(j % ARNS.len()))
                        .copied()
                        .collect();
                    vec![statement(&pick(1, 40), &r, true)]
                }
                // Service wildcards with conditions.
                _ => SERVICES
                    .iter()
                    .map(|s| {
                        statement(
                            &[format!("{s}:Describe*"), format!("{s}:Get*")],
                            &["*"],
                            true,
                        )
                    })
                    .collect(),
            };
            format!(
                "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
                statements.join(",\n")
            )
        })
        .collect()
}

/// Validates each text once: (total, slowest, index of the slowest, findings).
fn run_all(texts: &[String]) -> (Duration, Duration, usize, usize) {
    let start = Instant::now();
    let mut slowest = (Duration::ZERO, 0);
    let mut findings = 0;
    for (i, t) in texts.iter().enumerate() {
        let one = Instant::now();
        findings += validate_text(t, &Options::default()).len();
        let took = one.elapsed();
        if took > slowest.0 {
            slowest = (took, i);
        }
    }
    (start.elapsed(), slowest.0, slowest.1, findings)
}

fn report(what: &str, texts: &[String]) -> usize {
    let (total, slowest, at, findings) = run_all(texts);
    println!(
        "{what}: {} policies in {:.3} s, slowest {:.2} ms (#{at}), {findings} findings",
        texts.len(),
        total.as_secs_f64(),
        slowest.as_secs_f64() * 1000.0
    );
    at
}

fn main() {
    // The catalogue is parsed once per process; keep it out of the per-policy numbers.
    let t = Instant::now();
    let _ = Catalogue::get();
    println!(
        "catalogue parse: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let texts = corpus(1_400);
    let slowest = report("generated corpus", &texts);
    if let Some(dir) = std::env::var_os("POLCHECK_MANAGED_DIR") {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        let real: Vec<String> = files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect();
        let at = report("POLCHECK_MANAGED_DIR", &real);
        if let Some(f) = files.get(at) {
            println!("  slowest file: {}", f.display());
        }
    }
    let mut c = Criterion::default().configure_from_args();
    if let Some(text) = texts.get(slowest) {
        c.bench_function("validate/slowest generated policy", |b| {
            b.iter(|| validate_text(black_box(text), &Options::default()))
        });
    }
    c.final_summary();
}
