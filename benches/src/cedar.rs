//! A workload translated to Cedar: policies, entities and requests.
//!
//! - Actions are `Action::"s3:getobject"` (lowercased: IAM matches actions without case).
//!   Cedar has no wildcard on actions, so every distinct wildcard pattern of the workload
//!   (`s3:Get*`) becomes an action group `Action::"pattern:s3:get*"`, and every concrete action
//!   is a member of the groups whose pattern matches it. `*` leaves the action unconstrained;
//!   `NotAction` becomes `!(action in [...])`.
//! - Resources are `Resource::"<arn>"` entities with the ARN's parts as attributes
//!   (`partition`, `service`, `region`, `account`, `rest`), because IAM matches an ARN part by
//!   part (a `*` in the region cannot cross a colon): each part of a pattern becomes `==` or
//!   `like` on its attribute.
//! - Conditions read context attributes: `sourceIp` (an `ip`), `mfa` (a bool),
//!   `principalTeam`, `resourceEnv` (strings) and `now` (epoch seconds, a Long), each guarded
//!   by `has` since IAM's positive operators are false on a missing key.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use cedar_policy::{
    Context, Decision, Entities, EntityUid, PolicySet, Request, RestrictedExpression,
};
use polcheck_core::pattern::Glob;
use serde_json::{json, Value};

use crate::workload::{Cond, ReqSpec, StmtSpec, Workload, SERVICES};
use crate::Verdict;

