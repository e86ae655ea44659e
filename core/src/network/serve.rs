//! Flows that meet a service (see [`super::service`]): naming a service as a flow end, and
//! what the service adds to the verdict of a flow to one of its interfaces.

use std::borrow::Cow;
use std::net::IpAddr;

use super::error::FlowError;
use super::flow::{Endpoint, Flow};
use super::model::{NetworkInterface, NetworkModel};
use super::protocol::{has_ports, name, TCP, UDP};
use super::service::{Listener, Service, ServiceKind};
use super::verdict::{
    Blocker, BlockerKind, Direction, ExplanationCode, Hop, HopKind, Reachability, Verdict,
};

/// Target health states that take no traffic: `unused` (not in an enabled zone, or not used by
/// any listener) and `draining` (being deregistered).
const IDLE_TARGET: [&str; 2] = ["unused", "draining"];

/// The flow with every service end replaced by the interface it is reached at.
pub(crate) fn named<'f>(model: &NetworkModel, flow: &'f Flow) -> Result<Cow<'f, Flow>, FlowError> {
    if !matches!(flow.from, Endpoint::Service(_)) && !matches!(flow.to, Endpoint::Service(_)) {
        return Ok(Cow::Borrowed(flow));
    }
    let mut out = flow.clone();
    // A plain end first, so a service end can pick its interface near it.
    let near_to = end_interface(model, &flow.to).map(|e| e.subnet_id.clone());
    if let Endpoint::Service(text) = &flow.from {
        out.from = pick(model, text, near_to.as_deref())?;
    }
    let near_from = end_interface(model, &out.from).map(|e| e.subnet_id.clone());
    if let Endpoint::Service(text) = &flow.to {
        out.to = pick(model, text, near_from.as_deref())?;
    }
    Ok(Cow::Owned(out))
}

/// The interface of a plain flow end, if it is one of the world's.
pub(crate) fn end_interface<'m>(
    model: &'m NetworkModel,
    ep: &Endpoint,
) -> Option<&'m NetworkInterface> {
    match ep {
        Endpoint::Instance(id) => model
            .instance(id)
            .and_then(|i| i.interface_ids.first())
            .and_then(|e| model.interface(e)),
        Endpoint::Interface(id) => model.interface(id),
        Endpoint::Ip(a) => model.interface_by_address(*a),
        _ => None,
    }
}

/// The services (and instances, for `name:`) a flow end's text names.
fn find<'m>(
    model: &'m NetworkModel,
    text: &str,
) -> (Vec<&'m Service>, Vec<String>, Option<ServiceKind>) {
    let services = model.services();
    if text.starts_with("arn:") || text.starts_with("vpce-") {
        let found = services.iter().filter(|s| s.is_named(text)).collect();
        return (found, Vec::new(), None);
    }
    let Some((prefix, reference)) = text.split_once(':') else {
        return (Vec::new(), Vec::new(), None);
    };
    if prefix.eq_ignore_ascii_case("name") {
        let found = services.iter().filter(|s| s.is_named(reference)).collect();
        let instances = model
            .instances()
            .iter()
            .filter(|i| i.name.as_deref() == Some(reference) || i.id == reference)
            .map(|i| i.id.clone())
            .collect();
        return (found, instances, None);
    }
    let kind = ServiceKind::from_prefix(prefix);
    let found = services
        .iter()
        .filter(|s| Some(s.kind) == kind && s.is_named(reference))
        .collect();
    (found, Vec::new(), kind)
}

/// See [`NetworkModel::services_named`].
pub(crate) fn services_named<'m>(
    model: &'m NetworkModel,
    text: &str,
) -> Result<Vec<&'m Service>, FlowError> {
    let (found, instances, _) = find(model, text);
    if !found.is_empty() && instances.is_empty() {
        return Ok(found);
    }
    match pick(model, text, None) {
        Err(e) => Err(e),
        Ok(_) => Err(FlowError::Invalid(format!(
            "`{text}` names an instance, not a service"
        ))),
    }
}

