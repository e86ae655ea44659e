//! JSON → [`Policy`], refusing what IAM refuses, with the path and position of each error.

use std::cell::RefCell;

use super::*;
use crate::condition::{values, ConditionOperator, ValueType};
use crate::json::{self, Json, JsonKind, JsonPath, KeyProblem, LineIndex};

/// Where the reader is: a JSON path built only when an error needs it (reading a valid
/// policy allocates no path).
#[derive(Debug, Clone, Copy)]
enum At<'a> {
    /// The policy node's own path in its document.
    Base(&'a JsonPath),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl<'a> At<'a> {
    fn key<'b>(&'b self, key: &'b str) -> At<'b> {
        At::Key(self, key)
    }

    fn index(&self, i: usize) -> At<'_> {
        At::Index(self, i)
    }

    fn path(&self) -> JsonPath {
        match self {
            At::Base(p) => (*p).clone(),
            At::Key(parent, key) => parent.path().key(key),
            At::Index(parent, i) => parent.path().index(*i),
        }
    }
}

const POLICY_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// Limits on one policy document, far above AWS's own quotas (a managed policy holds at most
/// 6,144 characters, a role's inline policies 10,240, a bucket policy 20 KB), so that every
/// real document loads while a hostile one is refused with a clear error instead of
/// exhausting memory or time.
pub mod limits {
    /// Bytes of one policy document's text.
    pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
    /// Statements in one document.
    pub const MAX_STATEMENTS: usize = 10_000;
    /// Values of one key of one condition operator, or patterns of one `Action`/`Resource`.
    pub const MAX_VALUES: usize = 10_000;
    /// `*` and `?` wildcards in one pattern.
    pub const MAX_WILDCARDS: usize = 256;
}

/// Parses a policy from text: a JSON object, a JSON string holding one, or a URL-encoded one.
pub fn parse_text(text: &str) -> Result<Policy, PolicyError> {
    if let Some(policy) = super::fast::parse(text) {
        return Ok(policy);
    }
    if text.len() > limits::MAX_DOCUMENT_BYTES {
        return Err(err(
            JsonPath::root(),
            crate::json::Position { line: 1, column: 1 },
            PolicyErrorKind::Limit {
                what: "bytes in a policy document",
                limit: limits::MAX_DOCUMENT_BYTES,
            },
        ));
    }
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') && !trimmed.starts_with('"') && trimmed.starts_with("%7B") {
        return parse_text(
            &url_decode(trimmed).map_err(|k| err(JsonPath::root(), Default::default(), k))?,
        );
    }
    let doc = json::parse(text).map_err(|e| PolicyError {
        location: Location {
            path: JsonPath::root(),
            position: e.position,
            inner: None,
        },
        kind: PolicyErrorKind::Syntax(e.message),
    })?;
    from_json(&doc.root, doc.line_index(), &JsonPath::root())
}

/// Parses a policy that is a node of a larger document: an object, or a string holding the
/// document as JSON or URL-encoded JSON. `path` is the node's path in that document.
pub fn from_json(node: &Json, lines: &LineIndex, path: &JsonPath) -> Result<Policy, PolicyError> {
    match &node.kind {
        JsonKind::Object(_) => Reader::new(lines, false).policy(node, &At::Base(path)),
        JsonKind::String(s) => {
            let outer = lines.position(node.span.start);
            parse_text(s).map_err(|e| PolicyError {
                location: Location {
                    path: path.join(&e.location.path),
                    position: outer,
                    inner: Some(e.location.position),
                },
                kind: e.kind,
            })
        }
        _ => Err(PolicyError {
            location: Location {
                path: path.clone(),
                position: lines.position(node.span.start),
                inner: None,
            },
            kind: PolicyErrorKind::WrongType {
                expected: "a policy document (an object or a string)",
                found: node.type_name(),
            },
        }),
    }
}

fn url_decode(text: &str) -> Result<String, PolicyErrorKind> {
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| PolicyErrorKind::Syntax("URL-encoded document is not UTF-8".into()))
}

fn err(path: JsonPath, position: crate::json::Position, kind: PolicyErrorKind) -> PolicyError {
    PolicyError {
        location: Location {
            path,
            position,
            inner: None,
        },
        kind,
    }
}

/// A policy read with error recovery, for reporting every problem in one run.
#[derive(Debug, Clone)]
pub struct Recovered {
    /// The statements that could be read (the others are left out), with their index in the
    /// document's `Statement` (0 for a lone statement object).
    pub policy: Policy,
    /// For each statement of `policy`, its index in the document.
    pub statement_index: Vec<usize>,
    /// Everything IAM would refuse, in document order.
    pub errors: Vec<PolicyError>,
}

