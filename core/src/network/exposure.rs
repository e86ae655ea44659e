//! Exposure: every interface, protocol and port range the internet reaches.
//!
//! For each interface with a public IPv4 address (or an IPv6 address) whose subnet routes the
//! internet to an attached internet gateway, the exposed ports of a protocol are
//!
//! ```text
//! security-group inbound allows from the internet
//!   ∩ network-ACL inbound allows from the internet
//!   (kept only when the network ACL's outbound rules let a reply reach some client port)
//! ```
//!
//! computed as [`PortSet`] interval arithmetic: the cost depends on the number of rules, never on
//! the number of ports. "The internet" is [`Peer::Internet`]: rules must name `0.0.0.0/0` or
//! `::/0`. A network ACL's port ranges are destination ports, so the reply allowance does not
//! depend on the server port: it is one yes/no per subnet and protocol. An attacker picks its own
//! source port, so polcheck counts a port as exposed when the reply passes for *some* ephemeral
//! client port (a flow test, by contrast, requires every one unless it names a `sourcePort`).
//! ICMP is reported as one entry (echo request answered) with no ports.

use std::collections::HashMap;

use serde::Serialize;

use super::acl;
use super::model::{NetworkInterface, NetworkModel, RouteTarget};
use super::packet::{Peer, Traffic};
use super::ports::{PortRange, PortSet};
use super::protocol::{icmp_reply_type, name, ICMP, ICMPV6, TCP, UDP};
use super::route;
use super::sg::{self, SgPeerContext};

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
}

/// What a subnet's network ACL lets in from the internet, per protocol, given the reply passes.
type AclView = HashMap<u8, PortSet>;

/// Every interface, protocol and port range reachable from the internet, sorted by interface.
pub fn exposure(model: &NetworkModel) -> Vec<Exposure> {
    let mut acl_cache: HashMap<(String, bool), AclView> = HashMap::new();
    let mut out = Vec::new();
    for eni in &model.interfaces {
        for v6 in [false, true] {
            let address = if v6 {
                eni.ipv6.first().map(ToString::to_string)
            } else {
                eni.primary_public_ipv4().map(|a| a.to_string())
            };
            let Some(address) = address else { continue };
            if !internet_routed(model, eni, v6) {
                continue;
            }
            let view = acl_cache
                .entry((eni.subnet_id.clone(), v6))
                .or_insert_with(|| acl_view(model, &eni.subnet_id, v6));
            for (protocol, ports) in exposed(model, eni, v6, view) {
                out.push(Exposure {
                    interface_id: eni.id.clone(),
                    instance_id: eni.instance_id.clone(),
                    subnet_id: eni.subnet_id.clone(),
                    address: address.clone(),
                    protocol: name(protocol),
                    ports: if protocol == TCP || protocol == UDP {
                        ports.ranges().to_vec()
                    } else {
                        Vec::new()
                    },
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.interface_id, &a.address, &a.protocol).cmp(&(&b.interface_id, &b.address, &b.protocol))
    });
    out
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

/// The query set of a protocol: every port for TCP/UDP, the placeholder `{0}` otherwise.
fn all_ports(t: &Traffic) -> PortSet {
    super::packet::query_ports(t, PortSet::full())
}

/// `true` when the interface's subnet sends the internet to an attached internet gateway.
fn internet_routed(model: &NetworkModel, eni: &NetworkInterface, v6: bool) -> bool {
    let Some(subnet) = model.subnet(&eni.subnet_id) else {
        return false;
    };
    let Some(table) = model.route_table_of(subnet) else {
        return false;
    };
    match route::lookup(table, &Peer::Internet { v6 }) {
        Some(r) if !r.blackhole => {
            matches!(&r.target, RouteTarget::InternetGateway(igw) if model.igw_attached(igw, &subnet.vpc_id))
        }
        _ => false,
    }
}

fn acl_view(model: &NetworkModel, subnet_id: &str, v6: bool) -> AclView {
    let peer = Peer::Internet { v6 };
    let nacl = model.subnet(subnet_id).and_then(|s| model.acl_of(s));
    protocols(v6)
        .iter()
        .map(|t| {
            let Some(nacl) = nacl else {
                return (t.protocol, all_ports(t)); // default ACL not exported: allows all
            };
            let inbound = acl::allowed(&acl::evaluate(nacl, false, &peer, t, &all_ports(t)));
            let reply = match t.icmp {
                Some((ty, _)) => icmp_reply_type(t.protocol, ty).map(|r| Traffic {
                    protocol: t.protocol,
                    icmp: Some((r, 0)),
                }),
                None => Some(*t),
            };
            let reply_ok = reply.is_none_or(|r| {
                let q = super::packet::query_ports(&r, PortSet::ephemeral());
                !acl::allowed(&acl::evaluate(nacl, true, &peer, &r, &q)).is_empty()
            });
            (
                t.protocol,
                if reply_ok { inbound } else { PortSet::empty() },
            )
        })
        .collect()
}

fn exposed(
    model: &NetworkModel,
    eni: &NetworkInterface,
    v6: bool,
    view: &AclView,
) -> Vec<(u8, PortSet)> {
    let peer = SgPeerContext {
        addr: Peer::Internet { v6 },
        interface: None,
    };
    protocols(v6)
        .iter()
        .filter_map(|t| {
            let nacl = view.get(&t.protocol)?;
            if nacl.is_empty() {
                return None;
            }
            let (sg_allowed, _) = sg::evaluate(model, &eni.groups, true, &peer, t, nacl);
            (!sg_allowed.is_empty()).then_some((t.protocol, sg_allowed))
        })
        .collect()
}
