//! `polcheck eval`: one request against policies, mirroring `aws iam simulate-custom-policy`.
//!
//! JSON output has the shape of the AWS CLI's `simulate-custom-policy` output
//! (`EvaluationResults[]` with `EvalActionName`, `EvalResourceName`, `EvalDecision`,
//! `MatchedStatements`, `MissingContextValues`, `PermissionsBoundaryDecisionDetail`,
//! `OrganizationsDecisionDetail`), plus a `polcheck` object with `blockedBy` and `allowedBy`.

use std::collections::HashMap;

use polcheck_core::arn::Arn;
use polcheck_core::catalogue::Catalogue;
use polcheck_core::compile::NamedPolicy;
use polcheck_core::context::{Context, ContextValue};
use polcheck_core::decide::{aws_result, decide, Decision, Layers, Outcome};
use polcheck_core::policy::Policy;
use polcheck_core::question::{self, QuestionError, QuestionOptions};
use polcheck_core::request::{Request, RequestError};
use polcheck_core::suite::PolicyInputs;
use polcheck_core::world::World;
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
    /// The service whose actions to list when no `--action` is given.
    #[arg(long)]
    service: Option<String>,
    /// The resource ARN.
    #[arg(long, default_value = "*")]
    resource: String,
    /// The caller's ARN (user, assumed-role session, federated user, root) or a service
    /// principal; absent means an anonymous caller.
    #[arg(long)]
    principal: Option<String>,
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
    #[command(flatten)]
    flow: super::flow::FlowArgs,
}

/// Policy texts by name, to quote the deciding statement.
type Sources = HashMap<String, String>;

fn load(file: &str, sources: &mut Sources) -> Result<NamedPolicy, String> {
    let text = read_text(file).map_err(|e| e.to_string())?;
    let policy = Policy::parse(&text).map_err(|e| format!("{file}:{e}"))?;
    sources.insert(file.to_string(), text);
    Ok(NamedPolicy::new(file, policy))
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
    let result = if args.flow.is_flow() {
        evaluate_flow(&args)
    } else {
        evaluate(&args)
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::InputError
    })
}

