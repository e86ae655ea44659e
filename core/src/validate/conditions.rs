//! Checks of `Condition`: keys no action of the statement can carry, operators of the wrong
//! type for their key, and set qualifiers that do not fit the key's cardinality.

use super::{Finding, Severity, StatementCtx};
use crate::catalogue::{ActionRef, Catalogue, ConditionKeyType, KeyScope};
use crate::condition::{ConditionOperator, Operator, ValueType};

/// The type of `key` as one of `actions` can carry it (listed for the action or for one of
/// its resource types), if any can.
fn carried_type(actions: &[ActionRef], key: &str) -> Option<ConditionKeyType> {
    actions.iter().find_map(|a| {
        let own = a.condition_keys().find(|k| k.matches(key));
        let by_type = || {
            a.resource_types().find_map(|(rt, _)| {
                rt.condition_keys
                    .iter()
                    .filter_map(|&i| a.service.condition_keys.get(i))
                    .find(|k| k.matches(key))
            })
        };
        own.or_else(by_type).map(|k| k.key_type())
    })
}

/// The claims of a web identity token that a trust policy reads as `PROVIDER:CLAIM` for any
/// OIDC provider (IAM User Guide, *Available keys for AWS web identity federation*: the
/// provider's URL without `https://`, a colon and the claim), with their types. The
/// catalogue lists only the keys of named providers (`accounts.google.com:aud`,
/// `token.actions.githubusercontent.com:ref`, ...).
const WEB_IDENTITY_CLAIMS: &[(&str, ConditionKeyType)] = &[
    ("aud", ConditionKeyType::String),
    ("sub", ConditionKeyType::String),
    ("oaud", ConditionKeyType::String),
    ("azp", ConditionKeyType::String),
    ("email", ConditionKeyType::String),
    ("amr", ConditionKeyType::ArrayOfString),
];

/// The type of `key` as a claim of a web identity token, when one of `actions` is
/// `sts:AssumeRoleWithWebIdentity` and `key` is `HOST[/PATH]:CLAIM`.
fn web_identity_type(actions: &[ActionRef], key: &str) -> Option<ConditionKeyType> {
    let web_identity = actions.iter().any(|a| {
        a.service.prefix.eq_ignore_ascii_case("sts")
            && a.full_name()
                .eq_ignore_ascii_case("sts:AssumeRoleWithWebIdentity")
    });
    let (provider, claim) = key.rsplit_once(':')?;
    let host = provider.split('/').next().unwrap_or(provider);
    if !web_identity || !host.contains('.') || host.contains(char::is_whitespace) {
        return None;
    }
    WEB_IDENTITY_CLAIMS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(claim))
        .map(|&(_, ty)| ty)
}

/// The type of a global key, if `key` is one.
fn global_type(cat: &Catalogue, key: &str) -> Option<ConditionKeyType> {
    cat.condition_key(key, None)
        .filter(|k| k.scope == KeyScope::Global)
        .map(|k| k.key_type)
}

/// The key's base type: `ArrayOfString` → `String`.
fn base(ty: ConditionKeyType) -> ConditionKeyType {
    use ConditionKeyType::*;
    match ty {
        ArrayOfString => String,
        ArrayOfNumeric => Numeric,
        ArrayOfDate => Date,
        ArrayOfBool => Bool,
        ArrayOfIpAddress => IpAddress,
        ArrayOfArn => Arn,
        ArrayOfBinary => Binary,
        other => other,
    }
}

/// Whether an operator of type `op` may test a key of type `key`.
fn fits(op: ValueType, key: ConditionKeyType) -> bool {
    use ConditionKeyType as K;
    let key = base(key);
    match op {
        ValueType::Null => true,
        _ if key == K::Null => true,
        // AWS allows the string operators on ARN keys; polcheck also lets ARN operators test
        // string keys, which often hold ARNs.
        ValueType::String | ValueType::Arn => matches!(key, K::String | K::Arn),
        ValueType::Numeric => key == K::Numeric,
        ValueType::Date => key == K::Date,
        ValueType::Bool => key == K::Bool,
        ValueType::Binary => key == K::Binary,
        ValueType::Ip => key == K::IpAddress,
    }
}

