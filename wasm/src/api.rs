//! The playground's API on plain JSON values, without wasm-bindgen: what `lib.rs` exports to
//! JavaScript, testable natively.
//!
//! Conventions shared by every function (those on worlds and flows are in `api/world.rs`): the
//! answer is one JSON object with `ok`; a problem in the input
//! is a value `{ok: false, error | errors}` naming the place (`source`, `path`, `line`,
//! `column`), never a panic.
#![forbid(unsafe_code)]

use polcheck_core::catalogue::Catalogue;
use polcheck_core::compile::NamedPolicy;
use polcheck_core::decide::{aws_results, Decision, InputIds};
use polcheck_core::inputs::PolicyInputs;
use polcheck_core::json::Document;
use polcheck_core::json::Position;
use polcheck_core::policy::{Location, Policy, PolicyError};
use polcheck_core::principal::Principal;
use polcheck_core::question::{self, QuestionError, QuestionOptions};
use polcheck_core::suite::{Suite, SuiteError, SuiteRun, WorldSource};
use polcheck_core::world::World;
use polcheck_core::Engine;
use polcheck_core::{Context, ContextValue};
use polcheck_core::{Request, RequestError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// A policy as the caller gives it: its text, or its text with a name.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PolicyText {
    Text(String),
    Named { name: String, text: String },
}

/// The policies of a question, by kind; absent kinds are not modelled.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoliciesInput {
    identity: Option<Vec<PolicyText>>,
    resource: Option<PolicyText>,
    boundary: Option<PolicyText>,
    session: Option<PolicyText>,
    /// Levels from the organization root down, each a list of policies.
    scp: Option<Vec<Vec<PolicyText>>>,
    rcp: Option<Vec<Vec<PolicyText>>>,
}

/// The request, in the shape of a suite's `request`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RequestInput {
    /// Absent or empty: the unnamed caller of `simulate-custom-policy` (as `polcheck eval`
    /// without `--principal`), or an anonymous one with `anonymous: true` (`--anonymous`).
    principal: Option<String>,
    #[serde(default)]
    anonymous: bool,
    action: String,
    resource: Option<String>,
    resource_account: Option<String>,
    #[serde(default)]
    context: Map<String, Value>,
}

/// What a question may name on purpose although polcheck does not know it: the CLI's
/// `--allow-unknown-action` and `--allow-unknown-principal`.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OptionsInput {
    #[serde(default)]
    allow_unknown_action: bool,
    #[serde(default)]
    allow_unknown_principal: bool,
}

