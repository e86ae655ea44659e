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
    /// A Session Manager session to an instance (id, `name:NAME`), with `--principal`: the IAM
    /// half is `ssm:StartSession` on the instance, the network half the instance's own HTTPS
    /// (443) to the `ssm` and `ssmmessages` endpoints: an interface endpoint of its VPC when
    /// there is one, else the internet (through a NAT gateway or a public address).
    #[arg(long, value_name = "INSTANCE")]
    pub ssm: Option<String>,
    /// A database connection with IAM database authentication (`rds:ID`, an Aurora cluster),
    /// with `--principal`, `--from` and `--db-user`: `rds-db:connect` on
    /// `arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE-ID/USER`, and TCP to the database's port.
    #[arg(long, value_name = "DB")]
    pub db_connect: Option<String>,
    /// The database user of `--db-connect`.
    #[arg(long, value_name = "USER")]
    pub db_user: Option<String>,
    /// An EFS mount with IAM authorization (`efs:FS-ID`, `fs-...`), with `--principal` and
    /// `--from`: `elasticfilesystem:ClientMount` on the file system (through a mount target), and
    /// NFS (TCP 2049) to the mount target nearest the client.
    #[arg(long, value_name = "FS")]
    pub efs_mount: Option<String>,
}

impl FlowArgs {
    /// `true` when the flags ask about a flow.
    pub fn is_flow(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.ssh.is_some() || self.worked().is_some()
    }

    /// The worked question asked (`--ssm`, `--db-connect`, `--efs-mount`), by its flag.
    fn worked(&self) -> Option<&'static str> {
        if self.ssm.is_some() {
            Some("--ssm")
        } else if self.db_connect.is_some() {
            Some("--db-connect")
        } else if self.efs_mount.is_some() {
            Some("--efs-mount")
        } else {
            None
        }
    }

    /// A flow from `from` to `to` on TCP `port`, with the other flags' source port.
    fn tcp(&self, from: &str, to: &str, port: u16) -> Result<Flow, String> {
        let mut v = json!({ "from": from, "to": to, "protocol": "tcp", "port": port });
        if let Some(p) = self.source_port {
            v["sourcePort"] = json!(p);
        }
        Flow::from_test_json(&v).map_err(|e| e.to_string())
    }

    /// The flow, in the suite format's shape, read by the core.
    pub fn flow(&self) -> Result<Flow, String> {
        if let Some(flag) = self.worked() {
            return Err(format!(
                "{flag} asks both halves (IAM and network): give --principal"
            ));
        }
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
    print_leg(
        flow.from.as_deref().unwrap_or_default(),
        flow.ssh
            .as_deref()
            .or(flow.to.as_deref())
            .unwrap_or_default(),
        &flow.protocol,
        flow.port.or(flow.ssh.as_ref().map(|_| 22)),
        v,
    );
}

