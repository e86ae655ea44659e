//! Policy validation: mistakes that IAM accepts but that make a policy mean less than it says.
//!
//! The parser ([`crate::policy`]) refuses what IAM refuses: broken JSON, unknown keys, bad
//! operators. A policy that passes it can still name an action that does not exist, a resource
//! no listed action can act on, or a condition key that will never be in the request. IAM
//! stores such a policy without complaint, and it silently grants or restricts less than its
//! author meant. This module checks a parsed policy against the service catalogue
//! ([`crate::catalogue`]) and reports each such place as a [`Finding`] with a stable code, the
//! JSON path and line:column of the offending value, a lowercase message (user input in
//! backticks) and, where one is close, a did-you-mean suggestion.
//!
//! ```
//! use polcheck_core::validate::{validate_policy_text, Severity};
//! let text = r#"{"Version": "2012-10-17", "Statement": {
//!   "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}}"#;
//! let findings = validate_policy_text(text)?;
//! assert_eq!(findings[0].code, "unknown-action");
//! assert_eq!(findings[0].severity, Severity::Error);
//! assert_eq!(findings[0].location.path.as_str(), "Statement.Action");
//! assert_eq!(findings[0].location.position.to_string(), "2:32");
//! assert_eq!(findings[0].suggestion.as_deref(), Some("s3:GetObject"));
//! # Ok::<(), polcheck_core::policy::PolicyError>(())
//! ```
//!
//! # Finding codes
//!
//! The codes are stable: tools may match on them. Each entry shows a statement that gets it.
//!
//! * `unknown-service` (error): the service prefix of an action is not in the catalogue;
//!   suggests the closest prefix. `"Action": "lamda:InvokeFunction"` → did you mean
//!   `lambda:InvokeFunction`.
//! * `unknown-action` (error): the service exists but the action does not; suggests the
//!   closest action. `"Action": "s3:GetObjekt"` → did you mean `s3:GetObject`.
//! * `action-matches-nothing` (error): a wildcard pattern that expands to no action, so the
//!   statement never applies to it. `"Action": "s3:Gett*"`.
//! * `resource-mismatch` (error): a resource ARN whose format fits none of the resource types
//!   of any of the statement's actions. `"Action": "s3:ListBucket", "Resource":
//!   "arn:aws:s3:::bucket/key"` (`ListBucket` takes a bucket, not an object). Skipped for `*`,
//!   `NotResource`, ARNs with policy variables or `?`, statements with `NotAction`, `*` or an
//!   unknown action, and actions that take no resource type (they take `*`). A `*` inside an
//!   ARN is tried as several fillings (empty, `x`, `x/x`, `x:x`, ...); only when none fits is
//!   the ARN reported.
//! * `unknown-condition-key` (error): a key that is not a global key and that none of the
//!   statement's actions can carry (when the actions are unknowable, `NotAction` or `*`: a key
//!   no service declares). `"Action": "s3:GetObject", "Condition": {"StringEquals":
//!   {"ec2:InstanceType": "t3.micro"}}`.
//! * `operator-type-mismatch` (error): an operator of one type on a key of another:
//!   `"NumericEquals": {"aws:username": "5"}`, `"IpAddress": {"aws:username": ...}`,
//!   `"DateGreaterThan": {"aws:SourceIp": ...}`. As AWS does, the string operators are allowed
//!   on ARN keys, and (polcheck's leniency) the ARN operators on string keys; `Null` fits any.
//! * `set-operator-on-single-valued-key` (warning): `ForAnyValue:`/`ForAllValues:` on a key
//!   that holds one value. `"ForAllValues:StringEquals": {"aws:username": "alice"}` (and
//!   `ForAllValues` is true when the key is missing, which such policies rarely intend).
//! * `multivalued-key-without-qualifier` (warning): a multivalued key (`ArrayOf…` type) under
//!   an operator with no set qualifier. `"StringEquals": {"aws:TagKeys": "Team"}`; `Null`
//!   needs no qualifier and is not reported.
//! * `allow-notaction-star-resource` (warning): `Allow` with `NotAction` and `Resource` `*`
//!   grants every action but the listed ones on every resource, almost always more than meant.
//!
//! Findings come in document order: statement by statement, actions, then resources, then
//! conditions.
//!
//! # Where findings point
//!
//! [`validate_policy_text`] reads a policy file; [`validate_policy_json`] a policy that is one
//! node of a larger JSON file (a test suite, an IAM export), so that paths and positions point
//! into that file. A policy given as a JSON string (as IAM exports hold them) gets the
//! position of that string and, in [`Location::inner`], the line:column inside the decoded
//! document, as [`crate::policy::PolicyError`]s do. A URL-encoded policy file is decoded
//! first; positions then refer to the decoded text.