fn evaluate_flow(args: &Args) -> Result<ExitCode, String> {
    let flow = args.flow.flow()?;
    let env = crate::world::from_flags(&args.worlds)?;
    let network = env.network.as_ref().ok_or("the world has no network")?;
    let verdict = network.evaluate(&flow).map_err(|e| e.to_string())?;
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
    let context = parse_context(&args.context)?;
    let world_mode = !args.worlds.is_empty() || inputs.is_empty();
    let env = if world_mode {
        Some(crate::world::from_flags(&args.worlds)?)
    } else {
        None
    };
    let world = env.as_ref().and_then(|e| e.world.as_ref());
    let options = QuestionOptions {
        allow_unknown_actions: args.allow_unknown_action,
        allow_unknown_principals: args.allow_unknown_principal,
    };
    // Without a world the layers are the same for every request: compile them once.
    let compiled = inputs.compile();
    let layers_for = |req: &mut Request| -> Layers {
        match world {
            Some(w) => w.layers_with(req, &inputs),
            None => compiled.clone(),
        }
    };
    let request = |principal: Option<&str>, action: &str| -> Result<Request, String> {
        let mut req = Request::new(principal, action, &args.resource, context.clone())
            .map_err(|e| format!("{}: {e}", flag_of(&e)))?;
        req.set_resource_account(args.resource_account.clone());
        question::check(&req, world, options).map_err(|e| format!("{}: {e}", question_flag(&e)))?;
        Ok(req)
    };
    if let Some(path) = &args.requests {
        let source = super::batch::Source {
            world,
            inputs: &inputs,
            compiled: &compiled,
            options,
        };
        return super::batch::run(path, &source);
    }
    if let (Some(w), None, false) = (world, &args.principal, args.actions.is_empty()) {
        return who_can(args, w, &request, &layers_for);
    }
    if world.is_some() && args.actions.is_empty() {
        return actions_of(args, &request, &layers_for);
    }
    if args.actions.is_empty() {
        return Err("--action is required with --policy".into());
    }
    let mut results = Vec::new();
    for action in &args.actions {
        let mut req = request(args.principal.as_deref(), action)?;
        let layers = layers_for(&mut req);
        results.push((action.clone(), decide(&layers, &req)));
    }
    match args.format {
        Format::Json => {
            let out = json!({ "EvaluationResults": results.iter().map(|(a, d)| aws_result(a, &args.resource, d)).collect::<Vec<_>>() });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text => print_text(&results, &args.resource, &sources),
    }
    Ok(ExitCode::of_outcomes(
        results.iter().map(|(_, d)| d.outcome),
    ))
}

/// The flag a request error is about.
fn flag_of(e: &RequestError) -> &'static str {
    match e {
        RequestError::Action(_) | RequestError::ActionPattern(_) => "--action",
        RequestError::Resource(_) => "--resource",
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
type MakeLayers<'a> = dyn Fn(&mut Request) -> Layers + 'a;

/// Who can: every principal of the world, for each action, with the decision.
fn who_can(
    args: &Args,
    world: &World,
    request: &MakeRequest,
    layers_for: &MakeLayers,
) -> Result<ExitCode, String> {
    let mut rows = Vec::new();
    for action in &args.actions {
        for principal in world.principals() {
            let mut req = request(Some(&principal), action)?;
            let layers = layers_for(&mut req);
            let d = decide(&layers, &req);
            rows.push((principal, action.clone(), d));
        }
    }
    let allowed: Vec<_> = rows.iter().filter(|(_, _, d)| d.is_allowed()).collect();
    match args.format {
        Format::Json => {
            let out: Vec<_> = allowed
                .iter()
                .map(|(p, a, d)| json!({ "Principal": p, "Result": aws_result(a, &args.resource, d) }))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "AllowedPrincipals": out }))
                    .unwrap_or_default()
            );
        }
        Format::Text => {
            for action in &args.actions {
                println!("who can {action} on {}:", args.resource);
                for (p, _, d) in allowed.iter().filter(|(_, a, _)| a == action) {
                    let why: Vec<String> = d
                        .matched
                        .iter()
                        .filter(|m| m.effect == polcheck_core::policy::Effect::Allow)
                        .map(|m| m.policy.clone())
                        .collect();
                    println!("  {p}  (allowed by {})", why.join("; "));
                }
            }
            println!(
                "{} of {} principal-action pairs allowed",
                allowed.len(),
                rows.len()
            );
        }
    }
    Ok(if allowed.is_empty() {
        ExitCode::Negative
    } else {
        ExitCode::Success
    })
}

/// The actions of a service a principal may perform on the resource.
fn actions_of(
    args: &Args,
    request: &MakeRequest,
    layers_for: &MakeLayers,
) -> Result<ExitCode, String> {
    let service =
        match (&args.service, Arn::parse(&args.resource)) {
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
        let mut req = match request(args.principal.as_deref(), &name) {
            Err(e) if e.starts_with("--resource:") => continue,
            r => r?,
        };
        let layers = layers_for(&mut req);
        if decide(&layers, &req).is_allowed() {
            allowed.push((name, action.access_level().to_string()));
        }
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&json!({ "AllowedActions": allowed.iter().map(|(a, l)| json!({"Action": a, "AccessLevel": l})).collect::<Vec<_>>() })).unwrap_or_default()),
        Format::Text => {
            for (a, l) in &allowed {
                println!("{a}  {l}");
            }
            println!("{} of {} {} actions allowed on {}", allowed.len(), svc.actions().len(), svc.prefix(), args.resource);
        }
    }
    Ok(if allowed.is_empty() {
        ExitCode::Negative
    } else {
        ExitCode::Success
    })
}

fn print_text(results: &[(String, Decision)], resource: &str, sources: &Sources) {
    let c = colour();
    for (action, d) in results {
        let (word, code) = match d.outcome {
            Outcome::Allowed => ("ALLOWED", "32"),
            Outcome::ExplicitDeny => ("EXPLICIT DENY", "31"),
            Outcome::ImplicitDeny => ("IMPLICIT DENY", "33"),
            _ => ("UNKNOWN", "35"),
        };
        println!("{}  {action} on {resource}", paint(word, code, c));
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
            println!(
                "  {:?} statement{sid} in {} ({}) at {}",
                m.effect, m.policy, m.kind, m.start
            );
            match sources.get(&m.policy) {
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
        for what in &d.unknown {
            println!("  unknown: {what}");
        }
        if !d.missing_context.is_empty() {
            println!("  missing context keys: {}", d.missing_context.join(", "));
        }
    }
}