/// Prints the verdict of the flow `from -> to`.
fn print_leg(from: &str, to: &str, protocol: &str, port: Option<u16>, v: &Verdict) {
    let c = colour();
    let answer = match v.outcome {
        Reachability::Allowed => paint("ALLOWED", "32", c),
        Reachability::Unknown => paint("UNKNOWN", "33", c),
        _ => paint("DENIED", "31", c),
    };
    let port = port.map(|p| format!(" port {p}")).unwrap_or_default();
    println!("{answer}  {from} -> {to} {protocol}{port}");
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

/// What a combined question asks: the IAM actions on one resource, the network legs (each a
/// named flow, all of which must be allowed), and what else the answer depends on.
struct Plan {
    actions: Vec<String>,
    resource: String,
    legs: Vec<(String, Flow)>,
    /// Context keys the service sets for this kind of request, unless `--context` gives them.
    context: Vec<(&'static str, &'static str)>,
    /// Refusals outside both halves' evaluation (IAM database authentication disabled).
    refusals: Vec<String>,
    /// When the IAM half finds no allow, what the world lacks to be sure (a file system
    /// without a file system policy in the world: AWS's default policy would allow).
    unsure_without_allow: Option<String>,
    /// Calls another caller must be allowed for the answer to hold (Session Manager: the
    /// instance role's SSM Agent calls), as (caller, action, resource).
    agent: Vec<(String, String, String)>,
    /// What the world lacks to decide those calls (no instance profile, or no role holding it).
    agent_unknown: Option<String>,
}

/// The SSM Agent's calls for Session Manager, made with the credentials of the instance's
/// role (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-prerequisites.html:
/// the instance profile needs `AmazonSSMManagedInstanceCore`'s permissions,
/// `ssm:UpdateInstanceInformation` and the four `ssmmessages` channel actions), or what the
/// world lacks to name that role.
type AgentCalls = (Vec<(String, String, String)>, Option<String>);

fn ssm_agent(
    engine: &Engine,
    inst: &polcheck_core::network::Instance,
    instance_arn: &str,
) -> AgentCalls {
    let Some(profile) = &inst.instance_profile else {
        return (Vec::new(), Some(format!("instance `{}` has no IamInstanceProfile in the world (describe-instances): the SSM Agent needs credentials allowing ssm:UpdateInstanceInformation and ssmmessages:*Channel, from an instance profile or the account's Default Host Management Configuration, which polcheck does not read", inst.id)));
    };
    let role = engine.world().and_then(|w| {
        w.principal_infos()
            .into_iter()
            .find(|p| p.instance_profiles.iter().any(|a| a == profile))
            .map(|p| (p.name.to_string(), p.account.to_string()))
    });
    let Some((name, account)) = role else {
        return (Vec::new(), Some(format!("the world holds no role with instance profile `{profile}` (the instance's IamInstanceProfile; a role's InstanceProfileList in get-account-authorization-details): the SSM Agent's permissions cannot be checked")));
    };
    // The instance's credentials are a session of the role named by the instance id.
    let caller = format!("arn:aws:sts::{account}:assumed-role/{name}/{}", inst.id);
    let mut calls = vec![(
        caller.clone(),
        "ssm:UpdateInstanceInformation".to_string(),
        instance_arn.to_string(),
    )];
    for a in [
        "CreateControlChannel",
        "CreateDataChannel",
        "OpenControlChannel",
        "OpenDataChannel",
    ] {
        calls.push((caller.clone(), format!("ssmmessages:{a}"), "*".to_string()));
    }
    (calls, None)
}

/// The instance an end names, or an error naming it.
fn instance<'m>(
    network: &'m NetworkModel,
    text: &str,
    flag: &str,
) -> Result<&'m polcheck_core::network::Instance, String> {
    let end = polcheck_core::network::Endpoint::parse(text).map_err(|e| format!("{flag}: {e}"))?;
    network
        .instance_of(&end)
        .ok_or_else(|| format!("{flag}: `{text}` is not an instance of the world"))
}

