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
//! * `resource-not-arn` (error): a `Resource` that is neither `*` nor an ARN (`"s3"`); IAM
//!   requires ARN format or `*`.
//!
//! Grammar and policy-type findings, security findings, and the codes of what IAM would
//! refuse, are listed in `docs/validate.md`; every code is stable.
//!
//! Findings come in document order: statement by statement, actions, then resources, then
//! conditions; policy-wide findings (duplicate Sids, size, privilege escalation) after them.
//!
//! # Every finding in one run
//!
//! [`validate_text`] and [`validate_json`] never stop at the first problem: what IAM would
//! refuse (a bad date, a `/33` CIDR, `"yes"` for `Bool`, a duplicate key) becomes a finding
//! whose [`Finding::is_refused`] is true, with its location, and the rest of the document is
//! still checked; a statement that cannot be read at all is reported and the other
//! statements are checked. Only text that is not JSON stops the check of that document.
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
mod grammar;
mod policy_type;
pub mod sarif;
mod security;
mod statements;
pub mod suppress;
pub mod world;

use std::fmt;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::catalogue::{ActionRef, Catalogue};
use crate::json::{self, Json, JsonKind, JsonPath, LineIndex, Position};
use crate::policy::parse::{limits, recover};
use crate::policy::{Location, Policy, PolicyError, PolicyErrorKind, Statement};

pub use policy_type::{PolicyType, UnknownPolicyType};

/// How serious a finding is. Every finding makes `polcheck validate` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
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
/// Serializes as `{"code", "severity", "path", "line", "column", "message", "suggestion",
/// "fix", "refused"}`, plus `innerLine` and `innerColumn` for a policy embedded in a JSON
/// string.
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
    /// A one-line fix, for the security and policy-type findings.
    pub fix: Option<String>,
}

impl Finding {
    /// A finding without suggestion or fix.
    pub(crate) fn new(
        code: &'static str,
        severity: Severity,
        location: Location,
        message: String,
    ) -> Finding {
        Finding {
            code,
            severity,
            location,
            message,
            suggestion: None,
            fix: None,
        }
    }

    /// The same finding with a one-line fix.
    pub(crate) fn with_fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    /// Whether this finding is something IAM would refuse to store (a grammar error, a value
    /// an operator cannot read, an element the policy type does not allow): `polcheck
    /// validate` exits with 2 for these.
    pub fn is_refused(&self) -> bool {
        grammar::is_refusal(self.code)
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let inner = self.location.inner;
        let mut st = s.serialize_struct("Finding", if inner.is_some() { 11 } else { 9 })?;
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
        st.serialize_field("fix", &self.fix)?;
        st.serialize_field("refused", &self.is_refused())?;
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

/// What to check a document as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The kind of policy (its grammar rules and size limit); `None`: inferred from the
    /// document ([`PolicyType::infer`]).
    pub policy_type: Option<PolicyType>,
    /// The size limit in characters without whitespace, when the place the policy is stored
    /// sets one other than its type's (a user's inline policies: 2,048).
    pub size_limit: Option<usize>,
    /// The account that holds the policy, when known (a world's role, its `AccountId`): a
    /// trust policy naming a principal of this account names no third party.
    pub account: Option<String>,
}

/// Validates a policy file's text. Grammar errors (what IAM would refuse) are the `Err`;
/// everything IAM accepts gives the findings, possibly none. [`validate_text`] reports both
/// kinds together and goes on past errors.
pub fn validate_policy_text(text: &str) -> Result<Vec<Finding>, PolicyError> {
    Policy::parse(text)?;
    Ok(validate_text(text, &Options::default()))
}

/// Validates a policy that is the node at `path` of a larger JSON document whose line table
/// is `lines`: an object, or a string holding the document (JSON or URL-encoded). Findings
/// and errors point into that document. [`validate_json`] reports both kinds together.
pub fn validate_policy_json(
    node: &Json,
    lines: &LineIndex,
    path: &JsonPath,
) -> Result<Vec<Finding>, PolicyError> {
    crate::policy::parse::from_json(node, lines, path)?;
    Ok(validate_json(node, lines, path, &Options::default()))
}

/// Every finding of a policy file's text, grammar errors included ([`Finding::is_refused`]),
/// in document order.
pub fn validate_text(text: &str, options: &Options) -> Vec<Finding> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '"']) && trimmed.starts_with("%7B") {
        return match url_decode(trimmed) {
            Ok(decoded) => validate_text(&decoded, options),
            Err(e) => vec![grammar::finding(&e)],
        };
    }
    if text.len() > limits::MAX_DOCUMENT_BYTES {
        return vec![grammar::finding(&PolicyError {
            location: Location::default(),
            kind: PolicyErrorKind::Limit {
                what: "bytes in a policy document",
                limit: limits::MAX_DOCUMENT_BYTES,
            },
        })];
    }
    match json::parse(text) {
        Ok(doc) => validate_json(&doc.root, doc.line_index(), &JsonPath::root(), options),
        Err(e) => vec![grammar::finding(&syntax_error(e, None))],
    }
}