/// Reads a policy object as [`from_json`] does, but goes on past errors: a value an
/// operator cannot read, a duplicate or unknown key, a bad `Version` are recorded and the
/// rest is read; a statement that cannot be read (no `Effect`, no `Action`, a wrong type) is
/// recorded and left out, and the next one is read. `node` must be the policy object (a
/// document embedded in a string is decoded and parsed by the caller).
pub fn recover(node: &Json, lines: &LineIndex, path: &JsonPath) -> Recovered {
    let reader = Reader::new(lines, true);
    let policy = reader.policy(node, &At::Base(path));
    let mut errors = reader.errors.map(RefCell::into_inner).unwrap_or_default();
    let policy = match policy {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            Policy {
                id: None,
                version: Version::Unspecified,
                statements: Vec::new(),
                source: None,
            }
        }
    };
    let mut statement_index = reader.kept.into_inner();
    statement_index.truncate(policy.statements.len());
    Recovered {
        policy,
        statement_index,
        errors,
    }
}

struct Reader<'a> {
    lines: &'a LineIndex,
    /// With recovery: the errors recorded so far.
    errors: Option<RefCell<Vec<PolicyError>>>,
    /// The document index of each statement read.
    kept: RefCell<Vec<usize>>,
}

type Result<T, E = PolicyError> = std::result::Result<T, E>;

