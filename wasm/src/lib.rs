//! polcheck in WebAssembly: the engine behind the browser playground (`wasm/www/`).
//!
//! Every function takes and returns plain JSON-compatible JavaScript values (objects, arrays,
//! strings, numbers); errors are values (`{ok: false, error | errors}` with `path`, `line`,
//! `column`, `message`), never exceptions. See `wasm/README.md` for the API.
//!
//! Unsafe code: `#![forbid(unsafe_code)]` holds. The code `#[wasm_bindgen]` 0.2.130 generates
//! for the exports compiles under it (checked for the native and the `wasm32-unknown-unknown`
//! builds); should a later wasm-bindgen need `unsafe` in expanded code, relax this to
//! `#![deny(unsafe_code)]`, never to an `allow` on hand-written code.
#![forbid(unsafe_code)]

pub mod api;

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A JSON value as a plain JavaScript value (objects, not `Map`s).
fn to_js(v: &serde_json::Value) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A JavaScript value as JSON, or the error value to return.
fn from_js(v: JsValue) -> Result<serde_json::Value, JsValue> {
    serde_wasm_bindgen::from_value(v).map_err(|e| {
        to_js(&serde_json::json!({ "ok": false, "errors": [{
            "source": "input", "path": null, "line": null, "column": null,
            "message": format!("not a JSON-like value: {e}"),
        }]}))
    })
}

/// A string argument, or the error value to return (`{ok: false, error}`) for anything else.
fn text_arg(v: &JsValue, name: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        to_js(&serde_json::json!({ "ok": false, "error": {
            "source": "input", "path": null, "line": null, "column": null,
            "message": format!("`{name}` must be a string"),
        }}))
    })
}

/// `evaluate({policies: {identity, resource, boundary, session, scp, rcp}, request:
/// {principal, action, resource, resourceAccount, context}})`.
#[wasm_bindgen]
pub fn evaluate(input: JsValue) -> JsValue {
    match from_js(input) {
        Ok(v) => to_js(&api::evaluate(v)),
        Err(e) => e,
    }
}

/// `validatePolicy(text)`: `{ok: true, statements}` or `{ok: false, error: {path, line,
/// column, message}}`.
#[wasm_bindgen(js_name = validatePolicy)]
pub fn validate_policy(text: JsValue) -> JsValue {
    match text_arg(&text, "text") {
        Ok(t) => to_js(&api::validate_policy(&t)),
        Err(e) => e,
    }
}

/// `listActions(pattern, limit?)`: `{ok, total, actions: [{name, accessLevel}]}`.
#[wasm_bindgen(js_name = listActions)]
pub fn list_actions(pattern: JsValue, limit: Option<u32>) -> JsValue {
    match text_arg(&pattern, "pattern") {
        Ok(p) => to_js(&api::list_actions(&p, limit.map(|l| l as usize))),
        Err(e) => e,
    }
}

/// `runSuite(text)`: `{ok, passed, failed, summary, tests: [{name, line, column, passed,
/// failure}]}`.
#[wasm_bindgen(js_name = runSuite)]
pub fn run_suite(text: JsValue) -> JsValue {
    match text_arg(&text, "text") {
        Ok(t) => to_js(&api::run_suite(&t)),
        Err(e) => e,
    }
}

/// Calls `f` on a JSON argument, answering a non-JSON argument with its error value. An absent
/// argument (`undefined`) is `null`.
fn with_json(input: JsValue, f: fn(serde_json::Value) -> serde_json::Value) -> JsValue {
    if input.is_undefined() {
        return to_js(&f(serde_json::Value::Null));
    }
    match from_js(input) {
        Ok(v) => to_js(&f(v)),
        Err(e) => e,
    }
}

/// `evaluateWorld({world?, request, policies?})`: `evaluate` against a world's policies (the
/// bundled demo world when `world` is absent), plus `policies`.
#[wasm_bindgen(js_name = evaluateWorld)]
pub fn evaluate_world(input: JsValue) -> JsValue {
    with_json(input, api::evaluate_world)
}

/// `evaluateFlow({world?, flow: {from, to, protocol, port, sourcePort, icmpType, icmpCode}})`:
/// `{ok, allowed, blockedBy, blockers, hops}`.
#[wasm_bindgen(js_name = evaluateFlow)]
pub fn evaluate_flow(input: JsValue) -> JsValue {
    with_json(input, api::evaluate_flow)
}

/// `whoCan({world?, action, resource, context?})`: `{ok, asked, principals: [{principal,
/// allowedBy, policies}]}`.
#[wasm_bindgen(js_name = whoCan)]
pub fn who_can(input: JsValue) -> JsValue {
    with_json(input, api::who_can)
}

/// `exposure({world?})`: `{ok, exposures: [{interfaceId, instanceId, subnetId, address,
/// protocol, ports}]}`.
#[wasm_bindgen]
pub fn exposure(input: JsValue) -> JsValue {
    with_json(input, api::exposure)
}

/// `describeWorld({world?})`: `{ok, account, principals, instances, hasNetwork, warnings}`.
#[wasm_bindgen(js_name = describeWorld)]
pub fn describe_world(input: JsValue) -> JsValue {
    with_json(input, api::describe_world)
}

/// `checkRequest({world?, request, options?})`: the request checked as `polcheck eval`
/// checks it (unknown action, principal, resource type, context value, with did-you-mean);
/// `world`: absent (catalogue only), `true` (the demo world) or files.
#[wasm_bindgen(js_name = checkRequest)]
pub fn check_request(input: JsValue) -> JsValue {
    with_json(input, api::check_request)
}

/// `validateFindings(text, kind?)`: `{ok, findings: [{code, severity, line, column, message,
/// suggestion, fix, refused}]}`, as `polcheck validate --policy-type KIND` finds them.
#[wasm_bindgen(js_name = validateFindings)]
pub fn validate_findings(text: JsValue, kind: Option<String>) -> JsValue {
    match text_arg(&text, "text") {
        Ok(t) => to_js(&api::validate_findings(&t, kind.as_deref())),
        Err(e) => e,
    }
}

/// `diffPolicies({old, new, kind?, removed?})`: `polcheck diff --format json`'s answer.
#[wasm_bindgen(js_name = diffPolicies)]
pub fn diff_policies(input: JsValue) -> JsValue {
    with_json(input, api::diff_policies)
}

/// `accessPaths({world?, from?, to?, action?, resource?, all?})`: the principal graph, and
/// the paths `polcheck paths --format json` prints.
#[wasm_bindgen(js_name = accessPaths)]
pub fn access_paths(input: JsValue) -> JsValue {
    with_json(input, api::access_paths)
}

/// `demoWorldFiles()`: `[{name, text}]`, the demo world's files.
#[wasm_bindgen(js_name = demoWorldFiles)]
pub fn demo_world_files() -> JsValue {
    to_js(&api::demo_world_files())
}

/// `version()`: `{polcheck, catalogue}`.
#[wasm_bindgen]
pub fn version() -> JsValue {
    to_js(&api::version())
}
