//! Policy errors: what is wrong, and where (JSON path and line:column).

use std::fmt;

use crate::json::{JsonPath, Position};

/// A place in a document: its JSON path and the line and column where the node starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Location {
    /// `Statement[2].Condition.StringEqualz`.
    pub path: JsonPath,
    /// Line and column of the node. For a document embedded in a JSON string, the position
    /// of that string.
    pub position: Position,
    /// For a document embedded in a JSON string: line and column inside the decoded string.
    pub inner: Option<Position>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner {
            Some(inner) => write!(
                f,
                "{} (at {} of the embedded document): {}",
                self.position, inner, self.path
            ),
            None => write!(f, "{}: {}", self.position, self.path),
        }
    }
}

/// A policy document that IAM would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct PolicyError {
    /// Where.
    pub location: Location,
    /// What.
    pub kind: PolicyErrorKind,
}

/// What is wrong with a policy document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not JSON.
    #[error("invalid JSON: {0}")]
    Syntax(String),
    /// A key the policy language does not have.
    #[error("unknown key `{key}`{}", expected_list(expected))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The keys allowed there.
        expected: &'static [&'static str],
    },
    /// A key given twice in one object.
    #[error("duplicate key `{0}`")]
    DuplicateKey(String),
    /// Two keys that exclude each other, such as `Action` and `NotAction`.
    #[error("`{0}` and `{1}` cannot both be present")]
    Conflict(&'static str, &'static str),
    /// A required key is absent.
    #[error("missing `{0}`")]
    Missing(&'static str),
    /// A value of the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the language takes there.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// `Version` other than `2012-10-17` and `2008-10-17`.
    #[error("unsupported version `{0}` (expected `2012-10-17` or `2008-10-17`)")]
    UnsupportedVersion(String),
    /// `Effect` other than `Allow` and `Deny`.
    #[error("invalid effect `{0}` (expected `Allow` or `Deny`)")]
    InvalidEffect(String),
    /// An action that is not `service:action` or `*`.
    #[error("invalid action `{0}` (expected `service:action` or `*`)")]
    InvalidAction(String),
    /// A bad condition operator or qualifier.
    #[error(transparent)]
    Operator(#[from] crate::condition::OperatorError),
    /// A condition value the operator cannot read (a word where a number is wanted).
    #[error("`{value}` is not a valid {expected} value for `{operator}`")]
    InvalidConditionValue {
        /// The value as written.
        value: String,
        /// The operator.
        operator: String,
        /// The type it takes.
        expected: &'static str,
    },
    /// A document beyond one of polcheck's limits (see [`crate::policy::parse::limits`]).
    #[error("more {what} than the limit of {limit}")]
    Limit {
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// An empty array or string where a value is required.
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

fn expected_list(keys: &[&str]) -> String {
    if keys.is_empty() {
        return String::new();
    }
    let list: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    format!(" (expected one of {})", list.join(", "))
}
