//! `polcheck eval`: one request against policies, mirroring `aws iam simulate-custom-policy`.
//!
//! JSON output has the shape of the AWS CLI's `simulate-custom-policy` output, field by field
//! (see `polcheck_core::decide::aws_results`), plus a `polcheck` object. No `--principal`
//! is an unnamed caller of the resource's account, as `simulate-custom-policy` without
//! `CallerArn`; `--anonymous` is a caller without credentials.

use std::collections::HashMap;

use polcheck_core::arn::Arn;
use polcheck_core::catalogue::Catalogue;
use polcheck_core::compile::NamedPolicy;
use polcheck_core::decide::{aws_result, aws_results, Decision, Detail, InputIds, Outcome};
use polcheck_core::inputs::PolicyInputs;
use polcheck_core::policy::Policy;
use polcheck_core::principal::Principal;
use polcheck_core::question::{self, Access, IfContext, QuestionError, QuestionOptions, WhoCan};
use polcheck_core::Engine;
use polcheck_core::{Context, ContextValue};
use polcheck_core::{Request, RequestError};
use serde_json::json;

use crate::input::read_text;
use crate::output::Format;
use crate::output::{colour, paint};
use crate::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An identity-based policy file (repeatable; `-` reads standard input).
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<String>,
    /// World files or directories of AWS exports (repeatable; default: the bundled demo world
    /// when no policy file is given).
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// The action to evaluate, `service:Action` (repeatable). With a world and no action, every
    /// action of the resource's service (or `--service`) is tried for the principal.
    #[arg(long = "action")]
    actions: Vec<String>,
    /// Evaluate a file of requests, one JSON object per line (`-` for standard input), writing
    /// one JSON result per line.
    #[arg(long, value_name = "FILE.ndjson")]
    requests: Option<String>,
    /// With `--requests`: write only each line's decision and blocking kinds
    /// (`{"Line":N,"EvalDecision":"...","blockedBy":[...]}`), not the explanation.
    #[arg(long, requires = "requests")]
    outcome_only: bool,
    /// List every statement that applied, not only the deciding Denies and the first few
    /// Allows of each layer (slower on large policy sets).
    #[arg(long)]
    all_matches: bool,
    /// The service whose actions to list when no `--action` is given.
    #[arg(long)]
    service: Option<String>,
    /// The resource ARN (default `*`). Repeatable: one `EvaluationResults` entry per action
    /// with the most restrictive decision on top and `ResourceSpecificResults` per resource,
    /// as `simulate-custom-policy` gives them.
    #[arg(long = "resource", value_name = "ARN")]
    resources: Vec<String>,
    /// The caller's ARN (user, assumed-role session, federated user, root) or a service
    /// principal. Absent with `--policy`: an unnamed caller of the resource's account, as
    /// `aws iam simulate-custom-policy` without `CallerArn` (identity policies simulated for
    /// it); absent with a world: who can.
    #[arg(long, conflicts_with = "anonymous")]
    principal: Option<String>,
    /// The caller has no credentials at all (an anonymous request): only a resource policy
    /// whose `Principal` is `*` can allow it.
    #[arg(long)]
    anonymous: bool,
    /// A context key: `key=value`, or `key=a,b` for a list (repeatable).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// The resource-based policy of the resource.
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<String>,
    /// The caller's permissions boundary.
    #[arg(long, value_name = "FILE")]
    boundary: Option<String>,
    /// The session policy (applies to sessions only).
    #[arg(long, value_name = "FILE")]
    session_policy: Option<String>,
    /// SCPs of one organization level, `FILE[,FILE]`; one flag per level, root first.
    #[arg(long = "scp", value_name = "FILE[,FILE]")]
    scp: Vec<String>,
    /// RCPs of one organization level, `FILE[,FILE]`; one flag per level, root first.
    #[arg(long = "rcp", value_name = "FILE[,FILE]")]
    rcp: Vec<String>,
    /// The account that owns the resource (default: the ARN's, else the caller's).
    #[arg(long)]
    resource_account: Option<String>,
    /// Accept an action the service catalogue does not know (a service newer than it).
    #[arg(long)]
    allow_unknown_action: bool,
    /// Accept a principal the world does not hold (an external caller).
    #[arg(long)]
    allow_unknown_principal: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// With a world and no principal: also every principal that reaches the action through
    /// an access path (assumed roles, passed roles, escalation), with the path.
    #[arg(long)]
    transitive: bool,
    #[command(flatten)]
    flow: super::flow::FlowArgs,
}

