//! The values of one condition key, cut into classes: every request value of a class makes
//! every condition on that key come out the same. One representative per class is enough to
//! decide every condition exactly.
//!
//! - strings, `StringLike` and ARN patterns: the atoms of their languages ([`super::lang`]);
//! - numbers and dates: each constant, one point between two neighbours, one below and one
//!   above (the comparisons are constant in between);
//! - IP addresses: the first and last address of each CIDR block and their neighbours (the
//!   membership of every block is constant between two such boundaries), per family;
//! - `Bool`: `true`, `false`; `BinaryEquals`: each value and one other;
//! - for each family a value that does not read as that type (it never matches).
//!
//! A key is either absent (for the keys a request always carries, absent means "as derived
//! from the caller"), one value, or, when some condition on it uses `ForAnyValue:` /
//! `ForAllValues:`, a set of values: the empty list and every set of two or more classes.

use std::collections::BTreeSet;

use ipnet::IpNet;
use rust_decimal::Decimal;

use super::Unknown;
use crate::condition::{values, Operator, ValueType};
use crate::context::ContextValue;
use crate::pattern::lang::{atoms, Lang, LangError};
use crate::pattern::Piece;
use crate::policy::Condition;
use crate::variables::Template;

/// One class of values of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cell {
    /// The request does not set the key (a derived key keeps its derived value).
    Unset,
    /// The request sets it to this.
    Set(ContextValue),
}

/// Most classes a multivalued key may have (its cells are every set of them).
pub const MAX_SET_CLASSES: usize = 6;

/// Most automaton states for the values of one key.
const STATE_LIMIT: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Text,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
}

fn family(op: Operator) -> Option<Family> {
    Some(match op.value_type() {
        ValueType::String | ValueType::Arn => Family::Text,
        ValueType::Numeric => Family::Numeric,
        ValueType::Date => Family::Date,
        ValueType::Bool => Family::Bool,
        ValueType::Binary => Family::Binary,
        ValueType::Ip => Family::Ip,
        ValueType::Null => return None,
    })
}

/// The cells of one key, given every condition on it (with whether its policy has
/// variables). `extra` values are added as representatives (outsider values).
pub fn cells(
    key: &str,
    conditions: &[(&Condition, bool)],
    extra: &[String],
) -> Result<Vec<Cell>, Unknown> {
    cells_with(key, conditions, extra, &[])
}

/// [`cells`], with string keys' classes also cut by the languages `cuts`: every class lies
/// wholly inside or outside each of them.
pub fn cells_cut(
    key: &str,
    conditions: &[(&Condition, bool)],
    cuts: &[Lang],
) -> Result<Vec<Cell>, Unknown> {
    cells_with(key, conditions, &[], cuts)
}

fn cells_with(
    key: &str,
    conditions: &[(&Condition, bool)],
    extra: &[String],
    cuts: &[Lang],
) -> Result<Vec<Cell>, Unknown> {
    let families: BTreeSet<Family> = conditions
        .iter()
        .filter_map(|(c, _)| family(c.operator.operator))
        .collect();
    if families.len() > 1 {
        return Err(Unknown::MixedOperators {
            key: key.to_string(),
        });
    }
    let mut reps: Vec<String> = match families.first() {
        None => vec!["polcheck-any".to_string()],
        Some(Family::Text) => text_reps(key, conditions, cuts)?,
        Some(Family::Numeric) => numeric_reps(conditions)?,
        Some(Family::Date) => date_reps(conditions)?,
        Some(Family::Bool) => {
            for (c, vars) in conditions {
                for v in &c.values {
                    if *vars && v.contains("${") {
                        return Err(Unknown::Variable { text: v.clone() });
                    }
                }
            }
            vec!["true".into(), "false".into(), "polcheck-not-a-bool".into()]
        }
        Some(Family::Binary) => binary_reps(conditions),
        Some(Family::Ip) => ip_reps(conditions),
    };
    for e in extra {
        if !reps.contains(e) {
            reps.push(e.clone());
        }
    }
    let multivalued = conditions
        .iter()
        .any(|(c, _)| c.operator.qualifier.is_some());
    let mut out = vec![Cell::Unset];
    out.extend(
        reps.iter()
            .map(|r| Cell::Set(ContextValue::single(r.as_str()))),
    );
    if multivalued {
        if reps.len() > MAX_SET_CLASSES {
            return Err(Unknown::TooManyValueClasses {
                key: key.to_string(),
                classes: reps.len(),
            });
        }
        out.push(Cell::Set(ContextValue::Multi(Vec::new())));
        let n = reps.len();
        for mask in 1u32..(1u32 << n) {
            if mask.count_ones() < 2 {
                continue;
            }
            let set: Vec<String> = reps
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, r)| r.clone())
                .collect();
            out.push(Cell::Set(ContextValue::Multi(set)));
        }
    }
    Ok(out)
}

