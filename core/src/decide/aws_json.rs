//! The AWS-shaped JSON of decisions: `EvaluationResults` entries as `aws iam
//! simulate-custom-policy` and `simulate-principal-policy` print them
//! (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html>,
//! <https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResourceSpecificResult.html>),
//! plus a `polcheck` object with what AWS's shape has no room for.
//!
//! Field by field:
//! - `MatchedStatements`: the statements that decided, as AWS lists them: on an explicit deny
//!   only the Denies ("the deny statement is the only entry included in the result"), else
//!   the Allows that applied. Each has AWS's four fields only: `SourcePolicyId` (the policy's
//!   name: `PolicyInputList.N` for the N-th identity policy given as input, as
//!   `simulate-custom-policy` numbers them, `PermissionsBoundaryPolicyInputList.1`,
//!   `ResourcePolicy`, or a world policy's own name), `SourcePolicyType` (one of `user`,
//!   `group`, `role`, `aws-managed`, `user-managed`, `resource`, `none`; left out for
//!   `PolicyInputList.N`, as in AWS's documented `simulate-custom-policy` output), and
//!   `StartPosition`/`EndPosition` as `{Line, Column}`, both one past the statement's brace
//!   as AWS counts them (polcheck's own positions, in the text output and in
//!   `polcheck.matchedStatements`, start at the `{`). The file, kind, Sid and effect of each
//!   are in `polcheck.matchedStatements`.
//! - `EvalDecisionDetails`: for a cross-account request, how each side decided (`"IAM
//!   Policy"` for the caller's account, `"Resource Policy"` for the resource's); `{}` in one
//!   account with a resource ARN; absent for `*` and when an SCP denies, as AWS documents.
//! - `ResourceSpecificResults`: one entry per resource ARN asked (not for `*`), with
//!   `EvalResourceName`, `EvalResourceDecision`, `MatchedStatements`, `MissingContextValues`,
//!   `EvalDecisionDetails` and `PermissionsBoundaryDecisionDetail`. Several resources for one
//!   action make one `EvaluationResults` entry whose top-level decision is the most
//!   restrictive (AWS: "the top-level `EvalDecision` reflects the most restrictive decision
//!   across all resources"); [`aws_results`] builds it.
//!
//! ```
//! use polcheck_core::compile::NamedPolicy;
//! use polcheck_core::Context;
//! use polcheck_core::decide::{aws_result, decide, Layers};
//! use polcheck_core::compile::PolicySet;
//! use polcheck_core::policy::Policy;
//! use polcheck_core::Request;
//! let p = Policy::parse(r#"{"Version": "2012-10-17",
//!   "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#).unwrap();
//! let layers = Layers { identity: PolicySet::compile(vec![NamedPolicy::new("p", p)]), ..Layers::default() };
//! let req = Request::new(Some("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "*", Context::new()).unwrap();
//! let r = aws_result("s3:GetObject", "*", &decide(&layers, &req));
//! assert_eq!(r["EvalDecision"], "allowed");
//! assert_eq!(r["MatchedStatements"][0]["StartPosition"]["Line"], 2);
//! assert_eq!(r["polcheck"]["allowedBy"][0], "identity");
//! ```

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{Decision, MatchedStatement, Outcome, PolicyKind};
use crate::json::Position;
use crate::policy::Effect;

/// How `SourcePolicyId` names the policies given as inputs, by the names they were given
/// under: the N-th identity policy is `PolicyInputList.N`, the boundary
/// `PermissionsBoundaryPolicyInputList.1`, the resource policy `ResourcePolicy`, as the
/// parameters of `simulate-custom-policy` are named.
#[derive(Debug, Clone, Default)]
pub struct InputIds {
    by_name: HashMap<String, (String, Option<&'static str>)>,
}

impl InputIds {
    /// The ids of the identity policies (in order), boundary and resource policy given.
    pub fn new<'a>(
        identity: impl IntoIterator<Item = &'a str>,
        boundary: Option<&str>,
        resource: Option<&str>,
    ) -> InputIds {
        let mut by_name = HashMap::new();
        for (i, name) in identity.into_iter().enumerate() {
            by_name
                .entry(name.to_string())
                .or_insert((format!("PolicyInputList.{}", i + 1), None));
        }
        if let Some(b) = boundary {
            by_name.insert(
                b.to_string(),
                ("PermissionsBoundaryPolicyInputList.1".into(), Some("none")),
            );
        }
        if let Some(r) = resource {
            by_name.insert(r.to_string(), ("ResourcePolicy".into(), Some("resource")));
        }
        InputIds { by_name }
    }
}

/// AWS's `SourcePolicyId` and `SourcePolicyType` of a matched statement.
fn source(m: &MatchedStatement, ids: &InputIds) -> (String, Option<&'static str>) {
    if let Some(found) = ids.by_name.get(&*m.policy) {
        return found.clone();
    }
    if m.kind == PolicyKind::Resource {
        return ("ResourcePolicy".into(), Some("resource"));
    }
    world_source(&m.policy).unwrap_or_else(|| (m.policy.to_string(), Some("none")))
}