impl Args {
    /// The one resource of a question that takes one: the first `--resource`, else `*`.
    fn resource(&self) -> &str {
        self.resources.first().map_or("*", String::as_str)
    }
}

/// Policy texts by name, to quote the deciding statement.
type Sources = HashMap<String, String>;

fn load(file: &str, sources: &mut Sources) -> Result<NamedPolicy, String> {
    let text = read_text(file).map_err(|e| e.to_string())?;
    let policy = Policy::parse(&text).map_err(|e| format!("{file}:{e}"))?;
    sources.insert(file.to_string(), text);
    Ok(NamedPolicy::new(file, policy))
}

/// Refuses a policy with a statement that has no `Resource`/`NotResource` (IAM refuses it in
/// every policy but a role's trust policy), naming the file and line:column.
fn require_resources(p: &NamedPolicy, what: &'static str) -> Result<(), String> {
    question::check_resource_elements(p.policy(), what)
        .map_err(|e| format!("{}:{}: Statement[{}]: {e}", p.name, e.start, e.index))
}

fn load_levels(
    flags: &[String],
    sources: &mut Sources,
) -> Result<Option<Vec<Vec<NamedPolicy>>>, String> {
    if flags.is_empty() {
        return Ok(None);
    }
    flags
        .iter()
        .map(|level| {
            level
                .split(',')
                .filter(|f| !f.is_empty())
                .map(|f| load(f, sources))
                .collect()
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

fn parse_context(pairs: &[String]) -> Result<Context, String> {
    let mut ctx = Context::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("--context `{pair}`: expected `key=value`"));
        };
        let value = if v.contains(',') {
            ContextValue::Multi(v.split(',').map(str::to_string).collect())
        } else {
            ContextValue::single(v)
        };
        ctx.insert(k.trim(), value);
    }
    Ok(ctx)
}

pub fn run(args: Args) -> ExitCode {
    let result = if let (true, Some(principal)) = (args.flow.is_flow(), &args.principal) {
        // IAM and network in one question (see `flow::combined`).
        parse_context(&args.context).and_then(|context| {
            let iam = super::flow::IamHalf {
                principal,
                actions: &args.actions,
                resource: args.resource(),
                context,
                options: QuestionOptions {
                    allow_unknown_actions: args.allow_unknown_action,
                    allow_unknown_principals: args.allow_unknown_principal,
                },
            };
            super::flow::combined(&args.flow, &args.worlds, iam, args.format)
        })
    } else if args.flow.is_flow() {
        evaluate_flow(&args)
    } else {
        evaluate(&args)
    };
    result.unwrap_or_else(|e| {
        crate::report::error(&e.to_string());
        ExitCode::InputError
    })
}

fn evaluate_flow(args: &Args) -> Result<ExitCode, String> {
    let flow = args.flow.flow()?;
    let engine = crate::world::from_flags(Engine::builder(), &args.worlds)?;
    let network = engine.network().ok_or("the world has no network")?;
    if super::flow::has_no_network(network) {
        eprintln!("warning: {}", super::flow::NO_NETWORK);
        return Ok(ExitCode::Unknown);
    }
    let verdict = engine.flow(&flow).map_err(|e| e.to_string())?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&verdict).unwrap_or_default()
        ),
        Format::Text => super::flow::print_verdict(&args.flow, &verdict),
    }
    Ok(super::flow::code(&verdict))
}

