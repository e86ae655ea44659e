//! `polcheck paths`: how one principal can act as another, become admin, or reach an action
//! on a resource, hop by hop, each hop with the statements that allow it (`docs/paths.md`).

use polcheck_core::paths::{Graph, HopReport, Options, PathReport, Target};
use polcheck_core::Engine;
use serde_json::json;

use crate::output::Format;
use crate::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// World files or directories of AWS exports (repeatable; default: the bundled demo world).
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// The principal to start from: a user or role ARN, a session ARN, or a name.
    #[arg(long)]
    from: String,
    /// The principal to reach (ARN or name), or `admin` (allowed `*` on `*`).
    #[arg(long)]
    to: Option<String>,
    /// Reach a principal allowed this action (with `--resource`).
    #[arg(long)]
    action: Option<String>,
    /// The resource of `--action`.
    #[arg(long, default_value = "*")]
    resource: String,
    /// Every simple path up to `--max-hops`, not only the shortest.
    #[arg(long)]
    all: bool,
    /// The longest path `--all` lists.
    #[arg(long, default_value_t = 6)]
    max_hops: usize,
    /// At most this many paths with `--all`.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// The region new resources (functions, instances) are created in.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: Args) -> ExitCode {
    match paths(&args) {
        Ok(code) => code,
        Err(e) => {
            crate::report::error(&e.to_string());
            ExitCode::InputError
        }
    }
}

/// The engine and graph of `--world` flags.
pub fn graph(worlds: &[String], region: &str) -> Result<(Engine, Graph), String> {
    let engine = crate::world::engine_from_flags(worlds)?;
    let options = Options {
        region: region.to_string(),
    };
    let graph = Graph::build(&engine, &options).map_err(|e| e.to_string())?;
    Ok((engine, graph))
}

fn find(graph: &Graph, flag: &str, name: &str) -> Result<usize, String> {
    graph.find(name).ok_or_else(|| {
        format!("{flag} `{name}`: no user or role of the world has this ARN or name (or the name is not unique: give the ARN)")
    })
}

fn paths(args: &Args) -> Result<ExitCode, String> {
    let (engine, graph) = graph(&args.worlds, &args.region)?;
    let from = find(&graph, "--from", &args.from)?;
    let target = match (&args.to, &args.action) {
        (Some(_), Some(_)) => return Err("give --to or --action, not both".into()),
        (Some(t), None) if t == "admin" => Target::Admin,
        (Some(t), None) => Target::Principal(find(&graph, "--to", t)?),
        (None, Some(a)) if a.contains(':') => Target::Action {
            action: a.clone(),
            resource: args.resource.clone(),
        },
        (None, Some(a)) => return Err(format!("--action `{a}`: expected `service:Action`")),
        (None, None) => Target::Admin,
    };
    let found = if args.all {
        graph.all_paths(&engine, from, &target, args.max_hops, args.limit)
    } else {
        graph.shortest(&engine, from, &target).into_iter().collect()
    };
    let reports: Vec<PathReport> = found.iter().map(|p| graph.report(&engine, p)).collect();
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "Paths": reports })).unwrap_or_default()
        ),
        Format::Text => {
            let what = match &target {
                Target::Admin => "admin".to_string(),
                Target::Principal(j) => graph.node(*j).map(|n| n.arn.clone()).unwrap_or_default(),
                Target::Action { action, resource } => format!("{action} on {resource}"),
                _ => "the target".to_string(),
            };
            if reports.is_empty() {
                println!("no path from {} to {what}", args.from);
            }
            for (i, r) in reports.iter().enumerate() {
                println!("path {} from {} to {what}:", i + 1, r.from);
                print_path(r, "  ");
            }
        }
    }
    Ok(if reports.is_empty() {
        ExitCode::Negative
    } else {
        ExitCode::Success
    })
}

