//! A workload for polcheck: compiled [`Layers`] (identity policies only), the same policies
//! uncompiled for the reference evaluator, and the requests.

use polcheck_core::compile::{NamedPolicy, PolicySet};
use polcheck_core::context::{Context, ContextValue};
use polcheck_core::decide::{self, Layers};
use polcheck_core::policy::Policy;
use polcheck_core::reference::{self, ReferenceInputs};
use polcheck_core::request::Request;

use crate::workload::{rfc3339, Workload};
use crate::Verdict;

/// A workload, ready for polcheck's compiled and reference evaluators.
pub struct PolcheckWorkload {
    /// The compiled layers.
    pub layers: Layers,
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
        let layers = Layers {
            identity: compile(&policies),
            ..Layers::default()
        };
        PolcheckWorkload {
            layers,
            reference: ReferenceInputs {
                identity: policies,
                ..ReferenceInputs::default()
            },
            requests: requests(w),
        }
    }

    /// The compiled evaluator's outcome for request `i` (the fast path, no explanation).
    pub fn decide(&self, i: usize) -> Verdict {
        decide::decide_outcome(&self.layers, &self.requests[i])
            .0
            .into()
    }

    /// The full decision with its explanation, as `polcheck eval` gives it.
    pub fn decide_explained(&self, i: usize) -> Verdict {
        decide::decide(&self.layers, &self.requests[i])
            .outcome
            .into()
    }

    /// The reference evaluator's outcome for request `i`.
    pub fn decide_reference(&self, i: usize) -> Verdict {
        reference::decide(&self.reference, &self.requests[i])
            .0
            .into()
    }
}
