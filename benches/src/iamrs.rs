//! A workload for iam-rs: the same IAM JSON, parsed by `IAMPolicy::from_json`, and requests
//! with typed context values (iam-rs's `ContextValue` is typed: bools stay bools).
//!
//! iam-rs evaluates one list of policies with no organization, boundary or resource-policy
//! layers, which is exactly the identity-only shape of the workloads. Its evaluator refuses
//! more than `max_statements` (1,000 by default) statements, so it is raised to `usize::MAX`.

use iam_rs::{
    Arn, Context, ContextValue, Decision, EvaluationOptions, IAMPolicy, IAMRequest,
    PolicyEvaluator, Principal, PrincipalId,
};

use crate::workload::{rfc3339, Workload};
use crate::Verdict;

/// A workload, ready for iam-rs.
pub struct IamRsWorkload {
    /// The evaluator holding every policy.
    pub evaluator: PolicyEvaluator,
    /// The requests, in the workload's order.
    pub requests: Vec<IAMRequest>,
}

impl IamRsWorkload {
    /// Parses the workload's policies and builds its requests; panics if iam-rs refuses one.
    pub fn build(w: &Workload) -> IamRsWorkload {
        let policies: Vec<IAMPolicy> = w
            .iam_json()
            .iter()
            .map(|j| IAMPolicy::from_json(j).expect("iam-rs parses the policy"))
            .collect();
        let options = EvaluationOptions {
            max_statements: usize::MAX,
            ..EvaluationOptions::default()
        };
        let evaluator = PolicyEvaluator::with_policies(policies).with_options(options);
        let requests = w
            .requests
            .iter()
            .map(|r| {
                let caller = &w.callers[r.caller];
                let mut ctx = Context::new();
                ctx.insert(
                    "aws:SourceIp".into(),
                    ContextValue::String(r.source_ip.clone()),
                );
                if let Some(m) = r.mfa {
                    ctx.insert(
                        "aws:MultiFactorAuthPresent".into(),
                        ContextValue::Boolean(m),
                    );
                }
                if let Some(t) = caller.team {
                    ctx.insert(
                        "aws:PrincipalTag/team".into(),
                        ContextValue::String(t.into()),
                    );
                }
                if let Some(e) = r.env {
                    ctx.insert("aws:ResourceTag/env".into(), ContextValue::String(e.into()));
                }
                ctx.insert(
                    "aws:CurrentTime".into(),
                    ContextValue::String(rfc3339(r.now)),
                );
                IAMRequest::new_with_context(
                    Principal::Aws(PrincipalId::String(caller.arn.clone())),
                    r.action.clone(),
                    Arn::parse(&r.resource).expect("iam-rs parses the ARN"),
                    ctx,
                )
            })
            .collect();
        IamRsWorkload {
            evaluator,
            requests,
        }
    }

    /// Decides request `i`; an evaluation error is reported as `None`.
    pub fn decide(&self, i: usize) -> Option<Verdict> {
        let r = self.evaluator.evaluate(&self.requests[i]).ok()?;
        Some(match r.decision {
            Decision::Allow => Verdict::Allowed,
            Decision::Deny => Verdict::ExplicitDeny,
            Decision::NotApplicable => Verdict::ImplicitDeny,
        })
    }
}
