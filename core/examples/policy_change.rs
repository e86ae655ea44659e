//! A policy-change check for CI: compare decisions before and after an edit on a set of
//! requests that matter, and fail when a decision changes unexpectedly.
//!
//! Run: `cargo run -p polcheck-core --example policy_change`

use polcheck_core::decide::Outcome;
use polcheck_core::{Context, Engine, Request};

const BEFORE: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}]}"#;

/// The edit under review widens the grant to every S3 action.
const AFTER: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]}]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let before = Engine::builder()
        .identity_policy("before", BEFORE)?
        .build()?;
    let after = Engine::builder().identity_policy("after", AFTER)?.build()?;
    let caller = "arn:aws:iam::111122223333:user/analyst";
    let questions = [
        ("s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
        ("s3:ListBucket", "arn:aws:s3:::reports"),
        ("s3:DeleteObject", "arn:aws:s3:::reports/q1.csv"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::reports"),
    ];
    let mut changed = Vec::new();
    for (action, resource) in questions {
        let req = Request::new(Some(caller), action, resource, Context::new())?;
        let (a, b) = (
            before.authorize(&req).outcome,
            after.authorize(&req).outcome,
        );
        let mark = if a == b { " " } else { "!" };
        println!("{mark} {action:<20} {resource:<32} {a} -> {b}");
        if a != b {
            changed.push((action, b));
        }
    }
    let widened: Vec<_> = changed
        .iter()
        .filter(|(_, b)| *b == Outcome::Allowed)
        .collect();
    println!(
        "{} decisions changed, {} newly allowed",
        changed.len(),
        widened.len()
    );
    assert_eq!(
        widened.len(),
        2,
        "the edit newly allows DeleteObject and PutBucketPolicy"
    );
    Ok(())
}
