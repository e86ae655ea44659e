//! The network half of `polcheck eval` (`--from`/`--to`) and `polcheck exposure`.

use polcheck_core::network::{Flow, NetworkModel, Reachability, Verdict};
use polcheck_core::Engine;
use serde_json::json;

use crate::output::{colour, paint};
use crate::ExitCode;

/// The flow flags of `polcheck eval`.
#[derive(clap::Args, Default)]
pub struct FlowArgs {
    /// Flow source: `internet`, an IP address, an instance or an interface id.
    #[arg(long)]
    pub from: Option<String>,
    /// Flow destination: an instance or interface id, or an IP address.
    #[arg(long)]
    pub to: Option<String>,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// Destination port (tcp, udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// The client's port; absent means any port of 1024-65535.
    #[arg(long)]
    pub source_port: Option<u16>,
    /// ICMP type.
    #[arg(long)]
    pub icmp_type: Option<i32>,
    /// ICMP code.
    #[arg(long)]
    pub icmp_code: Option<i32>,
    /// SSH to an instance (id, `name:NAME`): `--to TARGET --port 22`; with `--principal`, also
    /// the IAM half, `ec2-instance-connect:SendSSHPublicKey` on the instance (unless `--action`
    /// says otherwise).
    #[arg(long, value_name = "INSTANCE")]
    pub ssh: Option<String>,
}

impl FlowArgs {
    /// `true` when the flags ask about a flow.
    pub fn is_flow(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.ssh.is_some()
    }

    /// The flow, in the suite format's shape, read by the core.
    pub fn flow(&self) -> Result<Flow, String> {
        if self.ssh.is_some() && (self.to.is_some() || self.port.is_some_and(|p| p != 22)) {
            return Err(
                "--ssh INSTANCE is `--to INSTANCE --port 22`: give one or the other".into(),
            );
        }
        let to = self.ssh.as_ref().or(self.to.as_ref());
        let (Some(from), Some(to)) = (&self.from, to) else {
            return Err("a flow needs both --from and --to (or --ssh)".into());
        };
        let mut v = json!({ "from": from, "to": to, "protocol": self.protocol });
        if let Some(p) = self.port.or(self.ssh.as_ref().map(|_| 22)) {
            v["port"] = json!(p);
        }
        if let Some(p) = self.source_port {
            v["sourcePort"] = json!(p);
        }
        if let Some(t) = self.icmp_type {
            v["icmpType"] = json!(t);
        }
        if let Some(c) = self.icmp_code {
            v["icmpCode"] = json!(c);
        }
        Flow::from_test_json(&v).map_err(|e| e.to_string())
    }
}

/// Prints a verdict as text: the answer, every blocker, then the path.
pub fn print_verdict(flow: &FlowArgs, v: &Verdict) {
    let c = colour();
    let answer = match v.outcome {
        Reachability::Allowed => paint("ALLOWED", "32", c),
        Reachability::Unknown => paint("UNKNOWN", "33", c),
        _ => paint("DENIED", "31", c),
    };
    let port = flow
        .port
        .or(flow.ssh.as_ref().map(|_| 22))
        .map(|p| format!(" port {p}"))
        .unwrap_or_default();
    println!(
        "{answer}  {} -> {} {}{port}",
        flow.from.as_deref().unwrap_or_default(),
        flow.ssh
            .as_deref()
            .or(flow.to.as_deref())
            .unwrap_or_default(),
        flow.protocol
    );
    for b in &v.blockers {
        let rule = b
            .rule
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        println!(
            "  blocked by {} {}{rule} [{} {}]: {}",
            b.kind.as_str(),
            b.component,
            word(&b.direction),
            word(&b.code),
            b.explanation
        );
    }
    for u in &v.unknowns {
        let rule = u
            .rule
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        println!(
            "  cannot follow {}{rule} [{} {}]: {}",
            u.component,
            word(&u.direction),
            word(&u.code),
            u.explanation
        );
    }
    if !v.allowed_from.is_empty() {
        println!(
            "  allowed from part of the internet only: {}",
            v.allowed_from.join("; ")
        );
    }
    for n in &v.notes {
        println!("  note: {n}");
    }
    for h in &v.hops {
        let rule = h
            .rule
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        println!(
            "  {} {} {}{rule}",
            word(&h.direction),
            word(&h.kind),
            h.component
        );
    }
}

