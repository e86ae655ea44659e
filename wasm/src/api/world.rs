//! The world half of the API: `evaluateWorld`, `evaluateFlow`, `whoCan`, `exposure` and
//! `describeWorld`, each on a world given as files (`[{name, text}]`) or, when `world` is
//! absent, on the bundled demo estate of `corpus/worlds/demo/`.
//!
//! Loading a world (parse, import, compile) costs milliseconds, so it happens once: the demo
//! world is kept for the life of the module, and the last world given as files is kept with
//! its texts and reused while the caller passes the same texts again (a page re-asking on
//! every keystroke).
#![forbid(unsafe_code)]

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use polcheck_core::decide::{aws_result, Decision};
use polcheck_core::network::{Flow, NetworkModel};
use polcheck_core::policy::Effect;
use polcheck_core::question::{self, Access, WhoCan};
use polcheck_core::world::{At, World, WorldError};
use polcheck_core::{Engine, EngineError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{
    checked_request, decision_json, policy_error, request, unplaced, Loader, OptionsInput,
    PoliciesInput, RequestInput,
};

/// The demo estate, as `polcheck` embeds it (`cli/src/world.rs`): about 68 KB of JSON.
pub const DEMO_WORLD: &[(&str, &str)] = &[
    (
        "corpus/worlds/demo/iam.json",
        include_str!("../../../corpus/worlds/demo/iam.json"),
    ),
    (
        "corpus/worlds/demo/network.json",
        include_str!("../../../corpus/worlds/demo/network.json"),
    ),
    (
        "corpus/worlds/demo/ops.json",
        include_str!("../../../corpus/worlds/demo/ops.json"),
    ),
];

/// A world file as the caller gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WorldFile {
    name: String,
    text: String,
}

thread_local! {
    /// The demo world, loaded on first use.
    static DEMO: OnceCell<Result<Rc<Engine>, Value>> = const { OnceCell::new() };
    /// The last world given as files, with those files.
    static LAST: RefCell<Option<(Vec<WorldFile>, Rc<Engine>)>> = const { RefCell::new(None) };
}

fn at_error(at: &At, whole: String) -> Value {
    // The message without the `file:line:col: path: ` the Display of the error starts with.
    let prefix = format!("{at}: ");
    let message = whole
        .strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(whole);
    json!({
        "source": at.file, "path": at.path.to_string(),
        "line": at.position.line, "column": at.position.column, "message": message,
    })
}

/// A world that does not load, as an error value naming the file, path and line:column.
fn engine_error(e: &EngineError) -> Value {
    match e {
        EngineError::World(w) => match &**w {
            WorldError::Syntax { file, error } => json!({
                "source": file, "path": "$", "line": error.position.line,
                "column": error.position.column, "message": format!("invalid JSON: {}", error.message),
            }),
            WorldError::Policy { file, error } => policy_error(Some(file), error),
            WorldError::WrongType { at, .. }
            | WorldError::Missing { at, .. }
            | WorldError::AccountMismatch { at, .. }
            | WorldError::Duplicate { at, .. }
            | WorldError::UnknownGroup { at, .. }
            | WorldError::UnknownPolicy { at, .. }
            | WorldError::DefaultVersion { at, .. }
            | WorldError::BadArn { at, .. }
            | WorldError::Limit { at, .. } => at_error(at, w.to_string()),
            other => {
                json!({ "source": Value::Null, "path": "$", "line": Value::Null, "column": Value::Null, "message": other.to_string() })
            }
        },
        EngineError::Network(n) => json!({
            "source": n.file, "path": n.path.to_string(), "line": n.position.line,
            "column": n.position.column, "message": n.kind.to_string(),
        }),
        other => unplaced("world", other.to_string()),
    }
}

fn load(files: &[(&str, &str)]) -> Result<Engine, Value> {
    files
        .iter()
        .fold(Engine::builder(), |b, (name, text)| {
            b.world_file(name, text)
        })
        .build()
        .map_err(|e| engine_error(&e))
}

/// `demoWorldFiles()`: the demo world's files, `[{name, text}]`, for a page to show the
/// world policies a decision quotes.
pub fn demo_world_files() -> Value {
    json!(DEMO_WORLD
        .iter()
        .map(|(name, text)| json!({ "name": name, "text": text }))
        .collect::<Vec<_>>())
}

/// The demo world, loaded once.
pub(super) fn demo() -> Result<Rc<Engine>, Value> {
    DEMO.with(|cell| cell.get_or_init(|| load(DEMO_WORLD).map(Rc::new)).clone())
}