/// The export a service kind is read from, for messages.
fn export_of(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::LoadBalancer => "`aws elbv2 describe-load-balancers`",
        ServiceKind::Database => "`aws rds describe-db-instances`",
        ServiceKind::MountTarget => "`aws efs describe-mount-targets`",
        ServiceKind::Cache => "`aws elasticache describe-cache-clusters --show-cache-node-info`",
        ServiceKind::Lambda => "`aws lambda list-functions`",
        ServiceKind::EcsTask => "`aws ecs describe-tasks`",
        ServiceKind::InterfaceEndpoint => "`aws ec2 describe-vpc-endpoints`",
    }
}

/// The end a service's text names, at the interface nearest `near` (a subnet id): one in the
/// same subnet, else the same availability zone, else the same VPC, else the first.
pub(crate) fn pick(
    model: &NetworkModel,
    text: &str,
    near: Option<&str>,
) -> Result<Endpoint, FlowError> {
    let (found, instances, kind) = find(model, text);
    // The mount targets of one file system: a client mounts the one in its own zone (the file
    // system's DNS name resolves to it). The readers of an Aurora cluster (its reader
    // endpoint): the one nearest, at its primary interface.
    let file_system = found.len() > 1
        && found.iter().all(|s| s.kind == ServiceKind::MountTarget)
        && instances.is_empty();
    // (The cluster's own name fits every member only when the world lacks `DBClusters`, which
    // says which is the writer: then it is ambiguous.)
    let reference = text.split_once(':').map_or(text, |(_, r)| r);
    let readers = found.len() > 1
        && found.iter().all(|s| {
            s.kind == ServiceKind::Database
                && s.cluster.is_some()
                && s.cluster.as_deref() != Some(reference)
                && s.cluster == found.first().and_then(|f| f.cluster.clone())
        })
        && instances.is_empty();
    if file_system || readers {
        let ids: Vec<String> = found
            .iter()
            .flat_map(|s| {
                let all = if readers { 1 } else { s.interface_ids.len() };
                s.interface_ids.iter().take(all).cloned()
            })
            .collect();
        if let Some(eni) = nearest(model, &ids, near) {
            return Ok(Endpoint::Interface(eni.to_string()));
        }
    }
    match (found.as_slice(), instances.as_slice()) {
        ([service], []) if service.kind == ServiceKind::Database => {
            // Clients reach the primary: a Multi-AZ standby takes no traffic until a failover.
            let eni = service
                .interface_ids
                .first()
                .filter(|e| model.interface(e).is_some());
            eni.map(|e| Endpoint::Interface(e.clone())).ok_or_else(|| {
                FlowError::Invalid(format!(
                    "database `{}` has no interface in the world (its subnet group's subnets are missing)",
                    service.id
                ))
            })
        }
        ([service], []) => {
            let eni = nearest(model, &service.interface_ids, near).ok_or_else(|| {
                FlowError::Invalid(format!(
                    "{} `{}` has no interface in the world (its subnets are missing)",
                    service.kind.noun(),
                    service.id
                ))
            })?;
            Ok(Endpoint::Interface(eni.to_string()))
        }
        ([], [instance]) => Ok(Endpoint::Instance(instance.clone())),
        ([], []) => {
            let pool: Vec<String> = model
                .services()
                .iter()
                .filter(|s| kind.is_none_or(|k| s.kind == k))
                .map(Service::label)
                .chain(
                    kind.is_none()
                        .then(|| {
                            model
                                .instances()
                                .iter()
                                .filter_map(|i| i.name.as_ref().map(|n| format!("name:{n}")))
                        })
                        .into_iter()
                        .flatten(),
                )
                .collect();
            let what = kind.map_or("service or instance", ServiceKind::noun);
            let candidates = if pool.is_empty() {
                match kind {
                    Some(k) => format!(
                        "the world holds no {what} (add what {} prints)",
                        export_of(k)
                    ),
                    None => "the world holds no named service or instance".to_string(),
                }
            } else {
                let shown: Vec<&str> = pool.iter().take(12).map(String::as_str).collect();
                let more = pool.len().saturating_sub(12);
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                format!("the world's: {}{more}", shown.join(", "))
            };
            Err(FlowError::Invalid(format!(
                "no {what} `{text}` in the world; {candidates}"
            )))
        }
        _ => {
            let mut all: Vec<String> = found.iter().map(|s| s.label()).collect();
            all.extend(instances);
            Err(FlowError::Invalid(format!(
                "`{text}` names {} things: {}; name one by its id",
                all.len(),
                all.join(", ")
            )))
        }
    }
}