fn evaluate(args: &Args) -> Result<ExitCode, String> {
    let several = args.resources.len() > 1;
    if several && (args.transitive || args.requests.is_some() || args.actions.is_empty()) {
        return Err("--resource is repeatable only to evaluate --action on each resource".into());
    }
    if args.transitive {
        return super::paths::transitive(&args.worlds, &args.actions, args.resource(), args.format);
    }
    let mut sources = Sources::new();
    let one = |f: &Option<String>, s: &mut Sources| f.as_ref().map(|f| load(f, s)).transpose();
    let policies: Vec<NamedPolicy> = args
        .policies
        .iter()
        .map(|f| load(f, &mut sources))
        .collect::<Result<_, _>>()?;
    let inputs = PolicyInputs {
        identity: (!policies.is_empty()).then_some(policies),
        resource: one(&args.resource_policy, &mut sources)?,
        boundary: one(&args.boundary, &mut sources)?,
        session: one(&args.session_policy, &mut sources)?,
        scp: load_levels(&args.scp, &mut sources)?,
        rcp: load_levels(&args.rcp, &mut sources)?,
    };
    for p in inputs.identity.iter().flatten() {
        require_resources(p, "an identity-based policy")?;
    }
    for (p, what) in [
        (&inputs.boundary, "a permissions boundary"),
        (&inputs.session, "a session policy"),
    ] {
        if let Some(p) = p {
            require_resources(p, what)?;
        }
    }
    for (levels, what) in [(&inputs.scp, "an SCP"), (&inputs.rcp, "an RCP")] {
        for p in levels.iter().flatten().flatten() {
            require_resources(p, what)?;
        }
    }
    // A role's trust policy has no `Resource` (the role is the resource); every other
    // resource-based policy needs one (S3: "Missing required field Resource").
    let role_resource = args.resources.iter().all(|r| {
        Arn::parse(r).is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/"))
    }) && !args.resources.is_empty();
    if let (Some(p), false) = (&inputs.resource, role_resource) {
        require_resources(
            p,
            "a resource-based policy other than a role's trust policy",
        )?;
    }
    let context = parse_context(&args.context)?;
    // Which world to load is the face's choice (the demo estate when nothing is given); how
    // the policies meet it is the engine's.
    let world_mode = !args.worlds.is_empty() || inputs.is_empty();
    let builder = Engine::builder().policies(&inputs);
    let engine = if world_mode {
        crate::world::from_flags(builder, &args.worlds)?
    } else {
        builder.build().map_err(|e| e.to_string())?
    };
    let options = QuestionOptions {
        allow_unknown_actions: args.allow_unknown_action,
        allow_unknown_principals: args.allow_unknown_principal,
    };
    let request_on = |principal: Option<&str>,
                      action: &str,
                      resource: &str|
     -> Result<Request, String> {
        let caller = match (principal, args.anonymous) {
            (Some(p), _) => Principal::parse(Some(p)).map_err(|e| format!("--principal: {e}"))?,
            (None, true) => Principal::Anonymous,
            (None, false) => Principal::Unnamed,
        };
        let mut req = Request::for_principal(caller, action, resource, context.clone())
            .map_err(|e| format!("{}: {e}", flag_of(&e)))?;
        req.set_resource_account(args.resource_account.clone());
        question::check(&req, engine.world(), options)
            .map_err(|e| format!("{}: {e}", question_flag(&e)))?;
        Ok(req)
    };
    let request =
        |principal: Option<&str>, action: &str| request_on(principal, action, args.resource());
    if let Some(path) = &args.requests {
        return super::batch::run(path, &engine, args.outcome_only, options);
    }
    let unnamed = args.principal.is_none() && !args.anonymous;
    if let (Some(_), true, false) = (engine.world(), unnamed, args.actions.is_empty()) {
        if several {
            return Err("who can (a world and no --principal) takes one --resource".into());
        }
        return who_can(args, &engine, &context);
    }
    if engine.world().is_some() && args.actions.is_empty() {
        if unnamed {
            return Err("with a world and no --action, give --principal (the caller whose actions to list) or --anonymous".into());
        }
        return actions_of(args, &engine, &request);
    }
    if args.actions.is_empty() {
        return Err("--action is required with --policy".into());
    }
    if unnamed && inputs.resource.is_some() {
        // AWS: "CallerArn is required if you include a ResourcePolicy so that the policy's
        // Principal element has a value to use in evaluating the policy" (SimulateCustomPolicy).
        return Err("--resource-policy needs a caller for its `Principal` element: give --principal ARN, or --anonymous for a caller without credentials (as `simulate-custom-policy` needs `CallerArn` with a resource policy)".into());
    }
    let detail = if args.all_matches {
        Detail::All
    } else {
        Detail::Bounded
    };
    let resources: Vec<&str> = if args.resources.is_empty() {
        vec!["*"]
    } else {
        args.resources.iter().map(String::as_str).collect()
    };
    let mut results: Vec<Answer> = Vec::new();
    for action in &args.actions {
        for resource in &resources {
            let req = request_on(args.principal.as_deref(), action, resource)?;
            // The world knows whose the resource is (an S3 bucket's ARN names no account).
            let mut known = req.clone();
            engine.prepare(&mut known);
            let cross = known.principal().account().is_some()
                && known.principal().account() != known.effective_resource_account()
                && known.effective_resource_account() != Some("aws");
            let d = engine.authorize_with(&req, detail);
            let alt = question::if_context(&engine, &req, &d);
            results.push(Answer {
                action: action.clone(),
                resource: resource.to_string(),
                decision: d,
                if_context: alt,
                cross,
                without_identity: matches!(
                    req.principal(),
                    Principal::Anonymous
                        | Principal::Service { .. }
                        | Principal::IdentityProvider { .. }
                ),
            });
        }
    }
    match args.format {
        Format::Json => {
            let identity_names: Vec<&str> =
                inputs.identity.iter().flatten().map(|p| &*p.name).collect();
            let ids = InputIds::new(
                identity_names,
                inputs.boundary.as_ref().map(|p| &*p.name),
                inputs.resource.as_ref().map(|p| &*p.name),
            );
            let entries: Vec<serde_json::Value> = args
                .actions
                .iter()
                .map(|action| {
                    let mine: Vec<&Answer> =
                        results.iter().filter(|a| &a.action == action).collect();
                    let pairs: Vec<(&str, &Decision)> = mine
                        .iter()
                        .map(|a| (a.resource.as_str(), &a.decision))
                        .collect();
                    let alt: Vec<IfContext> =
                        mine.iter().flat_map(|a| a.if_context.clone()).collect();
                    with_if_context(
                        aws_results(action, &pairs, &ids, &|res| {
                            mine.iter().any(|a| a.resource == res && a.cross)
                        }),
                        &alt,
                    )
                })
                .collect();
            let out = json!({ "EvaluationResults": entries });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text => {
            if unnamed {
                println!("caller: an unnamed caller of the resource's account, as `simulate-custom-policy` without `CallerArn` (--principal names one, --anonymous asks without credentials)");
            }
            print_text(&results, &sources)
        }
    }
    Ok(ExitCode::of_outcomes(
        results.iter().map(|a| a.decision.outcome),
    ))
}

/// One action on one resource, decided.
struct Answer {
    action: String,
    resource: String,
    decision: Decision,
    if_context: Vec<IfContext>,
    /// The caller reaches the resource across accounts.
    cross: bool,
    /// The caller has no identity policies (anonymous, a service principal).
    without_identity: bool,
}

/// The AWS-shaped result with `polcheck.ifContext`: the values of missing keys that would
/// change the answer (`[{"key", "value", "outcome"}]`).
fn with_if_context(mut r: serde_json::Value, alt: &[IfContext]) -> serde_json::Value {
    if let Some(p) = r.get_mut("polcheck").and_then(|p| p.as_object_mut()) {
        p.insert("ifContext".into(), json!(alt));
    }
    r
}

/// The "(allowed if KEY is VALUE, ...)" of a text answer; empty without one.
fn if_text(alt: &[IfContext]) -> String {
    if alt.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = alt.iter().map(ToString::to_string).collect();
    format!("  ({})", parts.join("; "))
}

/// An action given by flag must be `service:Action` (or `*`).
fn check_action(action: &str) -> Result<(), String> {
    if action != "*" && !action.contains(':') {
        return Err(format!("--action `{action}`: expected `service:Action`"));
    }
    Ok(())
}

/// The flag a request error is about.
fn flag_of(e: &RequestError) -> &'static str {
    match e {
        RequestError::Action(_) | RequestError::ActionPattern(_) => "--action",
        RequestError::Resource { .. } => "--resource",
        _ => "--principal",
    }
}

