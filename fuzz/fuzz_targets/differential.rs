//! The compiled evaluator (`decide`) against the reference evaluator (`reference::decide`) on
//! policy sets and requests built from small alphabets (those of `core/tests/differential.rs`,
//! and a few more): outcome and `blocked_by` must be equal.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use polcheck_core::compile::{NamedPolicy, PolicySet};
use polcheck_core::{Context, ContextValue};
use polcheck_core::decide::{decide, Layers};
use polcheck_core::policy::Policy;
use polcheck_core::reference::{self, ReferenceInputs};
use polcheck_core::Request;

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
    r#""s3:*Object""#,
    r#""*:*""#,
    r#"["s3:GetObject","s3:GetObject"]"#,
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
    r#""arn:aws:*""#,
    r#""arn:*:s3:::b/*""#,
    r#""arn:aws:s3:::b/${*}""#,
    r#""arn:aws:kms:*:*:key/*""#,
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
    r#","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}"#,
    r#","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","10.0.0.0/8"]}}"#,
    r#","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}"#,
    r#","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#,
    r#","Condition":{"StringNotLikeIfExists":{"s3:prefix":"alice/*"}}"#,
    r#","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:role/Reader"}"#,
    r#"{"AWS":["444455556666"]}"#,
    r#"{"Service":"s3.amazonaws.com"}"#,
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/Reader/job"}"#,
    r#"{"AWS":"*"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
];
const CALLERS: &[Option<&str>] = &[
    Some("arn:aws:iam::111122223333:user/alice"),
    Some("arn:aws:iam::444455556666:user/bob"),
    Some("arn:aws:sts::111122223333:assumed-role/Reader/job"),
    Some("arn:aws:iam::111122223333:root"),
    None,
    Some("s3.amazonaws.com"),
    Some("arn:aws:iam::111122223333:role/Reader"),
];
const REQ_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "ec2:DescribeInstances",
    "iam:CreateUser",
    "sqs:SendMessage",
    "sts:AssumeRole",
    "kms:Decrypt",
    "s3:ListBucket",
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
    "arn:aws:s3:::b/${aws:username}",
];

fn pick<T: Copy>(xs: &[T], i: u8) -> T {
    xs[i as usize % xs.len()]
}

#[derive(Debug, Arbitrary)]
struct Stmt {
    deny: bool,
    not_action: bool,
    action: u8,
    not_resource: bool,
    resource: u8,
    condition: u8,
    not_principal: bool,
    principal: u8,
}

#[derive(Debug, Arbitrary)]
struct PolicyIn {
    v2008: bool,
    stmts: Vec<Stmt>,
}

