//! The compiled evaluator against the reference evaluator on generated policies and requests.

#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::compile::{NamedPolicy, PolicySet};
use polcheck_core::decide::{decide, decide_outcome, Layers};
use polcheck_core::policy::Policy;
use polcheck_core::reference::{self, ReferenceInputs};
use polcheck_core::Request;
use polcheck_core::{Context, ContextValue};
use proptest::prelude::*;
use proptest::sample::select;

const ACTIONS: &[&str] = &[
    r#""s3:GetObject""#,
    r#""s3:Get*""#,
    r#""s3:*""#,
    r#""*""#,
    r#""ec2:Describe*""#,
    r#""ec2:?escribeInstances""#,
    r#""iam:*""#,
    r#""S3:getobject""#,
    r#"["sqs:SendMessage","s3:PutObject"]"#,
    r#""*:Get*""#,
    r#""sts:AssumeRole""#,
    r#""kms:Decrypt""#,
    r#""kms:*""#,
    r#""sts:GetCallerIdentity""#,
    r#""iam:CreatePolicyVersion""#,
    r#""s3:""#,
];
const RESOURCES: &[&str] = &[
    r#""*""#,
    r#""arn:aws:s3:::b/*""#,
    r#""arn:aws:s3:::b/${aws:username}/*""#,
    r#""arn:aws:s3:::b*""#,
    r#""arn:aws:ec2:*:111122223333:instance/*""#,
    r#""arn:aws:s3:::b/a?c""#,
    r#"["arn:aws:s3:::b","arn:aws:s3:::c/*"]"#,
    r#""arn:aws:iam::111122223333:role/*""#,
    r#""arn:aws:s3:::b/${aws:PrincipalTag/team, 'x'}/*""#,
    r#""arn:aws:s3:::b/a*""#,
    r#""arn:aws:s3:::c""#,
    r#""arn:aws:ec2:us-east-1:111122223333:instance/i-1""#,
    r#"["arn:aws:s3:::b/al*","arn:aws:s3:::b/*","arn:aws:s3:::c/k"]"#,
    r#""arn:aws:kms:*:111122223333:key/k*""#,
    r#""arn:aws:kms:*:*:key/*""#,
    r#""arn:aws:iam::aws:policy/*""#,
];
const CONDITIONS: &[&str] = &[
    "",
    r#","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
    r#","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#,
    r#","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"blue"}}"#,
    r#","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}"#,
    r#","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]},"NumericLessThan":{"n":"10"}}"#,
    r#","Condition":{"Null":{"aws:MultiFactorAuthPresent":"true"}}"#,
    r#","Condition":{"StringEqualsIfExists":{"aws:PrincipalTag/team":"blue"}}"#,
    r#","Condition":{"Null":{"aws:TagKeys":"false"},"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:role/Reader"}"#,
    r#"{"AWS":["444455556666"]}"#,
    r#"{"Service":"s3.amazonaws.com"}"#,
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/Reader/job"}"#,
    r#"{"AWS":"arn:aws:sts::111122223333:federated-user/carol"}"#,
    r#"{"AWS":["111122223333","arn:aws:iam::111122223333:user/alice"]}"#,
    r#"{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}"#,
    r#"{"Federated":"cognito-identity.amazonaws.com"}"#,
];
const CALLERS: &[Option<&str>] = &[
    Some("arn:aws:iam::111122223333:user/alice"),
    Some("arn:aws:iam::444455556666:user/bob"),
    Some("arn:aws:sts::111122223333:assumed-role/Reader/job"),
    Some("arn:aws:iam::111122223333:root"),
    None,
    Some("s3.amazonaws.com"),
    Some("arn:aws:sts::111122223333:federated-user/carol"),
    Some("arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForSupport/s"),
    Some("arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"),
    Some("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"),
    Some("federated:cognito-identity.amazonaws.com"),
];
const REQ_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "ec2:DescribeInstances",
    "iam:CreateUser",
    "sqs:SendMessage",
    "sts:AssumeRole",
    "kms:Decrypt",
    "kms:ScheduleKeyDeletion",
    "sts:GetCallerIdentity",
    "iam:CreatePolicyVersion",
];
const REQ_RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/alice/x",
    "arn:aws:s3:::b/abc",
    "arn:aws:s3:::b",
    "arn:aws:s3:::c/k",
    "*",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:iam::111122223333:role/Reader",
    "arn:aws:s3:::b/blue/x",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:s3:::c",
    "arn:aws:s3:::b/al",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-12",
    "arn:aws:kms:us-east-1:444455556666:key/k2",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
];

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    not_action: bool,
    action: &'static str,
    not_resource: bool,
    resource: &'static str,
    condition: &'static str,
    principal: Option<(bool, &'static str)>,
}

