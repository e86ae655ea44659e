//! The AWS-shaped JSON of one decision: an `EvaluationResults` entry of
//! `aws iam simulate-custom-policy`, plus a `polcheck` object with `blockedBy` and `allowedBy`.
//!
//! Every face prints this same shape (the CLI's `eval --format json`, the playground), so a
//! script written for one reads the other.
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

use serde_json::{json, Value};

use super::Decision;
use crate::json::Position;
use crate::policy::Effect;

/// One `EvaluationResults` entry in AWS's shape: `EvalActionName`, `EvalResourceName`,
/// `EvalDecision`, `MatchedStatements[]` (`SourcePolicyId`, `SourcePolicyType`,
/// `StartPosition`/`EndPosition` as `{Line, Column}`, `Sid`, `Effect`),
/// `MissingContextValues`, `PermissionsBoundaryDecisionDetail` and
/// `OrganizationsDecisionDetail` when those layers are present, and `polcheck` with
/// `blockedBy` and `allowedBy`.
pub fn aws_result(action: &str, resource: &str, d: &Decision) -> Value {
    let pos = |p: Position| json!({ "Line": p.line, "Column": p.column });
    let mut r = json!({
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": d.outcome.aws_decision(),
        "MatchedStatements": d.matched.iter().map(|m| json!({
            "SourcePolicyId": m.policy,
            "SourcePolicyType": m.kind.aws_type(),
            "StartPosition": pos(m.start),
            "EndPosition": pos(m.end),
            "Sid": m.sid,
            "Effect": match m.effect { Effect::Allow => "Allow", Effect::Deny => "Deny" },
        })).collect::<Vec<_>>(),
        "MissingContextValues": d.missing_context,
        "polcheck": {
            "decision": d.outcome.as_str(),
            "unknown": d.unknown.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "blockedBy": d.blocked_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "serviceRule": d.service_rule,
            "allowedBy": d.allowed_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "omitted": { "allows": d.omitted.allows, "exact": d.omitted.exact },
        },
    });
    if let Some(fields) = r.as_object_mut() {
        if let Some(b) = d.allowed_by_boundary {
            fields.insert(
                "PermissionsBoundaryDecisionDetail".into(),
                json!({ "AllowedByPermissionsBoundary": b }),
            );
        }
        if let Some(o) = d.allowed_by_organizations {
            fields.insert(
                "OrganizationsDecisionDetail".into(),
                json!({ "AllowedByOrganizations": o }),
            );
        }
    }
    r
}
