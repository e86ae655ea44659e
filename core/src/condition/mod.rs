//! Conditions: compiled once per statement, evaluated per request.
//!
//! The rules, from semantics.md section 2:
//! - the values of one key are ORed; keys and operators of one statement are ANDed (the
//!   caller ANDs the [`CompiledCondition`]s of a statement);
//! - a negated operator (`StringNotEquals`, `NotIpAddress`, ...) holds when the request value
//!   matches none of the policy values;
//! - a missing key makes a positive operator false and a negated one true; `...IfExists`
//!   makes any operator true on a missing key; `Null` tests presence (a key given with
//!   no value counts as absent);
//! - `ForAnyValue:` needs one request value to match (false on a missing or empty key),
//!   `ForAllValues:` needs every request value to match (true on a missing or empty key);
//! - without a qualifier, a multivalued request key matches a positive operator when any of
//!   its values does, and a negated operator when every value matches none (polcheck's
//!   reading; AWS advises a qualifier for multivalued keys);
//! - a request value that cannot be read as the operator's type (`"big"` for a number) makes
//!   that comparison false, for negated operators too: polcheck never lets a malformed value
//!   satisfy a condition.
//!
//! ```
//! use polcheck_core::condition::CompiledCondition;
//! use polcheck_core::{Context, ContextValue};
//! use polcheck_core::policy::Policy;
//! let p = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*",
//!   "Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}}"#).unwrap();
//! let c = &p.statements[0].conditions[0];
//! let c = CompiledCondition::new(c.operator, &c.key, &c.values, p.version.has_variables());
//! let mut ctx = Context::new();
//! assert!(!c.evaluate(&ctx));
//! ctx.insert("aws:sourceip", ContextValue::single("192.0.2.7"));
//! assert!(c.evaluate(&ctx));
//! ```

mod operator;
pub mod values;

pub use operator::{ConditionOperator, Operator, OperatorError, SetQualifier, ValueType};

use std::net::IpAddr;

use ipnet::IpNet;
use rust_decimal::Decimal;

use crate::arn::ArnPattern;
use crate::context::{Context, Typed};
use crate::pattern::Glob;
use crate::variables::Template;

/// A condition ready to evaluate: one operator, one key, its policy values parsed.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    operator: ConditionOperator,
    /// The key lowercased, then the key as written (one allocation; ASCII lowercasing keeps
    /// the length, so each is half).
    keys: Box<str>,
    values: PolicyValues,
}

#[derive(Debug, Clone)]
enum PolicyValues {
    /// `StringEquals`, `StringEqualsIgnoreCase` (values lowercased) and their negations.
    Text(Vec<Template>),
    /// `StringLike`: fixed patterns, or templates resolved per request.
    Like(Vec<Like>),
    Arn(Vec<ArnPattern>),
    Number(Vec<Decimal>),
    Date(Vec<i128>),
    Bool(Vec<Template>),
    Binary(Vec<Vec<u8>>),
    Ip(Vec<IpNet>),
    /// `Null`: the presence each value asks for (`"true"`: absent).
    Null(Vec<bool>),
}

#[derive(Debug, Clone)]
enum Like {
    Fixed(Glob),
    Variable(Template),
}