/// Reads the names a world gives its identity policies (`user inline alice/Read`,
/// `group Dev via managed DevAccess v2`, `role AWS managed ReadOnlyAccess v3`, `SCP Name at
/// r-1`, `boundary Name v1`) back into AWS's id and type.
fn world_source(name: &str) -> Option<(String, Option<&'static str>)> {
    let (owner, rest): (&'static str, &str) = match name.split_once(' ')? {
        ("group", rest) => ("group", rest.split_once(" via ")?.1),
        ("user", rest) => ("user", rest),
        ("role", rest) => ("role", rest),
        ("SCP" | "RCP", rest) => return Some((rest.split(" at ").next()?.into(), Some("none"))),
        ("boundary", rest) => return Some((rest.split(' ').next()?.into(), Some("none"))),
        _ => return None,
    };
    if let Some(inline) = rest.strip_prefix("inline ") {
        // `user inline USER/POLICY`, `group G via inline POLICY`.
        let policy = inline.rsplit('/').next()?;
        return Some((policy.into(), Some(owner)));
    }
    let (kind, managed) = if let Some(m) = rest.strip_prefix("AWS managed ") {
        ("aws-managed", m)
    } else {
        ("user-managed", rest.strip_prefix("managed ")?)
    };
    Some((managed.split(' ').next()?.into(), Some(kind)))
}

/// The statements AWS lists: on an explicit deny only the Denies, else the Allows; never
/// those of SCPs and RCPs.
fn deciding(d: &Decision) -> impl Iterator<Item = &MatchedStatement> {
    let want = if d.outcome == Outcome::ExplicitDeny {
        Effect::Deny
    } else {
        Effect::Allow
    };
    // SCPs and RCPs have no `SourcePolicyType` in AWS's list: their part is
    // `OrganizationsDecisionDetail` (and polcheck's `matchedStatements`).
    d.matched
        .iter()
        .filter(move |m| m.effect == want && !matches!(m.kind, PolicyKind::Scp | PolicyKind::Rcp))
}

fn pos(p: Position) -> Value {
    json!({ "Line": p.line, "Column": p.column })
}

fn matched_statements(d: &Decision, ids: &InputIds) -> Vec<Value> {
    deciding(d)
        .map(|m| {
            let (id, ty) = source(m, ids);
            let mut s = Map::new();
            s.insert("SourcePolicyId".into(), json!(id));
            if let Some(ty) = ty {
                s.insert("SourcePolicyType".into(), json!(ty));
            }
            // AWS counts the start one column past the statement's `{`, as its end is one
            // past the `}`: its documented `simulate-custom-policy` example has the
            // statement's `{` at column 37 and `"StartPosition": {"Line": 1, "Column": 38}`.
            let start = Position {
                column: m.start.column + 1,
                ..m.start
            };
            s.insert("StartPosition".into(), pos(start));
            s.insert("EndPosition".into(), pos(m.end));
            Value::Object(s)
        })
        .collect()
}

/// `EvalDecisionDetails`: `None` for `*` or when an SCP denies; `{}` in one account; each
/// side's decision across accounts.
fn decision_details(d: &Decision, resource: &str, cross: bool) -> Option<Value> {
    if resource == "*" || d.allowed_by_organizations == Some(false) {
        return None;
    }
    if !cross {
        return Some(json!({}));
    }
    let side = |kinds: &[PolicyKind]| {
        if d.blocked_by.iter().any(|k| kinds.contains(k)) {
            d.outcome.aws_decision()
        } else {
            "allowed"
        }
    };
    use PolicyKind::*;
    Some(json!({
        "IAM Policy": side(&[Identity, Boundary, Session, Scp]),
        "Resource Policy": side(&[Resource, Rcp]),
    }))
}

fn polcheck_object(d: &Decision) -> Value {
    json!({
        "decision": d.outcome.as_str(),
        "unknown": d.unknown.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "blockedBy": d.blocked_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "serviceRule": d.service_rule,
        "allowedBy": d.allowed_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "omitted": { "allows": d.omitted.allows, "exact": d.omitted.exact },
        "matchedStatements": d.matched.iter().map(|m| json!({
            "policy": m.policy,
            "kind": m.kind.as_str(),
            "level": m.level,
            "statement": m.statement,
            "sid": m.sid,
            "effect": match m.effect { Effect::Allow => "Allow", Effect::Deny => "Deny" },
            "start": pos(m.start),
            "end": pos(m.end),
        })).collect::<Vec<_>>(),
    })
}

fn boundary_detail(d: &Decision) -> Option<Value> {
    d.allowed_by_boundary
        .map(|b| json!({ "AllowedByPermissionsBoundary": b }))
}