fn lang_error(e: LangError) -> Unknown {
    match e {
        LangError::Variable(text) => Unknown::Variable { text },
        LangError::NonAsciiFold(value) => Unknown::NonAsciiIgnoreCase { value },
    }
}

/// A string condition value as a language, its policy variables refused when the policy
/// version reads them (`variables`): `like` for `StringLike`.
pub(crate) fn string_lang(text: &str, variables: bool, like: bool) -> Result<Lang, LangError> {
    Ok(Lang::string_pieces(&plain_pieces(text, variables)?, like))
}

/// A `Resource` or `ArnLike` pattern as a language, its policy variables refused when the
/// policy version reads them.
pub(crate) fn arn_lang(text: &str, variables: bool) -> Result<Lang, LangError> {
    Lang::arn_with(text, |tail| {
        plain_pieces(tail, variables).map_err(|_| LangError::Variable(text.to_string()))
    })
}

/// The pieces of a text without policy variables (escapes such as `${*}` resolved), or the
/// variable error.
fn plain_pieces(text: &str, variables: bool) -> Result<Vec<Piece>, LangError> {
    let t = Template::parse(text, variables);
    if t.has_variables() {
        return Err(LangError::Variable(text.to_string()));
    }
    Ok(t.resolve_pieces(&crate::Context::new()).unwrap_or_default())
}

fn text_reps(
    key: &str,
    conditions: &[(&Condition, bool)],
    cuts: &[Lang],
) -> Result<Vec<String>, Unknown> {
    use Operator as O;
    let mut langs = cuts.to_vec();
    for (c, vars) in conditions {
        for v in &c.values {
            let lang = match c.operator.operator {
                O::StringLike | O::StringNotLike => string_lang(v, *vars, true),
                O::StringEqualsIgnoreCase | O::StringNotEqualsIgnoreCase => {
                    if *vars && Template::parse(v, true).has_variables() {
                        Err(LangError::Variable(v.clone()))
                    } else {
                        Lang::literal_ignore_case(&v.to_lowercase())
                    }
                }
                O::ArnEquals | O::ArnLike | O::ArnNotEquals | O::ArnNotLike => arn_lang(v, *vars),
                _ => string_lang(v, *vars, false),
            };
            langs.push(lang.map_err(lang_error)?);
        }
    }
    let found = atoms(&langs, STATE_LIMIT).map_err(|_| Unknown::TooComplex {
        what: format!("the values of `{key}`"),
    })?;
    Ok(found.into_iter().map(|a| a.witness).collect())
}