/// The world of `world` (files) or the demo world; the last world given is reused while its
/// files are the same.
pub(super) fn environment(world: Option<&[WorldFile]>) -> Result<Rc<Engine>, Value> {
    let Some(files) = world else {
        return demo();
    };
    if files.is_empty() {
        return Err(unplaced(
            "world",
            "the world has no file: give `[{name, text}]`, or leave `world` out for the demo world"
                .into(),
        ));
    }
    let kept = LAST.with(|last| match &*last.borrow() {
        Some((f, env)) if f.as_slice() == files => Some(env.clone()),
        _ => None,
    });
    if let Some(env) = kept {
        return Ok(env);
    }
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.text.as_str()))
        .collect();
    let env = Rc::new(load(&pairs)?);
    LAST.with(|last| *last.borrow_mut() = Some((files.to_vec(), env.clone())));
    Ok(env)
}

/// The world's warnings as `file:line:col: message` strings.
fn warnings(engine: &Engine) -> Value {
    json!(engine
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>())
}

fn bad_input(e: impl std::fmt::Display) -> Value {
    json!({ "ok": false, "errors": [unplaced("input", e.to_string())] })
}

fn failed(e: Value) -> Value {
    json!({ "ok": false, "errors": [e] })
}

fn iam(env: &Engine) -> Result<&World, Value> {
    env.world().ok_or_else(|| {
        unplaced(
            "world",
            "the world has no IAM keys (users, roles, policies)".into(),
        )
    })
}

