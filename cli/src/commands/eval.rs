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
use polcheck_core::decide::{aws_result, Decision, Detail, Outcome};
use polcheck_core::inputs::PolicyInputs;
use polcheck_core::policy::Policy;
use polcheck_core::question::{self, QuestionError, QuestionOptions};
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
    /// With a world and no principal: also every principal that reaches the action through
    /// an access path (assumed roles, passed roles, escalation), with the path.
    #[arg(long)]
    transitive: bool,
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
    if args.transitive {
        return super::paths::transitive(&args.worlds, &args.actions, &args.resource, args.format);
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
    let request = |principal: Option<&str>, action: &str| -> Result<Request, String> {
        let mut req = Request::new(principal, action, &args.resource, context.clone())
            .map_err(|e| format!("{}: {e}", flag_of(&e)))?;
        req.set_resource_account(args.resource_account.clone());
        question::check(&req, engine.world(), options)
            .map_err(|e| format!("{}: {e}", question_flag(&e)))?;
        Ok(req)
    };
    if let Some(path) = &args.requests {
        return super::batch::run(path, &engine, args.outcome_only, options);
    }
    if let (Some(_), None, false) = (engine.world(), &args.principal, args.actions.is_empty()) {
        return who_can(args, &engine, &context);
    }
    if engine.world().is_some() && args.actions.is_empty() {
        return actions_of(args, &engine, &request);
    }
    if args.actions.is_empty() {
        return Err("--action is required with --policy".into());
    }
    let mut results = Vec::new();
    for action in &args.actions {
        let req = request(args.principal.as_deref(), action)?;
        let detail = if args.all_matches {
            Detail::All
        } else {
            Detail::Bounded
        };
        results.push((action.clone(), engine.authorize_with(&req, detail)));
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

/// Who can: every principal of the world, for each action, with the decision.
fn who_can(args: &Args, engine: &Engine, context: &Context) -> Result<ExitCode, String> {
    let mut allowed = Vec::new();
    let mut asked = 0;
    for action in &args.actions {
        check_action(action)?;
        asked += engine.world().map_or(0, |w| w.principals().len());
        let found = engine.who_can_with(
            action,
            &args.resource,
            context,
            args.resource_account.as_deref(),
        );
        allowed.extend(found.into_iter().map(|(p, d)| (p, action.clone(), d)));
    }
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
                "{} of {asked} principal-action pairs allowed",
                allowed.len(),
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
fn actions_of(args: &Args, engine: &Engine, request: &MakeRequest) -> Result<ExitCode, String> {
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