fn numeric_reps(conditions: &[(&Condition, bool)]) -> Result<Vec<String>, Unknown> {
    let mut cs: Vec<Decimal> = conditions
        .iter()
        .flat_map(|(c, _)| c.values.iter().filter_map(|v| values::number(v)))
        .collect();
    cs.sort();
    cs.dedup();
    let overflow = || Unknown::TooComplex {
        what: "a numeric constant at the edge of the decimal range".into(),
    };
    let mut out = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        if i == 0 {
            out.push(c.checked_sub(Decimal::ONE).ok_or_else(overflow)?);
        }
        out.push(*c);
        match cs.get(i + 1) {
            Some(next) => {
                let mid = c
                    .checked_add(*next)
                    .and_then(|s| s.checked_div(Decimal::TWO))
                    .ok_or_else(overflow)?;
                if mid != *c && mid != *next {
                    out.push(mid);
                }
            }
            None => out.push(c.checked_add(Decimal::ONE).ok_or_else(overflow)?),
        }
    }
    let mut out: Vec<String> = out.iter().map(|d| d.normalize().to_string()).collect();
    if out.is_empty() {
        out.push("0".into());
    }
    out.push("polcheck-not-a-number".into());
    Ok(out)
}

fn date_text(nanos: i128) -> Option<String> {
    Decimal::try_from_i128_with_scale(nanos, 9)
        .ok()
        .map(|d| d.normalize().to_string())
}

fn date_reps(conditions: &[(&Condition, bool)]) -> Result<Vec<String>, Unknown> {
    let mut cs: Vec<i128> = conditions
        .iter()
        .flat_map(|(c, _)| c.values.iter().filter_map(|v| values::date(v)))
        .collect();
    cs.sort();
    cs.dedup();
    let mut points = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        if i == 0 {
            points.push(c.saturating_sub(1));
        }
        points.push(*c);
        match cs.get(i + 1) {
            Some(next) if next - c > 1 => points.push(c + (next - c) / 2),
            Some(_) => {}
            None => points.push(c.saturating_add(1)),
        }
    }
    if points.is_empty() {
        points.push(0);
    }
    let mut out = Vec::new();
    for p in points {
        let text = date_text(p).ok_or_else(|| Unknown::TooComplex {
            what: "a date outside the representable range".into(),
        })?;
        // Only points that read back as themselves are representatives.
        if values::date(&text) == Some(p) {
            out.push(text);
        }
    }
    out.push("polcheck-not-a-date".into());
    Ok(out)
}

fn binary_reps(conditions: &[(&Condition, bool)]) -> Vec<String> {
    use base64::Engine;
    let enc = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut seen: Vec<Vec<u8>> = conditions
        .iter()
        .flat_map(|(c, _)| c.values.iter().filter_map(|v| values::binary(v)))
        .collect();
    seen.sort();
    seen.dedup();
    let mut out: Vec<String> = seen.iter().map(|b| enc(b)).collect();
    let other = (0u8..=255)
        .map(|b| vec![b, b])
        .find(|b| !seen.contains(b))
        .unwrap_or_default();
    out.push(enc(&other));
    out.push("polcheck-not-base64!".into());
    out
}