impl Reader<'_> {
    fn new(lines: &LineIndex, recovering: bool) -> Reader<'_> {
        Reader {
            lines,
            errors: recovering.then(|| RefCell::new(Vec::new())),
            kept: RefCell::new(Vec::new()),
        }
    }

    /// With recovery, records `e` and goes on; without, fails with it.
    fn soft(&self, e: PolicyError) -> Result<()> {
        match &self.errors {
            Some(errors) => {
                errors.borrow_mut().push(e);
                Ok(())
            }
            None => Err(e),
        }
    }

    /// `r`'s value, or with recovery `None` after recording its error.
    fn soft_value<T>(&self, r: Result<T>) -> Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e) => self.soft(e).map(|()| None),
        }
    }

    fn fail<T>(&self, node: &Json, path: &At<'_>, kind: PolicyErrorKind) -> Result<T> {
        Err(err(path.path(), self.lines.position(node.span.start), kind))
    }

    /// The members of an object, refusing duplicates and keys outside `allowed`.
    fn members<'n>(
        &self,
        node: &'n Json,
        path: &At<'_>,
        allowed: &'static [&'static str],
        what: &'static str,
    ) -> Result<&'n [json::Member]> {
        let Some(members) = node.members() else {
            return self.fail(
                node,
                path,
                PolicyErrorKind::WrongType {
                    expected: what,
                    found: node.type_name(),
                },
            );
        };
        if self.errors.is_some() {
            let mut seen = std::collections::HashSet::with_capacity(members.len());
            for m in members {
                let kind = if !seen.insert(m.key.as_str()) {
                    PolicyErrorKind::DuplicateKey(m.key.clone())
                } else if !allowed.is_empty() && !allowed.contains(&m.key.as_str()) {
                    PolicyErrorKind::UnknownKey {
                        key: m.key.clone(),
                        expected: allowed,
                    }
                } else {
                    continue;
                };
                self.soft(err(
                    path.key(&m.key).path(),
                    self.lines.position(m.key_span.start),
                    kind,
                ))?;
            }
            return Ok(members);
        }
        let (m, kind) = match json::check_keys(members, allowed) {
            None => return Ok(members),
            Some(KeyProblem::Duplicate(m)) => (m, PolicyErrorKind::DuplicateKey(m.key.clone())),
            Some(KeyProblem::Unknown(m)) => (
                m,
                PolicyErrorKind::UnknownKey {
                    key: m.key.clone(),
                    expected: allowed,
                },
            ),
        };
        Err(err(
            path.key(&m.key).path(),
            self.lines.position(m.key_span.start),
            kind,
        ))
    }

    fn string<'n>(&self, node: &'n Json, path: &At<'_>) -> Result<&'n str> {
        node.as_str().map_or_else(
            || {
                self.fail(
                    node,
                    path,
                    PolicyErrorKind::WrongType {
                        expected: "a string",
                        found: node.type_name(),
                    },
                )
            },
            Ok,
        )
    }

    /// A string or a non-empty array of strings.
    fn strings(&self, node: &Json, path: &At<'_>, what: &'static str) -> Result<Vec<String>> {
        let values = self.strings_unchecked(node, path, what)?;
        self.check_wildcards(node, path, &values)?;
        Ok(values)
    }

    /// Refuses a pattern with more than [`limits::MAX_WILDCARDS`] wildcards.
    fn check_wildcards(&self, node: &Json, path: &At<'_>, values: &[String]) -> Result<()> {
        for (i, v) in values.iter().enumerate() {
            if v.chars().filter(|c| matches!(c, '*' | '?')).count() > limits::MAX_WILDCARDS {
                let (n, p) = match node.as_array() {
                    Some(items) => (items.get(i).unwrap_or(node), path.index(i)),
                    None => (node, *path),
                };
                return self.fail(
                    n,
                    &p,
                    PolicyErrorKind::Limit {
                        what: "wildcards in one pattern",
                        limit: limits::MAX_WILDCARDS,
                    },
                );
            }
        }
        Ok(())
    }

    fn strings_unchecked(
        &self,
        node: &Json,
        path: &At<'_>,
        what: &'static str,
    ) -> Result<Vec<String>> {
        match &node.kind {
            JsonKind::String(s) => Ok(vec![s.clone()]),
            JsonKind::Array(items) if items.len() > limits::MAX_VALUES => self.fail(
                node,
                path,
                PolicyErrorKind::Limit {
                    what: "values in one element",
                    limit: limits::MAX_VALUES,
                },
            ),
            JsonKind::Array(items) if items.is_empty() => {
                self.fail(node, path, PolicyErrorKind::Empty(what))
            }
            JsonKind::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, it)| self.string(it, &path.index(i)).map(str::to_string))
                .collect(),
            _ => self.fail(
                node,
                path,
                PolicyErrorKind::WrongType {
                    expected: "a string or an array of strings",
                    found: node.type_name(),
                },
            ),
        }
    }

    fn policy(&self, node: &Json, path: &At<'_>) -> Result<Policy> {
        let members = self.members(node, path, POLICY_KEYS, "a policy document (an object)")?;
        let mut policy = Policy {
            id: None,
            version: Version::Unspecified,
            statements: Vec::new(),
            source: None,
        };
        let mut statement = None;
        let mut seen = std::collections::HashSet::new();
        for (i, m) in members.iter().enumerate() {
            let repeated = if members.len() <= 16 {
                members
                    .get(..i)
                    .is_some_and(|before| before.iter().any(|b| b.key == m.key))
            } else {
                !seen.insert(m.key.as_str())
            };
            if repeated {
                continue; // a duplicate, recorded by `members`
            }
            let p = path.key(&m.key);
            match m.key.as_str() {
                "Version" => {
                    let Some(v) = self.soft_value(self.string(&m.value, &p))? else {
                        continue;
                    };
                    policy.version = match v {
                        "2012-10-17" => Version::V2012_10_17,
                        "2008-10-17" => Version::V2008_10_17,
                        other => {
                            self.soft(err(
                                p.path(),
                                self.lines.position(m.value.span.start),
                                PolicyErrorKind::UnsupportedVersion(other.into()),
                            ))?;
                            Version::V2012_10_17
                        }
                    }
                }
                "Id" => {
                    policy.id = self
                        .soft_value(self.string(&m.value, &p))?
                        .map(str::to_string)
                }
                "Statement" => statement = Some((&m.value, p)),
                _ => {} // an unknown key, recorded by `members`
            }
        }
        let Some((stmts, p)) = statement else {
            return self.fail(node, path, PolicyErrorKind::Missing("Statement"));
        };
        match &stmts.kind {
            JsonKind::Array(items) if items.len() > limits::MAX_STATEMENTS => {
                return self.fail(
                    stmts,
                    &p,
                    PolicyErrorKind::Limit {
                        what: "statements in a policy",
                        limit: limits::MAX_STATEMENTS,
                    },
                )
            }
            JsonKind::Array(items) => {
                policy.statements.reserve_exact(items.len());
                for (i, s) in items.iter().enumerate() {
                    if let Some(st) =
                        self.soft_value(self.statement(s, &p.index(i), policy.version))?
                    {
                        policy.statements.push(st);
                        self.kept.borrow_mut().push(i);
                    }
                }
            }
            JsonKind::Object(_) => {
                if let Some(st) = self.soft_value(self.statement(stmts, &p, policy.version))? {
                    policy.statements.push(st);
                    self.kept.borrow_mut().push(0);
                }
            }
            _ => {
                return self.fail(
                    stmts,
                    &p,
                    PolicyErrorKind::WrongType {
                        expected: "a statement object or an array of them",
                        found: stmts.type_name(),
                    },
                )
            }
        }
        Ok(policy)
    }

    /// The value of `a` or of `b` (`true` for `b`, the negated form) with its path; both is
    /// an error.
    fn either<'n, 'p>(
        &self,
        members: &'n [json::Member],
        path: &'p At<'p>,
        a: &'static str,
        b: &'static str,
    ) -> Result<Option<(bool, &'n Json, At<'p>)>> {
        let get = |k: &str| members.iter().find(|m| m.key == k).map(|m| &m.value);
        match (get(a), get(b)) {
            (Some(_), Some(v)) => self.fail(v, &path.key(b), PolicyErrorKind::Conflict(a, b)),
            (Some(v), None) => Ok(Some((false, v, path.key(a)))),
            (None, Some(v)) => Ok(Some((true, v, path.key(b)))),
            (None, None) => Ok(None),
        }
    }

    fn statement(&self, node: &Json, path: &At<'_>, version: Version) -> Result<Statement> {
        let members = self.members(node, path, STATEMENT_KEYS, "a statement (an object)")?;
        let get = |k: &str| members.iter().find(|m| m.key == k).map(|m| &m.value);
        let either = |a: &'static str, b: &'static str| self.either(members, path, a, b);
        let effect = match get("Effect") {
            None => return self.fail(node, path, PolicyErrorKind::Missing("Effect")),
            Some(v) => match self.string(v, &path.key("Effect"))? {
                "Allow" => Effect::Allow,
                "Deny" => Effect::Deny,
                other => {
                    return self.fail(
                        v,
                        &path.key("Effect"),
                        PolicyErrorKind::InvalidEffect(other.into()),
                    )
                }
            },
        };
        let sid = match get("Sid") {
            Some(v) => self
                .soft_value(self.string(v, &path.key("Sid")))?
                .map(str::to_string),
            None => None,
        };
        let Some((negated, v, p)) = either("Action", "NotAction")? else {
            return self.fail(node, path, PolicyErrorKind::Missing("Action"));
        };
        let patterns = self.strings(v, &p, "Action")?;
        // One rule for every value: `service:name` with a service prefix (not empty, no
        // whitespace), and any name after the colon, even an empty or blank one
        // (`"s3:"`, `"s3:   "`): IAM accepts those too, and since no action's name is empty
        // or holds a space, such a pattern matches no action (and its `NotAction`, every one).
        // `validate` reports them.
        for (i, a) in patterns.iter().enumerate() {
            if a != "*"
                && !a
                    .split_once(':')
                    .is_some_and(|(s, _)| valid_service_prefix(s))
            {
                let at = match v.as_array().and_then(|items| items.get(i)) {
                    Some(item) => (item, p.index(i)),
                    None => (v, p),
                };
                self.soft(err(
                    at.1.path(),
                    self.lines.position(at.0.span.start),
                    PolicyErrorKind::InvalidAction(a.clone()),
                ))?;
            }
        }
        let action = ActionClause { negated, patterns };
        let resource = match self
            .soft_value(either("Resource", "NotResource"))?
            .flatten()
        {
            Some((negated, v, p)) => self
                .soft_value(self.strings(v, &p, "Resource"))?
                .map(|patterns| ResourceClause { negated, patterns }),
            None => None,
        };
        let principal = match self
            .soft_value(either("Principal", "NotPrincipal"))?
            .flatten()
        {
            Some((negated, v, p)) => self.soft_value(self.principal(v, &p, negated))?,
            None => None,
        };
        let conditions = match get("Condition") {
            Some(v) => self
                .soft_value(self.conditions(v, &path.key("Condition"), version))?
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(Statement {
            sid,
            effect,
            principal,
            action,
            resource,
            conditions,
            start: self.lines.position(node.span.start),
            end: self.lines.position(node.span.end),
        })
    }

    fn principal(&self, node: &Json, path: &At<'_>, negated: bool) -> Result<PrincipalClause> {
        if let Some(s) = node.as_str() {
            if s == "*" {
                return Ok(PrincipalClause {
                    negated,
                    everyone: true,
                    entries: Vec::new(),
                });
            }
            return self.fail(
                node,
                path,
                PolicyErrorKind::WrongType {
                    expected: "`*` or an object of `AWS`, `Service`, `Federated`, `CanonicalUser`",
                    found: "another string",
                },
            );
        }
        let members = self.members(node, path, PRINCIPAL_KEYS, "`*` or a principal object")?;
        let mut clause = PrincipalClause {
            negated,
            everyone: false,
            entries: Vec::new(),
        };
        for m in members {
            let kind = match m.key.as_str() {
                "AWS" => PrincipalKind::Aws,
                "Service" => PrincipalKind::Service,
                "Federated" => PrincipalKind::Federated,
                "CanonicalUser" => PrincipalKind::CanonicalUser,
                _ => continue, // an unknown key, recorded by `members`
            };
            for v in self.strings(&m.value, &path.key(&m.key), "Principal")? {
                if kind == PrincipalKind::Aws && v == "*" {
                    clause.everyone = true;
                } else {
                    clause.entries.push((kind, v));
                }
            }
        }
        Ok(clause)
    }

    fn conditions(&self, node: &Json, path: &At<'_>, version: Version) -> Result<Vec<Condition>> {
        let mut out = Vec::new();
        for m in self.members(node, path, &[], "an object of condition operators")? {
            let op_path = path.key(&m.key);
            let operator: ConditionOperator = match m.key.parse() {
                Ok(op) => op,
                Err(e) => {
                    self.soft(err(
                        op_path.path(),
                        self.lines.position(m.key_span.start),
                        PolicyErrorKind::Operator(e),
                    ))?;
                    continue;
                }
            };
            let Some(keys) = self.soft_value(self.members(
                &m.value,
                &op_path,
                &[],
                "an object of condition keys",
            ))?
            else {
                continue;
            };
            for k in keys {
                let key_path = op_path.key(&k.key);
                let Some(values) = self.soft_value(self.condition_values(&k.value, &key_path))?
                else {
                    continue;
                };
                if values.len() > limits::MAX_VALUES {
                    return self.fail(
                        &k.value,
                        &key_path,
                        PolicyErrorKind::Limit {
                            what: "values of one condition key",
                            limit: limits::MAX_VALUES,
                        },
                    );
                }
                self.check_wildcards(&k.value, &key_path, &values)?;
                for (i, v) in values.iter().enumerate() {
                    if !value_is_readable(operator, v, version) {
                        let (node, p) = match k.value.as_array().and_then(|items| items.get(i)) {
                            Some(item) => (item, key_path.index(i)),
                            None => (&k.value, key_path),
                        };
                        self.soft(err(
                            p.path(),
                            self.lines.position(node.span.start),
                            PolicyErrorKind::InvalidConditionValue {
                                value: v.clone(),
                                operator: operator.to_string(),
                                expected: type_name(operator.operator.value_type()),
                            },
                        ))?;
                    }
                }
                out.push(Condition {
                    operator,
                    key: k.key.clone(),
                    values,
                });
            }
        }
        Ok(out)
    }

    /// A scalar or an array of scalars; booleans and numbers become their text.
    fn condition_values(&self, node: &Json, path: &At<'_>) -> Result<Vec<String>> {
        let wrong = |n: &Json, p: &At<'_>| -> Result<String> {
            self.fail(
                n,
                p,
                PolicyErrorKind::WrongType {
                    expected: "a string, number or boolean, or an array of them",
                    found: n.type_name(),
                },
            )
        };
        match &node.kind {
            JsonKind::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    it.scalar_text()
                        .map_or_else(|| wrong(it, &path.index(i)), Ok)
                })
                .collect(),
            _ => Ok(vec![node
                .scalar_text()
                .map_or_else(|| wrong(node, path), Ok)?]),
        }
    }
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "string",
        ValueType::Numeric => "numeric",
        ValueType::Date => "date",
        ValueType::Bool => "boolean",
        ValueType::Binary => "base64",
        ValueType::Ip => "IP address or CIDR",
        ValueType::Arn => "ARN",
        ValueType::Null => "`true` or `false`",
    }
}

/// Whether IAM could read a policy value for the operator. Values holding a policy variable
/// are read per request (variables are allowed in string, ARN and Bool values).
pub(super) fn value_is_readable(op: ConditionOperator, v: &str, version: Version) -> bool {
    let t = op.operator.value_type();
    if version.has_variables()
        && v.contains("${")
        && matches!(t, ValueType::String | ValueType::Arn | ValueType::Bool)
    {
        return true;
    }
    match t {
        ValueType::String | ValueType::Arn => true,
        ValueType::Numeric => values::number(v).is_some(),
        ValueType::Date => values::date(v).is_some(),
        ValueType::Bool | ValueType::Null => values::boolean(v).is_some(),
        ValueType::Binary => values::binary(v).is_some(),
        ValueType::Ip => values::ip_net(v).is_some(),
    }
}

/// A service prefix as an `Action` may write it: not empty and without whitespace.
pub(super) fn valid_service_prefix(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}