mod actions;
mod conditions;
pub mod world;

use std::fmt;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::catalogue::{ActionRef, Catalogue};
use crate::json::{self, Json, JsonKind, JsonPath, LineIndex, Position};
use crate::policy::parse::from_json;
use crate::policy::{Location, Policy, PolicyError, PolicyErrorKind, Statement};

/// How serious a finding is. Every finding makes `polcheck validate` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The policy does not do what it says: a name that does not exist, a type mismatch.
    Error,
    /// The policy works but is likely wrong or dangerous.
    Warning,
    /// Worth knowing; nothing wrong.
    Info,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem found in a policy.
///
/// Serializes as `{"code", "severity", "path", "line", "column", "message", "suggestion"}`,
/// plus `innerLine` and `innerColumn` for a policy embedded in a JSON string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The stable code, such as `unknown-action` (the module docs list them).
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// The JSON path and line:column of the offending value (or key, for condition keys).
    pub location: Location,
    /// What is wrong, lowercase, with user input in backticks.
    pub message: String,
    /// What was probably meant, e.g. `s3:GetObject` for `s3:GetObjekt`.
    pub suggestion: Option<String>,
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let inner = self.location.inner;
        let mut st = s.serialize_struct("Finding", if inner.is_some() { 9 } else { 7 })?;
        st.serialize_field("code", self.code)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("path", &self.location.path.to_string())?;
        st.serialize_field("line", &self.location.position.line)?;
        st.serialize_field("column", &self.location.position.column)?;
        if let Some(inner) = inner {
            st.serialize_field("innerLine", &inner.line)?;
            st.serialize_field("innerColumn", &inner.column)?;
        }
        st.serialize_field("message", &self.message)?;
        st.serialize_field("suggestion", &self.suggestion)?;
        st.end()
    }
}

impl fmt::Display for Finding {
    /// `LINE:COL: severity[code]: message (did you mean `suggestion`?)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location.position, self.severity, self.code, self.message
        )?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// Validates a policy file's text. Grammar errors (what IAM would refuse) are the `Err`;
/// everything IAM accepts gives the findings, possibly none.
pub fn validate_policy_text(text: &str) -> Result<Vec<Finding>, PolicyError> {
    Policy::parse(text)?;
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '"']) && trimmed.starts_with("%7B") {
        return validate_policy_text(&url_decode(trimmed)?);
    }
    let doc = json::parse(text).map_err(|e| syntax_error(e, None))?;
    validate_policy_json(&doc.root, doc.line_index(), &JsonPath::root())
}