/// The flag a question error is about.
fn question_flag(e: &QuestionError) -> &'static str {
    match e {
        QuestionError::UnknownAction { .. } => "--action",
        QuestionError::UnknownPrincipal { .. } => "--principal",
        QuestionError::ResourceType { .. } => "--resource",
        _ => "--context",
    }
}

type MakeRequest<'a> = dyn Fn(Option<&str>, &str) -> Result<Request, String> + 'a;

/// Who can: every principal of the world and every principal the resource's policy names,
/// for each action: allowed, allowed only with a condition key, or of another account.
fn who_can(args: &Args, engine: &Engine, context: &Context) -> Result<ExitCode, String> {
    let mut reports = Vec::new();
    for action in &args.actions {
        check_action(action)?;
        let report = question::who_can(
            engine,
            action,
            args.resource(),
            context,
            args.resource_account.as_deref(),
        );
        reports.push((action.clone(), report));
    }
    let mut skipped: Vec<&String> = reports.iter().flat_map(|(_, r)| &r.skipped).collect();
    skipped.sort();
    skipped.dedup();
    for s in &skipped {
        eprint!(
            "{}",
            crate::report::render("warning", &format!("{s}; who can skips it"))
        );
    }
    let anyone = reports
        .iter()
        .any(|(_, r)| r.found.iter().any(|w| w.access != Access::Conditional));
    match args.format {
        Format::Json => {
            let entry = |a: &str, w: &WhoCan| {
                json!({
                    "Principal": w.principal,
                    "Access": w.access,
                    "NamedByResourcePolicy": w.named_by_resource_policy,
                    "IfContext": w.if_context,
                    "Result": aws_result(a, args.resource(), &w.decision),
                })
            };
            let pick = |conditional: bool| -> Vec<serde_json::Value> {
                reports
                    .iter()
                    .flat_map(|(a, r)| {
                        r.found
                            .iter()
                            .filter(move |w| (w.access == Access::Conditional) == conditional)
                            .map(move |w| entry(a, w))
                    })
                    .collect()
            };
            let summary: Vec<_> = reports
                .iter()
                .map(|(a, r)| json!({ "Action": a, "Summary": r.summary(), "Asked": r.asked }))
                .collect();
            let out = json!({
                "AllowedPrincipals": pick(false),
                "ConditionalPrincipals": pick(true),
                "Summary": summary,
                "Skipped": skipped,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text => {
            for (action, report) in &reports {
                println!("who can {action} on {}:", args.resource());
                for w in &report.found {
                    let why: Vec<String> = w
                        .decision
                        .matched
                        .iter()
                        .filter(|m| m.effect == polcheck_core::policy::Effect::Allow)
                        .map(|m| m.policy.to_string())
                        .collect();
                    let how = match w.access {
                        Access::Allowed => format!("allowed by {}", why.join("; ")),
                        Access::External => {
                            let when: Vec<String> =
                                w.if_context.iter().map(ToString::to_string).collect();
                            let when = if when.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", when.join("; "))
                            };
                            format!("of another account: the resource's policy allows{when}; its own account's policies must allow too")
                        }
                        _ => w
                            .if_context
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    };
                    let who = if w.principal == "*" {
                        "* (everyone, anonymous callers included)"
                    } else {
                        w.principal.as_str()
                    };
                    println!("  {who}  ({how})");
                }
                println!("  {}", report.summary());
            }
        }
    }
    Ok(if anyone {
        ExitCode::Success
    } else {
        ExitCode::Negative
    })
}

/// The actions of a service a principal may perform on the resource.
fn actions_of(args: &Args, engine: &Engine, request: &MakeRequest) -> Result<ExitCode, String> {
    let service =
        match (&args.service, Arn::parse(args.resource())) {
            (Some(s), _) => s.clone(),
            (None, Some(arn)) => arn.service.to_string(),
            (None, None) => return Err(
                "give --action, or --service, or an ARN as --resource to list a service's actions"
                    .into(),
            ),
        };
    let catalogue = Catalogue::get().map_err(|e| e.to_string())?;
    let svc = catalogue
        .service(&service)
        .ok_or_else(|| format!("--service: unknown service `{service}`"))?;
    let mut allowed = Vec::new();
    for action in svc.actions() {
        let name = format!("{}:{}", svc.prefix(), action.name());
        // An action that does not take this resource is not one the principal may perform on it.
        let req = match request(args.principal.as_deref(), &name) {
            Err(e) if e.starts_with("--resource:") => continue,
            r => r?,
        };
        if engine.check(&req).0 == Outcome::Allowed {
            allowed.push((name, action.access_level().to_string()));
        }
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&json!({ "AllowedActions": allowed.iter().map(|(a, l)| json!({"Action": a, "AccessLevel": l})).collect::<Vec<_>>() })).unwrap_or_default()),
        Format::Text => {
            for (a, l) in &allowed {
                println!("{a}  {l}");
            }
            println!("{} of {} {} actions allowed on {}", allowed.len(), svc.actions().len(), svc.prefix(), args.resource());
        }
    }
    Ok(if allowed.is_empty() {
        ExitCode::Negative
    } else {
        ExitCode::Success
    })
}