/// Every finding of a policy that is the node at `path` of a larger JSON document (see
/// [`validate_policy_json`]), grammar errors included, in document order.
pub fn validate_json(
    node: &Json,
    lines: &LineIndex,
    path: &JsonPath,
    options: &Options,
) -> Vec<Finding> {
    let catalogue = match Catalogue::get() {
        Ok(c) => c,
        Err(e) => {
            return vec![grammar::finding(&PolicyError {
                location: Location::default(),
                kind: PolicyErrorKind::Syntax(format!("the service catalogue cannot be read: {e}")),
            })]
        }
    };
    match &node.kind {
        JsonKind::String(s) => {
            let outer = lines.position(node.span.start);
            let decoded;
            let mut text = s.as_str();
            if !text.trim_start().starts_with(['{', '"']) && text.trim_start().starts_with("%7B") {
                match url_decode(text.trim_start()) {
                    Ok(d) => decoded = d,
                    Err(e) => return vec![grammar::finding(&e)],
                }
                text = &decoded;
            }
            let doc = match json::parse(text) {
                Ok(doc) => doc,
                Err(e) => {
                    let mut e = syntax_error(e, Some(outer));
                    e.location.path = path.clone();
                    return vec![grammar::finding(&e)];
                }
            };
            let at = Locator {
                lines: doc.line_index(),
                base: path.clone(),
                outer: Some(outer),
            };
            check_document(catalogue, &doc.root, &at, options)
        }
        JsonKind::Object(_) => {
            let at = Locator {
                lines,
                base: path.clone(),
                outer: None,
            };
            check_document(catalogue, node, &at, options)
        }
        _ => vec![grammar::finding(&PolicyError {
            location: Location {
                path: path.clone(),
                position: lines.position(node.span.start),
                inner: None,
            },
            kind: PolicyErrorKind::WrongType {
                expected: "a policy document (an object or a string)",
                found: node.type_name(),
            },
        })],
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
        self.place(here, path)
    }

    /// The location in the file of a position and path within the policy.
    fn place(&self, here: Position, path: &JsonPath) -> Location {
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
    /// The policy type the document is checked as.
    pub(crate) policy_type: PolicyType,
    /// The account that holds the policy, when known ([`Options::account`]).
    pub(crate) account: Option<&'a str>,
}

impl StatementCtx<'_, '_> {
    /// The location of the statement's element `key`, or of the statement itself.
    pub(crate) fn element(&self, key: &str) -> Location {
        match self.node.get(key) {
            Some(n) => self.at.at(n.span.start, &self.path.key(key)),
            None => self.at.at(self.node.span.start, &self.path),
        }
    }
}

/// Every check of one policy document (an object), grammar errors included.
fn check_document(
    catalogue: &Catalogue,
    root: &Json,
    at: &Locator,
    options: &Options,
) -> Vec<Finding> {
    let recovered = recover(root, at.lines, &JsonPath::root());
    let mut findings: Vec<Finding> = recovered
        .errors
        .iter()
        .map(|e| {
            let mut f = grammar::finding(e);
            f.location = at.place(e.location.position, &e.location.path);
            f
        })
        .collect();
    let policy = &recovered.policy;
    let policy_type = options
        .policy_type
        .unwrap_or_else(|| PolicyType::infer(policy));
    let stmts = root.get("Statement");
    let node_of = |i: usize| -> Option<(&Json, JsonPath)> {
        let stmts = stmts?;
        match stmts.as_array() {
            Some(items) => items
                .get(i)
                .map(|s| (s, JsonPath::root().key("Statement").index(i))),
            None => Some((stmts, JsonPath::root().key("Statement"))),
        }
    };
    let mut ctxs = Vec::new();
    for (statement, &i) in policy.statements.iter().zip(&recovered.statement_index) {
        let Some((node, path)) = node_of(i) else {
            continue;
        };
        let ctx = StatementCtx {
            catalogue,
            statement,
            node,
            path,
            at,
            has_variables: policy.version.has_variables(),
            actions: actions::known_actions(catalogue, statement),
            policy_type,
            account: options.account.as_deref(),
        };
        statements::check_statement(&ctx, &mut findings);
        actions::check_actions(&ctx, &mut findings);
        actions::check_resources(&ctx, &mut findings);
        conditions::check_conditions(&ctx, &mut findings);
        security::check_statement(&ctx, &mut findings);
        ctxs.push(ctx);
    }
    statements::check_policy(root, policy, &ctxs, at, policy_type, options, &mut findings);
    security::check_policy(&ctxs, &mut findings);
    findings.sort_by_key(|f| (f.location.position, f.location.inner));
    findings
}