/// Validates a policy that is the node at `path` of a larger JSON document whose line table
/// is `lines`: an object, or a string holding the document (JSON or URL-encoded). Findings
/// and errors point into that document.
pub fn validate_policy_json(
    node: &Json,
    lines: &LineIndex,
    path: &JsonPath,
) -> Result<Vec<Finding>, PolicyError> {
    let policy = from_json(node, lines, path)?;
    let catalogue = Catalogue::get().map_err(|e| PolicyError {
        location: Location::default(),
        kind: PolicyErrorKind::Syntax(format!("the service catalogue cannot be read: {e}")),
    })?;
    match &node.kind {
        JsonKind::String(s) => {
            let outer = lines.position(node.span.start);
            let decoded;
            let mut text = s.as_str();
            if !text.trim_start().starts_with(['{', '"']) && text.trim_start().starts_with("%7B") {
                decoded = url_decode(text.trim_start())?;
                text = &decoded;
            }
            let doc = json::parse(text).map_err(|e| syntax_error(e, Some(outer)))?;
            let at = Locator {
                lines: doc.line_index(),
                base: path.clone(),
                outer: Some(outer),
            };
            Ok(check_policy(catalogue, &policy, &doc.root, &at))
        }
        _ => {
            let at = Locator {
                lines,
                base: path.clone(),
                outer: None,
            };
            Ok(check_policy(catalogue, &policy, node, &at))
        }
    }
}

fn syntax_error(e: json::JsonSyntaxError, outer: Option<Position>) -> PolicyError {
    PolicyError {
        location: Location {
            path: JsonPath::root(),
            position: outer.unwrap_or(e.position),
            inner: outer.map(|_| e.position),
        },
        kind: PolicyErrorKind::Syntax(e.message),
    }
}

fn url_decode(text: &str) -> Result<String, PolicyError> {
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| PolicyError {
            location: Location::default(),
            kind: PolicyErrorKind::Syntax("URL-encoded document is not UTF-8".into()),
        })
}

/// Turns nodes of the document being checked into [`Location`]s of the file.
pub(crate) struct Locator<'a> {
    lines: &'a LineIndex,
    /// The policy's path in the file.
    base: JsonPath,
    /// For a policy embedded in a JSON string: that string's position.
    outer: Option<Position>,
}

impl Locator<'_> {
    /// The location of the node at byte `offset`, whose path within the policy is `path`.
    pub(crate) fn at(&self, offset: usize, path: &JsonPath) -> Location {
        let here = self.lines.position(offset);
        Location {
            path: self.base.join(path),
            position: self.outer.unwrap_or(here),
            inner: self.outer.map(|_| here),
        }
    }
}

/// A string or each string of an array, with its path: the nodes of `Action`, `Resource`.
pub(crate) fn string_nodes<'n>(
    node: &'n Json,
    path: &JsonPath,
) -> Vec<(&'n str, &'n Json, JsonPath)> {
    match &node.kind {
        JsonKind::String(s) => vec![(s.as_str(), node, path.clone())],
        JsonKind::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| it.as_str().map(|s| (s, it, path.index(i))))
            .collect(),
        _ => Vec::new(),
    }
}

/// What the checks of one statement share.
pub(crate) struct StatementCtx<'a, 'c> {
    pub(crate) catalogue: &'c Catalogue,
    pub(crate) statement: &'a Statement,
    pub(crate) node: &'a Json,
    pub(crate) path: JsonPath,
    pub(crate) at: &'a Locator<'a>,
    pub(crate) has_variables: bool,
    /// The actions the statement names, when they are known exactly: `None` for `NotAction`,
    /// `*`, or when some pattern names nothing the catalogue knows.
    pub(crate) actions: Option<Vec<ActionRef<'c>>>,
}

fn check_policy(catalogue: &Catalogue, policy: &Policy, root: &Json, at: &Locator) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(stmts) = root.get("Statement") else {
        return findings;
    };
    let nodes: Vec<(&Json, JsonPath)> = match stmts.as_array() {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, s)| (s, JsonPath::root().key("Statement").index(i)))
            .collect(),
        None => vec![(stmts, JsonPath::root().key("Statement"))],
    };
    for (statement, (node, path)) in policy.statements.iter().zip(nodes) {
        let ctx = StatementCtx {
            catalogue,
            statement,
            node,
            path,
            at,
            has_variables: policy.version.has_variables(),
            actions: actions::known_actions(catalogue, statement),
        };
        actions::check_actions(&ctx, &mut findings);
        actions::check_resources(&ctx, &mut findings);
        conditions::check_conditions(&ctx, &mut findings);
    }
    findings
}