/// Of `ids`, the interface nearest the subnet `near`.
fn nearest<'a>(model: &NetworkModel, ids: &'a [String], near: Option<&str>) -> Option<&'a str> {
    let known: Vec<(&'a str, &NetworkInterface)> = ids
        .iter()
        .filter_map(|id| model.interface(id).map(|e| (id.as_str(), e)))
        .collect();
    let near_subnet = near.and_then(|s| model.subnet(s));
    let score = |e: &NetworkInterface| -> u8 {
        let Some(ns) = near_subnet else { return 0 };
        let es = model.subnet(&e.subnet_id);
        if e.subnet_id == ns.id {
            3
        } else if es.is_some_and(|s| {
            s.availability_zone.is_some() && s.availability_zone == ns.availability_zone
        }) {
            2
        } else if e.vpc_id == ns.vpc_id {
            1
        } else {
            0
        }
    };
    let best = known.iter().map(|(_, e)| score(e)).max()?;
    known
        .iter()
        .find(|(_, e)| score(e) == best)
        .map(|(id, _)| *id)
}

fn blocker(
    kind: BlockerKind,
    component: &str,
    rule: Option<String>,
    code: ExplanationCode,
    explanation: String,
) -> Blocker {
    Blocker {
        kind,
        component: component.to_string(),
        rule,
        direction: Direction::Forward,
        code,
        explanation,
    }
}