/// A workload, ready for cedar-policy's authorizer.
pub struct CedarWorkload {
    /// The policies.
    pub policies: PolicySet,
    /// Actions (with their groups), resources and callers.
    pub entities: Entities,
    /// The requests, in the workload's order.
    pub requests: Vec<Request>,
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `==` for literal text, `like` when it holds a `*` (the workload never uses `?` in ARNs).
fn part_test(attr: &str, pattern: &str) -> Option<String> {
    if pattern == "*" {
        None
    } else if pattern.contains('*') {
        Some(format!("resource.{attr} like \"{}\"", esc(pattern)))
    } else {
        Some(format!("resource.{attr} == \"{}\"", esc(pattern)))
    }
}

fn resource_test(pattern: &str) -> String {
    if pattern == "*" {
        return "true".into();
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    assert_eq!(
        parts.len(),
        6,
        "workload resource patterns are full ARNs: {pattern}"
    );
    let names = ["arn", "partition", "service", "region", "account", "rest"];
    let tests: Vec<String> = names
        .iter()
        .zip(&parts)
        .skip(1)
        .filter_map(|(n, p)| part_test(n, p))
        .collect();
    if tests.is_empty() {
        "true".into()
    } else {
        format!("({})", tests.join(" && "))
    }
}

fn cond_test(c: &Cond) -> String {
    match c {
        Cond::SourceIp(n) => {
            format!("(context has sourceIp && context.sourceIp.isInRange(ip(\"{n}\")))")
        }
        Cond::Mfa => "(context has mfa && context.mfa == true)".into(),
        Cond::PrincipalTeam(t) => {
            format!("(context has principalTeam && context.principalTeam == \"{t}\")")
        }
        Cond::ResourceEnv(e) => {
            format!("(context has resourceEnv && context.resourceEnv == \"{e}\")")
        }
        Cond::Before(t) => format!("(context has now && context.now < {t})"),
        Cond::After(t) => format!("(context has now && context.now > {t})"),
    }
}

fn action_uid(a: &str) -> String {
    let a = a.to_ascii_lowercase();
    if a.contains(['*', '?']) {
        format!("Action::\"pattern:{}\"", esc(&a))
    } else {
        format!("Action::\"{}\"", esc(&a))
    }
}

/// One statement as one Cedar policy.
pub fn policy_text(s: &StmtSpec) -> String {
    let effect = if s.allow { "permit" } else { "forbid" };
    let list: Vec<String> = s.actions.iter().map(|a| action_uid(a)).collect();
    let everything = s.actions.iter().any(|a| a == "*");
    let mut when = Vec::new();
    let scope_action = if s.not_action {
        when.push(format!("!(action in [{}])", list.join(", ")));
        "action".to_string()
    } else if everything {
        "action".to_string()
    } else {
        format!("action in [{}]", list.join(", "))
    };
    let res: Vec<String> = s.resources.iter().map(|r| resource_test(r)).collect();
    if !res.iter().any(|r| r == "true") {
        when.push(format!("({})", res.join(" || ")));
    }
    when.extend(s.conds.iter().map(cond_test));
    let body = if when.is_empty() {
        String::new()
    } else {
        format!(" when {{ {} }}", when.join(" && "))
    };
    format!("{effect}(principal, {scope_action}, resource){body};")
}

fn uid(ty: &str, id: &str) -> Value {
    json!({"type": ty, "id": id})
}

/// Every concrete action, lowercased, of the workload's services.
fn all_actions() -> Vec<String> {
    SERVICES
        .iter()
        .flat_map(|(svc, acts)| {
            acts.iter()
                .map(move |a| format!("{svc}:{a}").to_ascii_lowercase())
        })
        .collect()
}

fn entities_json(w: &Workload) -> Value {
    let patterns: BTreeSet<String> = w
        .statements
        .iter()
        .flat_map(|s| s.actions.iter())
        .map(|a| a.to_ascii_lowercase())
        .filter(|a| a.contains(['*', '?']) && a != "*")
        .collect();
    let globs: Vec<(String, Glob)> = patterns
        .iter()
        .map(|p| (p.clone(), Glob::parse(p)))
        .collect();
    let mut out = Vec::new();
    for p in &patterns {
        out.push(
            json!({"uid": uid("Action", &format!("pattern:{p}")), "attrs": {}, "parents": []}),
        );
    }
    for a in all_actions() {
        let parents: Vec<Value> = globs
            .iter()
            .filter(|(_, g)| g.is_match(&a))
            .map(|(p, _)| uid("Action", &format!("pattern:{p}")))
            .collect();
        out.push(json!({"uid": uid("Action", &a), "attrs": {}, "parents": parents}));
    }
    let resources: BTreeSet<&str> = w.requests.iter().map(|r| r.resource.as_str()).collect();
    for r in resources {
        let p: Vec<&str> = r.splitn(6, ':').collect();
        let attrs = json!({"partition": p[1], "service": p[2], "region": p[3], "account": p[4], "rest": p[5]});
        out.push(json!({"uid": uid("Resource", r), "attrs": attrs, "parents": []}));
    }
    for c in &w.callers {
        out.push(json!({"uid": uid("User", &c.arn), "attrs": {}, "parents": []}));
    }
    Value::Array(out)
}

/// The Cedar request of one workload request.
pub fn request(w: &Workload, r: &ReqSpec) -> Request {
    let caller = &w.callers[r.caller];
    let mut ctx: BTreeMap<String, RestrictedExpression> = BTreeMap::new();
    ctx.insert(
        "sourceIp".into(),
        RestrictedExpression::new_ip(&r.source_ip),
    );
    if let Some(m) = r.mfa {
        ctx.insert("mfa".into(), RestrictedExpression::new_bool(m));
    }
    if let Some(t) = caller.team {
        ctx.insert(
            "principalTeam".into(),
            RestrictedExpression::new_string(t.into()),
        );
    }
    if let Some(e) = r.env {
        ctx.insert(
            "resourceEnv".into(),
            RestrictedExpression::new_string(e.into()),
        );
    }
    ctx.insert("now".into(), RestrictedExpression::new_long(r.now));
    let p = EntityUid::from_str(&format!("User::\"{}\"", esc(&caller.arn))).expect("principal uid");
    let a = EntityUid::from_str(&action_uid(&r.action)).expect("action uid");
    let res =
        EntityUid::from_str(&format!("Resource::\"{}\"", esc(&r.resource))).expect("resource uid");
    let ctx = Context::from_pairs(ctx).expect("context");
    Request::new(p, a, res, ctx, None).expect("request")
}

impl CedarWorkload {
    /// Translates a workload; panics if Cedar refuses the translation (a bug here).
    pub fn build(w: &Workload) -> CedarWorkload {
        let text: Vec<String> = w.statements.iter().map(policy_text).collect();
        let policies = PolicySet::from_str(&text.join("\n")).expect("cedar policies parse");
        let entities = Entities::from_json_value(entities_json(w), None).expect("cedar entities");
        let requests = w.requests.iter().map(|r| request(w, r)).collect();
        CedarWorkload {
            policies,
            entities,
            requests,
        }
    }

    /// Decides request `i`: a matching `forbid` is an explicit deny.
    pub fn decide(&self, auth: &cedar_policy::Authorizer, i: usize) -> Verdict {
        let resp = auth.is_authorized(&self.requests[i], &self.policies, &self.entities);
        match resp.decision() {
            Decision::Allow => Verdict::Allowed,
            Decision::Deny if resp.diagnostics().reason().next().is_some() => Verdict::ExplicitDeny,
            Decision::Deny => Verdict::ImplicitDeny,
        }
    }
}
