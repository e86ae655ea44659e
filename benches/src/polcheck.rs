//! A workload for polcheck: an [`Engine`] holding the identity policies (compiled once, as
//! every face of polcheck asks), the same policies uncompiled for the reference evaluator,
//! and the requests; and [`WorldWorkload`], the same statements as a world's managed
//! policies with extra identity policies beside it.

use polcheck_core::compile::{NamedPolicy, PolicySet};
use polcheck_core::inputs::PolicyInputs;
use polcheck_core::policy::Policy;
use polcheck_core::reference::{self, ReferenceInputs};
use polcheck_core::Engine;
use polcheck_core::Request;
use polcheck_core::{Context, ContextValue};
use serde_json::json;

use crate::workload::{rfc3339, Workload};
use crate::Verdict;

/// A workload, ready for polcheck's compiled and reference evaluators.
pub struct PolcheckWorkload {
    /// The engine, holding the workload's policies as identity policies.
    pub engine: Engine,
    /// The same policies, for the reference evaluator.
    pub reference: ReferenceInputs,
    /// The requests, in the workload's order.
    pub requests: Vec<Request>,
}

/// Parses the workload's policies (panics on a generator bug).
pub fn parse(w: &Workload) -> Vec<Policy> {
    w.iam_json()
        .iter()
        .map(|j| {
            Policy::parse(j).unwrap_or_else(|e| panic!("generated policy refused: {e:?}\n{j}"))
        })
        .collect()
}

/// Names parsed policies (copies them).
pub fn named(policies: &[Policy]) -> Vec<NamedPolicy> {
    policies
        .iter()
        .enumerate()
        .map(|(i, p)| NamedPolicy::new(format!("policy-{i}"), p.clone()))
        .collect()
}

/// Names parsed policies and compiles them into one identity layer.
pub fn compile(policies: &[Policy]) -> PolicySet {
    PolicySet::compile(named(policies))
}

/// The polcheck requests of a workload.
pub fn requests(w: &Workload) -> Vec<Request> {
    w.requests
        .iter()
        .map(|r| {
            let caller = &w.callers[r.caller];
            let mut ctx = Context::new();
            ctx.insert("aws:SourceIp", ContextValue::single(r.source_ip.clone()));
            if let Some(m) = r.mfa {
                ctx.insert(
                    "aws:MultiFactorAuthPresent",
                    ContextValue::single(m.to_string()),
                );
            }
            if let Some(t) = caller.team {
                ctx.insert("aws:PrincipalTag/team", ContextValue::single(t));
            }
            if let Some(e) = r.env {
                ctx.insert("aws:ResourceTag/env", ContextValue::single(e));
            }
            ctx.insert("aws:CurrentTime", ContextValue::single(rfc3339(r.now)));
            Request::new(Some(&caller.arn), &r.action, &r.resource, ctx).expect("caller ARN")
        })
        .collect()
}

impl PolcheckWorkload {
    /// Parses, compiles and builds the requests.
    pub fn build(w: &Workload) -> PolcheckWorkload {
        let policies = parse(w);
        PolcheckWorkload {
            engine: engine(named(&policies)),
            reference: ReferenceInputs {
                identity: policies,
                ..ReferenceInputs::default()
            },
            requests: requests(w),
        }
    }

    /// The compiled evaluator's outcome for request `i` (the fast path, no explanation).
    pub fn decide(&self, i: usize) -> Verdict {
        self.engine.check(&self.requests[i]).0.into()
    }

    /// The full decision with its explanation, as `polcheck eval` gives it.
    pub fn decide_explained(&self, i: usize) -> Verdict {
        self.engine.authorize(&self.requests[i]).outcome.into()
    }

    /// The reference evaluator's outcome for request `i`.
    pub fn decide_reference(&self, i: usize) -> Verdict {
        reference::decide(&self.reference, &self.requests[i])
            .0
            .into()
    }
}

