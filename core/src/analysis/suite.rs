//! Diff tests: the suite-format extension for policy pairs (`docs/diff.md`).
//!
//! A diff suite is a JSON object with `diffTests` (and an optional `description`); each test
//! names a check, its policies and the expected result:
//!
//! ```json
//! {"diffTests": [{"name": "widening an action", "kind": "identity",
//!   "old": POLICY, "new": POLICY, "expect": "FAIL", "expectActions": ["s3:PutObject"]}]}
//! ```
//!
//! `check` is `diff` (default), `removed`, `notGranted` (with `actions` and optional
//! `resources`, and `policy` instead of `old`/`new`) or `noPublicAccess` (with `policy`).
//! Every witness of every FAIL is checked twice more when the suite runs: by the engine
//! (inside the analysis) and by the reference evaluator ([`crate::reference`]).

use serde_json::Value;

use super::diff::{removed, Diff, Verdict};
use super::{check_no_public_access, check_not_granted, diff, reference_inputs, PolicyType};
use crate::decide::Outcome;
use crate::policy::Policy;
use crate::reference;

/// One diff test as read.
#[derive(Debug, Clone)]
pub struct DiffTest {
    /// `name`.
    pub name: String,
    check: String,
    kind: Option<PolicyType>,
    old: Option<String>,
    new: Option<String>,
    policy: Option<String>,
    actions: Vec<String>,
    resources: Vec<String>,
    expect: String,
    expect_actions: Vec<String>,
}