fn print_text(results: &[Answer], sources: &Sources) {
    let c = colour();
    for Answer {
        action,
        resource,
        decision: d,
        if_context: alt,
        without_identity,
        ..
    } in results
    {
        let (word, code) = match d.outcome {
            Outcome::Allowed => ("ALLOWED", "32"),
            Outcome::ExplicitDeny => ("EXPLICIT DENY", "31"),
            Outcome::ImplicitDeny => ("IMPLICIT DENY", "33"),
            _ => ("UNKNOWN", "35"),
        };
        println!(
            "{}  {action} on {resource}{}",
            paint(word, code, c),
            if_text(alt)
        );
        if !d.blocked_by.is_empty() {
            let kinds: Vec<_> = d.blocked_by.iter().map(|k| k.as_str()).collect();
            let why = if d.outcome == Outcome::ExplicitDeny {
                "denied by"
            } else {
                "no allow from"
            };
            println!("  {why}: {}", kinds.join(", "));
        }
        if let Some(rule) = &d.service_rule {
            println!("  service rule: {rule}");
        }
        for m in d.matched.iter().filter(|m| {
            d.outcome != Outcome::ExplicitDeny || m.effect == polcheck_core::policy::Effect::Deny
        }) {
            let sid = m
                .sid
                .as_deref()
                .map(|s| format!(" `{s}`"))
                .unwrap_or_default();
            let at = match (&m.file, m.outer) {
                (Some(file), Some(outer)) => format!(
                    "{file}:{outer} (the policy is a JSON string there; the statement is at {} of its text)",
                    m.start
                ),
                (Some(file), None) => format!("{file}:{}", m.start),
                (None, _) => m.start.to_string(),
            };
            println!(
                "  {:?} statement{sid} in {} ({}) at {at}",
                m.effect, m.policy, m.kind
            );
            match sources.get(&*m.policy) {
                Some(text) => {
                    for line in text
                        .lines()
                        .skip((m.start.line as usize).saturating_sub(1))
                        .take((m.end.line.saturating_sub(m.start.line) + 1) as usize)
                    {
                        println!("    | {line}");
                    }
                }
                None => println!("    | {}", m.summary),
            }
        }
        let identity_listed = d
            .matched
            .iter()
            .any(|m| m.kind == polcheck_core::decide::PolicyKind::Identity);
        if *without_identity && identity_listed {
            println!("  (identity policies do not apply to this caller: only a resource policy naming it can allow)");
        }
        for what in &d.unknown {
            println!("  unknown: {what}");
        }
        if d.truncated() {
            println!(
                "  ({} allowing statements applied; --all-matches lists every one)",
                d.omitted
            );
        }
        if !d.missing_context.is_empty() {
            println!("  missing context keys: {}", d.missing_context.join(", "));
        }
    }
}
