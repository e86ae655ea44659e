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
    /// Other missing keys that must hold their values too (empty when `key` alone changes
    /// the answer): a statement whose conditions read several missing keys at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<(String, String)>,
}

impl std::fmt::Display for IfContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.outcome {
            Outcome::Allowed => "allowed",
            Outcome::ExplicitDeny => "explicitly denied",
            Outcome::ImplicitDeny => "implicitly denied",
            _ => "unknown",
        };
        write!(f, "{what} if {} is {}", self.key, self.value)?;
        for (k, v) in &self.with {
            write!(f, " and {k} is {v}")?;
        }
        Ok(())
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
                    with: Vec::new(),
                });
            }
        }
    }
    if !out.iter().any(|c| c.outcome == Outcome::Allowed) && decision.missing_context.len() > 1 {
        out.extend(together(
            engine,
            &prepared,
            &layers,
            &decision.missing_context,
            &keep,
        ));
    }
    out.sort_by_key(|c| c.outcome != Outcome::Allowed);
    out
}

/// Statements looked at for keys needed together: a bound on the work.
const MAX_STATEMENTS: usize = 64;

/// When no missing key alone allows: the first `Allow` statement whose conditions read two
/// or more of the `missing` keys, with each set to the first value its condition compares it
/// with, if that allows (a GitHub OIDC trust policy needs both the token's `aud` and `sub`).
fn together(
    engine: &Engine,
    prepared: &Request,
    layers: &Layers,
    missing: &[String],
    keep: &impl Fn(Outcome, &BTreeSet<PolicyKind>) -> Option<Outcome>,
) -> Option<IfContext> {
    let statements = statements(layers)
        .filter(|st| st.effect == crate::policy::Effect::Allow)
        .take(MAX_STATEMENTS);
    for st in statements {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for c in &st.conditions {
            let Some(key) = missing.iter().find(|k| k.eq_ignore_ascii_case(&c.key)) else {
                continue;
            };
            let Some(v) = c.values.first() else { continue };
            if pairs.iter().any(|(k, _)| k == key) {
                continue;
            }
            pairs.push((key.clone(), first_value(v)));
        }
        if pairs.len() < 2 {
            continue;
        }
        let mut tried = prepared.clone();
        for (k, v) in &pairs {
            tried.insert_context(k, ContextValue::single(v.as_str()));
        }
        let (outcome, blocked) = engine.check_prepared(&tried);
        if keep(outcome, &blocked) == Some(Outcome::Allowed) {
            let mut pairs = pairs.into_iter();
            let (key, value) = pairs.next()?;
            return Some(IfContext {
                key,
                value,
                outcome: Outcome::Allowed,
                with: pairs.collect(),
            });
        }
    }
    None
}

/// The value a condition's first value stands for: a boolean lower-cased, a CIDR's address.
fn first_value(v: &str) -> String {
    let lower = v.to_ascii_lowercase();
    if lower == "true" || lower == "false" {
        return lower;
    }
    match v.split_once('/') {
        Some((addr, _)) if addr.parse::<std::net::IpAddr>().is_ok() => addr.to_string(),
        _ => v.to_string(),
    }
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
    // `Null`'s `true`/`false` say whether the key is present, not a value of it.
    let values = statements(layers)
        .flat_map(|st| st.conditions.iter())
        .filter(|c| {
            c.key.eq_ignore_ascii_case(key)
                && c.operator.operator != crate::condition::Operator::Null
        })
        .flat_map(|c| c.values.iter());
    for v in values {
        let value = first_value(v);
        if value == "true" || value == "false" {
            push("true".into());
            push("false".into());
            continue;
        }
        push(value);
        if let Ok(n) = v.parse::<i64>() {
            push(n.saturating_sub(1).to_string());
            push(n.saturating_add(1).to_string());
        }
    }
    out
}

/// Every statement of every policy of `layers`.
fn statements(layers: &Layers) -> impl Iterator<Item = &crate::policy::Statement> {
    layers
        .sets()
        .flat_map(|set| set.policies())
        .flat_map(|np| np.policy().statements.iter())
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

    /// A GitHub OIDC trust policy needs the token's `aud` and `sub` together (IAM User Guide,
    /// *Create a role for OpenID Connect federation*): neither alone allows.
    #[test]
    fn keys_needed_together_are_named_together() {
        let e = engine(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",
              "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"},
              "Bool": {"aws:MultiFactorAuthPresent": "true"}}}}"#,
        );
        let found = ask(&e, Context::new());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("allowed if ") && found[0].contains(" and "),
            "{found:?}"
        );
        assert!(found[0].contains("aws:SourceVpce is vpce-1"), "{found:?}");
        assert!(
            found[0].contains("aws:MultiFactorAuthPresent is true"),
            "{found:?}"
        );
    }

    /// `Null`'s values are about presence: "denied if aws:RequestedRegion is true" would
    /// read as a region named `true`.
    #[test]
    fn null_values_are_not_tried_as_values_of_the_key() {
        let e = engine(
            r#"{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
              {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
                "Null": {"aws:RequestedRegion": "false"}}}]}"#,
        );
        let found = ask(&e, Context::new());
        assert!(
            !found
                .iter()
                .any(|f| f.contains(" is true") || f.contains(" is false")),
            "{found:?}"
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
