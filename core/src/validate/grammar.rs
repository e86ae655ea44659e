//! What IAM would refuse, as findings: each [`PolicyErrorKind`] gets a stable code, so that
//! one run reports every grammar error beside the catalogue findings.

use super::{Finding, Severity};
use crate::policy::{PolicyError, PolicyErrorKind};

/// The codes of refusals: grammar errors, and the policy-type rules IAM enforces.
const REFUSALS: &[&str] = &[
    "invalid-json",
    "unreadable-file",
    "unknown-key",
    "duplicate-key",
    "conflicting-elements",
    "missing-element",
    "wrong-type",
    "unsupported-version",
    "invalid-effect",
    "invalid-action",
    "invalid-operator",
    "invalid-condition-value",
    "limit-exceeded",
    "empty-element",
    "resource-not-arn",
    "missing-resource",
    "missing-principal",
    "principal-not-allowed",
    "resource-not-allowed",
    "notprincipal-with-allow",
    "policy-too-large",
    "rcp-allow",
    "rcp-principal-not-star",
    "rcp-notaction",
    "trust-action-not-allowed",
    "scp-attachment-limit",
];

/// Whether `code` names something IAM would refuse.
pub(crate) fn is_refusal(code: &str) -> bool {
    REFUSALS.contains(&code)
}

/// The stable code of a grammar error.
fn code(kind: &PolicyErrorKind) -> &'static str {
    match kind {
        PolicyErrorKind::Syntax(_) => "invalid-json",
        PolicyErrorKind::UnknownKey { .. } => "unknown-key",
        PolicyErrorKind::DuplicateKey(_) => "duplicate-key",
        PolicyErrorKind::Conflict(..) => "conflicting-elements",
        PolicyErrorKind::Missing(_) => "missing-element",
        PolicyErrorKind::WrongType { .. } => "wrong-type",
        PolicyErrorKind::UnsupportedVersion(_) => "unsupported-version",
        PolicyErrorKind::InvalidEffect(_) => "invalid-effect",
        PolicyErrorKind::InvalidAction(_) => "invalid-action",
        PolicyErrorKind::Operator(_) => "invalid-operator",
        PolicyErrorKind::InvalidConditionValue { .. } => "invalid-condition-value",
        PolicyErrorKind::Limit { .. } => "limit-exceeded",
        PolicyErrorKind::Empty(_) => "empty-element",
    }
}

/// A grammar error as a finding, at the error's own location.
pub(crate) fn finding(e: &PolicyError) -> Finding {
    let f = Finding::new(
        code(&e.kind),
        Severity::Error,
        e.location.clone(),
        e.kind.to_string(),
    );
    if let PolicyErrorKind::UnknownKey { key, expected } = &e.kind {
        let near = expected
            .iter()
            .map(|k| {
                (
                    strsim::levenshtein(&key.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                    k,
                )
            })
            .filter(|&(d, _)| d <= 3)
            .min_by_key(|&(d, _)| d)
            .map(|(_, k)| k.to_string());
        return Finding {
            suggestion: near,
            ..f
        };
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_code_is_a_refusal() {
        for kind in [
            PolicyErrorKind::Syntax("x".into()),
            PolicyErrorKind::DuplicateKey("Effect".into()),
            PolicyErrorKind::Missing("Effect"),
            PolicyErrorKind::Empty("Action"),
        ] {
            assert!(is_refusal(code(&kind)), "{kind}");
        }
        assert!(!is_refusal("full-admin"));
    }
}