fn stmt(with_principal: bool) -> impl Strategy<Value = Stmt> {
    let principal = if with_principal {
        (any::<bool>(), select(PRINCIPALS))
            .prop_map(|(n, p)| Some((n && p != r#""*""#, p)))
            .boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.1),
        select(ACTIONS),
        prop::bool::weighted(0.1),
        select(RESOURCES),
        select(CONDITIONS),
        principal,
    )
        .prop_map(
            |(deny, not_action, action, not_resource, resource, condition, principal)| Stmt {
                deny,
                not_action,
                action,
                not_resource,
                resource,
                condition,
                principal,
            },
        )
}

fn policy(with_principal: bool) -> impl Strategy<Value = Policy> {
    policy_sized(with_principal, 1..4)
}

fn policy_sized(
    with_principal: bool,
    size: std::ops::Range<usize>,
) -> impl Strategy<Value = Policy> {
    (
        prop::collection::vec(stmt(with_principal), size),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(stmts, v2012)| {
            let body: Vec<String> = stmts
                .iter()
                .map(|s| {
                    let principal = s
                        .principal
                        .map(|(neg, p)| {
                            format!(
                                r#","{}":{}"#,
                                if neg { "NotPrincipal" } else { "Principal" },
                                p
                            )
                        })
                        .unwrap_or_default();
                    format!(
                        r#"{{"Effect":"{}","{}":{},"{}":{}{}{}}}"#,
                        if s.deny { "Deny" } else { "Allow" },
                        if s.not_action { "NotAction" } else { "Action" },
                        s.action,
                        if s.not_resource {
                            "NotResource"
                        } else {
                            "Resource"
                        },
                        s.resource,
                        principal,
                        s.condition
                    )
                })
                .collect();
            let version = if v2012 { "2012-10-17" } else { "2008-10-17" };
            let text = format!(
                r#"{{"Version":"{version}","Statement":[{}]}}"#,
                body.join(",")
            );
            Policy::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
        })
}

fn request() -> impl Strategy<Value = Request> {
    (
        select(CALLERS),
        select(REQ_ACTIONS),
        select(REQ_RESOURCES),
        any::<[bool; 6]>(),
        prop::option::of(select(&["111122223333", "444455556666"][..])),
    )
        .prop_map(|(caller, action, resource, flags, account)| {
            let mut ctx = Context::new();
            if flags[0] {
                ctx.insert(
                    "aws:MultiFactorAuthPresent",
                    ContextValue::single(if flags[1] { "true" } else { "false" }),
                );
            }
            if flags[2] {
                ctx.insert("aws:SourceIp", ContextValue::single("192.0.2.5"));
            }
            if flags[3] {
                ctx.insert("aws:PrincipalTag/team", ContextValue::single("blue"));
            }
            if flags[4] {
                ctx.insert("s3:prefix", ContextValue::single("alice/docs"));
                ctx.insert("aws:TagKeys", ContextValue::Multi(vec!["b".into()]));
                ctx.insert("n", ContextValue::single("3"));
            } else if flags[5] {
                // A multivalued key given with no value: `Null` reads it as absent.
                ctx.insert("aws:TagKeys", ContextValue::Multi(Vec::new()));
            }
            let mut r = Request::new(caller, action, resource, ctx).unwrap();
            r.set_resource_account(account.map(str::to_string));
            r
        })
}

fn inputs() -> impl Strategy<Value = ReferenceInputs> {
    (
        prop::collection::vec(policy(false), 0..3),
        prop::option::of(policy(true)),
        prop::option::of(policy(false)),
        prop::option::of(policy(false)),
        prop::option::of(prop::collection::vec(
            prop::collection::vec(policy(false), 1..2),
            1..3,
        )),
        prop::option::of(prop::collection::vec(
            prop::collection::vec(policy(false), 1..2),
            1..2,
        )),
        // Now and then the inputs lack something the decision needs: `unknown` unless denied.
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(identity, resource, boundary, session, scp, rcp, gap)| ReferenceInputs {
                identity,
                resource,
                boundary,
                session,
                scp,
                rcp,
                missing: if gap {
                    vec![polcheck_core::decide::Missing::other(
                        "a policy the inputs lack",
                    )]
                } else {
                    Vec::new()
                },
            },
        )
}

fn compiled(i: &ReferenceInputs) -> Layers {
    let set = |ps: Vec<Policy>| {
        PolicySet::compile(
            ps.into_iter()
                .enumerate()
                .map(|(n, p)| NamedPolicy::new(format!("p{n}"), p))
                .collect(),
        )
    };
    let one = |p: &Option<Policy>| p.clone().map(|p| set(vec![p]));
    let levels = |l: &Option<Vec<Vec<Policy>>>| {
        l.as_ref()
            .map(|l| l.iter().map(|ps| set(ps.clone())).collect())
    };
    Layers {
        identity: set(i.identity.clone()),
        resource: one(&i.resource),
        boundary: one(&i.boundary),
        session: one(&i.session),
        scp: levels(&i.scp),
        rcp: levels(&i.rcp),
        missing: i.missing.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn compiled_agrees_with_reference(inputs in inputs(), requests in prop::collection::vec(request(), 1..4)) {
        let layers = compiled(&inputs);
        for req in &requests {
            let fast = decide(&layers, req);
            let (outcome, blocked) = reference::decide(&inputs, req);
            prop_assert_eq!(fast.outcome, outcome, "request {:?}", req);
            prop_assert_eq!(&fast.blocked_by, &blocked, "request {:?}", req);
            let (o, b) = decide_outcome(&layers, req);
            prop_assert_eq!(o, outcome, "fast path, request {:?}", req);
            prop_assert_eq!(b, blocked, "fast path, request {:?}", req);
        }
    }
}

/// Sets large enough for the resource index (buckets of 8 statements and more).
fn large_inputs() -> impl Strategy<Value = ReferenceInputs> {
    (
        prop::collection::vec(policy_sized(false, 10..40), 1..3),
        prop::option::of(policy_sized(true, 10..40)),
        prop::option::of(policy_sized(false, 10..30)),
    )
        .prop_map(|(identity, resource, boundary)| ReferenceInputs {
            identity,
            resource,
            boundary,
            ..ReferenceInputs::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn large_sets_agree_with_reference(inputs in large_inputs(), requests in prop::collection::vec(request(), 1..6)) {
        let layers = compiled(&inputs);
        for req in &requests {
            let full = decide(&layers, req);
            let (outcome, blocked) = reference::decide(&inputs, req);
            prop_assert_eq!(full.outcome, outcome, "request {:?}", req);
            prop_assert_eq!(&full.blocked_by, &blocked, "request {:?}", req);
            let (o, b) = decide_outcome(&layers, req);
            prop_assert_eq!(o, outcome, "fast path, request {:?}", req);
            prop_assert_eq!(b, blocked, "fast path, request {:?}", req);
        }
    }
}

#[test]
fn missing_context_lists_only_keys_the_action_can_carry() {
    let p = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"StringLike":{"s3:prefix":"a/*"},"Bool":{"aws:SecureTransport":"true"}}}}"#,
    )
    .unwrap();
    let layers = Layers {
        identity: PolicySet::compile(vec![NamedPolicy::new("p", p)]),
        ..Layers::default()
    };
    let ec2 = Request::new(
        Some("arn:aws:iam::111122223333:user/a"),
        "ec2:RunInstances",
        "*",
        Context::new(),
    )
    .unwrap();
    assert_eq!(
        decide(&layers, &ec2).missing_context,
        ["aws:SecureTransport"]
    );
    let s3 = Request::new(
        Some("arn:aws:iam::111122223333:user/a"),
        "s3:ListBucket",
        "arn:aws:s3:::b",
        Context::new(),
    )
    .unwrap();
    assert_eq!(
        decide(&layers, &s3).missing_context,
        ["aws:SecureTransport", "s3:prefix"]
    );
}

/// The explanation's one walk over the candidates (`PolicySet::matching_and_keys`) finds
/// what the two separate searches find: the same matching statements, bounded or not, and
/// the same missing context keys, with or without a budget.
fn one_walk_agrees(set: &PolicySet, req: &Request, principal: bool) -> Result<(), TestCaseError> {
    use polcheck_core::policy::Effect;
    let action = req.action().to_ascii_lowercase();
    let p = principal.then(|| req.principal());
    for (limit, budget) in [
        (usize::MAX, usize::MAX),
        (2, 3),
        (1, usize::MAX),
        (usize::MAX, 1),
    ] {
        let mut keys = Vec::new();
        for effect in [Effect::Deny, Effect::Allow] {
            let both = set.matching_and_keys(
                &action,
                req.resource(),
                p,
                req.context(),
                effect,
                limit,
                budget,
                &mut keys,
            );
            let alone = set.matching(&action, req.resource(), p, req.context(), effect, limit);
            prop_assert_eq!(
                both,
                alone,
                "{:?} limit {} request {:?}",
                effect,
                limit,
                req
            );
        }
        keys.sort();
        let alone = set.missing_keys(&action, req.resource(), req.context(), budget);
        prop_assert_eq!(keys, alone, "budget {} request {:?}", budget, req);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn one_walk_finds_what_two_searches_find(inputs in large_inputs(), requests in prop::collection::vec(request(), 1..6)) {
        let layers = compiled(&inputs);
        for req in &requests {
            one_walk_agrees(&layers.identity, req, false)?;
            if let Some(r) = &layers.resource {
                one_walk_agrees(r, req, true)?;
            }
            if let Some(b) = &layers.boundary {
                one_walk_agrees(b, req, false)?;
            }
        }
    }
}