impl CompiledCondition {
    /// Compiles one condition: `operator` on `key` with the policy's `values` (ORed);
    /// `variables` when the policy's version reads `${...}` as policy variables. Policy values
    /// that cannot be read were refused by the parser; any that slip through match nothing.
    pub fn new(
        operator: ConditionOperator,
        key: &str,
        values: &[String],
        variables: bool,
    ) -> CompiledCondition {
        let vars = variables;
        let op = operator.operator;
        let ignore_case = matches!(
            op,
            Operator::StringEqualsIgnoreCase | Operator::StringNotEqualsIgnoreCase
        );
        let templates = || {
            values
                .iter()
                .map(|v| {
                    if ignore_case {
                        Template::parse(&v.to_lowercase(), vars)
                    } else {
                        Template::parse(v, vars)
                    }
                })
                .collect()
        };
        let compiled = match op.value_type() {
            ValueType::String if matches!(op, Operator::StringLike | Operator::StringNotLike) => {
                PolicyValues::Like(
                    values
                        .iter()
                        .map(|v| {
                            let t = Template::parse(v, vars);
                            match t.has_variables() {
                                true => Like::Variable(t),
                                false => Like::Fixed(
                                    t.resolve_glob(&Context::new())
                                        .unwrap_or_else(|| Glob::parse(v)),
                                ),
                            }
                        })
                        .collect(),
                )
            }
            ValueType::String => PolicyValues::Text(templates()),
            ValueType::Arn => {
                PolicyValues::Arn(values.iter().map(|v| ArnPattern::parse(v, vars)).collect())
            }
            ValueType::Numeric => {
                PolicyValues::Number(values.iter().filter_map(|v| values::number(v)).collect())
            }
            ValueType::Date => {
                PolicyValues::Date(values.iter().filter_map(|v| values::date(v)).collect())
            }
            ValueType::Bool => PolicyValues::Bool(templates()),
            ValueType::Binary => {
                PolicyValues::Binary(values.iter().filter_map(|v| values::binary(v)).collect())
            }
            ValueType::Ip => {
                PolicyValues::Ip(values.iter().filter_map(|v| values::ip_net(v)).collect())
            }
            ValueType::Null => {
                PolicyValues::Null(values.iter().filter_map(|v| values::boolean(v)).collect())
            }
        };
        CompiledCondition {
            operator,
            keys: {
                let mut keys = String::with_capacity(2 * key.len());
                keys.push_str(key);
                keys.make_ascii_lowercase();
                keys.push_str(key);
                keys.into_boxed_str()
            },
            values: compiled,
        }
    }

    /// The key, lowercased.
    pub fn key(&self) -> &str {
        self.keys.get(..self.keys.len() / 2).unwrap_or_default()
    }

    /// The key as the policy writes it.
    pub fn key_as_written(&self) -> &str {
        self.keys.get(self.keys.len() / 2..).unwrap_or_default()
    }

    /// The operator.
    pub fn operator(&self) -> ConditionOperator {
        self.operator
    }

    /// `true` when some policy value reads a policy variable.
    fn has_variables(&self) -> bool {
        match &self.values {
            PolicyValues::Text(t) | PolicyValues::Bool(t) => t.iter().any(Template::has_variables),
            PolicyValues::Like(l) => l.iter().any(|l| matches!(l, Like::Variable(_))),
            PolicyValues::Arn(a) => a.iter().any(ArnPattern::has_variables),
            _ => false,
        }
    }

    /// The keys whose values the condition's policy values read through variables.
    pub fn variable_keys(&self) -> Vec<&str> {
        if !self.has_variables() {
            // The common case, without building an iterator per call.
            return Vec::new();
        }
        match &self.values {
            PolicyValues::Text(t) | PolicyValues::Bool(t) => {
                t.iter().flat_map(Template::variable_keys).collect()
            }
            PolicyValues::Like(l) => l
                .iter()
                .flat_map(|l| match l {
                    Like::Variable(t) => t.variable_keys().collect(),
                    Like::Fixed(_) => Vec::new(),
                })
                .collect(),
            PolicyValues::Arn(a) => a.iter().flat_map(ArnPattern::variable_keys).collect(),
            _ => Vec::new(),
        }
    }

