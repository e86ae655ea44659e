//! Policy test suites: the format `polcheck test` runs (`shared/spec/policy-tests.md`).
//!
//! A suite states policies (the inputs of AWS's `simulate-custom-policy`) and/or a world, then
//! requests or network flows with the decision each must get. It lives in the core so that
//! every face (CLI, playground, library users) runs suites the same way. Reading a suite never
//! touches the file system: a `world` given as a path is handed back to the caller to load.

mod run;

pub use run::SuiteRun;

use std::collections::BTreeSet;

use crate::compile::NamedPolicy;
use crate::context::{Context, ContextValue};
use crate::decide::Decision;
use crate::decide::{Outcome, PolicyKind};
use crate::inputs::PolicyInputs;
use crate::json::{self, Json, JsonPath, KeyProblem, LineIndex};
use crate::policy::{parse::from_json, Location, PolicyError};
use crate::question::QuestionOptions;
use crate::request::Request;

/// Where a suite's world comes from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WorldSource {
    /// A path relative to the suite file.
    Path(String),
    /// The world object itself, as written in the suite.
    Inline(Json),
}

/// The request of an authorization test.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    /// The caller's ARN; `None` is anonymous.
    pub principal: Option<String>,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// The resource's account, when given.
    pub resource_account: Option<String>,
    /// The context keys as given.
    pub context: Context,
}

/// What a test checks.
#[allow(
    clippy::large_enum_variant,
    reason = "a suite holds tens of tests, built once: the size of the larger variant does not matter"
)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TestKind {
    /// An authorization request and its expected decision.
    Request {
        /// The request.
        request: RequestSpec,
        /// The expected decision.
        expect: Outcome,
        /// The test's own policies, replacing the suite's key by key.
        policies: PolicyInputs,
    },
    /// A network flow (the object as written) and the verdict it must get.
    Flow {
        /// The `flow` object.
        flow: serde_json::Value,
        /// `allowed`, `denied` or `unknown` (a path polcheck cannot follow).
        expect: &'static str,
    },
}

/// One test.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test's name.
    pub name: String,
    /// Where the test stands in the suite.
    pub location: Location,
    /// The request or flow and its expectation.
    pub kind: TestKind,
    /// The expected `blockedBy`, when given.
    pub blocked_by: Option<BTreeSet<String>>,
    /// `"blockedByMatch": "subset"`: `blockedBy` lists some of the blocking kinds, each of
    /// which must block (others may too); by default (`"exact"`) it lists all of them.
    pub blocked_by_subset: bool,
    /// `"accept"`: what the test names on purpose although polcheck does not know it
    /// (`"unknownPrincipal"`: a caller its world does not hold, such as another account's;
    /// `"unknownAction"`: an action the catalogue lacks). Without it such a test fails, as
    /// `polcheck eval` refuses the question without `--allow-unknown-*`.
    pub accept: QuestionOptions,
}

/// A parsed suite.
#[derive(Debug, Clone)]
pub struct Suite {
    /// `description`.
    pub description: Option<String>,
    /// `world`, when given.
    pub world: Option<WorldSource>,
    /// `policies`.
    pub policies: PolicyInputs,
    /// `tests`.
    pub tests: Vec<TestCase>,
    /// Line table of the suite text (for inline worlds).
    pub lines: LineIndex,
}