impl OptionsInput {
    fn question(self) -> QuestionOptions {
        QuestionOptions {
            allow_unknown_actions: self.allow_unknown_action,
            allow_unknown_principals: self.allow_unknown_principal,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateInput {
    #[serde(default)]
    policies: PoliciesInput,
    request: RequestInput,
    #[serde(default)]
    options: OptionsInput,
}

fn pos(p: Position) -> Value {
    json!({ "line": p.line, "column": p.column })
}

/// `{source, path, line, column, message, inner?}` for an error at a place in a document.
fn located(source: Option<&str>, location: &Location, message: String) -> Value {
    let mut e = json!({
        "path": location.path.to_string(),
        "line": location.position.line,
        "column": location.position.column,
        "message": message,
    });
    if let Some(s) = source {
        e["source"] = json!(s);
    }
    if let Some(inner) = location.inner {
        e["inner"] = pos(inner);
    }
    e
}

fn policy_error(source: Option<&str>, e: &PolicyError) -> Value {
    located(source, &e.location, e.kind.to_string())
}

/// An error with no place in a policy (the request, the input's shape).
fn unplaced(source: &str, message: String) -> Value {
    json!({ "source": source, "path": Value::Null, "line": Value::Null, "column": Value::Null, "message": message })
}

/// Parses every policy of the input, naming each by its kind and place unless named.
struct Loader {
    errors: Vec<Value>,
}

impl Loader {
    fn one(&mut self, p: &PolicyText, default_name: String) -> Option<NamedPolicy> {
        let (name, text) = match p {
            PolicyText::Text(t) => (default_name, t),
            PolicyText::Named { name, text } => (name.clone(), text),
        };
        match Policy::parse(text) {
            Ok(policy) => Some(NamedPolicy::new(name, policy)),
            Err(e) => {
                self.errors.push(policy_error(Some(&name), &e));
                None
            }
        }
    }

    fn list(&mut self, ps: &[PolicyText], prefix: &str) -> Vec<NamedPolicy> {
        ps.iter()
            .enumerate()
            .filter_map(|(i, p)| self.one(p, format!("{prefix}[{i}]")))
            .collect()
    }

    fn levels(&mut self, levels: &[Vec<PolicyText>], prefix: &str) -> Vec<Vec<NamedPolicy>> {
        levels
            .iter()
            .enumerate()
            .map(|(i, l)| self.list(l, &format!("{prefix}[{i}]")))
            .collect()
    }

    fn inputs(&mut self, p: &PoliciesInput) -> PolicyInputs {
        PolicyInputs {
            identity: p.identity.as_ref().map(|l| self.list(l, "identity")),
            resource: p
                .resource
                .as_ref()
                .and_then(|r| self.one(r, "resource".into())),
            boundary: p
                .boundary
                .as_ref()
                .and_then(|r| self.one(r, "boundary".into())),
            session: p
                .session
                .as_ref()
                .and_then(|r| self.one(r, "session".into())),
            scp: p.scp.as_ref().map(|l| self.levels(l, "scp")),
            rcp: p.rcp.as_ref().map(|l| self.levels(l, "rcp")),
        }
    }
}

fn context(map: &Map<String, Value>) -> Result<Context, Value> {
    let mut ctx = Context::new();
    for (k, v) in map {
        let value = ContextValue::from_json(v).ok_or_else(|| {
            unplaced(
                "request.context",
                format!("`{k}`: expected a string, number or boolean, or an array of them"),
            )
        })?;
        ctx.insert(k, value);
    }
    Ok(ctx)
}

fn request(r: &RequestInput) -> Result<Request, Value> {
    // The caller as `polcheck eval` reads `--principal` / `--anonymous` / neither.
    let caller = match (
        r.principal.as_deref().filter(|p| !p.trim().is_empty()),
        r.anonymous,
    ) {
        (Some(p), _) => {
            Principal::parse(Some(p)).map_err(|e| unplaced("request.principal", e.to_string()))?
        }
        (None, true) => Principal::Anonymous,
        (None, false) => Principal::Unnamed,
    };
    let mut req = Request::for_principal(
        caller,
        &r.action,
        r.resource.as_deref().unwrap_or("*"),
        context(&r.context)?,
    )
    .map_err(|e| {
        let source = match e {
            RequestError::Action(_) | RequestError::ActionPattern(_) => "request.action",
            RequestError::Resource { .. } => "request.resource",
            _ => "request.principal",
        };
        unplaced(source, e.to_string())
    })?;
    req.set_resource_account(r.resource_account.clone().filter(|a| !a.is_empty()));
    Ok(req)
}

/// A question naming what does not exist, as an error value: the field it is about, the
/// message `polcheck eval` prints after the flag's name, and the did-you-mean on its own.
fn question_error(e: &QuestionError) -> Value {
    let (source, suggestion) = match e {
        QuestionError::UnknownAction { suggestion, .. } => ("request.action", suggestion.clone()),
        QuestionError::UnknownPrincipal { suggestion, .. } => {
            ("request.principal", suggestion.clone())
        }
        QuestionError::ResourceType { .. } => ("request.resource", None),
        _ => ("request.context", None),
    };
    let mut v = unplaced(source, e.to_string());
    v["suggestion"] = json!(suggestion);
    v
}

/// The request of a question, checked as `polcheck eval` checks it (`question::check`: the
/// action against the catalogue, the caller against the world, the resource's type, the
/// context values' types).
fn checked_request(
    r: &RequestInput,
    world: Option<&World>,
    options: OptionsInput,
) -> Result<Request, Value> {
    let req = request(r)?;
    question::check(&req, world, options.question()).map_err(|e| question_error(&e))?;
    Ok(req)
}

/// The `EvaluationResults` entry `polcheck eval --format json` prints for one request: AWS's
/// shape with the caller's policies named as AWS names them (`PolicyInputList.N`), whether
/// the caller reaches the resource across accounts (`EvalDecisionDetails`), and
/// `polcheck.ifContext` (the key values that would change the answer).
fn aws_entry(engine: &Engine, req: &Request, d: &Decision, inputs: &PolicyInputs) -> Value {
    let ids = InputIds::new(
        inputs.identity.iter().flatten().map(|p| &*p.name),
        inputs.boundary.as_ref().map(|p| &*p.name),
        inputs.resource.as_ref().map(|p| &*p.name),
    );
    // As the CLI decides it: the world knows whose the resource is.
    let mut known = req.clone();
    engine.prepare(&mut known);
    let cross = known.principal().account().is_some()
        && known.principal().account() != known.effective_resource_account()
        && known.effective_resource_account() != Some("aws");
    let mut entry = aws_results(req.action(), &[(req.resource(), d)], &ids, &|_| cross);
    if let Some(p) = entry.get_mut("polcheck").and_then(Value::as_object_mut) {
        p.insert(
            "ifContext".into(),
            json!(question::if_context(engine, req, d)),
        );
    }
    entry
}

/// The decision, in AWS's shape (`EvaluationResults`, one entry) and flattened for pages.
fn decision_json(engine: &Engine, req: &Request, d: &Decision, inputs: &PolicyInputs) -> Value {
    json!({
        "ok": true,
        "decision": d.outcome.as_str(),
        "blockedBy": d.blocked_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "allowedBy": d.allowed_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "matched": d.matched.iter().map(|m| json!({
            "policy": m.policy,
            "kind": m.kind.as_str(),
            "level": m.level,
            "statement": m.statement,
            "sid": m.sid,
            "effect": match m.effect { polcheck_core::policy::Effect::Allow => "Allow", _ => "Deny" },
            "start": pos(m.start),
            "end": pos(m.end),
        })).collect::<Vec<_>>(),
        "missingContext": d.missing_context,
        "EvaluationResults": [aws_entry(engine, req, d, inputs)],
    })
}

/// `evaluate(input)`: one request against policies by kind.
pub fn evaluate(input: Value) -> Value {
    let input: EvaluateInput = match serde_json::from_value(input) {
        Ok(i) => i,
        Err(e) => return json!({ "ok": false, "errors": [unplaced("input", e.to_string())] }),
    };
    let mut loader = Loader { errors: Vec::new() };
    let inputs = loader.inputs(&input.policies);
    let req = checked_request(&input.request, None, input.options);
    if let Err(e) = &req {
        loader.errors.push(e.clone());
    }
    match req {
        Ok(req) if loader.errors.is_empty() => match Engine::builder().policies(&inputs).build() {
            Ok(engine) => decision_json(&engine, &req, &engine.authorize(&req), &inputs),
            Err(e) => json!({ "ok": false, "errors": [unplaced("policies", e.to_string())] }),
        },
        _ => json!({ "ok": false, "errors": loader.errors }),
    }
}

/// `validatePolicy(text)`: whether IAM would accept the document, and if not where.
pub fn validate_policy(text: &str) -> Value {
    match Policy::parse(text) {
        Ok(p) => json!({ "ok": true, "statements": p.statements.len() }),
        Err(e) => json!({ "ok": false, "error": policy_error(None, &e) }),
    }
}

/// `listActions(pattern, limit)`: catalogue actions an IAM action pattern names.
pub fn list_actions(pattern: &str, limit: Option<usize>) -> Value {
    let cat = match Catalogue::get() {
        Ok(c) => c,
        Err(e) => return json!({ "ok": false, "error": unplaced("catalogue", e.to_string()) }),
    };
    let all = cat.expand_actions(pattern.trim());
    let shown = all.iter().take(limit.unwrap_or(usize::MAX));
    json!({
        "ok": true,
        "total": all.len(),
        "actions": shown.map(|a| json!({ "name": a.full_name(), "accessLevel": a.access_level().as_str() })).collect::<Vec<_>>(),
    })
}

fn suite_error(e: &SuiteError) -> Value {
    match e {
        SuiteError::Syntax { message, position } => json!({
            "path": "$", "line": position.line, "column": position.column,
            "message": format!("invalid JSON: {message}"),
        }),
        SuiteError::Shape { location, message } => located(None, location, message.clone()),
        SuiteError::Policy(p) => policy_error(None, p),
        other => {
            json!({ "path": "$", "line": Value::Null, "column": Value::Null, "message": other.to_string() })
        }
    }
}

/// `runSuite(text)`: runs a policy test suite as `polcheck test` does, counting a suite that
/// cannot be run as one failure.
pub fn run_suite(text: &str) -> Value {
    let unreadable = |error: Value| json!({ "ok": false, "passed": 0, "failed": 1, "summary": "0 passed, 1 failed", "tests": [], "error": error });
    let suite = match Suite::parse(text) {
        Ok(s) => s,
        Err(e) => return unreadable(suite_error(&e)),
    };
    let built = match &suite.world {
        None => Engine::builder().build(),
        Some(WorldSource::Inline(root)) => {
            let doc = Document::from_parts(root.clone(), suite.lines.clone());
            Engine::builder().world_document("world", doc).build()
        }
        Some(WorldSource::Path(p)) => {
            return unreadable(json!({
                "path": "world", "line": Value::Null, "column": Value::Null,
                "message": format!("the playground cannot read files: write the world `{p}` inline in the suite"),
            }))
        }
        Some(_) => {
            return unreadable(json!({
                "path": "world", "line": Value::Null, "column": Value::Null,
                "message": "a world source the playground cannot read",
            }))
        }
    };
    let engine = match built {
        Ok(engine) => engine,
        Err(e) => {
            return unreadable(
                json!({ "path": "world", "line": Value::Null, "column": Value::Null, "message": e.to_string() }),
            )
        }
    };
    let mut tests = Vec::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for (test, result) in suite
        .tests
        .iter()
        .zip(SuiteRun::new(&suite, &engine).run_all())
    {
        let failure = result.failure;
        if failure.is_none() {
            passed += 1;
        } else {
            failed += 1;
        }
        tests.push(json!({
            "name": test.name,
            "line": test.location.position.line,
            "column": test.location.position.column,
            "passed": failure.is_none(),
            "failure": failure,
            "warnings": result.warnings,
        }));
    }
    json!({
        "ok": true,
        "description": suite.description,
        "passed": passed,
        "failed": failed,
        "summary": format!("{passed} passed, {failed} failed"),
        "tests": tests,
    })
}

/// `version()`: the engine's and the catalogue's versions.
pub fn version() -> Value {
    json!({
        "polcheck": env!("CARGO_PKG_VERSION"),
        "catalogue": Catalogue::get().map(|c| c.source_version()).ok(),
    })
}

mod analysis;
mod world;
pub use analysis::{access_paths, check_request, diff_policies, validate_findings};
pub use world::{
    demo_world_files, describe_world, evaluate_flow, evaluate_world, exposure, who_can, DEMO_WORLD,
};

#[cfg(test)]
mod tests;