/// An engine holding `identity` as the caller's identity policies, without a world.
pub fn engine(identity: Vec<NamedPolicy>) -> Engine {
    let inputs = PolicyInputs {
        identity: Some(identity),
        ..PolicyInputs::default()
    };
    Engine::builder()
        .policies(&inputs)
        .build()
        .expect("no world to load")
}

/// A world export (`get-account-authorization-details`) of the workload: each policy a
/// customer-managed policy, every caller a user or role with all of them attached.
pub fn world_json(w: &Workload) -> String {
    let account = "111122223333";
    let docs = w.iam_json();
    let policies: Vec<serde_json::Value> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let doc: serde_json::Value = serde_json::from_str(d).expect("generated JSON");
            json!({"PolicyName": format!("p{i}"), "Arn": format!("arn:aws:iam::{account}:policy/p{i}"),
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc}]})
        })
        .collect();
    let attached: Vec<serde_json::Value> = (0..docs.len())
        .map(|i| json!({"PolicyName": format!("p{i}"), "PolicyArn": format!("arn:aws:iam::{account}:policy/p{i}")}))
        .collect();
    let (mut users, mut roles) = (Vec::new(), Vec::new());
    for (i, c) in w.callers.iter().enumerate() {
        let name = c.arn.rsplit('/').next().unwrap_or_default();
        if c.arn.contains(":user/") {
            users.push(
                json!({"UserName": name, "UserId": format!("AIDA{i:08}"), "Arn": c.arn,
                "AttachedManagedPolicies": attached}),
            );
        } else {
            roles.push(
                json!({"RoleName": name, "RoleId": format!("AROA{i:08}"), "Arn": c.arn,
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
                "AttachedManagedPolicies": attached}),
            );
        }
    }
    json!({"AccountId": account, "Policies": policies, "UserDetailList": users, "RoleDetailList": roles})
        .to_string()
}

/// The same statements asked two ways: a world whose callers hold `w`'s policies plus extra
/// identity policies given beside the world (`extra`'s), against an engine without a world
/// holding both as identity policies. Item 2 of issue #13: `check` with the world should cost
/// about what it costs without.
pub struct WorldWorkload {
    /// World plus extra identity policies.
    pub with_world: Engine,
    /// The same statements as identity policies, no world.
    pub without_world: Engine,
    /// `w`'s requests.
    pub requests: Vec<Request>,
}

impl WorldWorkload {
    /// Builds both engines and checks that they agree on every request.
    pub fn build(w: &Workload, extra: &Workload) -> WorldWorkload {
        let extra_policies: Vec<NamedPolicy> = named(&parse(extra))
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                p.name = format!("extra-{i}").into();
                p
            })
            .collect();
        let inputs = PolicyInputs {
            identity: Some(extra_policies.clone()),
            ..PolicyInputs::default()
        };
        let with_world = Engine::builder()
            .world_file("world.json", &world_json(w))
            .policies(&inputs)
            .build()
            .expect("the generated world loads");
        let mut all = named(&parse(w));
        all.extend(extra_policies);
        let without_world = engine(all);
        // A world knows more than loose policies: a request on a resource of the world's
        // account whose policy AWS requires and the world lacks (a KMS key's key policy, a
        // role's trust policy) is `unknown` there, and decided without the world. Those are
        // left out; every other request must be decided the same way.
        let every = requests(w);
        let total = every.len();
        let requests: Vec<Request> = every
            .into_iter()
            .filter(|r| with_world.check(r).0 != polcheck_core::decide::Outcome::Unknown)
            .collect();
        assert!(
            requests.len() * 2 > total,
            "most requests are decided with the world ({} of {total})",
            requests.len()
        );
        for (i, r) in requests.iter().enumerate() {
            assert_eq!(
                with_world.check(r),
                without_world.check(r),
                "world and no world disagree on request {i}"
            );
        }
        WorldWorkload {
            with_world,
            without_world,
            requests,
        }
    }
}