/// Exit code for a verdict: 0 allowed, 1 denied, 3 unknown.
pub fn code(v: &Verdict) -> ExitCode {
    match v.outcome {
        Reachability::Allowed => ExitCode::Success,
        Reachability::Unknown => ExitCode::Unknown,
        _ => ExitCode::Negative,
    }
}

/// `true` when a world holds no network data at all (no VPC, subnet or interface): a network
/// question about it has no answer.
pub fn has_no_network(network: &NetworkModel) -> bool {
    network.vpcs().is_empty() && network.subnets().is_empty() && network.interfaces().is_empty()
}

/// The warning printed when a world has no network data.
pub const NO_NETWORK: &str = "the world holds no network data (no `Vpcs`, `Subnets`, `Reservations` or `NetworkInterfaces`): nothing to check; export them with `aws ec2 describe-vpcs`, `describe-subnets`, `describe-route-tables`, `describe-network-acls`, `describe-security-groups` and `describe-instances`";

#[derive(clap::Args)]
pub struct ExposureArgs {
    /// World files or directories (default: the bundled demo world).
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::output::Format::Text)]
    format: crate::output::Format,
}

/// `polcheck exposure`: every instance port reachable from the internet. Exit 0, 2 bad input,
/// 3 when the world holds no network data.
pub fn run_exposure(args: ExposureArgs) -> ExitCode {
    let engine = match crate::world::from_flags(Engine::builder(), &args.worlds) {
        Ok(engine) => engine,
        Err(e) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    if engine.network().is_none_or(has_no_network) {
        eprintln!("warning: {NO_NETWORK}");
        return ExitCode::Unknown;
    }
    let found = match engine.exposure() {
        Ok(found) => found,
        Err(e) => {
            crate::report::error(&e.to_string());
            return ExitCode::InputError;
        }
    };
    match args.format {
        crate::output::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&found).unwrap_or_default()
        ),
        crate::output::Format::Text => {
            for e in &found {
                let ports: Vec<String> = e.ports.iter().map(ToString::to_string).collect();
                let who = match (&e.service, &e.instance_id) {
                    (Some(s), _) => format!("{s} ({})", e.interface_id),
                    (None, Some(i)) => i.clone(),
                    (None, None) => e.interface_id.clone(),
                };
                let scope = if e.unknown {
                    "  (unknown: the path crosses a route target polcheck does not follow)"
                        .to_string()
                } else if e.from.is_empty() {
                    String::new()
                } else {
                    format!("  from {} only", e.from.join("; "))
                };
                println!(
                    "{who}  {}  {}  {} {}{scope}",
                    e.address,
                    e.subnet_id,
                    e.protocol,
                    ports.join(",")
                );
            }
            let open = found
                .iter()
                .filter(|e| e.from.is_empty() && !e.unknown)
                .count();
            println!(
                "{open} interface-protocol pairs open to every public address, {} open to part of the internet, {} unknown",
                found.iter().filter(|e| !e.from.is_empty()).count(),
                found.iter().filter(|e| e.unknown).count()
            );
        }
    }
    ExitCode::Success
}

/// A serializable enum as the word its JSON form uses (`SECURITY_GROUP_NO_INGRESS`, `forward`).
fn word<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The IAM half of a combined question.
pub struct IamHalf<'a> {
    /// `--principal`.
    pub principal: &'a str,
    /// `--action` (empty: `ec2-instance-connect:SendSSHPublicKey` with `--ssh`).
    pub actions: &'a [String],
    /// `--resource` (`*`: the instance's ARN with `--ssh`).
    pub resource: &'a str,
    /// `--context`.
    pub context: polcheck_core::Context,
    /// `--allow-unknown-action`, `--allow-unknown-principal`.
    pub options: polcheck_core::question::QuestionOptions,
}

