//! Condition operators: the base operator, the `IfExists` suffix and the set qualifiers.

use std::fmt;
use std::str::FromStr;

/// The family an operator compares in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// Text.
    String,
    /// Integers and decimals.
    Numeric,
    /// ISO 8601 dates or epoch seconds.
    Date,
    /// `true` / `false`.
    Bool,
    /// Base64 bytes.
    Binary,
    /// IPv4 or IPv6 addresses and CIDR blocks.
    Ip,
    /// ARNs, part by part.
    Arn,
    /// `Null`: presence of the key.
    Null,
}

macro_rules! operators {
    ($($name:ident => $ty:ident, $negated:expr;)*) => {
        /// A condition operator without its `IfExists` suffix or set qualifier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Operator { $(#[doc = stringify!($name)] $name,)* }

        impl Operator {
            /// Every operator.
            pub const ALL: &'static [Operator] = &[$(Operator::$name,)*];

            /// The operator's name as policies write it.
            pub fn name(self) -> &'static str {
                match self { $(Operator::$name => stringify!($name),)* }
            }

            /// The type of values the operator compares.
            pub fn value_type(self) -> ValueType {
                match self { $(Operator::$name => ValueType::$ty,)* }
            }

            /// `true` for the negated operators (`StringNotEquals`, `NotIpAddress`, ...): they hold
            /// when the request value matches none of the policy values.
            pub fn is_negated(self) -> bool {
                match self { $(Operator::$name => $negated,)* }
            }
        }
    };
}

operators! {
    StringEquals => String, false;
    StringNotEquals => String, true;
    StringEqualsIgnoreCase => String, false;
    StringNotEqualsIgnoreCase => String, true;
    StringLike => String, false;
    StringNotLike => String, true;
    NumericEquals => Numeric, false;
    NumericNotEquals => Numeric, true;
    NumericLessThan => Numeric, false;
    NumericLessThanEquals => Numeric, false;
    NumericGreaterThan => Numeric, false;
    NumericGreaterThanEquals => Numeric, false;
    DateEquals => Date, false;
    DateNotEquals => Date, true;
    DateLessThan => Date, false;
    DateLessThanEquals => Date, false;
    DateGreaterThan => Date, false;
    DateGreaterThanEquals => Date, false;
    Bool => Bool, false;
    BinaryEquals => Binary, false;
    IpAddress => Ip, false;
    NotIpAddress => Ip, true;
    ArnEquals => Arn, false;
    ArnLike => Arn, false;
    ArnNotEquals => Arn, true;
    ArnNotLike => Arn, true;
    Null => Null, false;
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetQualifier {
    /// At least one request value must match; false on a missing or empty key.
    ForAnyValue,
    /// Every request value must match; true on a missing or empty key.
    ForAllValues,
}

/// An operator as written in a policy: qualifier, base operator and `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// `ForAnyValue:` / `ForAllValues:`, if any.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub operator: Operator,
    /// The `IfExists` suffix: true when the key is missing.
    pub if_exists: bool,
}

/// Why an operator name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OperatorError {
    /// The part before `:` is not `ForAnyValue` or `ForAllValues`.
    #[error("unknown set qualifier `{0}` (expected `ForAnyValue` or `ForAllValues`)")]
    UnknownQualifier(String),
    /// The base name is not an IAM condition operator.
    #[error("unknown condition operator `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownOperator {
        /// The name as written.
        name: String,
        /// The closest operator name.
        suggestion: Option<String>,
    },
    /// `NullIfExists` makes no sense and IAM rejects it.
    #[error("`Null` takes no `IfExists` suffix")]
    NullIfExists,
}

impl FromStr for ConditionOperator {
    type Err = OperatorError;

    /// Parses `ForAnyValue:StringLikeIfExists` and the like. Names are read case-insensitively.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (qualifier, rest) = match text.split_once(':') {
            Some((q, rest)) => {
                let q = if q.eq_ignore_ascii_case("ForAnyValue") {
                    SetQualifier::ForAnyValue
                } else if q.eq_ignore_ascii_case("ForAllValues") {
                    SetQualifier::ForAllValues
                } else {
                    return Err(OperatorError::UnknownQualifier(q.to_string()));
                };
                (Some(q), rest)
            }
            None => (None, text),
        };
        // `IfExists` in any case, without lowercasing a copy.
        const IF_EXISTS: &str = "ifexists";
        let (base, if_exists) = match rest
            .len()
            .checked_sub(IF_EXISTS.len())
            .and_then(|at| Some((rest.get(..at)?, rest.get(at..)?)))
        {
            Some((b, tail)) if tail.eq_ignore_ascii_case(IF_EXISTS) => (b, true),
            _ => (rest, false),
        };
        let operator = Operator::ALL
            .iter()
            .copied()
            .find(|o| o.name().eq_ignore_ascii_case(base))
            .ok_or_else(|| OperatorError::UnknownOperator {
                name: rest.to_string(),
                suggestion: suggest(rest),
            })?;
        if operator == Operator::Null && if_exists {
            return Err(OperatorError::NullIfExists);
        }
        Ok(ConditionOperator {
            qualifier,
            operator,
            if_exists,
        })
    }
}

fn suggest(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    Operator::ALL
        .iter()
        .map(|o| {
            (
                strsim::levenshtein(&lower, &o.name().to_ascii_lowercase()),
                o.name(),
            )
        })
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, n)| n.to_string())
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            None => {}
        }
        f.write_str(self.operator.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualifier_and_suffix() {
        let op: ConditionOperator = "ForAllValues:StringLikeIfExists".parse().unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAllValues));
        assert_eq!(op.operator, Operator::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAllValues:StringLikeIfExists");
    }

    #[test]
    fn suggests_the_closest_name() {
        let err = "StringEqualz".parse::<ConditionOperator>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown condition operator `StringEqualz` (did you mean `StringEquals`?)"
        );
    }

    #[test]
    fn refuses_bad_qualifier_and_null_if_exists() {
        assert!(matches!(
            "ForSomeValues:StringEquals".parse::<ConditionOperator>(),
            Err(OperatorError::UnknownQualifier(_))
        ));
        assert_eq!(
            "NullIfExists".parse::<ConditionOperator>(),
            Err(OperatorError::NullIfExists)
        );
    }
}
