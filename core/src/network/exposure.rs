//! Exposure: every interface, protocol and port range the internet reaches.
//!
//! Exposure is the flow evaluation of [`super::evaluate`] run over every port at once: for each
//! interface and each protocol (TCP, UDP, and ICMP echo for each family), the walk from the
//! internet to the interface is made with the set of all ports instead of one, once per range
//! of public addresses the rules tell apart (see [`super::internet`]), and the ports no check
//! refused are read off. A port is listed exactly when `eval --from internet --port P` says
//! allowed (the property test `exposure_agrees_with_flows` holds them together): the internet is
//! every public address, and the reply must pass for every ephemeral client port (1024-65535),
//! as in a flow without `sourcePort`. Ports open only to some public ranges are listed apart,
//! with those ranges in [`Exposure::from`]; ports whose path crosses a route target polcheck
//! does not follow are listed with [`Exposure::unknown`]. Instances that are not running are
//! never exposed. The cost is a few walks per interface, each interval arithmetic on
//! [`PortSet`]s: it depends on the number of rules, never on the number of ports.

use serde::Serialize;

use super::evaluate::{across_internet, Query};
use super::flow::{Endpoint, Flow};
use super::model::{NetworkInterface, NetworkModel, NOT_RUNNING};
use super::packet::Traffic;
use super::ports::{PortRange, PortSet};
use super::protocol::{name, ICMP, ICMPV6, TCP, UDP};
use super::service::{Service, ServiceKind};
use super::verdict::Reachability;

/// One interface reachable from the internet on one protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    /// The interface.
    pub interface_id: String,
    /// Its instance, if any.
    pub instance_id: Option<String>,
    /// Its subnet.
    pub subnet_id: String,
    /// The address the internet reaches it by (public IPv4 or IPv6).
    pub address: String,
    /// `tcp`, `udp`, `icmp` or `icmpv6`.
    pub protocol: String,
    /// The exposed ports (empty for ICMP).
    pub ports: Vec<PortRange>,
    /// Empty when every public address reaches these ports; else the public ranges that do
    /// (a flow from `internet` on these ports is denied, a flow from one of these is allowed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<String>,
    /// `true` when nothing polcheck evaluates refuses these ports but the path crosses a route
    /// target it does not follow: a flow on them answers `unknown`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    /// The service the interface belongs to (`lb:web`, `rds:orders`...), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Every interface, protocol and port range reachable from the internet, sorted by interface.