/// What an operator compares, for messages.
fn noun(op: ValueType) -> &'static str {
    match op {
        ValueType::String => "strings",
        ValueType::Numeric => "numbers",
        ValueType::Date => "dates",
        ValueType::Bool => "booleans",
        ValueType::Binary => "binary values",
        ValueType::Ip => "IP addresses",
        ValueType::Arn => "ARNs",
        ValueType::Null => "presence",
    }
}

/// The plain operator for a key type, as a suggestion.
fn operator_for(ty: ConditionKeyType) -> Option<Operator> {
    use ConditionKeyType as K;
    Some(match base(ty) {
        K::String => Operator::StringEquals,
        K::Numeric => Operator::NumericEquals,
        K::Date => Operator::DateEquals,
        K::Bool => Operator::Bool,
        K::IpAddress => Operator::IpAddress,
        K::Arn => Operator::ArnLike,
        K::Binary => Operator::BinaryEquals,
        _ => return None,
    })
}

/// The key name closest to a misspelt `key` among those `actions` can carry.
fn nearest_key(actions: &[ActionRef], key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let limit = (lower.chars().count() / 3).clamp(1, 4);
    actions
        .iter()
        .flat_map(|a| a.condition_keys())
        .map(|k| k.name())
        .filter(|n| !n.contains(['$', '<']))
        .map(|n| (strsim::levenshtein(&lower, &n.to_ascii_lowercase()), n))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n.to_string())
}

/// All condition checks of one statement, in document order.
pub(crate) fn check_conditions(ctx: &StatementCtx, out: &mut Vec<Finding>) {
    let Some(ops) = ctx.node.get("Condition").and_then(|c| c.members()) else {
        return;
    };
    let cond_path = ctx.path.key("Condition");
    for op_member in ops {
        let Ok(op) = op_member.key.parse::<ConditionOperator>() else {
            continue; // refused by the parser already
        };
        let Some(keys) = op_member.value.members() else {
            continue;
        };
        for k in keys {
            let key = k.key.as_str();
            let path = cond_path.key(&op_member.key).key(key);
            let location = ctx.at.at(k.key_span.start, &path);
            let finding = |code, severity, message, suggestion| Finding {
                suggestion,
                ..Finding::new(code, severity, location.clone(), message)
            };
            let ty = match &ctx.actions {
                Some(actions) => global_type(ctx.catalogue, key)
                    .or_else(|| carried_type(actions, key))
                    .or_else(|| web_identity_type(actions, key)),
                None => ctx.catalogue.condition_key(key, None).map(|k| k.key_type),
            };
            let Some(ty) = ty else {
                let (message, suggestion) = match &ctx.actions {
                    Some(actions) => (
                        format!(
                            "condition key `{key}` is not a global key and none of the \
                             statement's actions can carry it"
                        ),
                        nearest_key(actions, key),
                    ),
                    None => (format!("unknown condition key `{key}`"), None),
                };
                out.push(finding(
                    "unknown-condition-key",
                    Severity::Error,
                    message,
                    suggestion,
                ));
                continue;
            };
            let value_type = op.operator.value_type();
            if !fits(value_type, ty) {
                out.push(finding(
                    "operator-type-mismatch",
                    Severity::Error,
                    format!(
                        "`{}` compares {} but condition key `{key}` is of type `{ty}`",
                        op_member.key,
                        noun(value_type)
                    ),
                    operator_for(ty).map(|o| ConditionOperator { operator: o, ..op }.to_string()),
                ));
                continue;
            }
            if op.operator == Operator::Null {
                continue;
            }
            if op.qualifier.is_some() && !ty.is_multivalued() {
                out.push(finding(
                    "set-operator-on-single-valued-key",
                    Severity::Warning,
                    format!(
                        "`{}` is a set operator but condition key `{key}` is single-valued \
                         (`{ty}`)",
                        op_member.key
                    ),
                    Some(
                        ConditionOperator {
                            qualifier: None,
                            ..op
                        }
                        .to_string(),
                    ),
                ));
            } else if op.qualifier.is_none() && ty.is_multivalued() {
                out.push(finding(
                    "multivalued-key-without-qualifier",
                    Severity::Warning,
                    format!(
                        "condition key `{key}` is multivalued (`{ty}`) but `{}` has no \
                         `ForAnyValue:` or `ForAllValues:` qualifier",
                        op_member.key
                    ),
                    None,
                ));
            }
        }
    }
}
