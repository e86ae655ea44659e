//! The IAM JSON policy language: documents, statements and their elements.
//!
//! [`Policy::parse`] reads a document from JSON text; [`parse::from_json`] reads one that is
//! part of a larger file (a test suite, an IAM export), so that errors and statement spans
//! point into that file. Documents given as JSON strings, or URL-encoded strings as the raw IAM
//! API returns them, are accepted wherever a document is (see [`parse`]).
//!
//! The tree keeps what the policy says, as text; matching is the business of
//! [`crate::compile`], which turns a [`Policy`] into indexed matchers once.
//!
//! ```
//! use polcheck_core::policy::{Effect, Policy};
//! let p = Policy::parse(r#"{"Version": "2012-10-17",
//!   "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}"#).unwrap();
//! assert_eq!(p.statements[0].effect, Effect::Deny);
//! assert_eq!(p.statements[0].start.line, 2);
//! ```

mod error;
mod fast;
pub mod parse;
mod summary;

pub use error::{Location, PolicyError, PolicyErrorKind};

use crate::condition::ConditionOperator;
use crate::json::Position;

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Version {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: no policy variables.
    V2008_10_17,
    /// No `Version` element: read as `2008-10-17`.
    Unspecified,
}

impl Version {
    /// `true` when `${...}` is a policy variable rather than text.
    pub fn has_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, whatever else allows.
    Deny,
}

/// A policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `Id`, if any.
    pub id: Option<String>,
    /// `Version`.
    pub version: Version,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// The file the policy was read from, when it came from a world file (statement
    /// positions are in that file, or inside the JSON string at [`PolicySource::outer`]).
    pub source: Option<std::sync::Arc<PolicySource>>,
}

/// Where a world's policy is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// The file, as the world was given (shared with every explanation that names it).
    pub file: std::sync::Arc<str>,
    /// For a policy stored as a JSON string (as IAM's API returns it): the string's position
    /// in the file; the statements' positions are then inside the string's text.
    pub outer: Option<crate::json::Position>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal` (resource-based policies).
    pub principal: Option<PrincipalClause>,
    /// `Action` or `NotAction`.
    pub action: ActionClause,
    /// `Resource` or `NotResource`; absent in trust policies, where it is the role itself.
    pub resource: Option<ResourceClause>,
    /// The conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// Where the statement object starts in its document.
    pub start: Position,
    /// Where it ends (one past its closing brace).
    pub end: Position,
}

/// `Action` (or, negated, `NotAction`): patterns such as `s3:Get*` or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionClause {
    /// `true` for `NotAction`.
    pub negated: bool,
    /// The patterns as written.
    pub patterns: Vec<String>,
}

/// `Resource` (or, negated, `NotResource`): ARN patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceClause {
    /// `true` for `NotResource`.
    pub negated: bool,
    /// The patterns as written.
    pub patterns: Vec<String>,
}

/// The kind of a principal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PrincipalKind {
    /// `AWS`: accounts, users, roles, sessions, or `*`.
    Aws,
    /// `Service`: `lambda.amazonaws.com`.
    Service,
    /// `Federated`: identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

/// `Principal` (or, negated, `NotPrincipal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalClause {
    /// `true` for `NotPrincipal`.
    pub negated: bool,
    /// `"*"`: everyone, anonymous callers included.
    pub everyone: bool,
    /// The named principals.
    pub entries: Vec<(PrincipalKind, String)>,
}

/// One key of one operator: `"StringEquals": {"aws:username": ["a", "b"]}` holds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator with its qualifier and `IfExists`.
    pub operator: ConditionOperator,
    /// The key as written.
    pub key: String,
    /// The policy values as text (JSON booleans and numbers as written), ORed.
    pub values: Vec<String>,
}

impl Policy {
    /// Parses a policy document from JSON text (or a JSON string / URL-encoded document).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        parse::parse_text(text)
    }
}