/// A path in lines: one per hop, then one per step with the statements that allowed it.
pub fn print_path(r: &PathReport, indent: &str) {
    if r.hops.is_empty() {
        println!("{indent}{} itself", r.from);
    }
    for h in &r.hops {
        print_hop(h, indent, "");
    }
    let end = if r.elevated {
        format!("{} (holding any permission)", r.to)
    } else {
        r.to.clone()
    };
    println!("{indent}=> {end}{}", when(&r.conditions));
}

fn when(c: &[polcheck_core::paths::Condition]) -> String {
    if c.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = c.iter().map(|c| format!("{}={}", c.key, c.value)).collect();
    format!(" when {}", parts.join(", "))
}

fn print_hop(h: &HopReport, indent: &str, lead: &str) {
    let conditional = if h.conditional { " [conditional]" } else { "" };
    let verb = if h.elevates {
        "gives any permission to"
    } else {
        "becomes"
    };
    println!(
        "{indent}{lead}{} --{}--> {verb} {}{conditional}",
        h.from, h.method, h.to
    );
    if let Some(note) = &h.note {
        println!("{indent}    note: {note}");
    }
    for s in &h.steps {
        println!(
            "{indent}    {} {} on {}{}: {}",
            short(&s.caller),
            s.action,
            s.resource,
            when(&s.conditions),
            s.decision
        );
        // SCP and RCP allows are nearly always `FullAWSAccess`: the JSON output lists them.
        for m in s
            .allowed_by
            .iter()
            .filter(|m| m.kind != "scp" && m.kind != "rcp")
        {
            let sid = m
                .sid
                .as_deref()
                .map_or_else(|| " a statement".to_string(), |s| format!(" `{s}`"));
            println!(
                "{indent}      allowed by{sid} in {} ({}): {}",
                m.policy, m.kind, m.statement
            );
        }
    }
    for t in &h.then {
        print_hop(t, &format!("{indent}  "), "then ");
    }
}

/// A caller in a few letters: the user's or role's name, or the service.
fn short(arn: &str) -> &str {
    if let Some((_, rest)) = arn.split_once(":assumed-role/") {
        return rest.split('/').next().unwrap_or(rest);
    }
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// `eval --world W --action A --resource R --transitive`: who can perform each action, on
/// their own or through a path.
pub fn transitive(
    worlds: &[String],
    actions: &[String],
    resource: &str,
    format: Format,
) -> Result<ExitCode, String> {
    if actions.is_empty() {
        return Err("--transitive needs --action".into());
    }
    if let Some(a) = actions.iter().find(|a| !a.contains(':')) {
        return Err(format!("--action `{a}`: expected `service:Action`"));
    }
    let (engine, graph) = graph(worlds, "us-east-1")?;
    let mut rows = Vec::new();
    for action in actions {
        let target = Target::Action {
            action: action.clone(),
            resource: resource.to_string(),
        };
        for i in 0..graph.nodes().len() {
            if let Some(p) = graph.shortest(&engine, i, &target) {
                rows.push((action.clone(), graph.report(&engine, &p)));
            }
        }
    }
    match format {
        Format::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|(a, r)| json!({"Principal": r.from, "Action": a, "Direct": r.hops.is_empty(), "Path": r}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "TransitivePrincipals": list }))
                    .unwrap_or_default()
            );
        }
        Format::Text => {
            for action in actions {
                println!("who can {action} on {resource}, through paths:");
                for (_, r) in rows.iter().filter(|(a, _)| a == action) {
                    if r.hops.is_empty() {
                        println!("  {}  (directly){}", r.from, when(&r.conditions));
                    } else {
                        let chain: Vec<String> = r
                            .hops
                            .iter()
                            .map(|h| {
                                let mark = if h.conditional { " [conditional]" } else { "" };
                                format!("--{}{mark}--> {}", h.method, h.to)
                            })
                            .collect();
                        println!("  {}  {}{}", r.from, chain.join(" "), when(&r.conditions));
                    }
                }
            }
            println!("{} principal-action pairs reach the action", rows.len());
        }
    }
    Ok(if rows.is_empty() {
        ExitCode::Negative
    } else {
        ExitCode::Success
    })
}
