//! `polcheck eval`: one request against policies, mirroring `aws iam simulate-custom-policy`.
//!
//! JSON output has the shape of the AWS CLI's `simulate-custom-policy` output
//! (`EvaluationResults[]` with `EvalActionName`, `EvalResourceName`, `EvalDecision`,
//! `MatchedStatements`, `MissingContextValues`, `PermissionsBoundaryDecisionDetail`,
//! `OrganizationsDecisionDetail`), plus a `polcheck` object with `blockedBy` and `allowedBy`.

use std::collections::HashMap;

use polcheck_core::compile::NamedPolicy;
use polcheck_core::context::{Context, ContextValue};
use polcheck_core::decide::{aws_result, decide, Decision, Outcome};
use polcheck_core::policy::Policy;
use polcheck_core::request::Request;
use polcheck_core::suite::PolicyInputs;
use serde_json::json;

use crate::input::read_text;
use crate::output::{colour, paint};
use crate::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An identity-based policy file (repeatable; `-` reads standard input).
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<String>,
    /// The action to evaluate, `service:Action` (repeatable).
    #[arg(long = "action", required = true)]
    actions: Vec<String>,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
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
    match evaluate(&args) {
        Ok(decisions) => {
            let all_allowed = decisions.iter().all(|(_, d)| d.is_allowed());
            if all_allowed {
                ExitCode::Success
            } else {
                ExitCode::Negative
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::InputError
        }
    }
}

fn evaluate(args: &Args) -> Result<Vec<(String, Decision)>, String> {
    let mut sources = Sources::new();
    let one = |f: &Option<String>, s: &mut Sources| f.as_ref().map(|f| load(f, s)).transpose();
    let inputs = PolicyInputs {
        identity: Some(
            args.policies
                .iter()
                .map(|f| load(f, &mut sources))
                .collect::<Result<_, _>>()?,
        ),
        resource: one(&args.resource_policy, &mut sources)?,
        boundary: one(&args.boundary, &mut sources)?,
        session: one(&args.session_policy, &mut sources)?,
        scp: load_levels(&args.scp, &mut sources)?,
        rcp: load_levels(&args.rcp, &mut sources)?,
    };
    let layers = inputs.compile();
    let context = parse_context(&args.context)?;
    let mut results = Vec::new();
    for action in &args.actions {
        if action != "*" && !action.contains(':') {
            return Err(format!("--action `{action}`: expected `service:Action`"));
        }
        let mut req = Request::new(
            args.principal.as_deref(),
            action,
            &args.resource,
            context.clone(),
        )
        .map_err(|e| format!("--principal: {e}"))?;
        req.resource_account = args.resource_account.clone();
        results.push((action.clone(), decide(&layers, &req)));
    }
    match args.format {
        Format::Json => {
            let out = json!({ "EvaluationResults": results.iter().map(|(a, d)| aws_result(a, &args.resource, d)).collect::<Vec<_>>() });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text => print_text(&results, &args.resource, &sources),
    }
    Ok(results)
}

fn print_text(results: &[(String, Decision)], resource: &str, sources: &Sources) {
    let c = colour();
    for (action, d) in results {
        let (word, code) = match d.outcome {
            Outcome::Allowed => ("ALLOWED", "32"),
            Outcome::ExplicitDeny => ("EXPLICIT DENY", "31"),
            Outcome::ImplicitDeny => ("IMPLICIT DENY", "33"),
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
        for m in d.matched.iter().filter(|m| {
            d.outcome != Outcome::ExplicitDeny || m.effect == polcheck_core::policy::Effect::Deny
        }) {
            let sid = m
                .sid
                .as_deref()
                .map(|s| format!(" `{s}`"))
                .unwrap_or_default();
            println!(
                "  {:?} statement{sid} of {} policy {} at {}",
                m.effect, m.kind, m.policy, m.start
            );
            if let Some(text) = sources.get(&m.policy) {
                for line in text
                    .lines()
                    .skip(m.start.line as usize - 1)
                    .take((m.end.line - m.start.line + 1) as usize)
                {
                    println!("    | {line}");
                }
            }
        }
        if !d.missing_context.is_empty() {
            println!("  missing context keys: {}", d.missing_context.join(", "));
        }
    }
}
