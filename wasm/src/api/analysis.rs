//! The checks and analyses the CLI has beside `eval`, for the page: the question check as you
//! type (`checkRequest`), `validate`'s findings (`validateFindings`), `diff` of an edit
//! (`diffPolicies`) and access paths (`accessPaths`), each through the same core function the
//! CLI command calls, so the page and `polcheck` cannot disagree.
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::rc::Rc;

use polcheck_core::analysis::{self, PolicyType as DiffKind};
use polcheck_core::paths::{Graph, Options as PathOptions, PathReport, Target};
use polcheck_core::policy::Policy;
use polcheck_core::validate::{validate_text, Options as ValidateOptions, PolicyType};
use polcheck_core::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::world::{environment, WorldFile};
use super::{checked_request, unplaced, OptionsInput, RequestInput};

fn failed(e: Value) -> Value {
    json!({ "ok": false, "errors": [e] })
}

fn bad_input(e: impl std::fmt::Display) -> Value {
    failed(unplaced("input", e.to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInput {
    /// Absent: no world (the question is checked against the catalogue only). `true`: the
    /// demo world. Files: that world.
    #[serde(default)]
    world: Option<WorldChoice>,
    request: RequestInput,
    #[serde(default)]
    options: OptionsInput,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum WorldChoice {
    Demo(bool),
    Files(Vec<WorldFile>),
}

/// `checkRequest({world?, request, options?})`: the request checked as `polcheck eval` checks
/// it before answering: its form (`Request::new`), then `question::check` (an action the
/// catalogue lacks, a caller the world does not hold, a resource of no type the action takes,
/// a context value not of its key's type), each with the did-you-mean the CLI prints.
/// `{ok: true}` or `{ok: false, errors: [{source: "request.action", message, suggestion}]}`.
pub fn check_request(input: Value) -> Value {
    let input: CheckInput = match serde_json::from_value(input) {
        Ok(i) => i,
        Err(e) => return bad_input(e),
    };
    let env = match &input.world {
        None | Some(WorldChoice::Demo(false)) => None,
        Some(WorldChoice::Demo(true)) => match environment(None) {
            Ok(env) => Some(env),
            Err(e) => return failed(e),
        },
        Some(WorldChoice::Files(files)) => match environment(Some(files)) {
            Ok(env) => Some(env),
            Err(e) => return failed(e),
        },
    };
    let world = env.as_deref().and_then(Engine::world);
    match checked_request(&input.request, world, input.options) {
        Ok(_) => json!({ "ok": true }),
        Err(e) => failed(e),
    }
}

/// The validate policy type of a page's kind (`identity`, `resource`, `trust`, `boundary`,
/// `session`, `scp`, `rcp`); anything else is inferred from the document.
fn policy_type(kind: Option<&str>) -> Option<PolicyType> {
    PolicyType::ALL
        .into_iter()
        .find(|t| Some(t.as_str()) == kind.map(str::trim))
}

/// `validateFindings(text, kind?)`: every finding of `polcheck validate --policy-type KIND` on
/// the text (grammar errors included, `refused: true`), in document order: `{ok: true,
/// findings: [{code, severity, path, line, column, message, suggestion, fix, refused}]}`.
pub fn validate_findings(text: &str, kind: Option<&str>) -> Value {
    let options = ValidateOptions {
        policy_type: policy_type(kind),
        ..ValidateOptions::default()
    };
    json!({ "ok": true, "findings": validate_text(text, &options) })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffInput {
    old: String,
    new: String,
    kind: Option<String>,
    #[serde(default)]
    removed: bool,
}

/// `diffPolicies({old, new, kind?, removed?})`: `polcheck diff OLD NEW [--kind K] [--removed]
/// --format json` (`core::analysis::diff`): `{ok: true, result: "PASS" | "FAIL" | "UNKNOWN",
/// newAccess | removedAccess: [{actions, exampleActions, resources, principals, conditions,
/// statements, witness}], unknown?, omitted?}`.
pub fn diff_policies(input: Value) -> Value {
    let input: DiffInput = match serde_json::from_value(input) {
        Ok(i) => i,
        Err(e) => return bad_input(e),
    };
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") => guess_kind(&input.old, &input.new),
        Some(k) => match DiffKind::parse(k) {
            Some(kind) => kind,
            None => {
                return failed(unplaced(
                    "kind",
                    format!(
                    "unknown kind `{k}` (expected identity, resource, trust, scp, rcp or boundary)"
                ),
                ))
            }
        },
    };
    let result = if input.removed {
        analysis::removed(&input.old, &input.new, kind)
    } else {
        analysis::diff(&input.old, &input.new, kind)
    };
    match result {
        Ok(d) => {
            let mut v = d.to_json(if input.removed {
                "removedAccess"
            } else {
                "newAccess"
            });
            v["ok"] = json!(true);
            v["kind"] = json!(kind.name());
            v
        }
        Err(e) => failed(analysis_error(&e)),
    }
}

/// A policy that does not parse names OLD or NEW and its place; other errors have none.
fn analysis_error(e: &analysis::AnalysisError) -> Value {
    match e {
        analysis::AnalysisError::Policy { which, error } => {
            super::located(Some(which), &error.location, error.kind.to_string())
        }
        other => unplaced("diff", other.to_string()),
    }
}

/// As `polcheck diff` guesses: `resource` when a statement names a Principal, else `identity`.
fn guess_kind(old: &str, new: &str) -> DiffKind {
    let names_principal = [old, new].iter().any(|t| {
        Policy::parse(t).is_ok_and(|p| p.statements.iter().any(|s| s.principal.is_some()))
    });
    if names_principal {
        DiffKind::Resource
    } else {
        DiffKind::Identity
    }
}

thread_local! {
    /// The principal graph of the last world asked about, with that world's engine.
    static GRAPH: RefCell<Option<(Rc<Engine>, Rc<Graph>)>> = const { RefCell::new(None) };
}

/// The graph of a world, built once per world.
fn graph(env: &Rc<Engine>) -> Result<Rc<Graph>, Value> {
    let kept = GRAPH.with(|g| match &*g.borrow() {
        Some((e, graph)) if Rc::ptr_eq(e, env) => Some(graph.clone()),
        _ => None,
    });
    if let Some(g) = kept {
        return Ok(g);
    }
    let built = Rc::new(
        Graph::build(env, &PathOptions::default()).map_err(|e| unplaced("world", e.to_string()))?,
    );
    GRAPH.with(|g| *g.borrow_mut() = Some((env.clone(), built.clone())));
    Ok(built)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PathsInput {
    world: Option<Vec<WorldFile>>,
    /// The principal to start from (ARN or unique name); absent: only the graph.
    from: Option<String>,
    /// A principal (ARN or name) or `admin`; absent with no `action`: `admin`.
    to: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    /// Every simple path up to `maxHops` (at most `limit`), not only the shortest.
    #[serde(default)]
    all: bool,
    max_hops: Option<usize>,
    limit: Option<usize>,
    /// `false`: leave the graph's `nodes` and `edges` out of the answer (a query on a graph
    /// the page already holds: on a large estate they are most of the answer's size).
    #[serde(default = "yes")]
    graph: bool,
    /// An edge index (into `edges`): its hop explained, each step with its deciding
    /// statements (`hop`), as the Paths tab shows it on hover.
    edge: Option<usize>,
}

fn yes() -> bool {
    true
}

fn find(graph: &Graph, field: &str, name: &str) -> Result<usize, Value> {
    graph.find(name.trim()).ok_or_else(|| {
        unplaced(
            field,
            format!("`{name}`: no user or role of the world has this ARN or name (or the name is not unique: give the ARN)"),
        )
    })
}

/// `accessPaths({world?, from?, to?, action?, resource?, all?, maxHops?, limit?, graph?, edge?})`:
/// the principal graph of the world (`nodes: [{arn, name, kind, account, admin}]`, `edges:
/// [{from, to, method, elevates, conditional}]`, indexes into `nodes`; left out with `graph:
/// false`) and, with `from`, the paths
/// `polcheck paths --from F [--to T | --action A --resource R] [--all] --format json` prints
/// (`Paths`, each also as `nodes`/`edges` indexes: `route`); with `edge: K`, that edge's hop
/// explained (`hop`: `{from, to, method, steps: [{action, resource, decision, allowedBy}]}`).
pub fn access_paths(input: Value) -> Value {
    let input: PathsInput = if input.is_null() {
        PathsInput {
            graph: true,
            ..PathsInput::default()
        }
    } else {
        match serde_json::from_value(input) {
            Ok(i) => i,
            Err(e) => return bad_input(e),
        }
    };
    let env = match environment(input.world.as_deref()) {
        Ok(env) => env,
        Err(e) => return failed(e),
    };
    let graph = match graph(&env) {
        Ok(g) => g,
        Err(e) => return failed(e),
    };
    let mut out = json!({ "ok": true });
    if input.graph {
        out["nodes"] = json!(graph
            .nodes()
            .iter()
            .map(|n| {
                json!({
                    "arn": n.arn, "name": n.name, "kind": n.kind, "account": n.account,
                    "admin": n.admin.is_some(),
                })
            })
            .collect::<Vec<_>>());
        out["edges"] = json!(graph
            .edges()
            .iter()
            .map(|e| {
                json!({
                    "from": e.from, "to": e.to, "method": e.method.id, "elevates": e.elevates,
                    "conditional": e.is_conditional(),
                })
            })
            .collect::<Vec<_>>());
    }
    if let Some(k) = input.edge {
        match graph.explain_edge(&env, k) {
            Some(hop) => out["hop"] = json!(hop),
            None => {
                return failed(unplaced(
                    "edge",
                    format!(
                        "{k}: the graph has {} edges (indexes 0 to {})",
                        graph.edges().len(),
                        graph.edges().len().saturating_sub(1)
                    ),
                ))
            }
        }
    }
    let Some(from) = input.from.as_deref().filter(|f| !f.trim().is_empty()) else {
        return out;
    };
    let from = match find(&graph, "from", from) {
        Ok(i) => i,
        Err(e) => return failed(e),
    };
    let target = match (input.to.as_deref().map(str::trim), input.action.as_deref()) {
        (Some(t), Some(a)) if !t.is_empty() && !a.trim().is_empty() => {
            return failed(unplaced("to", "give `to` or `action`, not both".into()))
        }
        (_, Some(a)) if a.contains(':') => Target::Action {
            action: a.trim().to_string(),
            resource: input
                .resource
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .unwrap_or("*")
                .to_string(),
        },
        (_, Some(a)) if !a.trim().is_empty() => {
            return failed(unplaced(
                "action",
                format!("`{a}`: expected `service:Action`"),
            ))
        }
        (None | Some("" | "admin"), _) => Target::Admin,
        (Some(t), _) => match find(&graph, "to", t) {
            Ok(j) => Target::Principal(j),
            Err(e) => return failed(e),
        },
    };
    let found = if input.all {
        graph.all_paths(
            &env,
            from,
            &target,
            input.max_hops.unwrap_or(6),
            input.limit.unwrap_or(100),
        )
    } else {
        graph.shortest(&env, from, &target).into_iter().collect()
    };
    let reports: Vec<PathReport> = found.iter().map(|p| graph.report(&env, p)).collect();
    out["from"] = json!(from);
    out["Paths"] = json!(reports);
    out["routes"] = json!(found
        .iter()
        .map(|p| json!({ "from": p.from, "end": p.end, "edges": p.edges, "elevated": p.elevated }))
        .collect::<Vec<_>>());
    out
}