/// A suite that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    /// Not JSON.
    #[error("{position}: invalid JSON: {message}")]
    Syntax {
        /// What is wrong.
        message: String,
        /// Where.
        position: json::Position,
    },
    /// A key of the wrong shape, unknown or missing.
    #[error("{location}: {message}")]
    Shape {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A policy in the suite that does not parse.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl Suite {
    /// Reads a suite from its text.
    pub fn parse(text: &str) -> Result<Suite, SuiteError> {
        let doc = json::parse(text).map_err(|e| SuiteError::Syntax {
            message: e.message,
            position: e.position,
        })?;
        let r = Reader {
            lines: doc.line_index(),
        };
        let root = &doc.root;
        let top = JsonPath::root();
        r.keys(root, &top, &["description", "world", "policies", "tests"])?;
        let description = match root.get("description") {
            Some(d) => Some(r.string(d, &top.key("description"))?.to_string()),
            None => None,
        };
        let world = match root.get("world") {
            None => None,
            Some(w) if w.as_str().is_some() => Some(WorldSource::Path(
                w.as_str().unwrap_or_default().to_string(),
            )),
            Some(w) if w.members().is_some() => Some(WorldSource::Inline(w.clone())),
            Some(w) => {
                return Err(r.shape(
                    w,
                    &top.key("world"),
                    format!("expected a path or a world object, found {}", w.type_name()),
                ))
            }
        };
        let policies = match root.get("policies") {
            Some(p) => r.policies(p, &top.key("policies"))?,
            None => PolicyInputs::default(),
        };
        let Some(tests_node) = root.get("tests") else {
            return Err(r.shape(root, &top, "missing `tests`".into()));
        };
        let Some(items) = tests_node.as_array() else {
            return Err(r.shape(
                tests_node,
                &top.key("tests"),
                format!("expected an array, found {}", tests_node.type_name()),
            ));
        };
        let tests = items
            .iter()
            .enumerate()
            .map(|(i, t)| r.test(t, &top.key("tests").index(i)))
            .collect::<Result<_, _>>()?;
        Ok(Suite {
            description,
            world,
            policies,
            tests,
            lines: doc.line_index().clone(),
        })
    }
}

impl RequestSpec {
    /// Reads one request object, in the shape of a test's `request` (one line of the batch
    /// input of `polcheck eval --requests`).
    pub fn parse(text: &str) -> Result<RequestSpec, SuiteError> {
        let doc = json::parse(text).map_err(|e| SuiteError::Syntax {
            message: e.message,
            position: e.position,
        })?;
        Reader {
            lines: doc.line_index(),
        }
        .request(&doc.root, &JsonPath::root())
    }
}

struct Reader<'a> {
    lines: &'a LineIndex,
}

