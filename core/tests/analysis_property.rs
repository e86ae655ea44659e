//! Property test of `analysis::diff` on generated policy pairs: when the answer is PASS, no
//! request of a grid over the policies' vocabulary is allowed by NEW and denied by OLD; when
//! it is FAIL, every witness is allowed by NEW and denied by OLD, by the compiled engine and
//! by the reference evaluator.

#![expect(
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::analysis::{diff, reference_inputs, PolicyType, Verdict, Witness};
use polcheck_core::decide::Outcome;
use polcheck_core::policy::Policy;
use polcheck_core::reference;
use polcheck_core::{Context, ContextValue, Engine, Request};
use proptest::prelude::*;

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "s3:PutObject",
    "ec2:*",
    "*",
    "s3:?etObject",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/x",
    "arn:aws:s3:::c*",
    "arn:aws:ec2:*:*:instance/*",
];
const CONDITIONS: &[&str] = &[
    r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    r#"{"NotIpAddress":{"aws:SourceIp":"10.1.0.0/16"}}"#,
    r#"{"StringLike":{"s3:prefix":"home/*"}}"#,
    r#"{"StringEquals":{"s3:prefix":"home/a"}}"#,
    r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
    r#"{"Null":{"aws:SourceIp":"true"}}"#,
    r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#,
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"Service":"lambda.amazonaws.com"}"#,
];

fn statement(with_principal: bool) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(ACTIONS.to_vec(), 1..3),
        any::<bool>(),
        prop::sample::subsequence(RESOURCES.to_vec(), 1..3),
        prop::option::weighted(0.5, prop::sample::select(CONDITIONS.to_vec())),
        prop::sample::select(PRINCIPALS.to_vec()),
    )
        .prop_map(move |(deny, not_action, acts, not_res, res, cond, princ)| {
            let effect = if deny { "Deny" } else { "Allow" };
            let a = if not_action && deny {
                "NotAction"
            } else {
                "Action"
            };
            let r = if not_res { "NotResource" } else { "Resource" };
            let mut s = format!(
                r#"{{"Effect":"{effect}","{a}":{},"{r}":{}"#,
                serde_json::json!(acts),
                serde_json::json!(res)
            );
            if let Some(c) = cond {
                s.push_str(&format!(r#","Condition":{c}"#));
            }
            if with_principal {
                s.push_str(&format!(r#","Principal":{princ}"#));
            }
            s.push('}');
            s
        })
}

fn policy(with_principal: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(statement(with_principal), 1..4).prop_map(|s| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            s.join(",")
        )
    })
}

/// Every request of the grid: concrete actions, resources, context values, callers.
fn grid(with_principal: bool) -> Vec<Witness> {
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "ec2:RunInstances",
        "iam:PassRole",
        "s3:SetObject",
    ];
    let resources = [
        "arn:aws:s3:::b/x",
        "arn:aws:s3:::b/y",
        "arn:aws:s3:::c1",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
        "*",
    ];
    let contexts: Vec<Vec<(String, ContextValue)>> = vec![
        vec![],
        vec![("aws:SourceIp".into(), ContextValue::single("10.1.2.3"))],
        vec![
            ("aws:SourceIp".into(), ContextValue::single("10.2.0.1")),
            ("s3:prefix".into(), ContextValue::single("home/a")),
        ],
        vec![
            ("aws:SourceIp".into(), ContextValue::single("192.0.2.1")),
            ("aws:SecureTransport".into(), ContextValue::single("true")),
            ("s3:max-keys".into(), ContextValue::single("5")),
        ],
        vec![
            ("s3:prefix".into(), ContextValue::single("home/b")),
            ("s3:max-keys".into(), ContextValue::single("50")),
        ],
    ];
    let principals: Vec<Option<&str>> = if with_principal {
        vec![
            None,
            Some("arn:aws:iam::111122223333:user/alice"),
            Some("arn:aws:iam::111122223333:user/bob"),
            Some("arn:aws:iam::444455556666:root"),
            Some("lambda.amazonaws.com"),
        ]
    } else {
        vec![Some("arn:aws:iam::900000111111:user/u")]
    };
    let mut out = Vec::new();
    for a in actions {
        for r in resources {
            for c in &contexts {
                for p in &principals {
                    out.push(Witness {
                        principal: p.map(str::to_string),
                        action: a.into(),
                        resource: r.into(),
                        resource_account: "900000111111".into(),
                        context: c.clone(),
                    });
                }
            }
        }
    }
    out
}

fn engine(kind: PolicyType, text: &str) -> Engine {
    let b = Engine::builder();
    let allow_all =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    match kind {
        PolicyType::Identity => b.identity_policy("p", text).unwrap(),
        _ => b
            .resource_policy("p", text)
            .unwrap()
            .identity_policy("all", allow_all)
            .unwrap(),
    }
    .build()
    .unwrap()
}

fn check_pair(old: &str, new: &str, kind: PolicyType) -> Result<(), TestCaseError> {
    let d = diff(old, new, kind).unwrap();
    let (eo, en) = (engine(kind, old), engine(kind, new));
    let (po, pn) = (Policy::parse(old).unwrap(), Policy::parse(new).unwrap());
    match d.verdict {
        Verdict::Pass => {
            for w in grid(kind.has_principals()) {
                let req: Request = w.request().unwrap();
                let n = en.check(&req).0 == Outcome::Allowed;
                let o = eo.check(&req).0 == Outcome::Allowed;
                prop_assert!(
                    !n || o,
                    "PASS but NEW allows and OLD denies {}\nOLD {old}\nNEW {new}",
                    w
                );
            }
        }
        Verdict::Fail => {
            prop_assert!(!d.regions.is_empty());
            for r in &d.regions {
                let req = r.witness.request().unwrap();
                prop_assert_eq!(en.check(&req).0, Outcome::Allowed);
                prop_assert_ne!(eo.check(&req).0, Outcome::Allowed);
                prop_assert_eq!(
                    reference::decide(&reference_inputs(kind, &pn), &req).0,
                    Outcome::Allowed
                );
                prop_assert_ne!(
                    reference::decide(&reference_inputs(kind, &po), &req).0,
                    Outcome::Allowed
                );
            }
        }
        Verdict::Unknown(u) => prop_assert!(false, "unexpected UNKNOWN {u}"),
        other => prop_assert!(false, "a verdict this test does not know: {other:?}"),
    }
    let _ = Context::new();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn identity_pairs(old in policy(false), new in policy(false)) {
        check_pair(&old, &new, PolicyType::Identity)?;
    }

    #[test]
    fn resource_pairs(old in policy(true), new in policy(true)) {
        check_pair(&old, &new, PolicyType::Resource)?;
    }
}