pub fn exposure(model: &NetworkModel) -> Vec<Exposure> {
    let mut out = Vec::new();
    for eni in &model.interfaces {
        if !running(model, eni) {
            continue;
        }
        let service = model.service_of(&eni.id);
        if service.is_some_and(|s| s.kind == ServiceKind::Lambda || s.not_running.is_some()) {
            continue; // takes no inbound connection, or no traffic at all
        }
        for v6 in [false, true] {
            let address = if v6 {
                eni.ipv6.first().map(ToString::to_string)
            } else {
                eni.primary_public_ipv4()
                    .map(|a| a.to_string())
                    .or_else(|| eni.public_name.clone())
            };
            // Without an address of the family the walk refuses every port (`public-ip`).
            let Some(address) = address else { continue };
            for traffic in protocols(v6) {
                let listening = service.and_then(|s| listening(s, traffic.protocol));
                match listening {
                    Some(ports) => by_flows(model, eni, v6, &address, traffic, &ports, &mut out),
                    None => exposed(model, eni, v6, &address, traffic, &mut out),
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.interface_id, &a.address, &a.protocol, a.unknown, &a.from).cmp(&(
            &b.interface_id,
            &b.address,
            &b.protocol,
            b.unknown,
            &b.from,
        ))
    });
    out
}

/// `false` for the interfaces of an instance that is stopped or terminated.
fn running(model: &NetworkModel, eni: &NetworkInterface) -> bool {
    eni.instance_id
        .as_deref()
        .and_then(|i| model.instance(i))
        .and_then(|i| i.state.as_deref())
        .is_none_or(|s| !NOT_RUNNING.contains(&s))
}

/// The protocols of one family polcheck reports, with the traffic of a first packet.
fn protocols(v6: bool) -> [Traffic; 3] {
    let icmp = if v6 {
        Traffic {
            protocol: ICMPV6,
            icmp: Some((128, 0)),
        }
    } else {
        Traffic {
            protocol: ICMP,
            icmp: Some((8, 0)),
        }
    };
    [
        Traffic {
            protocol: TCP,
            icmp: None,
        },
        Traffic {
            protocol: UDP,
            icmp: None,
        },
        icmp,
    ]
}

/// The entries of one interface and protocol.
fn exposed(
    model: &NetworkModel,
    eni: &NetworkInterface,
    v6: bool,
    address: &str,
    traffic: Traffic,
    out: &mut Vec<Exposure>,
) {
    let query = Query::new(traffic, PortSet::full(), PortSet::ephemeral());
    let flow = Flow {
        from: Endpoint::Internet,
        to: Endpoint::Interface(eni.id.clone()),
        protocol: traffic.protocol,
        port: None,
        source_port: None,
        icmp_type: None,
        icmp_code: None,
    };
    let Ok((_, per_class)) = across_internet(model, eni, true, v6, &query, &flow) else {
        return;
    };
    if per_class.is_empty() {
        return;
    }
    // Per range: the ports allowed outright, and those refused by nothing polcheck evaluates.
    let mut everywhere = query.forward_ports.clone();
    let mut unrefused = query.forward_ports.clone();
    for (_, walk) in &per_class {
        unrefused = unrefused.intersection(&walk.open);
        everywhere = everywhere.intersection(&walk.allowed);
    }
    let ports_of = |s: &PortSet| {
        if traffic.protocol == TCP || traffic.protocol == UDP {
            s.ranges().to_vec()
        } else {
            Vec::new()
        }
    };
    let mut entry = |ports: &PortSet, from: Vec<String>, unknown: bool| {
        if !ports.is_empty() {
            out.push(Exposure {
                interface_id: eni.id.clone(),
                instance_id: eni.instance_id.clone(),
                subnet_id: eni.subnet_id.clone(),
                address: address.to_string(),
                protocol: name(traffic.protocol),
                ports: ports_of(ports),
                from,
                unknown,
                service: model.service_of(&eni.id).map(Service::label),
            });
        }
    };
    entry(&everywhere, Vec::new(), false);
    entry(&unrefused.difference(&everywhere), Vec::new(), true);
    let inside: Vec<ipnet::IpNet> = model
        .vpcs
        .iter()
        .flat_map(|v| v.cidrs.iter().copied())
        .collect();
    for (class, walk) in &per_class {
        let only_here = walk.allowed.difference(&unrefused);
        entry(&only_here, vec![class.describe_public(&inside)], false);
    }
}

/// The ports a service listens on for `protocol`, when it says (`None`: the walk decides every
/// port). A load balancer without listeners in the world listens on nothing polcheck knows.
fn listening(service: &Service, protocol: u8) -> Option<Vec<u16>> {
    if protocol != TCP && protocol != UDP {
        return None;
    }
    match service.kind {
        ServiceKind::LoadBalancer => Some(
            service
                .listeners
                .iter()
                .flatten()
                .filter(|l| l.takes(protocol))
                .map(|l| l.port)
                .collect(),
        ),
        _ if service.ports.is_empty() => None,
        _ if protocol == TCP => Some(service.ports.clone()),
        _ => Some(Vec::new()),
    }
}

/// The entries of a service interface on the ports it listens on, each decided by the flow
/// from `internet` itself (a load balancer's answer depends on its targets, which no port walk
/// sees), so exposure and flows agree by construction.
fn by_flows(
    model: &NetworkModel,
    eni: &NetworkInterface,
    v6: bool,
    address: &str,
    traffic: Traffic,
    ports: &[u16],
    out: &mut Vec<Exposure>,
) {
    if v6 {
        return; // service ports are listed for IPv4 (the family a flow from `internet` asks)
    }
    let mut ports = ports.to_vec();
    ports.sort_unstable();
    ports.dedup();
    for port in ports {
        let flow = Flow {
            from: Endpoint::Internet,
            to: Endpoint::Interface(eni.id.clone()),
            protocol: traffic.protocol,
            port: Some(port),
            source_port: None,
            icmp_type: None,
            icmp_code: None,
        };
        let Ok(v) = model.evaluate(&flow) else {
            continue;
        };
        let (from, unknown) = match v.outcome {
            Reachability::Allowed => (Vec::new(), false),
            Reachability::Unknown => (Vec::new(), true),
            _ if !v.allowed_from.is_empty() => (v.allowed_from.clone(), false),
            _ => continue,
        };
        let range = PortRange {
            from: port,
            to: port,
        };
        let protocol = name(traffic.protocol);
        // One entry per interface, protocol and scope, as the port walk gives.
        let same = out.iter_mut().find(|e| {
            e.interface_id == eni.id
                && e.address == address
                && e.protocol == protocol
                && e.from == from
                && e.unknown == unknown
        });
        match same {
            Some(e) => e.ports.push(range),
            None => out.push(Exposure {
                interface_id: eni.id.clone(),
                instance_id: eni.instance_id.clone(),
                subnet_id: eni.subnet_id.clone(),
                address: address.to_string(),
                protocol,
                ports: vec![range],
                from,
                unknown,
                service: model.service_of(&eni.id).map(Service::label),
            }),
        }
    }
}
