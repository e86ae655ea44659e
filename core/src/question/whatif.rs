//! "Allowed if `aws:MultiFactorAuthPresent` is true": what a missing condition key would
//! decide.
//!
//! A request that does not carry a key the policies read is decided as AWS decides it, without
//! the key (a positive operator is false, a negated one true). When the answer depends on it,
//! [`if_context`] says which values of each missing key would change the answer: each key is
//! tried alone with the values the policies compare it with (and, for a boolean, both truth
//! values), every other key left as the request has it.

use serde::Serialize;

use crate::context::ContextValue;
use std::collections::BTreeSet;

use crate::decide::{Decision, Layers, Outcome, PolicyKind};
use crate::engine::Engine;
use crate::request::Request;

/// A value of a missing context key that would change the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IfContext {
    /// The key, as the policies write it.
    pub key: String,
    /// The value tried.
    pub value: String,
    /// What the request would get with it.
    pub outcome: Outcome,
}

impl std::fmt::Display for IfContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.outcome {
            Outcome::Allowed => "allowed",
            Outcome::ExplicitDeny => "explicitly denied",
            Outcome::ImplicitDeny => "implicitly denied",
            _ => "unknown",
        };
        write!(f, "{what} if {} is {}", self.key, self.value)
    }
}

/// Missing keys tried, and values tried per key: a bound on the work, whatever the policies.
const MAX_KEYS: usize = 8;
const MAX_VALUES: usize = 8;

/// The values of the keys `decision` lists as missing
/// ([`Decision::missing_context`]) that would change its answer, one key at a time, the
/// changes to `allowed` first. Empty when the answer does not depend on them, or is unknown.
///
/// ```
/// use polcheck_core::{Context, Engine, Request};
/// let engine = Engine::builder().identity_policy("mfa", r#"{"Version": "2012-10-17",
///   "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
///     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}"#)?.build()?;
/// let req = Request::new(Some("arn:aws:iam::111122223333:user/a"), "s3:GetObject", "*", Context::new())?;
/// let d = engine.authorize(&req);
/// let alt = polcheck_core::question::if_context(&engine, &req, &d);
/// assert_eq!(alt[0].to_string(), "allowed if aws:MultiFactorAuthPresent is true");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn if_context(engine: &Engine, req: &Request, decision: &Decision) -> Vec<IfContext> {
    if_context_where(engine, req, decision, |outcome, _| {
        (outcome != decision.outcome && outcome != Outcome::Unknown).then_some(outcome)
    })
}

/// [`if_context`] with the test of what counts: `keep` maps the outcome and `blockedBy` of a
/// tried request to the outcome to report, or `None` to leave it out.
pub(super) fn if_context_where(
    engine: &Engine,
    req: &Request,
    decision: &Decision,
    keep: impl Fn(Outcome, &BTreeSet<PolicyKind>) -> Option<Outcome>,
) -> Vec<IfContext> {
    if decision.missing_context.is_empty() || decision.outcome == Outcome::Unknown {
        return Vec::new();
    }
    let mut prepared = req.clone();
    engine.prepare(&mut prepared);
    let layers = engine.layers(&prepared);
    let mut out = Vec::new();
    for key in decision.missing_context.iter().take(MAX_KEYS) {
        for value in candidates(&layers, key) {
            let mut tried = prepared.clone();
            tried.insert_context(key, ContextValue::single(value.as_str()));
            let (outcome, blocked) = engine.check_prepared(&tried);
            if let Some(outcome) = keep(outcome, &blocked) {
                out.push(IfContext {
                    key: key.clone(),
                    value,
                    outcome,
                });
            }
        }
    }
    out.sort_by_key(|c| c.outcome != Outcome::Allowed);
    out
}

/// The values worth trying for `key`: those the policies compare it with (a CIDR's address,
/// a number and its neighbours), and both truth values for a boolean.
fn candidates(layers: &Layers, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |v: String| {
        if out.len() < MAX_VALUES && !out.contains(&v) {
            out.push(v);
        }
    };
    let sets = std::iter::once(&layers.identity)
        .chain(layers.resource.iter())
        .chain(layers.boundary.iter())
        .chain(layers.session.iter())
        .chain(layers.scp.iter().flatten())
        .chain(layers.rcp.iter().flatten());
    for set in sets {
        for np in set.policies() {
            for st in &np.policy.statements {
                for c in st
                    .conditions
                    .iter()
                    .filter(|c| c.key.eq_ignore_ascii_case(key))
                {
                    for v in &c.values {
                        match v.to_ascii_lowercase().as_str() {
                            "true" | "false" => {
                                push("true".into());
                                push("false".into());
                                continue;
                            }
                            _ => {}
                        }
                        if let Some((addr, _)) = v.split_once('/') {
                            if addr.parse::<std::net::IpAddr>().is_ok() {
                                push(addr.to_string());
                                continue;
                            }
                        }
                        push(v.clone());
                        if let Ok(n) = v.parse::<i64>() {
                            push(n.saturating_sub(1).to_string());
                            push(n.saturating_add(1).to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;

    fn engine(policy: &str) -> Engine {
        Engine::builder()
            .identity_policy("p", policy)
            .unwrap()
            .build()
            .unwrap()
    }

    fn ask(e: &Engine, ctx: Context) -> Vec<String> {
        let req = Request::new(
            Some("arn:aws:iam::111122223333:user/a"),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            ctx,
        )
        .unwrap();
        let d = e.authorize(&req);
        if_context(e, &req, &d)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_deny_on_a_missing_vpce_says_which_endpoint_allows() {
        let e = engine(
            r#"{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
              {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]}"#,
        );
        assert_eq!(
            ask(&e, Context::new()),
            ["allowed if aws:SourceVpce is vpce-1"]
        );
    }

    #[test]
    fn a_numeric_bound_is_found_by_its_neighbour() {
        let e = engine(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",
              "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}}"#,
        );
        assert_eq!(
            ask(&e, Context::new()),
            ["allowed if aws:MultiFactorAuthAge is 3599"]
        );
    }

    #[test]
    fn nothing_when_the_answer_does_not_depend_on_the_key() {
        let e = engine(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",
              "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}}"#,
        );
        let mut ctx = Context::new();
        ctx.insert("aws:SecureTransport", ContextValue::single("true"));
        assert!(ask(&e, ctx).is_empty());
    }
}