impl Reader<'_> {
    fn shape(&self, node: &Json, path: &JsonPath, message: String) -> SuiteError {
        SuiteError::Shape {
            location: Location {
                path: path.clone(),
                position: self.lines.position(node.span.start),
                inner: None,
            },
            message,
        }
    }

    fn keys(&self, node: &Json, path: &JsonPath, allowed: &[&str]) -> Result<(), SuiteError> {
        let Some(members) = node.members() else {
            return Err(self.shape(
                node,
                path,
                format!("expected an object, found {}", node.type_name()),
            ));
        };
        let (m, message) = match json::check_keys(members, allowed) {
            None => return Ok(()),
            Some(KeyProblem::Duplicate(m)) => (m, format!("duplicate key `{}`", m.key)),
            Some(KeyProblem::Unknown(m)) => {
                let list: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
                (
                    m,
                    format!(
                        "unknown key `{}` (expected one of {})",
                        m.key,
                        list.join(", ")
                    ),
                )
            }
        };
        Err(SuiteError::Shape {
            location: Location {
                path: path.key(&m.key),
                position: self.lines.position(m.key_span.start),
                inner: None,
            },
            message,
        })
    }

    /// A test's `accept` array: `"unknownPrincipal"`, `"unknownAction"`.
    fn accept(&self, node: &Json, path: &JsonPath) -> Result<QuestionOptions, SuiteError> {
        let items = node
            .as_array()
            .ok_or_else(|| self.shape(node, path, "expected an array of strings".into()))?;
        let mut out = QuestionOptions::default();
        for (i, it) in items.iter().enumerate() {
            match self.string(it, &path.index(i))? {
                "unknownPrincipal" => out.allow_unknown_principals = true,
                "unknownAction" => out.allow_unknown_actions = true,
                other => {
                    return Err(self.shape(
                        it,
                        &path.index(i),
                        format!(
                            "unknown `accept` value `{other}` (expected `unknownPrincipal` or `unknownAction`)"
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }

    fn string<'n>(&self, node: &'n Json, path: &JsonPath) -> Result<&'n str, SuiteError> {
        node.as_str().ok_or_else(|| {
            self.shape(
                node,
                path,
                format!("expected a string, found {}", node.type_name()),
            )
        })
    }

    fn policy(&self, node: &Json, path: &JsonPath) -> Result<NamedPolicy, SuiteError> {
        Ok(NamedPolicy::new(
            path.to_string(),
            from_json(node, self.lines, path)?,
        ))
    }

    fn policy_list(&self, node: &Json, path: &JsonPath) -> Result<Vec<NamedPolicy>, SuiteError> {
        let items = node.as_array().ok_or_else(|| {
            self.shape(
                node,
                path,
                format!("expected an array of policies, found {}", node.type_name()),
            )
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, p)| self.policy(p, &path.index(i)))
            .collect()
    }

    fn levels(&self, node: &Json, path: &JsonPath) -> Result<Vec<Vec<NamedPolicy>>, SuiteError> {
        let items = node.as_array().ok_or_else(|| {
            self.shape(
                node,
                path,
                format!("expected an array of levels, found {}", node.type_name()),
            )
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, l)| self.policy_list(l, &path.index(i)))
            .collect()
    }

    fn policies(&self, node: &Json, path: &JsonPath) -> Result<PolicyInputs, SuiteError> {
        self.keys(
            node,
            path,
            &["identity", "resource", "boundary", "session", "scp", "rcp"],
        )?;
        let mut out = PolicyInputs::default();
        for m in node.members().unwrap_or_default() {
            let p = path.key(&m.key);
            match m.key.as_str() {
                "identity" => out.identity = Some(self.policy_list(&m.value, &p)?),
                "resource" => out.resource = Some(self.policy(&m.value, &p)?),
                "boundary" => out.boundary = Some(self.policy(&m.value, &p)?),
                "session" => out.session = Some(self.policy(&m.value, &p)?),
                "scp" => out.scp = Some(self.levels(&m.value, &p)?),
                _ => out.rcp = Some(self.levels(&m.value, &p)?),
            }
        }
        // IAM refuses a statement without `Resource` in all of these (a resource policy may
        // be a role's trust policy, which has none).
        let whats = [
            (
                out.identity.iter().flatten().collect::<Vec<_>>(),
                "an identity-based policy",
            ),
            (out.boundary.iter().collect(), "a permissions boundary"),
            (out.session.iter().collect(), "a session policy"),
            (out.scp.iter().flatten().flatten().collect(), "an SCP"),
            (out.rcp.iter().flatten().flatten().collect(), "an RCP"),
        ];
        for (policies, what) in whats {
            for np in policies {
                if let Err(e) = crate::question::check_resource_elements(np.policy(), what) {
                    return Err(SuiteError::Shape {
                        location: Location {
                            // A suite's policy is named by its JSON path.
                            path: JsonPath::root()
                                .key(&np.name)
                                .key("Statement")
                                .index(e.index),
                            position: e.start,
                            inner: None,
                        },
                        message: e.to_string(),
                    });
                }
            }
        }
        Ok(out)
    }

    fn test(&self, node: &Json, path: &JsonPath) -> Result<TestCase, SuiteError> {
        self.keys(
            node,
            path,
            &[
                "name",
                "request",
                "flow",
                "expect",
                "blockedBy",
                "blockedByMatch",
                "policies",
                "accept",
            ],
        )?;
        let name = match node.get("name") {
            Some(n) => self.string(n, &path.key("name"))?.to_string(),
            None => path.to_string(),
        };
        let location = Location {
            path: path.clone(),
            position: self.lines.position(node.span.start),
            inner: None,
        };
        let Some(expect_node) = node.get("expect") else {
            return Err(self.shape(node, path, "missing `expect`".into()));
        };
        let expect = self.string(expect_node, &path.key("expect"))?;
        let blocked_by = match node.get("blockedBy") {
            None => None,
            Some(b) => {
                let items = b.as_array().ok_or_else(|| {
                    self.shape(
                        b,
                        &path.key("blockedBy"),
                        "expected an array of strings".into(),
                    )
                })?;
                let mut set = BTreeSet::new();
                for (i, it) in items.iter().enumerate() {
                    set.insert(
                        self.string(it, &path.key("blockedBy").index(i))?
                            .to_string(),
                    );
                }
                Some(set)
            }
        };
        let blocked_by_subset = match node.get("blockedByMatch") {
            None => false,
            Some(m) => match self.string(m, &path.key("blockedByMatch"))? {
                "exact" => false,
                "subset" => true,
                other => {
                    return Err(self.shape(
                        m,
                        &path.key("blockedByMatch"),
                        format!("unknown match `{other}` (expected `exact` or `subset`)"),
                    ))
                }
            },
        };
        if blocked_by_subset && blocked_by.is_none() {
            return Err(self.shape(
                node,
                &path.key("blockedByMatch"),
                "`blockedByMatch` needs `blockedBy`".into(),
            ));
        }
        let accept = match node.get("accept") {
            None => QuestionOptions::default(),
            Some(a) => self.accept(a, &path.key("accept"))?,
        };
        let kind = match (node.get("request"), node.get("flow")) {
            (Some(req), None) => {
                let Some(expect) = Outcome::parse(expect) else {
                    return Err(self.shape(expect_node, &path.key("expect"), format!("unknown decision `{expect}` (expected `allowed`, `explicitDeny`, `implicitDeny` or `unknown`)")));
                };
                if let Some(kinds) = &blocked_by {
                    if let Some(bad) = kinds.iter().find(|k| PolicyKind::parse(k).is_none()) {
                        return Err(self.shape(
                            node,
                            &path.key("blockedBy"),
                            format!("unknown policy kind `{bad}`"),
                        ));
                    }
                }
                let policies = match node.get("policies") {
                    Some(p) => self.policies(p, &path.key("policies"))?,
                    None => PolicyInputs::default(),
                };
                TestKind::Request {
                    request: self.request(req, &path.key("request"))?,
                    expect,
                    policies,
                }
            }
            (None, Some(flow)) => {
                let expect = match expect {
                    "allowed" => "allowed",
                    "denied" => "denied",
                    "unknown" => "unknown",
                    other => {
                        return Err(self.shape(
                            expect_node,
                            &path.key("expect"),
                            format!(
                            "unknown verdict `{other}` (expected `allowed`, `denied` or `unknown`)"
                        ),
                        ))
                    }
                };
                TestKind::Flow {
                    flow: flow.to_serde(),
                    expect,
                }
            }
            (Some(_), Some(_)) => {
                return Err(self.shape(
                    node,
                    path,
                    "a test has either `request` or `flow`, not both".into(),
                ))
            }
            (None, None) => {
                return Err(self.shape(node, path, "missing `request` or `flow`".into()))
            }
        };
        Ok(TestCase {
            name,
            location,
            kind,
            blocked_by,
            blocked_by_subset,
            accept,
        })
    }

    fn request(&self, node: &Json, path: &JsonPath) -> Result<RequestSpec, SuiteError> {
        self.keys(
            node,
            path,
            &[
                "principal",
                "action",
                "resource",
                "resourceAccount",
                "context",
            ],
        )?;
        let opt = |k: &str| -> Result<Option<String>, SuiteError> {
            node.get(k)
                .map(|v| self.string(v, &path.key(k)).map(str::to_string))
                .transpose()
        };
        let action =
            opt("action")?.ok_or_else(|| self.shape(node, path, "missing `action`".into()))?;
        let mut context = Context::new();
        if let Some(c) = node.get("context") {
            let cp = path.key("context");
            let Some(members) = c.members() else {
                return Err(self.shape(
                    c,
                    &cp,
                    format!("expected an object, found {}", c.type_name()),
                ));
            };
            for m in members {
                let value = ContextValue::from_json(&m.value.to_serde()).ok_or_else(|| {
                    self.shape(
                        &m.value,
                        &cp.key(&m.key),
                        "expected a string, number or boolean, or an array of them".into(),
                    )
                })?;
                context.insert(&m.key, value);
            }
        }
        Ok(RequestSpec {
            principal: opt("principal")?,
            action,
            resource: opt("resource")?.unwrap_or_else(|| "*".into()),
            resource_account: opt("resourceAccount")?,
            context,
        })
    }
}

/// What one test gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The decision or verdict, as the suite writes it.
    pub got: String,
    /// The blocking kinds found.
    pub blocked_by: BTreeSet<String>,
    /// The statements that decided, one line each (`Deny `Sid` in policies.identity[0] at
    /// 3:5`): the Denies of an explicit deny, else the Allows that applied.
    pub deciding: Vec<String>,
}

/// The verdict on one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// `None` when it passed, else why not.
    pub failure: Option<String>,
    /// What it got (`allowed`, `denied`, ...), unless the test could not be run.
    pub got: Option<String>,
    /// The blocking kinds it got.
    pub blocked_by: BTreeSet<String>,
    /// The deciding statements ([`TestOutcome::deciding`]).
    pub deciding: Vec<String>,
    /// What the question names that the CLI would refuse (a caller the world does not hold, a
    /// resource of no type the action takes, a context value not of its key's type), when the
    /// run accepted it ([`SuiteRun::strict`] off).
    pub warnings: Vec<String>,
}

/// Compares what a test expected with what it got.
pub fn judge(test: &TestCase, got: Result<TestOutcome, String>) -> TestResult {
    let expected = match &test.kind {
        TestKind::Request { expect, .. } => expect.as_str().to_string(),
        TestKind::Flow { expect, .. } => (*expect).to_string(),
    };
    let deciding = |o: &TestOutcome| {
        if o.deciding.is_empty() {
            String::new()
        } else {
            format!("; deciding: {}", o.deciding.join("; "))
        }
    };
    let failure = match &got {
        Err(e) => Some(format!("expected {expected}, got an error: {e}")),
        Ok(o) if o.got != expected => Some(format!(
            "expected {expected}, got {}{}{}",
            o.got,
            if o.blocked_by.is_empty() {
                String::new()
            } else {
                format!(" (blocked by {})", join(&o.blocked_by))
            },
            deciding(o)
        )),
        Ok(o) => match &test.blocked_by {
            Some(want) if test.blocked_by_subset && !want.is_subset(&o.blocked_by) => {
                Some(format!(
                    "expected {expected} blocked by at least [{}], got blocked by [{}]{}",
                    join(want),
                    join(&o.blocked_by),
                    deciding(o)
                ))
            }
            Some(want) if !test.blocked_by_subset && *want != o.blocked_by => Some(format!(
                "expected {expected} blocked by [{}], got blocked by [{}]{}",
                join(want),
                join(&o.blocked_by),
                deciding(o)
            )),
            _ => None,
        },
    };
    let (got, blocked_by, deciding) = match got {
        Ok(o) => (Some(o.got), o.blocked_by, o.deciding),
        Err(_) => (None, BTreeSet::new(), Vec::new()),
    };
    TestResult {
        name: test.name.clone(),
        failure,
        got,
        blocked_by,
        deciding,
        warnings: Vec::new(),
    }
}

fn join(s: &BTreeSet<String>) -> String {
    s.iter().cloned().collect::<Vec<_>>().join(", ")
}

impl RequestSpec {
    /// The request, with the keys its caller always carries.
    pub fn to_request(&self) -> Result<Request, crate::request::RequestError> {
        let mut r = Request::new(
            self.principal.as_deref(),
            &self.action,
            &self.resource,
            self.context.clone(),
        )?;
        r.set_resource_account(self.resource_account.clone());
        Ok(r)
    }
}

/// What a decision looks like to a test: the decision and, for a deny, the blocking kinds.
pub fn outcome_of(d: &Decision) -> TestOutcome {
    let want = if d.outcome == Outcome::ExplicitDeny {
        crate::policy::Effect::Deny
    } else {
        crate::policy::Effect::Allow
    };
    TestOutcome {
        got: d.outcome.as_str().to_string(),
        blocked_by: d
            .blocked_by
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        deciding: d
            .matched
            .iter()
            .filter(|m| m.effect == want)
            .map(|m| {
                let sid = m
                    .sid
                    .as_deref()
                    .map(|s| format!(" `{s}`"))
                    .unwrap_or_default();
                format!(
                    "{:?}{sid} in {} ({}) at {}",
                    m.effect, m.policy, m.kind, m.start
                )
            })
            .collect(),
    }
}
