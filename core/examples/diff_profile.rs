//! One run of a `benches/benches/diff.rs` case, for `valgrind --tool=callgrind` (instruction
//! counts do not depend on the machine's load, criterion's wall clock does).
//!
//! ```text
//! cargo build --release -p polcheck-core --example diff_profile
//! valgrind --tool=callgrind target/release/examples/diff_profile fail      # or pass
//! # the diffs alone (the catalogue is loaded before them), 10 runs:
//! valgrind --tool=callgrind --collect-atstart=no \
//!     '--toggle-collect=polcheck_core::analysis::diff::diff' \
//!     target/release/examples/diff_profile fail 10
//! valgrind --tool=callgrind target/release/examples/diff_profile roles-all # or roles-1pct
//! valgrind --tool=callgrind target/release/examples/diff_profile roles-all 1000 # 1,000 roles
//! ```
//!
//! The generators are the benches' own (`benches/benches/diff.rs`, `estates::iam_export`),
//! repeated here so that profiling needs only this crate.

use polcheck_core::analysis::{diff, findings, PolicyType, Verdict};
use polcheck_core::world::World;
use serde_json::{json, Value};

const SERVICES: &[&str] = &[
    "s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "logs", "kms", "iam", "rds",
];

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

fn iam_export(roles: usize) -> String {
    let managed: Vec<Value> = (0..50)
        .map(|i| {
            json!({"PolicyName": format!("managed-{i}"), "Arn": format!("arn:aws:iam::111122223333:policy/managed-{i}"),
                "DefaultVersionId": "v2", "PolicyVersionList": [
                {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": format!("arn:aws:logs:*:111122223333:log-group:/app/{i}/*")},
                    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}}]})
        })
        .collect();
    let role_list: Vec<Value> = (0..roles)
        .map(|i| {
            let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage"],
                "Resource": [format!("arn:aws:s3:::bucket-{i}/*"), format!("arn:aws:dynamodb:us-east-1:111122223333:table/t-{i}"), format!("arn:aws:sqs:us-east-1:111122223333:q-{i}")],
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("t{}", i % 7)}}}]})
            .to_string();
            json!({"RoleName": format!("role-{i}"), "RoleId": format!("AROA{i:012}"), "Path": "/",
                "Arn": format!("arn:aws:iam::111122223333:role/role-{i}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "RolePolicyList": (0..3).map(|j| json!({"PolicyName": format!("inline-{j}"), "PolicyDocument": inline})).collect::<Vec<_>>(),
                "AttachedManagedPolicies": [{"PolicyName": format!("managed-{}", i % 50), "PolicyArn": format!("arn:aws:iam::111122223333:policy/managed-{}", i % 50)}],
                "Tags": [{"Key": "team", "Value": format!("t{}", i % 7)}]})
        })
        .collect();
    json!({"AccountId": "111122223333", "RoleDetailList": role_list, "Policies": managed})
        .to_string()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let case = std::env::args().nth(1).unwrap_or_else(|| "fail".into());
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    match case.as_str() {
        "pass" | "fail" => {
            let old = policy(0..100, None);
            let new = if case == "pass" {
                policy((0..100).rev(), None)
            } else {
                policy(0..100, Some(42))
            };
            let want = if case == "pass" {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            // Load the catalogue first (once per process, as in criterion's warm-up), so
            // that `--toggle-collect` on `analysis::diff::diff` counts the diffs alone.
            polcheck_core::catalogue::Catalogue::get()?;
            let mut fastest = std::time::Duration::MAX;
            for _ in 0..runs {
                let t = std::time::Instant::now();
                let d = diff(&old, &new, PolicyType::Identity)?;
                fastest = fastest.min(t.elapsed());
                if d.verdict != want {
                    return Err(format!("{case}: got {}", d.verdict.as_str()).into());
                }
            }
            // The fastest run's wall clock: a hint only, the instruction count is the measure.
            println!("{case}: {runs} run(s), fastest {fastest:?}");
        }
        "roles-all" | "roles-1pct" => {
            // The second argument, when given, is the number of roles (10,000 by default).
            let roles = if runs > 1 { runs } else { 10_000 };
            let export = iam_export(roles);
            let load = |text: String| World::load(&[("roles.json".to_string(), text)]).map(|w| w.0);
            let before = load(export.clone())?;
            let (after, want) = if case == "roles-all" {
                (
                    load(export.replace("\\\"sqs:SendMessage\\\"", "\\\"sqs:*\\\""))?,
                    roles,
                )
            } else {
                (
                    load((0..100).fold(export, |t, i| {
                        t.replace(&format!("bucket-{i}/*"), &format!("bucket-{i}*"))
                    }))?,
                    100.min(roles),
                )
            };
            if std::env::var_os("POLCHECK_PROFILE_LOAD_ONLY").is_some() {
                return Ok(());
            }
            let n = findings::diff_worlds(&before, &after)?.len();
            if n != want {
                return Err(format!("{case}: {n} changed, expected {want}").into());
            }
            println!("{case}: {n} changed");
        }
        other => return Err(format!("unknown case {other}").into()),
    }
    Ok(())
}