/// Why a diff suite cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffSuiteError {
    /// Not JSON.
    #[error("{line}:{column}: {message}")]
    Json {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A test lacks a key or has one of the wrong type.
    #[error("diffTests[{index}]: {message}")]
    Test {
        /// The test's index.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

/// `true` when `text` is a diff suite (a JSON object with `diffTests`).
pub fn is_diff_suite(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .ok()
        .is_some_and(|v| v.get("diffTests").is_some())
}

fn policy_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

const KEYS: &[&str] = &[
    "name",
    "source",
    "check",
    "kind",
    "old",
    "new",
    "policy",
    "actions",
    "resources",
    "expect",
    "expectActions",
];

/// Reads a diff suite.
pub fn parse(text: &str) -> Result<Vec<DiffTest>, DiffSuiteError> {
    let v: Value = serde_json::from_str(text).map_err(|e| DiffSuiteError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let tests = v
        .get("diffTests")
        .and_then(Value::as_array)
        .ok_or_else(|| DiffSuiteError::Json {
            line: 1,
            column: 1,
            message: "`diffTests` must be an array".into(),
        })?;
    let mut out = Vec::new();
    for (index, t) in tests.iter().enumerate() {
        let err = |message: String| DiffSuiteError::Test { index, message };
        let obj = t
            .as_object()
            .ok_or_else(|| err("expected an object".into()))?;
        if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(err(format!(
                "unknown key `{k}` (expected one of {})",
                KEYS.join(", ")
            )));
        }
        let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        let check = s("check").unwrap_or_else(|| "diff".into());
        let kind = match s("kind") {
            None => None,
            Some(k) => {
                Some(PolicyType::parse(&k).ok_or_else(|| err(format!("unknown kind `{k}`")))?)
            }
        };
        let expect =
            s("expect").ok_or_else(|| err("missing `expect` (PASS, FAIL or UNKNOWN)".into()))?;
        if !["PASS", "FAIL", "UNKNOWN"].contains(&expect.as_str()) {
            return Err(err(format!(
                "`expect` is `{expect}` (expected PASS, FAIL or UNKNOWN)"
            )));
        }
        let test = DiffTest {
            name: s("name").unwrap_or_else(|| format!("diffTests[{index}]")),
            check: check.clone(),
            kind,
            old: policy_text(t.get("old")),
            new: policy_text(t.get("new")),
            policy: policy_text(t.get("policy")),
            actions: strings(t.get("actions")),
            resources: strings(t.get("resources")),
            expect,
            expect_actions: strings(t.get("expectActions")),
        };
        let needs = match check.as_str() {
            "diff" | "removed" => test.old.is_some() && test.new.is_some(),
            "notGranted" => test.policy.is_some() && !test.actions.is_empty(),
            "noPublicAccess" => test.policy.is_some(),
            other => {
                return Err(err(format!(
                "unknown check `{other}` (expected diff, removed, notGranted or noPublicAccess)"
            )))
            }
        };
        if !needs {
            return Err(err(format!(
                "check `{check}` needs `old` and `new`, or `policy` (and `actions` for notGranted)"
            )));
        }
        out.push(test);
    }
    Ok(out)
}

fn guess(policies: &[&str]) -> PolicyType {
    let named = policies.iter().any(|t| {
        Policy::parse(t)
            .map(|p| p.statements.iter().any(|s| s.principal.is_some()))
            .unwrap_or(false)
    });
    if named {
        PolicyType::Resource
    } else {
        PolicyType::Identity
    }
}

/// Runs one test: `None` when it passes, else why not.
pub fn run(test: &DiffTest) -> Option<String> {
    let old = test.old.as_deref().unwrap_or_default();
    let new = test.new.as_deref().unwrap_or_default();
    let policy = test.policy.as_deref().unwrap_or_default();
    let kind = test.kind.unwrap_or_else(|| match test.check.as_str() {
        "diff" | "removed" => guess(&[old, new]),
        _ => guess(&[policy]),
    });
    let result: Result<Diff, _> = match test.check.as_str() {
        "diff" => diff(old, new, kind),
        "removed" => removed(old, new, kind),
        "notGranted" => check_not_granted(policy, kind, &test.actions, &test.resources),
        _ => check_no_public_access(policy, kind),
    };
    let d = match result {
        Ok(d) => d,
        Err(e) => return Some(format!("error: {e}")),
    };
    if d.verdict.as_str() != test.expect {
        let why = match &d.verdict {
            Verdict::Unknown(u) => format!(" ({u})"),
            Verdict::Fail => d
                .regions
                .first()
                .map(|r| format!(" (witness {})", r.witness))
                .unwrap_or_default(),
            Verdict::Pass => String::new(),
        };
        return Some(format!(
            "expected {}, got {}{why}",
            test.expect,
            d.verdict.as_str()
        ));
    }
    // The reference evaluator agrees with every witness.
    let (allowing, denying) = match test.check.as_str() {
        "diff" => (Some(new), Some(old)),
        "removed" => (Some(old), Some(new)),
        _ => (Some(policy), None),
    };
    let parse = |t: Option<&str>| t.and_then(|t| Policy::parse(t).ok());
    let (allowing, denying) = (parse(allowing), parse(denying));
    for r in &d.regions {
        let Ok(req) = r.witness.request() else {
            return Some(format!("witness {} is not a request", r.witness));
        };
        if let Some(p) = &allowing {
            if reference::decide(&reference_inputs(kind, p), &req).0 != Outcome::Allowed {
                return Some(format!(
                    "the reference evaluator does not allow witness {}",
                    r.witness
                ));
            }
        }
        if let Some(p) = &denying {
            if reference::decide(&reference_inputs(kind, p), &req).0 == Outcome::Allowed {
                return Some(format!(
                    "the reference evaluator allows witness {} under the other policy",
                    r.witness
                ));
            }
        }
    }
    // Each expected action is newly allowed: some region's witness, with that action, is
    // allowed by one policy and not by the other (reference evaluator).
    for a in &test.expect_actions {
        let seen = d.regions.iter().any(|r| {
            let mut w = r.witness.clone();
            w.action = a.clone();
            let Ok(req) = w.request() else { return false };
            let yes = allowing.as_ref().is_some_and(|p| {
                reference::decide(&reference_inputs(kind, p), &req).0 == Outcome::Allowed
            });
            let no = match (&denying, test.check.as_str()) {
                (Some(p), _) => {
                    reference::decide(&reference_inputs(kind, p), &req).0 != Outcome::Allowed
                }
                (None, "notGranted") => test.actions.iter().any(|x| {
                    crate::pattern::Glob::parse(&x.to_ascii_lowercase())
                        .is_match(&a.to_ascii_lowercase())
                }),
                (None, _) => true,
            };
            yes && no
        });
        if !seen {
            return Some(format!("expected `{a}` to be in the reported access"));
        }
    }
    None
}
