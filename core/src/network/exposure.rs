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
}

/// Every interface, protocol and port range reachable from the internet, sorted by interface.
pub fn exposure(model: &NetworkModel) -> Vec<Exposure> {
    let mut out = Vec::new();
    for eni in &model.interfaces {
        if !running(model, eni) {
            continue;
        }
        for v6 in [false, true] {
            let address = if v6 {
                eni.ipv6.first().map(ToString::to_string)
            } else {
                eni.primary_public_ipv4().map(|a| a.to_string())
            };
            // Without an address of the family the walk refuses every port (`public-ip`).
            let Some(address) = address else { continue };
            for traffic in protocols(v6) {
                exposed(model, eni, v6, &address, traffic, &mut out);
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
            });
        }
    };
    entry(&everywhere, Vec::new(), false);
    entry(&unrefused.difference(&everywhere), Vec::new(), true);
    for (class, walk) in &per_class {
        let only_here = walk.allowed.difference(&unrefused);
        entry(&only_here, vec![class.describe()], false);
    }
}