fn network(env: &Engine) -> Result<&NetworkModel, Value> {
    env.network().ok_or_else(|| {
        unplaced(
            "world",
            "the world has no network keys (Vpcs, Subnets, ...)".into(),
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateWorldInput {
    world: Option<Vec<WorldFile>>,
    #[serde(default)]
    policies: PoliciesInput,
    request: RequestInput,
    #[serde(default)]
    options: OptionsInput,
}

/// `evaluateWorld({world?, request, policies?})`: the request against the world's policies
/// for its caller and resource, plus `policies`; the answer of `evaluate`, each matched
/// statement's `policy` naming where it came from (`group Developers via managed DevAccess v2`).
pub fn evaluate_world(input: Value) -> Value {
    let input: EvaluateWorldInput = match serde_json::from_value(input) {
        Ok(i) => i,
        Err(e) => return bad_input(e),
    };
    let env = match environment(input.world.as_deref()) {
        Ok(env) => env,
        Err(e) => return failed(e),
    };
    let world = match iam(&env) {
        Ok(w) => w,
        Err(e) => return failed(e),
    };
    let mut loader = Loader { errors: Vec::new() };
    let inputs = loader.inputs(&input.policies);
    match checked_request(&input.request, Some(world), input.options) {
        Ok(req) if loader.errors.is_empty() => {
            let engine = env.with_policies(&inputs);
            let d = engine.authorize(&req);
            let mut out = decision_json(&engine, &req, &d, &inputs);
            out["warnings"] = warnings(&env);
            out
        }
        Ok(_) => json!({ "ok": false, "errors": loader.errors }),
        Err(e) => {
            loader.errors.push(e);
            json!({ "ok": false, "errors": loader.errors })
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowInput {
    world: Option<Vec<WorldFile>>,
    flow: Value,
}

/// `evaluateFlow({world?, flow})`: `{ok, allowed, outcome, blockedBy, blockers, unknowns,
/// allowedFrom, hops}` (`outcome`: `allowed`, `denied` or `unknown`).
pub fn evaluate_flow(input: Value) -> Value {
    let input: FlowInput = match serde_json::from_value(input) {
        Ok(i) => i,
        Err(e) => return bad_input(e),
    };
    let flow = match Flow::from_test_json(&input.flow) {
        Ok(f) => f,
        Err(e) => return failed(unplaced("flow", e.to_string())),
    };
    let env = match environment(input.world.as_deref()) {
        Ok(env) => env,
        Err(e) => return failed(e),
    };
    if let Err(e) = network(&env) {
        return failed(e);
    }
    match env.flow(&flow) {
        Ok(v) => json!({
            "ok": true,
            "allowed": v.allowed,
            "outcome": v.outcome,
            "blockedBy": v.blocked_by(),
            "blockers": v.blockers,
            "unknowns": v.unknowns,
            "allowedFrom": v.allowed_from,
            "hops": v.hops,
        }),
        Err(e) => failed(unplaced("flow", e.to_string())),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhoCanInput {
    world: Option<Vec<WorldFile>>,
    action: String,
    resource: Option<String>,
    #[serde(default)]
    context: Map<String, Value>,
    /// Policies added to every caller's, as `evaluateWorld` adds them.
    #[serde(default)]
    policies: PoliciesInput,
    #[serde(rename = "resourceAccount")]
    resource_account: Option<String>,
}

fn allow_sources(d: &Decision) -> Vec<String> {
    d.matched
        .iter()
        .filter(|m| m.effect == Effect::Allow)
        .map(|m| m.policy.to_string())
        .collect()
}

/// `whoCan({world?, action, resource, context?})`: every principal of the world (users, and a
/// session of each role) allowed, with the kinds and the policies that allowed it.
pub fn who_can(input: Value) -> Value {
    let input: WhoCanInput = match serde_json::from_value(input) {
        Ok(i) => i,
        Err(e) => return bad_input(e),
    };
    let env = match environment(input.world.as_deref()) {
        Ok(env) => env,
        Err(e) => return failed(e),
    };
    let world = match iam(&env) {
        Ok(w) => w,
        Err(e) => return failed(e),
    };
    let asked = world.principals().len();
    // The question checked once, as every request of it would be (action and context).
    let probe = RequestInput {
        principal: None,
        anonymous: false,
        action: input.action.clone(),
        resource: input.resource.clone(),
        resource_account: None,
        context: input.context.clone(),
    };
    let req = match request(&probe) {
        Ok(req) => req,
        Err(e) => return failed(e),
    };
    let context = match super::context(&input.context) {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let mut loader = Loader { errors: Vec::new() };
    let inputs = loader.inputs(&input.policies);
    if !loader.errors.is_empty() {
        return json!({ "ok": false, "errors": loader.errors });
    }
    let engine = env.with_policies(&inputs);
    let account = input.resource_account.as_deref().filter(|a| !a.is_empty());
    // `polcheck eval --world W --action A` without `--principal`: `question::who_can`.
    let report = question::who_can(&engine, req.action(), req.resource(), &context, account);
    let entry = |w: &WhoCan| {
        json!({
            "Principal": w.principal,
            "Access": w.access,
            "NamedByResourcePolicy": w.named_by_resource_policy,
            "IfContext": w.if_context,
            "Result": aws_result(req.action(), req.resource(), &w.decision),
        })
    };
    let pick = |conditional: bool| -> Vec<Value> {
        report
            .found
            .iter()
            .filter(|w| (w.access == Access::Conditional) == conditional)
            .map(entry)
            .collect()
    };
    let principals: Vec<Value> = report
        .found
        .iter()
        .map(|w| {
            json!({
                "principal": w.principal,
                "access": w.access,
                "allowedBy": w.decision.allowed_by.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
                "policies": allow_sources(&w.decision),
                "ifContext": w.if_context.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "ok": true,
        "asked": report.asked.max(asked),
        "principals": principals,
        "summary": report.summary(),
        // The JSON `polcheck eval --world W --action A --format json` prints.
        "aws": {
            "AllowedPrincipals": pick(false),
            "ConditionalPrincipals": pick(true),
            "Summary": [{ "Action": req.action(), "Summary": report.summary(), "Asked": report.asked }],
            "Skipped": report.skipped,
        },
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorldOnly {
    world: Option<Vec<WorldFile>>,
}

fn world_only(input: Value) -> Result<Rc<Engine>, Value> {
    let input: WorldOnly = if input.is_null() {
        WorldOnly::default()
    } else {
        serde_json::from_value(input).map_err(bad_input)?
    };
    environment(input.world.as_deref()).map_err(failed)
}

/// `exposure({world?})`: every interface, protocol and port range the internet reaches.
pub fn exposure(input: Value) -> Value {
    let env = match world_only(input) {
        Ok(env) => env,
        Err(e) => return e,
    };
    let found = match env.exposure() {
        Ok(found) => found,
        Err(e) => return failed(unplaced("world", e.to_string())),
    };
    json!({
        "ok": true,
        "exposures": found.iter().map(|e| json!({
            "interfaceId": e.interface_id,
            "instanceId": e.instance_id,
            "subnetId": e.subnet_id,
            "address": e.address,
            "protocol": e.protocol,
            "ports": e.ports.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `describeWorld({world?})`: what a page needs to offer choices: the account, the
/// principals to ask about, and the instances (id, primary interface, addresses, subnet).
pub fn describe_world(input: Value) -> Value {
    let env = match world_only(input) {
        Ok(env) => env,
        Err(e) => return e,
    };
    let instances: Vec<Value> = env
        .network()
        .map(|m| {
            m.instances()
                .iter()
                .map(|i| {
                    let eni = i.interface_ids.first().and_then(|id| m.interface(id));
                    json!({
                        "id": i.id,
                        "interfaceId": eni.map(|e| e.id.clone()),
                        "subnetId": eni.map(|e| e.subnet_id.clone()),
                        "vpcId": eni.map(|e| e.vpc_id.clone()),
                        "privateIp": eni.and_then(|e| e.private_ipv4.first()).map(ToString::to_string),
                        "publicIp": eni.and_then(|e| e.primary_public_ipv4()).map(|a| a.to_string()),
                        "ipv6": eni.and_then(|e| e.ipv6.first()).map(ToString::to_string),
                        "securityGroups": eni.map(|e| e.groups.clone()).unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "ok": true,
        "account": env.world().and_then(|w| w.account()),
        "principals": env.world().map(|w| w.principals()).unwrap_or_default(),
        "instances": instances,
        "hasNetwork": env.network().is_some(),
        "warnings": warnings(&env),
    })
}