fn plan(
    flow_args: &FlowArgs,
    engine: &Engine,
    network: &NetworkModel,
    iam: &IamHalf<'_>,
) -> Result<Plan, String> {
    use polcheck_core::network::ServiceKind;
    let given = |default: &str| -> Vec<String> {
        if iam.actions.is_empty() {
            vec![default.to_string()]
        } else {
            iam.actions.to_vec()
        }
    };
    let conflicts = flow_args.to.is_some() || flow_args.ssh.is_some();
    if let Some(text) = &flow_args.ssm {
        // https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-prerequisites.html
        // and .../setup-create-vpc.html: the instance opens HTTPS to ssm and ssmmessages.
        if conflicts || flow_args.from.is_some() || flow_args.port.is_some() {
            return Err("--ssm INSTANCE is the instance's own HTTPS to Session Manager: give no --from, --to, --ssh or --port".into());
        }
        let inst = instance(network, text, "--ssm")?;
        let arn = inst.arn().ok_or_else(|| {
            format!("--ssm: instance `{}` has no Placement.AvailabilityZone or owner in the world, so its ARN (and region) is unknown", inst.id)
        })?;
        let region = arn.split(':').nth(3).unwrap_or_default().to_string();
        let vpc = inst
            .interface_ids
            .first()
            .and_then(|e| network.interface(e))
            .map(|e| e.vpc_id.clone());
        let mut legs = Vec::new();
        for svc in ["ssm", "ssmmessages"] {
            let service_name = format!("com.amazonaws.{region}.{svc}");
            // An interface endpoint of the instance's VPC with private DNS takes the service's
            // name (`ssm.REGION.amazonaws.com`); otherwise the name resolves to public addresses.
            let dns = format!("{svc}.{region}.amazonaws.com");
            let endpoint = network.services().iter().any(|s| {
                s.kind == ServiceKind::InterfaceEndpoint
                    && s.is_named(&dns)
                    && s.interface_ids.iter().any(|e| {
                        network.interface(e).map(|i| Some(&i.vpc_id)) == Some(vpc.as_ref())
                    })
            });
            let to = if endpoint {
                format!("vpce:{service_name}")
            } else {
                "internet".to_string()
            };
            legs.push((format!("{svc} ({dns})"), flow_args.tcp(text, &to, 443)?));
        }
        let (agent, agent_unknown) = ssm_agent(engine, inst, &arn);
        return Ok(Plan {
            agent,
            agent_unknown,
            actions: given("ssm:StartSession"),
            resource: if iam.resource == "*" {
                arn
            } else {
                iam.resource.to_string()
            },
            legs,
            context: Vec::new(),
            refusals: Vec::new(),
            unsure_without_allow: None,
        });
    }
    if let Some(text) = &flow_args.db_connect {
        // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
        let from = flow_args
            .from
            .as_deref()
            .ok_or("--db-connect DB needs --from (the client)")?;
        let user = flow_args
            .db_user
            .as_deref()
            .ok_or("--db-connect DB needs --db-user USER (the database user IAM authenticates)")?;
        if conflicts {
            return Err("--db-connect DB is `--to DB --port PORT`: give one or the other".into());
        }
        let found = network
            .services_named(text)
            .map_err(|e| format!("--db-connect: {e}"))?;
        let db = match found.first() {
            Some(db) if db.kind == ServiceKind::Database => *db,
            _ => return Err(format!("--db-connect: `{text}` is not a database")),
        };
        let port = match (db.ports.first(), flow_args.port) {
            (Some(p), None) => *p,
            (Some(p), Some(q)) if *p == q => q,
            (None, Some(q)) => q,
            (Some(p), Some(q)) => {
                return Err(format!("--db-connect: `{}` listens on {p}, not --port {q}", db.id))
            }
            (None, None) => {
                return Err(format!("--db-connect: the world does not say the port of `{}` (Endpoint.Port): give --port", db.id))
            }
        };
        let mut refusals = Vec::new();
        if db.iam_auth == Some(false) {
            refusals.push(format!("database `{}` has IAMDatabaseAuthenticationEnabled false: it accepts no IAM authentication token", db.id));
        }
        let resource = if iam.resource != "*" {
            iam.resource.to_string()
        } else {
            let base = db.iam_resource.as_deref().ok_or_else(|| {
                format!(
                    "--db-connect: the world does not say the resource id of `{}` (`DbiResourceId` and `DBInstanceArn` of describe-db-instances; for an Aurora instance, its cluster from describe-db-clusters): give --resource arn:aws:rds-db:REGION:ACCOUNT:dbuser:ID/{user}",
                    db.id
                )
            })?;
            format!("{base}/{user}")
        };
        return Ok(Plan {
            actions: given("rds-db:connect"),
            resource,
            legs: vec![("database".to_string(), flow_args.tcp(from, text, port)?)],
            context: Vec::new(),
            refusals,
            unsure_without_allow: None,
            agent: Vec::new(),
            agent_unknown: None,
        });
    }
    if let Some(text) = &flow_args.efs_mount {
        // https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
        let from = flow_args
            .from
            .as_deref()
            .ok_or("--efs-mount FS needs --from (the NFS client)")?;
        if conflicts || flow_args.port.is_some_and(|p| p != 2049) {
            return Err("--efs-mount FS is `--to FS --port 2049`: give one or the other".into());
        }
        let target = if text.starts_with("fs-") || text.starts_with("fsmt-") {
            format!("efs:{text}")
        } else {
            text.clone()
        };
        let found = network
            .services_named(&target)
            .map_err(|e| format!("--efs-mount: {e}"))?;
        let mt = match found.first() {
            Some(m) if m.kind == ServiceKind::MountTarget => *m,
            _ => return Err(format!("--efs-mount: `{text}` is not a file system")),
        };
        let resource = if iam.resource != "*" {
            iam.resource.to_string()
        } else {
            mt.iam_resource.clone().ok_or_else(|| format!("--efs-mount: the world does not say the ARN of the file system of `{}` (OwnerId and AvailabilityZoneName of describe-mount-targets): give --resource", mt.id))?
        };
        let has_policy = engine
            .world()
            .is_some_and(|w| w.resource_policy_infos().iter().any(|r| r.arn == resource));
        return Ok(Plan {
            actions: given("elasticfilesystem:ClientMount"),
            legs: vec![("nfs".to_string(), flow_args.tcp(from, &target, 2049)?)],
            context: vec![("elasticfilesystem:AccessedViaMountTarget", "true")],
            refusals: Vec::new(),
            agent: Vec::new(),
            agent_unknown: None,
            unsure_without_allow: (!has_policy).then(|| format!("the world holds no file system policy for `{resource}` (a `ResourcePolicies` entry with what `aws efs describe-file-system-policy` prints): if the file system has none (PolicyNotFound), AWS's default policy grants every client that reaches a mount target")),
            resource,
        });
    }
    let flow = flow_args.flow()?;
    let actions = match (iam.actions.is_empty(), &flow_args.ssh) {
        (false, _) => iam.actions.to_vec(),
        (true, Some(_)) => vec!["ec2-instance-connect:SendSSHPublicKey".to_string()],
        (true, None) => {
            return Err(
                "--principal with a flow asks both halves: give --action (or use --ssh, --ssm, --db-connect, --efs-mount)".into(),
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
    Ok(Plan {
        actions,
        resource,
        legs: vec![("network".to_string(), flow)],
        context: Vec::new(),
        refusals: Vec::new(),
        unsure_without_allow: None,
        agent: Vec::new(),
        agent_unknown: None,
    })
}

/// `polcheck eval --principal P (--action A) --from ADDRESS (--to X --port N | --ssh X)`, and
/// the worked questions `--ssm X`, `--db-connect DB --db-user U`, `--efs-mount FS`: the IAM
/// decision for the action on the resource and the network flows, each with its explanation,
/// and one verdict: allowed when both halves are, denied (exit 1) when either denies, else
/// unknown (exit 3).
pub fn combined(
    flow_args: &FlowArgs,
    worlds: &[String],
    mut iam: IamHalf<'_>,
    format: crate::output::Format,
) -> Result<ExitCode, String> {
    use polcheck_core::decide::{aws_result, Detail, Outcome};
    use polcheck_core::Request;

    let engine = crate::world::from_flags(Engine::builder(), worlds)?;
    let network = engine.network().ok_or("the world has no network")?;
    let plan = plan(flow_args, &engine, network, &iam)?;
    for (k, v) in &plan.context {
        if iam.context.get(k).is_none() {
            iam.context
                .insert(k, polcheck_core::ContextValue::single(*v));
        }
    }
    let mut legs = Vec::new();
    for (name, flow) in &plan.legs {
        legs.push((
            name.clone(),
            flow,
            engine.flow(flow).map_err(|e| e.to_string())?,
        ));
    }
    let resource = &plan.resource;
    let mut decisions = Vec::new();
    for action in &plan.actions {
        let req = Request::new(Some(iam.principal), action, resource, iam.context.clone())
            .map_err(|e| format!("--principal/--action/--resource: {e}"))?;
        polcheck_core::question::check(&req, engine.world(), iam.options)
            .map_err(|e| e.to_string())?;
        decisions.push((action.clone(), engine.authorize_with(&req, Detail::Bounded)));
    }
    let mut agent = Vec::new();
    for (caller, action, res) in &plan.agent {
        let req = Request::new(Some(caller), action, res, polcheck_core::Context::default())
            .map_err(|e| format!("the SSM Agent's {action}: {e}"))?;
        agent.push((
            caller.clone(),
            action.clone(),
            res.clone(),
            engine.authorize_with(&req, Detail::Bounded),
        ));
    }
    let agent_denied = agent
        .iter()
        .any(|(_, _, _, d)| d.outcome != Outcome::Allowed);
    let agent_unknown = plan.agent_unknown.is_some();
    let iam_allowed = decisions.iter().all(|(_, d)| d.outcome == Outcome::Allowed);
    let explicit = decisions
        .iter()
        .any(|(_, d)| d.outcome == Outcome::ExplicitDeny);
    let implicit = decisions
        .iter()
        .any(|(_, d)| d.outcome == Outcome::ImplicitDeny);
    // Without the file system policy, an implicit deny is not certain (AWS's default allows).
    let unsure = implicit && !explicit && plan.unsure_without_allow.is_some();
    let iam_denied = explicit || (implicit && !unsure) || !plan.refusals.is_empty();
    let net = if legs
        .iter()
        .any(|(_, _, v)| v.outcome == Reachability::Denied)
    {
        Reachability::Denied
    } else if legs
        .iter()
        .all(|(_, _, v)| v.outcome == Reachability::Allowed)
    {
        Reachability::Allowed
    } else {
        Reachability::Unknown
    };
    let outcome = if iam_denied || agent_denied || net == Reachability::Denied {
        Reachability::Denied
    } else if iam_allowed && !agent_unknown && net == Reachability::Allowed {
        Reachability::Allowed
    } else {
        Reachability::Unknown
    };
    let word = |o: Reachability| o.as_str();
    let single = legs.len() == 1 && plan.legs.first().is_some_and(|(n, _)| n == "network");
    match format {
        crate::output::Format::Json => {
            let network_json = match legs.as_slice() {
                [(_, _, v)] if single => json!(v),
                _ => json!({
                    "outcome": word(net),
                    "legs": legs.iter().map(|(n, f, v)| json!({
                        "name": n,
                        "from": f.from.to_string(),
                        "to": f.to.to_string(),
                        "port": f.port,
                        "verdict": v,
                    })).collect::<Vec<_>>(),
                }),
            };
            let mut out = json!({
                "outcome": word(outcome),
                "allowed": outcome == Reachability::Allowed,
                "iam": { "EvaluationResults": decisions.iter().map(|(a, d)| aws_result(a, resource, d)).collect::<Vec<_>>() },
                "network": network_json,
            });
            if !plan.refusals.is_empty() {
                out["refusals"] = json!(plan.refusals);
            }
            if !agent.is_empty() || agent_unknown {
                out["agent"] = json!({
                    "caller": agent.first().map(|(c, _, _, _)| c.clone()),
                    "unknown": plan.agent_unknown,
                    "EvaluationResults": agent.iter().map(|(_, a, r, d)| aws_result(a, r, d)).collect::<Vec<_>>(),
                });
            }
            if unsure {
                out["unknowns"] = json!(plan.unsure_without_allow);
            }
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
                .chain(
                    agent
                        .iter()
                        .filter(|(_, _, _, d)| d.outcome != Outcome::Allowed)
                        .map(|(_, a, _, d)| format!("agent {a}: {}", outcome_word(d.outcome))),
                )
                .chain(
                    (!agent.is_empty()
                        && agent
                            .iter()
                            .all(|(_, _, _, d)| d.outcome == Outcome::Allowed))
                    .then(|| "agent: allowed".to_string()),
                )
                .chain(agent_unknown.then(|| "agent: unknown".to_string()))
                .chain(legs.iter().map(|(n, _, v)| {
                    if single {
                        format!("network: {}", word(v.outcome))
                    } else {
                        format!("network {n}: {}", word(v.outcome))
                    }
                }))
                .collect();
            println!("{answer}  {}  ({})", iam.principal, halves.join("; "));
            for r in &plan.refusals {
                println!("refused: {r}");
            }
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
                d.matched.iter().for_each(print_statement);
            }
            if unsure {
                if let Some(u) = &plan.unsure_without_allow {
                    println!("  cannot decide: {u}");
                }
            }
            if let Some(u) = &plan.agent_unknown {
                println!("agent: UNKNOWN: {u}");
            }
            for (caller, a, r, d) in &agent {
                println!(
                    "agent {caller}: {} {a} on {r}",
                    outcome_word(d.outcome).to_uppercase()
                );
                d.matched.iter().take(1).for_each(print_statement);
                if d.outcome != Outcome::Allowed {
                    let kinds: Vec<&str> = d.blocked_by.iter().map(|k| k.as_str()).collect();
                    println!("  no allow from: {}", kinds.join(", "));
                }
            }
            for (n, f, v) in &legs {
                if single {
                    print!("network: ");
                    print_verdict(flow_args, v);
                } else {
                    print!("network {n}: ");
                    print_leg(&f.from.to_string(), &f.to.to_string(), "tcp", f.port, v);
                }
            }
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

/// One statement of an IAM half's answer, as the combined question prints it.
fn print_statement(m: &polcheck_core::decide::MatchedStatement) {
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