    /// Evaluates the condition against a request context.
    pub fn evaluate(&self, ctx: &Context) -> bool {
        let request = ctx.get_lower_typed(self.key());
        if let PolicyValues::Null(wanted) = &self.values {
            // A key given with no value (an empty list) is as absent as a missing one: `Null`
            // with `false` checks that the key "is present and its value is not empty" (IAM
            // User Guide, "Multivalued context keys" and "Condition operator to check existence
            // of condition keys").
            let absent = request.is_none_or(|(v, _)| v.values().is_empty());
            return wanted.contains(&absent);
        }
        let negated = self.operator.operator.is_negated();
        let Some((request, typed)) = request else {
            return self.operator.if_exists
                || match self.operator.qualifier {
                    Some(SetQualifier::ForAllValues) => true,
                    Some(SetQualifier::ForAnyValue) => false,
                    None => negated,
                };
        };
        let values = request.values();
        let one = |v: &String| match self.matches_any(v, typed, ctx) {
            Some(m) => m != negated,
            None => false,
        };
        match self.operator.qualifier {
            Some(SetQualifier::ForAllValues) => values.iter().all(one),
            Some(SetQualifier::ForAnyValue) => values.iter().any(one),
            None if negated => values.iter().all(one),
            None => values.iter().any(one),
        }
    }

    /// Whether one request value matches any policy value; `None` when the request value
    /// cannot be read as the operator's type.
    /// `typed` is the cache of `v`'s readings, when `v` is the key's single value.
    fn matches_any(&self, v: &str, typed: Option<&Typed>, ctx: &Context) -> Option<bool> {
        use Operator as O;
        let op = self.operator.operator;
        Some(match &self.values {
            PolicyValues::Text(ts) => {
                let lowered;
                let v = if matches!(op, O::StringEqualsIgnoreCase | O::StringNotEqualsIgnoreCase) {
                    lowered = v.to_lowercase();
                    lowered.as_str()
                } else {
                    v
                };
                ts.iter().any(|t| match t.as_plain_text() {
                    Some(p) => p == v,
                    None => t.resolve_text(ctx).is_some_and(|p| p == v),
                })
            }
            PolicyValues::Like(ls) => ls.iter().any(|l| match l {
                Like::Fixed(g) => g.is_match(v),
                Like::Variable(t) => t.resolve_glob(ctx).is_some_and(|g| g.is_match(v)),
            }),
            PolicyValues::Arn(ps) => ps.iter().any(|p| p.is_match(v, ctx)),
            PolicyValues::Number(ns) => {
                let r = values::number(v)?;
                ns.iter().any(|n| ordered(op, r.cmp(n)))
            }
            PolicyValues::Date(ds) => {
                let r = match typed {
                    Some(t) => t.date(|| values::date(v))?,
                    None => values::date(v)?,
                };
                ds.iter().any(|d| ordered(op, r.cmp(d)))
            }
            PolicyValues::Bool(ts) => {
                let r = values::boolean(v)?;
                ts.iter().any(|t| {
                    let b = match t.as_plain_text() {
                        Some(p) => values::boolean(p),
                        None => t.resolve_text(ctx).and_then(|p| values::boolean(&p)),
                    };
                    b == Some(r)
                })
            }
            PolicyValues::Binary(bs) => {
                let r = values::binary(v)?;
                bs.contains(&r)
            }
            PolicyValues::Ip(nets) => {
                let r: IpAddr = match typed {
                    Some(t) => t.ip(|| values::ip_addr(v))?,
                    None => values::ip_addr(v)?,
                };
                nets.iter().any(|n| n.contains(&r))
            }
            PolicyValues::Null(_) => false,
        })
    }
}

/// Compares for the numeric and date operators: `request ⋄ policy`.
fn ordered(op: Operator, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    use Operator as O;
    match op {
        O::NumericLessThan | O::DateLessThan => ord == Less,
        O::NumericLessThanEquals | O::DateLessThanEquals => ord != Greater,
        O::NumericGreaterThan | O::DateGreaterThan => ord == Greater,
        O::NumericGreaterThanEquals | O::DateGreaterThanEquals => ord != Less,
        _ => ord == Equal,
    }
}

#[cfg(test)]
mod tests;