impl PolicyIn {
    fn build(&self, with_principal: bool) -> Policy {
        let mut body = Vec::new();
        for s in self.stmts.iter().take(4) {
            let principal = if with_principal {
                let p = pick(PRINCIPALS, s.principal);
                let neg = s.not_principal && p != r#""*""#;
                format!(
                    r#","{}":{}"#,
                    if neg { "NotPrincipal" } else { "Principal" },
                    p
                )
            } else {
                String::new()
            };
            body.push(format!(
                r#"{{"Effect":"{}","{}":{},"{}":{}{}{}}}"#,
                if s.deny { "Deny" } else { "Allow" },
                if s.not_action { "NotAction" } else { "Action" },
                pick(ACTIONS, s.action),
                if s.not_resource {
                    "NotResource"
                } else {
                    "Resource"
                },
                pick(RESOURCES, s.resource),
                principal,
                pick(CONDITIONS, s.condition)
            ));
        }
        if body.is_empty() {
            body.push(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#.into());
            if with_principal {
                body[0] =
                    r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#
                        .into();
            }
        }
        let version = if self.v2008 {
            "2008-10-17"
        } else {
            "2012-10-17"
        };
        let text = format!(
            r#"{{"Version":"{version}","Statement":[{}]}}"#,
            body.join(",")
        );
        Policy::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }
}

#[derive(Debug, Arbitrary)]
struct RequestIn {
    caller: u8,
    action: u8,
    resource: u8,
    flags: [bool; 8],
    account: Option<bool>,
}

impl RequestIn {
    fn build(&self) -> Option<Request> {
        let f = self.flags;
        let mut ctx = Context::new();
        if f[0] {
            let v = if f[1] { "true" } else { "false" };
            ctx.insert("aws:MultiFactorAuthPresent", ContextValue::single(v));
        }
        if f[2] {
            let v = if f[1] { "192.0.2.5" } else { "10.1.2.3" };
            ctx.insert("aws:SourceIp", ContextValue::single(v));
        }
        if f[3] {
            ctx.insert("aws:PrincipalTag/team", ContextValue::single("blue"));
        }
        if f[4] {
            ctx.insert("s3:prefix", ContextValue::single("alice/docs"));
            ctx.insert("aws:TagKeys", ContextValue::Multi(vec!["b".into()]));
            ctx.insert("n", ContextValue::single("3"));
        }
        if f[5] {
            let v = if f[6] {
                vec![]
            } else {
                vec!["a".into(), "c".into()]
            };
            ctx.insert("aws:TagKeys", ContextValue::Multi(v));
        }
        if f[7] {
            let v = if f[6] {
                "2025-06-01T00:00:00Z"
            } else {
                "not a date"
            };
            ctx.insert("aws:CurrentTime", ContextValue::single(v));
        }
        let mut r = Request::new(
            pick(CALLERS, self.caller),
            pick(REQ_ACTIONS, self.action),
            pick(REQ_RESOURCES, self.resource),
            ctx,
        )
        .ok()?;
        r.set_resource_account(
            self.account
                .map(|a| if a { "111122223333" } else { "444455556666" }.to_string()),
        );
        Some(r)
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    identity: Vec<PolicyIn>,
    resource: Option<PolicyIn>,
    boundary: Option<PolicyIn>,
    session: Option<PolicyIn>,
    scp: Option<Vec<Vec<PolicyIn>>>,
    rcp: Option<Vec<Vec<PolicyIn>>>,
    requests: Vec<RequestIn>,
}

fn levels(l: &Option<Vec<Vec<PolicyIn>>>) -> Option<Vec<Vec<Policy>>> {
    l.as_ref().map(|l| {
        let mut out: Vec<Vec<Policy>> = l
            .iter()
            .take(3)
            .map(|ps| ps.iter().take(2).map(|p| p.build(false)).collect())
            .filter(|ps: &Vec<Policy>| !ps.is_empty())
            .collect();
        if out.is_empty() {
            out.push(vec![Policy::parse(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            )
            .unwrap()]);
        }
        out
    })
}

fn set(ps: &[Policy]) -> PolicySet {
    PolicySet::compile(
        ps.iter()
            .enumerate()
            .map(|(n, p)| NamedPolicy::new(format!("p{n}"), p.clone()))
            .collect(),
    )
}

fn compiled(i: &ReferenceInputs) -> Layers {
    let one = |p: &Option<Policy>| p.as_ref().map(|p| set(std::slice::from_ref(p)));
    let lv =
        |l: &Option<Vec<Vec<Policy>>>| l.as_ref().map(|l| l.iter().map(|ps| set(ps)).collect());
    Layers {
        identity: set(&i.identity),
        resource: one(&i.resource),
        boundary: one(&i.boundary),
        session: one(&i.session),
        scp: lv(&i.scp),
        rcp: lv(&i.rcp),
        missing: i.missing.clone(),
    }
}

fuzz_target!(|input: Input| {
    let inputs = ReferenceInputs {
        identity: input
            .identity
            .iter()
            .take(3)
            .map(|p| p.build(false))
            .collect(),
        resource: input.resource.as_ref().map(|p| p.build(true)),
        boundary: input.boundary.as_ref().map(|p| p.build(false)),
        session: input.session.as_ref().map(|p| p.build(false)),
        scp: levels(&input.scp),
        rcp: levels(&input.rcp),
        missing: Vec::new(),
    };
    let layers = compiled(&inputs);
    for r in input.requests.iter().take(4) {
        let Some(req) = r.build() else { continue };
        let fast = decide(&layers, &req);
        let (outcome, blocked) = reference::decide(&inputs, &req);
        assert_eq!(fast.outcome, outcome, "outcome of {req:?} under {inputs:?}");
        assert_eq!(
            fast.blocked_by, blocked,
            "blocked_by of {req:?} under {inputs:?}"
        );
    }
});