/// One `ResourceSpecificResults` entry.
fn resource_specific(resource: &str, d: &Decision, ids: &InputIds, cross: bool) -> Value {
    let mut r = Map::new();
    r.insert("EvalResourceName".into(), json!(resource));
    r.insert(
        "EvalResourceDecision".into(),
        json!(d.outcome.aws_decision()),
    );
    r.insert(
        "MatchedStatements".into(),
        json!(matched_statements(d, ids)),
    );
    r.insert("MissingContextValues".into(), json!(d.missing_context));
    if let Some(details) = decision_details(d, resource, cross) {
        r.insert("EvalDecisionDetails".into(), details);
    }
    if let Some(b) = boundary_detail(d) {
        r.insert("PermissionsBoundaryDecisionDetail".into(), b);
    }
    Value::Object(r)
}

/// One `EvaluationResults` entry in AWS's shape for one resource, policies named as a world
/// or the given names say (see the module's documentation). For `simulate-custom-policy`'s
/// `PolicyInputList.N` numbering, use [`aws_results`] with [`InputIds`].
pub fn aws_result(action: &str, resource: &str, d: &Decision) -> Value {
    aws_results(action, &[(resource, d)], &InputIds::default(), &|_| false)
}

/// The `EvaluationResults` entry of one action over one or more resources: the most
/// restrictive decision at the top, `ResourceSpecificResults` per resource ARN, and the
/// `polcheck` object of the deciding resource (with `polcheck.resources` listing each
/// resource's when there are several). `cross_account` says which resources the caller reaches
/// across accounts, for `EvalDecisionDetails`.
pub fn aws_results(
    action: &str,
    results: &[(&str, &Decision)],
    ids: &InputIds,
    cross_account: &dyn Fn(&str) -> bool,
) -> Value {
    let rank = |o: Outcome| match o {
        Outcome::ExplicitDeny => 3,
        Outcome::ImplicitDeny => 2,
        Outcome::Unknown => 1,
        _ => 0,
    };
    // The first of the most restrictive.
    let Some(&(resource, top)) = results.iter().rev().max_by_key(|(_, d)| rank(d.outcome)) else {
        return json!({ "EvalActionName": action });
    };
    let mut r = Map::new();
    r.insert("EvalActionName".into(), json!(action));
    if let [(only, _)] = results {
        r.insert("EvalResourceName".into(), json!(only));
    }
    r.insert("EvalDecision".into(), json!(top.outcome.aws_decision()));
    r.insert(
        "MatchedStatements".into(),
        json!(matched_statements(top, ids)),
    );
    let mut missing: Vec<&String> = results
        .iter()
        .flat_map(|(_, d)| &d.missing_context)
        .collect();
    missing.sort();
    missing.dedup();
    r.insert("MissingContextValues".into(), json!(missing));
    if let Some(details) = decision_details(top, resource, cross_account(resource)) {
        r.insert("EvalDecisionDetails".into(), details);
    }
    if let Some(b) = boundary_detail(top) {
        r.insert("PermissionsBoundaryDecisionDetail".into(), b);
    }
    if let Some(o) = top.allowed_by_organizations {
        r.insert(
            "OrganizationsDecisionDetail".into(),
            json!({ "AllowedByOrganizations": o }),
        );
    }
    let specific: Vec<Value> = results
        .iter()
        .filter(|(res, _)| *res != "*")
        .map(|(res, d)| resource_specific(res, d, ids, cross_account(res)))
        .collect();
    if !specific.is_empty() {
        r.insert("ResourceSpecificResults".into(), json!(specific));
    }
    let mut p = polcheck_object(top);
    if let (Some(obj), true) = (p.as_object_mut(), results.len() > 1) {
        obj.insert(
            "resources".into(),
            json!(results
                .iter()
                .map(
                    |(res, d)| json!({ "resource": res, "decision": d.outcome.as_str(),
                    "blockedBy": d.blocked_by.iter().map(|k| k.as_str()).collect::<Vec<_>>() })
                )
                .collect::<Vec<_>>()),
        );
    }
    r.insert("polcheck".into(), p);
    Value::Object(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_names_read_back_into_aws_ids_and_types() {
        let cases = [
            ("user inline alice/Read", ("Read", "user")),
            (
                "role inline BuildRole/EverythingForBuilds",
                ("EverythingForBuilds", "role"),
            ),
            ("group Developers via inline Team", ("Team", "group")),
            (
                "group Developers via managed DevAccess v2",
                ("DevAccess", "user-managed"),
            ),
            (
                "role AWS managed ReadOnlyAccess v3",
                ("ReadOnlyAccess", "aws-managed"),
            ),
            ("user managed Mine v1", ("Mine", "user-managed")),
            ("SCP FullAWSAccess at r-demo", ("FullAWSAccess", "none")),
        ];
        for (name, (id, ty)) in cases {
            assert_eq!(
                world_source(name),
                Some((id.to_string(), Some(ty))),
                "{name}"
            );
        }
        assert_eq!(world_source("policy.json"), None);
    }
}