fn ip_reps(conditions: &[(&Condition, bool)]) -> Vec<String> {
    let nets: Vec<IpNet> = conditions
        .iter()
        .flat_map(|(c, _)| c.values.iter().filter_map(|v| values::ip_net(v)))
        .collect();
    let mut v4: BTreeSet<u32> = BTreeSet::new();
    let mut v6: BTreeSet<u128> = BTreeSet::new();
    for n in &nets {
        match n {
            IpNet::V4(n) => {
                let (a, b) = (u32::from(n.network()), u32::from(n.broadcast()));
                v4.extend(
                    [Some(a), Some(b), a.checked_sub(1), b.checked_add(1)]
                        .into_iter()
                        .flatten(),
                );
            }
            IpNet::V6(n) => {
                let (a, b) = (u128::from(n.network()), u128::from(n.broadcast()));
                v6.extend(
                    [Some(a), Some(b), a.checked_sub(1), b.checked_add(1)]
                        .into_iter()
                        .flatten(),
                );
            }
        }
    }
    // One address of each family even when no block of that family is named.
    if v4.is_empty() {
        v4.insert(u32::from(std::net::Ipv4Addr::new(198, 51, 100, 7)));
    }
    if v6.is_empty() {
        v6.insert(u128::from(std::net::Ipv6Addr::new(
            0x2001, 0xdb8, 0, 0, 0, 0, 0, 7,
        )));
    }
    let mut out: Vec<String> = v4
        .into_iter()
        .map(|a| std::net::Ipv4Addr::from(a).to_string())
        .chain(
            v6.into_iter()
                .map(|a| std::net::Ipv6Addr::from(a).to_string()),
        )
        .collect();
    out.push("polcheck-not-an-address".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::CompiledCondition;
    use crate::context::Context;
    use crate::policy::Policy;

    fn conds(json: &str) -> Policy {
        Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{json}}}}}"#
        ))
        .unwrap()
    }

    /// Every value in a small sample lands in a class whose representative decides every
    /// condition the same way.
    fn classes_are_exact(json: &str, key: &str, samples: &[&str]) {
        let p = conds(json);
        let cs: Vec<&Condition> = p.statements[0].conditions.iter().collect();
        let list: Vec<(&Condition, bool)> = cs.iter().map(|c| (*c, true)).collect();
        let cells = cells(key, &list, &[]).unwrap();
        let compiled: Vec<CompiledCondition> = cs
            .iter()
            .map(|c| CompiledCondition::new(c.operator, &c.key, &c.values, true))
            .collect();
        let eval = |v: &str| {
            let mut ctx = Context::new();
            ctx.insert(key, ContextValue::single(v));
            compiled
                .iter()
                .map(|c| c.evaluate(&ctx))
                .collect::<Vec<_>>()
        };
        let rep_vectors: Vec<Vec<bool>> = cells
            .iter()
            .filter_map(|c| match c {
                Cell::Set(ContextValue::Single(v)) => Some(eval(v)),
                _ => None,
            })
            .collect();
        for s in samples {
            assert!(rep_vectors.contains(&eval(s)), "{s} has no representative");
        }
    }

    #[test]
    fn numeric_classes() {
        classes_are_exact(
            r#"{"NumericLessThan":{"s3:max-keys":"10"},"NumericGreaterThanEquals":{"s3:max-keys":"2.5"}}"#,
            "s3:max-keys",
            &["-100", "2", "2.5", "3", "9.999", "10", "11", "x"],
        );
    }

    #[test]
    fn ip_classes() {
        classes_are_exact(
            r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","10.1.0.0/16"]},"NotIpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#,
            "aws:SourceIp",
            &[
                "9.255.255.255",
                "10.0.0.1",
                "10.1.2.3",
                "10.2.0.0",
                "11.0.0.0",
                "2001:db8::5",
                "::1",
                "bad",
            ],
        );
    }

    #[test]
    fn date_and_string_classes() {
        classes_are_exact(
            r#"{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}"#,
            "aws:CurrentTime",
            &[
                "2026-06-01T00:00:00Z",
                "2027-01-01T00:00:00Z",
                "2028-01-01",
                "no",
            ],
        );
        classes_are_exact(
            r#"{"StringLike":{"s3:prefix":["home/*","home/admin*"]},"StringNotEqualsIgnoreCase":{"s3:prefix":"HOME/x"}}"#,
            "s3:prefix",
            &["", "home/", "home/admin", "home/X", "home/x", "other"],
        );
    }

    #[test]
    fn mixed_families_and_variables_are_unknown() {
        let p = conds(r#"{"StringEquals":{"k":"1"},"NumericEquals":{"k":"1"}}"#);
        let list: Vec<(&Condition, bool)> = p.statements[0]
            .conditions
            .iter()
            .map(|c| (c, true))
            .collect();
        assert!(matches!(
            cells("k", &list, &[]),
            Err(Unknown::MixedOperators { .. })
        ));
        let p = conds(r#"{"StringEquals":{"k":"${aws:username}"}}"#);
        let list: Vec<(&Condition, bool)> = p.statements[0]
            .conditions
            .iter()
            .map(|c| (c, true))
            .collect();
        assert!(matches!(
            cells("k", &list, &[]),
            Err(Unknown::Variable { .. })
        ));
    }
}
