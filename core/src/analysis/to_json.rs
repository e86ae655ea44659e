//! A policy tree written back as JSON text, so that policies held as trees (a world's) are
//! asked of the engine through the same door as files.

use serde_json::{json, Map, Value};

use crate::policy::{Effect, Policy, PrincipalKind, Statement, Version};

fn one_or_many(v: &[String]) -> Value {
    match v {
        [one] => json!(one),
        many => json!(many),
    }
}

fn statement(s: &Statement) -> Value {
    let mut m = Map::new();
    if let Some(sid) = &s.sid {
        m.insert("Sid".into(), json!(sid));
    }
    m.insert(
        "Effect".into(),
        json!(match s.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }),
    );
    if let Some(p) = &s.principal {
        let key = if p.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        if p.everyone {
            m.insert(key.into(), json!("*"));
        } else {
            let mut by_kind: Map<String, Value> = Map::new();
            for kind in [
                PrincipalKind::Aws,
                PrincipalKind::Service,
                PrincipalKind::Federated,
                PrincipalKind::CanonicalUser,
            ] {
                let vals: Vec<String> = p
                    .entries
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, v)| v.clone())
                    .collect();
                if !vals.is_empty() {
                    let name = match kind {
                        PrincipalKind::Aws => "AWS",
                        PrincipalKind::Service => "Service",
                        PrincipalKind::Federated => "Federated",
                        PrincipalKind::CanonicalUser => "CanonicalUser",
                    };
                    by_kind.insert(name.into(), one_or_many(&vals));
                }
            }
            m.insert(key.into(), Value::Object(by_kind));
        }
    }
    let a = if s.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    m.insert(a.into(), one_or_many(&s.action.patterns));
    if let Some(r) = &s.resource {
        let k = if r.negated { "NotResource" } else { "Resource" };
        m.insert(k.into(), one_or_many(&r.patterns));
    }
    if !s.conditions.is_empty() {
        let mut ops: Map<String, Value> = Map::new();
        for c in &s.conditions {
            let entry = ops
                .entry(c.operator.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(keys) = entry.as_object_mut() {
                keys.insert(c.key.clone(), json!(c.values));
            }
        }
        m.insert("Condition".into(), Value::Object(ops));
    }
    Value::Object(m)
}

/// The JSON text of statements under one version.
pub fn statements_text<'a>(
    version: Version,
    statements: impl Iterator<Item = &'a Statement>,
) -> String {
    let mut m = Map::new();
    match version {
        Version::V2012_10_17 => {
            m.insert("Version".into(), json!("2012-10-17"));
        }
        Version::V2008_10_17 => {
            m.insert("Version".into(), json!("2008-10-17"));
        }
        Version::Unspecified => {}
    }
    m.insert(
        "Statement".into(),
        Value::Array(statements.map(statement).collect()),
    );
    Value::Object(m).to_string()
}

/// The JSON text of a policy.
pub fn policy_text(p: &Policy) -> String {
    statements_text(p.version, p.statements.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/a"],"Service":"s3.amazonaws.com"},"NotAction":"iam:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        let p = Policy::parse(text).unwrap();
        let again = Policy::parse(&policy_text(&p)).unwrap();
        assert_eq!(p.statements.len(), again.statements.len());
        for (a, b) in p.statements.iter().zip(&again.statements) {
            let sorted = |s: &Statement| {
                let mut c: Vec<String> = s.conditions.iter().map(|c| format!("{c:?}")).collect();
                c.sort();
                c
            };
            assert_eq!(sorted(a), sorted(b));
            assert_eq!(
                (&a.action, &a.resource, a.effect),
                (&b.action, &b.resource, b.effect)
            );
            assert_eq!(a.principal, b.principal);
        }
    }
}