/// `polcheck eval --principal P (--action A) --from ADDRESS (--to X --port N | --ssh X)`:
/// the IAM decision for the action on the resource and the network flow, each with its
/// explanation, and one verdict: allowed when both are, denied (exit 1) when either denies,
/// else unknown (exit 3).
pub fn combined(
    flow_args: &FlowArgs,
    worlds: &[String],
    iam: IamHalf<'_>,
    format: crate::output::Format,
) -> Result<ExitCode, String> {
    use polcheck_core::decide::{aws_result, Detail, Outcome};
    use polcheck_core::Request;

    let flow = flow_args.flow()?;
    let engine = crate::world::from_flags(Engine::builder(), worlds)?;
    let network = engine.network().ok_or("the world has no network")?;
    let verdict = engine.flow(&flow).map_err(|e| e.to_string())?;
    let ssh_action = ["ec2-instance-connect:SendSSHPublicKey".to_string()];
    let actions: &[String] = match (iam.actions.is_empty(), &flow_args.ssh) {
        (false, _) => iam.actions,
        (true, Some(_)) => &ssh_action,
        (true, None) => {
            return Err(
                "--principal with a flow asks both halves: give --action (or use --ssh)".into(),
            )
        }
    };
    // The resource: `--resource`, else the instance the flow goes to.
    let resource = if iam.resource == "*" {
        network
            .instance_of(&flow.to)
            .and_then(|i| i.arn())
            .unwrap_or_else(|| "*".to_string())
    } else {
        iam.resource.to_string()
    };
    let mut decisions = Vec::new();
    for action in actions {
        let req = Request::new(Some(iam.principal), action, &resource, iam.context.clone())
            .map_err(|e| format!("--principal/--action/--resource: {e}"))?;
        polcheck_core::question::check(&req, engine.world(), iam.options)
            .map_err(|e| e.to_string())?;
        decisions.push((action.clone(), engine.authorize_with(&req, Detail::Bounded)));
    }
    let iam_allowed = decisions.iter().all(|(_, d)| d.outcome == Outcome::Allowed);
    let iam_denied = decisions
        .iter()
        .any(|(_, d)| matches!(d.outcome, Outcome::ExplicitDeny | Outcome::ImplicitDeny));
    let outcome = if iam_denied || verdict.outcome == Reachability::Denied {
        Reachability::Denied
    } else if iam_allowed && verdict.outcome == Reachability::Allowed {
        Reachability::Allowed
    } else {
        Reachability::Unknown
    };
    let word = |o: Reachability| o.as_str();
    match format {
        crate::output::Format::Json => {
            let out = json!({
                "outcome": word(outcome),
                "allowed": outcome == Reachability::Allowed,
                "iam": { "EvaluationResults": decisions.iter().map(|(a, d)| aws_result(a, &resource, d)).collect::<Vec<_>>() },
                "network": verdict,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        crate::output::Format::Text => {
            let c = colour();
            let answer = match outcome {
                Reachability::Allowed => paint("ALLOWED", "32", c),
                Reachability::Unknown => paint("UNKNOWN", "33", c),
                _ => paint("DENIED", "31", c),
            };
            let halves: Vec<String> = decisions
                .iter()
                .map(|(a, d)| format!("iam {a}: {}", outcome_word(d.outcome)))
                .chain(std::iter::once(format!(
                    "network: {}",
                    word(verdict.outcome)
                )))
                .collect();
            println!("{answer}  {}  ({})", iam.principal, halves.join("; "));
            for (a, d) in &decisions {
                println!(
                    "iam: {} {a} on {resource}",
                    outcome_word(d.outcome).to_uppercase()
                );
                let kinds: Vec<&str> = d.blocked_by.iter().map(|k| k.as_str()).collect();
                if !kinds.is_empty() {
                    let why = if d.outcome == Outcome::ExplicitDeny {
                        "denied by"
                    } else {
                        "no allow from"
                    };
                    println!("  {why}: {}", kinds.join(", "));
                }
                for m in &d.matched {
                    let sid = m
                        .sid
                        .as_deref()
                        .map(|s| format!(" `{s}`"))
                        .unwrap_or_default();
                    println!(
                        "  {:?} statement{sid} in {} ({})",
                        m.effect, m.policy, m.kind
                    );
                }
            }
            print!("network: ");
            print_verdict(flow_args, &verdict);
        }
    }
    Ok(match outcome {
        Reachability::Allowed => ExitCode::Success,
        Reachability::Denied => ExitCode::Negative,
        _ => ExitCode::Unknown,
    })
}

fn outcome_word(o: polcheck_core::decide::Outcome) -> &'static str {
    use polcheck_core::decide::Outcome;
    match o {
        Outcome::Allowed => "allowed",
        Outcome::ExplicitDeny => "explicit deny",
        Outcome::ImplicitDeny => "implicit deny",
        _ => "unknown",
    }
}
