//! The inputs of the `diff` benches (issue #18), shared with the `#[ignore]`d speed test
//! `core/tests/diff_speed.rs` (which includes this file by path, so it measures the same
//! inputs without building this crate): two 100-statement identity policies, and the three
//! versions of the 10,000-role export ([`super::estates::iam_export`]).

const SERVICES: &[&str] = &[
    "s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "logs", "kms", "iam", "rds",
];

/// Statement `i`: two action patterns of one service, a resource of its own, and a condition
/// on two statements out of five; every 17th a Deny.
pub fn statement(i: usize, widened: bool) -> String {
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

/// The statements in `order`, statement `widened` with `service:*`.
pub fn policy(order: impl Iterator<Item = usize>, widened: Option<usize>) -> String {
    let s: Vec<String> = order.map(|i| statement(i, Some(i) == widened)).collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        s.join(",")
    )
}

/// The 100-statement pair of each case: (old, reordered copy: PASS, one statement widened:
/// FAIL).
pub fn hundred_statements() -> (String, String, String) {
    (
        policy(0..100, None),
        policy((0..100).rev(), None),
        policy(0..100, Some(42)),
    )
}

/// The export with 1% of its roles changed: roles 0..=99 reach every object of every bucket
/// whose name starts like theirs (`bucket-{i}*` for `bucket-{i}/*`).
pub fn one_percent_changed(export: &str) -> String {
    (0..100).fold(export.to_string(), |t, i| {
        t.replace(&format!("bucket-{i}/*"), &format!("bucket-{i}*"))
    })
}

/// The export with every role changed: `sqs:*` for `sqs:SendMessage`.
pub fn all_changed(export: &str) -> String {
    export.replace("\\\"sqs:SendMessage\\\"", "\\\"sqs:*\\\"")
}