/// Adds what the services at either end say to `verdict` (not yet settled). `depth` is 0 for
/// the user's flow and 1 for a load balancer's flow to a target (which forwards no further).
pub(crate) fn apply(
    model: &NetworkModel,
    flow: &Flow,
    verdict: &mut Verdict,
    depth: u8,
) -> Result<(), FlowError> {
    if let Some(s) = end_interface(model, &flow.from).and_then(|e| model.service_of(&e.id)) {
        not_running(s, verdict);
    }
    let Some(eni) = end_interface(model, &flow.to) else {
        return Ok(());
    };
    let Some(service) = model.service_of(&eni.id) else {
        return Ok(());
    };
    not_running(service, verdict);
    let label = service.label();
    let port = flow.port.unwrap_or(0);
    match service.kind {
        ServiceKind::Lambda => verdict.blockers.push(blocker(
            BlockerKind::Service,
            &label,
            None,
            ExplanationCode::ServiceNotListening,
            format!("lambda function `{}` takes no inbound connection: it is invoked through the lambda api, and its interfaces only carry the conversations it opens", service.id),
        )),
        ServiceKind::LoadBalancer if has_ports(flow.protocol) => {
            load_balancer(model, flow, service, eni, verdict, depth)?;
        }
        _ if has_ports(flow.protocol) && !service.ports.is_empty() => {
            if flow.protocol != TCP || !service.ports.contains(&port) {
                let ports: Vec<String> = service.ports.iter().map(ToString::to_string).collect();
                verdict.blockers.push(blocker(
                    BlockerKind::Service,
                    &label,
                    None,
                    ExplanationCode::ServiceNotListening,
                    format!(
                        "{} `{}` listens on tcp {} only, not {} {port}",
                        service.kind.noun(),
                        service.id,
                        ports.join(", "),
                        name(flow.protocol)
                    ),
                ));
            } else {
                verdict.hops.push(Hop {
                    direction: Direction::Forward,
                    kind: HopKind::Service,
                    component: label,
                    rule: Some(format!("listens on tcp {port}")),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

/// A note when the load balancer's health checks to a target are not admitted (the target
/// then fails them: AWS reports it `unhealthy`), or when they are admitted but the target is
/// unhealthy anyway (the cause is the target's own answer, not the network).
fn health_note(
    verdict: &mut Verdict,
    tg_name: &str,
    target: &str,
    protocol: Option<&str>,
    port: Option<u16>,
    state: &str,
    hv: &Verdict,
) {
    let what = format!(
        "health checks of `{tg_name}` ({} to port {}) to target `{target}`",
        protocol.unwrap_or("TCP"),
        port.unwrap_or(0)
    );
    match hv.outcome {
        Reachability::Allowed => {
            if state == "unhealthy" {
                verdict.notes.push(format!("{what} are admitted by the network: its `unhealthy` state comes from the target's own answers"));
            }
        }
        Reachability::Unknown => verdict.notes.push(format!(
            "{what}: polcheck cannot say whether the network admits them"
        )),
        _ => {
            let why = hv
                .blockers
                .first()
                .map(|b| format!("{} {}: {}", b.kind.as_str(), b.component, b.explanation))
                .unwrap_or_default();
            let consequence = if state == "unhealthy" {
                "which explains its `unhealthy` state".to_string()
            } else {
                format!("the target fails them and turns unhealthy (the world says {state})")
            };
            verdict
                .notes
                .push(format!("{what} are blocked by {why}: {consequence}"));
        }
    }
}

fn not_running(service: &Service, verdict: &mut Verdict) {
    if let Some(state) = &service.not_running {
        verdict.blockers.push(blocker(
            BlockerKind::InstanceState,
            &service.label(),
            Some(state.clone()),
            ExplanationCode::ServiceNotRunning,
            format!(
                "{} `{}` is {state}: it takes no traffic",
                service.kind.noun(),
                service.id
            ),
        ));
    }
}

/// A flow to a load balancer: the listener on the port, then its target groups' targets from
/// the load balancer's interfaces.
fn load_balancer(
    model: &NetworkModel,
    flow: &Flow,
    lb: &Service,
    eni: &NetworkInterface,
    verdict: &mut Verdict,
    depth: u8,
) -> Result<(), FlowError> {
    let label = lb.label();
    let port = flow.port.unwrap_or(0);
    let Some(listeners) = &lb.listeners else {
        verdict.unknowns.push(blocker(
            BlockerKind::Service,
            &label,
            None,
            ExplanationCode::ServiceNotExported,
            format!("the world holds no listener of load balancer `{}` (add what `aws elbv2 describe-listeners --load-balancer-arn ...` prints under `Listeners`): polcheck cannot say whether it takes port {port} or where it sends it", lb.id),
        ));
        return Ok(());
    };
    let Some(listener) = listeners
        .iter()
        .find(|l| l.port == port && l.takes(flow.protocol))
    else {
        let all: Vec<String> = listeners
            .iter()
            .map(|l| format!("{}:{}", l.protocol, l.port))
            .collect();
        verdict.blockers.push(blocker(
            BlockerKind::Service,
            &label,
            None,
            ExplanationCode::ServiceNotListening,
            format!(
                "load balancer `{}` has no {} listener on port {port} (its listeners: {})",
                lb.id,
                name(flow.protocol),
                if all.is_empty() {
                    "none".to_string()
                } else {
                    all.join(", ")
                }
            ),
        ));
        return Ok(());
    };
    let rule = format!("listener {}:{}", listener.protocol, listener.port);
    verdict.hops.push(Hop {
        direction: Direction::Forward,
        kind: HopKind::Service,
        component: label.clone(),
        rule: Some(rule.clone()),
    });
    if depth > 0 {
        return Ok(());
    }
    if listener.target_groups.is_empty() {
        verdict.notes.push(format!("{rule} of `{}` forwards to no target group (a redirect or fixed response): the load balancer answers itself", lb.id));
        return Ok(());
    }
    targets(model, flow, lb, eni, listener, verdict)
}

/// The legs from the load balancer to each target of the listener's target groups.
fn targets(
    model: &NetworkModel,
    flow: &Flow,
    lb: &Service,
    eni: &NetworkInterface,
    listener: &Listener,
    verdict: &mut Verdict,
) -> Result<(), FlowError> {
    let label = lb.label();
    let mut legs: Vec<(String, Verdict)> = Vec::new();
    let mut missing = Vec::new();
    let mut reached_without_network = None;
    for arn in &listener.target_groups {
        let Some(tg) = model.target_group(arn) else {
            missing.push(format!("target group `{arn}` is not in the world (add `aws elbv2 describe-target-groups` under `TargetGroups`)"));
            continue;
        };
        let tg_name = tg.name.clone().unwrap_or_else(|| tg.arn.clone());
        let Some(targets) = &tg.targets else {
            missing.push(format!("the world holds no targets of target group `{tg_name}` (add what `aws elbv2 describe-target-health --target-group-arn ...` prints under `LoadBalancerTargetHealth`, with the group's arn)"));
            continue;
        };
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html:
        // a load balancer routes only to healthy targets; when a group holds only unhealthy
        // ones it fails open and routes to all of them. `unused` and `draining` take nothing.
        let idle = |t: &super::service::Target| {
            t.state.as_deref().is_some_and(|s| IDLE_TARGET.contains(&s))
        };
        let healthy =
            |t: &super::service::Target| t.state.as_deref().is_none_or(|s| s == "healthy");
        let any_healthy = targets.iter().any(|t| !idle(t) && healthy(t));
        if !any_healthy && targets.iter().any(|t| !idle(t)) {
            verdict.notes.push(format!("target group `{tg_name}` has no healthy target: the load balancer fails open and routes to all its targets but draining and unused ones, whatever their health"));
        }
        for t in targets {
            if idle(t) {
                verdict.notes.push(format!(
                    "target `{}` of `{tg_name}` is {}: it takes no traffic",
                    t.id,
                    t.state.as_deref().unwrap_or_default()
                ));
                continue;
            }
            let takes = !any_healthy || healthy(t);
            let to = match tg.target_type.as_str() {
                "instance" => Endpoint::Instance(t.id.clone()),
                "ip" => match t.id.parse::<IpAddr>() {
                    Ok(a) => Endpoint::Ip(a),
                    Err(_) => continue,
                },
                "lambda" => {
                    if takes {
                        reached_without_network.get_or_insert_with(|| format!("target group `{tg_name}` invokes lambda function `{}` through the lambda api", t.id));
                    }
                    continue;
                }
                other => {
                    if takes {
                        missing.push(format!("target `{}` of `{tg_name}` is of type `{other}`, which polcheck does not follow", t.id));
                    }
                    continue;
                }
            };
            let tport = t.port.or(tg.port).or(flow.port);
            let near = end_interface(model, &to).map(|e| e.subnet_id.clone());
            let from = nearest(model, &lb.interface_ids, near.as_deref()).unwrap_or(&eni.id);
            let udp = listener.protocol.eq_ignore_ascii_case("UDP");
            let leg = Flow {
                from: Endpoint::Interface(from.to_string()),
                to,
                protocol: if udp { UDP } else { TCP },
                port: tport,
                source_port: None,
                icmp_type: None,
                icmp_code: None,
            };
            // Health checks are TCP (HTTP, HTTPS or TCP) to `HealthCheckPort`, by default the
            // traffic port: the target's security group and network ACL must admit them.
            let hc_port = tg.health_check_port.or(tport);
            let same_as_traffic = hc_port == tport && !udp;
            let hc_leg = Flow {
                protocol: TCP,
                port: hc_port,
                ..leg.clone()
            };
            let state = t.state.as_deref().unwrap_or("healthy");
            let note_health = |verdict: &mut Verdict, hv: &Verdict| {
                health_note(
                    verdict,
                    &tg_name,
                    &t.id,
                    tg.health_check_protocol.as_deref(),
                    hc_port,
                    state,
                    hv,
                );
            };
            // A health-check leg the model cannot evaluate says so: which targets take
            // traffic is decided above, from the exported health, so only the note is at stake.
            let cannot_check = |verdict: &mut Verdict, e: &dyn std::fmt::Display| {
                verdict.notes.push(format!(
                    "health checks of `{tg_name}` (port {}) to target `{}`: polcheck cannot evaluate them ({e})",
                    hc_port.unwrap_or(0),
                    t.id
                ));
            };
            if !takes {
                verdict.notes.push(format!(
                    "target `{}` of `{tg_name}` is {state}: the load balancer routes only to healthy targets while the group has some",
                    t.id
                ));
                match super::evaluate::evaluate_at(model, &hc_leg, 1) {
                    Ok(hv) => note_health(verdict, &hv),
                    Err(e) => cannot_check(verdict, &e),
                }
                continue;
            }
            let v = match super::evaluate::evaluate_at(model, &leg, 1) {
                Ok(v) => v,
                Err(e) => {
                    missing.push(format!("target `{}` of `{tg_name}`: {e}", t.id));
                    continue;
                }
            };
            if same_as_traffic {
                note_health(verdict, &v);
            } else {
                match super::evaluate::evaluate_at(model, &hc_leg, 1) {
                    Ok(hv) => note_health(verdict, &hv),
                    Err(e) => cannot_check(verdict, &e),
                }
            }
            legs.push((
                format!(
                    "target `{}` of `{tg_name}` on port {}",
                    t.id,
                    tport.unwrap_or(0)
                ),
                v,
            ));
        }
    }
    for (what, v) in &legs {
        let kinds: Vec<&str> = v.blocked_by().into_iter().collect();
        let answer = match v.outcome {
            Reachability::Allowed => "allowed".to_string(),
            Reachability::Unknown => format!("unknown ({})", kinds.join(", ")),
            _ => format!("denied by {}", kinds.join(", ")),
        };
        verdict
            .notes
            .push(format!("{} forwards to {what}: {answer}", label));
    }
    if let Some(note) = &reached_without_network {
        verdict.notes.push(note.clone());
    }
    if let Some((what, v)) = legs
        .iter()
        .find(|(_, v)| v.outcome == Reachability::Allowed)
    {
        verdict.hops.push(Hop {
            direction: Direction::Forward,
            kind: HopKind::Service,
            component: label,
            rule: Some(format!("forwards to {what}")),
        });
        verdict.hops.extend(v.hops.iter().cloned());
        return Ok(());
    }
    if reached_without_network.is_some() {
        return Ok(());
    }
    let prefixed = |what: &str, b: &Blocker| Blocker {
        explanation: format!("{what}: {}", b.explanation),
        ..b.clone()
    };
    let unknown_leg = legs
        .iter()
        .find(|(_, v)| v.outcome == Reachability::Unknown);
    if unknown_leg.is_some() || !missing.is_empty() {
        // A target polcheck cannot follow might be the one that answers: no deny.
        if let Some((what, v)) = unknown_leg {
            verdict
                .unknowns
                .extend(v.unknowns.iter().map(|b| prefixed(what, b)));
        }
        for m in missing {
            verdict.unknowns.push(blocker(
                BlockerKind::Service,
                &label,
                None,
                ExplanationCode::ServiceNotExported,
                m,
            ));
        }
        return Ok(());
    }
    if legs.is_empty() {
        verdict.blockers.push(blocker(
            BlockerKind::Service,
            &label,
            Some(format!("listener {}:{}", listener.protocol, listener.port)),
            ExplanationCode::NoTargets,
            format!(
                "the target groups of listener {}:{} of `{}` have no target that takes traffic",
                listener.protocol, listener.port, lb.id
            ),
        ));
        return Ok(());
    }
    for (what, v) in &legs {
        for b in &v.blockers {
            let b = prefixed(what, b);
            if !verdict.blockers.contains(&b) {
                verdict.blockers.push(b);
            }
        }
    }
    Ok(())
}
