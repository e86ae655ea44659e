//! Flow evaluation: walk the forward path and the reply path, and record every blocker.
//!
//! The walk never stops at the first blocker: each check is made on its own terms, with the
//! addresses the packet would carry, so one verdict names everything that stands in the way.
//! See the [module documentation](super) for the order of checks.

use std::net::IpAddr;

use super::acl;
use super::error::FlowError;
use super::flow::{Endpoint, Flow};
use super::internet::{self, Class};
use super::model::{NetworkInterface, NetworkModel, RouteTarget, SgPeer, Subnet};
use super::packet::{query_ports, Peer, Traffic};
use super::ports::PortSet;
use super::protocol::{has_ports, icmp_reply_type, ICMPV6};
use super::route;
use super::sg::{self, SgPeerContext};
use super::verdict::{
    Blocker, BlockerKind, Direction, ExplanationCode, Hop, HopKind, Reachability, Verdict,
};

use Direction::{Forward, Reply};

/// One end of the conversation, resolved against the world.
#[derive(Clone, Copy)]
pub(crate) enum Side<'m> {
    /// An interface of the world.
    Eni {
        eni: &'m NetworkInterface,
        subnet: &'m Subnet,
        /// Its private address of the flow's family, if it has one.
        addr: Option<IpAddr>,
        /// The public address the flow names the interface by, if it does.
        public: Option<IpAddr>,
    },
    /// Something outside every VPC.
    External(Peer),
}

/// What the packets of one evaluation carry: the first packet's protocol and ports, and the
/// reply's.
#[derive(Clone)]
pub(crate) struct Query {
    pub(crate) traffic: Traffic,
    /// The destination ports asked about (`{0}` for protocols without ports).
    pub(crate) forward_ports: PortSet,
    /// `None` for ICMP messages that get no reply.
    pub(crate) reply_traffic: Option<Traffic>,
    /// The client ports the reply must reach (every one of them).
    pub(crate) reply_ports: PortSet,
}

impl Query {
    /// The query of a flow: its port, and its source port or every ephemeral port.
    fn of_flow(flow: &Flow) -> Query {
        let traffic = Traffic {
            protocol: flow.protocol,
            icmp: flow.icmp(),
        };
        let reply = match flow.source_port {
            Some(p) => PortSet::single(p),
            None => PortSet::ephemeral(),
        };
        Query::new(traffic, PortSet::single(flow.port.unwrap_or(0)), reply)
    }

    /// A query for `ports` of `traffic`, the reply going to `reply_ports`.
    pub(crate) fn new(traffic: Traffic, ports: PortSet, reply_ports: PortSet) -> Query {
        let reply_traffic = match traffic.icmp {
            Some((t, _)) => icmp_reply_type(traffic.protocol, t).map(|r| Traffic {
                protocol: traffic.protocol,
                icmp: Some((r, 0)),
            }),
            None => Some(traffic),
        };
        Query {
            traffic,
            forward_ports: query_ports(&traffic, ports),
            reply_traffic,
            reply_ports: reply_traffic
                .map(|t| query_ports(&t, reply_ports))
                .unwrap_or_default(),
        }
    }
}

/// Evaluates `flow` over `model`.
pub(crate) fn evaluate(model: &NetworkModel, flow: &Flow) -> Result<Verdict, FlowError> {
    evaluate_at(model, flow, 0)
}

/// Evaluates `flow`; `depth` 1 is a load balancer's flow to a target, which forwards no
/// further (see [`super::serve`]).
pub(crate) fn evaluate_at(
    model: &NetworkModel,
    flow: &Flow,
    depth: u8,
) -> Result<Verdict, FlowError> {
    flow.validate()?;
    let flow = &*super::serve::named(model, flow)?;
    let v6 = family(flow)?;
    let from = resolve(model, &flow.from, v6)?;
    let to = resolve(model, &flow.to, v6)?;
    let query = Query::of_flow(flow);
    let mut verdict = match (from, to) {
        (Side::External(_), Side::External(_)) => {
            return Err(FlowError::NothingToEvaluate(
                flow.from.to_string(),
                flow.to.to_string(),
            ))
        }
        (Side::External(Peer::Internet { .. }), Side::Eni { eni, .. })
        | (Side::Eni { eni, .. }, Side::External(Peer::Internet { .. })) => {
            let inbound = matches!(from, Side::External(_));
            let (verdict, _) = across_internet(model, eni, inbound, v6, &query, flow)?;
            verdict
        }
        _ => walk(model, from, to, v6, &query, flow)?.verdict,
    };
    super::serve::apply(model, flow, &mut verdict, depth)?;
    verdict.settle();
    Ok(verdict)
}

/// One walk between two resolved ends: the verdict (not yet settled) and the open ports.
pub(crate) fn walk<'m>(
    model: &'m NetworkModel,
    from: Side<'m>,
    to: Side<'m>,
    v6: bool,
    query: &Query,
    flow: &Flow,
) -> Result<Walk<'m>, FlowError> {
    let mut walk = Walk {
        model,
        v6,
        query: query.clone(),
        open: query.forward_ports.clone(),
        verdict: Verdict::default(),
    };
    walk.state(&from);
    walk.state(&to);
    match (from, to) {
        (Side::External(_), Side::External(_)) => {}
        (
            Side::Eni { eni, .. },
            Side::Eni {
                public: Some(dest), ..
            },
        ) => {
            walk.out_to_internet(from, Peer::Addr(dest));
            let src = eni
                .primary_public_ipv4()
                .map_or(Peer::Internet { v6 }, |a| Peer::Addr(IpAddr::V4(a)));
            walk.in_from_internet(src, to);
        }
        (Side::Eni { .. }, Side::Eni { .. }) => walk.private(from, to, flow)?,
        (Side::Eni { .. }, Side::External(dest)) => walk.out_to_internet(from, dest),
        (Side::External(src), Side::Eni { .. }) => walk.in_from_internet(src, to),
    }
    Ok(walk)
}

/// A conversation between an interface and the whole internet (`inbound`: the internet
/// starts it): one walk per range of public addresses the rules tell apart. The verdict is the
/// internet's: allowed when every range is, else the first range that is not, with the
/// ranges that pass in [`Verdict::allowed_from`]. Also returns, per range, the open ports.
pub(crate) fn across_internet(
    model: &NetworkModel,
    eni: &NetworkInterface,
    inbound: bool,
    v6: bool,
    query: &Query,
    flow: &Flow,
) -> Result<(Verdict, Vec<(Class, OpenPorts)>), FlowError> {
    let subnet = model
        .subnet(&eni.subnet_id)
        .ok_or_else(|| FlowError::UnknownEndpoint(eni.subnet_id.clone()))?;
    let side = resolve_eni(model, eni, v6, None)?;
    let inside: Vec<ipnet::IpNet> = model
        .vpcs
        .iter()
        .flat_map(|v| v.cidrs.iter().copied())
        .collect();
    let classes = internet::classes(&far_nets(model, eni, subnet, inbound), &inside, v6);
    let mut first_allowed = None;
    let mut first_refused: Option<(Verdict, Class)> = None;
    let mut per_class = Vec::new();
    let mut passing = Vec::new();
    // What blocks each refused range: when every refused range is refused by the same
    // components, the explanation speaks of "public addresses" rather than one range.
    let mut refusals: Vec<Vec<(BlockerKind, String, ExplanationCode, Direction)>> = Vec::new();
    for class in classes {
        let peer = Side::External(Peer::Addr(class.representative));
        let (from, to) = if inbound { (peer, side) } else { (side, peer) };
        let mut w = walk(model, from, to, v6, query, flow)?;
        w.verdict.settle();
        let allowed = if w.verdict.unknowns.is_empty() {
            w.open.clone()
        } else {
            PortSet::empty()
        };
        per_class.push((
            class,
            OpenPorts {
                open: w.open.clone(),
                allowed,
            },
        ));
        if w.verdict.outcome == Reachability::Allowed {
            passing.push(class);
            first_allowed.get_or_insert(w.verdict);
        } else {
            let mut sig: Vec<_> = w
                .verdict
                .blockers
                .iter()
                .chain(&w.verdict.unknowns)
                .map(|b| (b.kind, b.component.clone(), b.code, b.direction))
                .collect();
            sig.sort();
            sig.dedup();
            refusals.push(sig);
            if first_refused.is_none() {
                first_refused = Some((w.verdict, class));
            }
        }
    }
    let internet = if v6 {
        "the internet (every public ipv6 address)"
    } else {
        "the internet (every public ipv4 address)"
    };
    let alike = refusals.windows(2).all(|w| matches!(w, [a, b] if a == b));
    let allowed_ranges: Vec<String> = passing.iter().map(|c| c.describe_public(&inside)).collect();
    let mut verdict = match (first_refused, first_allowed) {
        (Some((mut v, class)), _) => {
            let rep = class.representative.to_string();
            let (name, suffix) = if alike && passing.is_empty() {
                ("the internet".to_string(), String::new())
            } else if alike {
                (
                    format!("public addresses outside {}", allowed_ranges.join(", ")),
                    String::new(),
                )
            } else {
                (
                    rep.clone(),
                    format!(
                        " (and every public address of {}, which the rules treat alike)",
                        class.describe_public(&inside)
                    ),
                )
            };
            for b in v.blockers.iter_mut().chain(v.unknowns.iter_mut()) {
                b.explanation = format!("{}{suffix}", replace_address(&b.explanation, &rep, &name));
            }
            v.allowed_from = allowed_ranges;
            v
        }
        (None, Some(v)) => v,
        (None, None) => Verdict::default(),
    };
    for h in &mut verdict.hops {
        if h.kind == HopKind::Internet {
            h.component = internet.to_string();
        }
    }
    Ok((verdict, per_class))
}

/// `text` with every whole occurrence of the address `addr` replaced by `name` (not inside a
/// longer address or block: `1.0.0.0` in `21.0.0.0/8` stays).
fn replace_address(text: &str, addr: &str, name: &str) -> String {
    let part = |c: char| c.is_ascii_hexdigit() || c == '.' || c == ':' || c == '/';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(addr) {
        let (before, tail) = rest.split_at(i);
        let after = tail.get(addr.len()..).unwrap_or_default();
        let whole = !before.ends_with(part) && !after.starts_with(part);
        out.push_str(before);
        out.push_str(if whole { name } else { addr });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The ports of one walk over a port set.
pub(crate) struct OpenPorts {
    /// The ports no check refused.
    pub(crate) open: PortSet,
    /// The ports allowed: `open`, unless the path crosses something polcheck cannot follow.
    pub(crate) allowed: PortSet,
}

/// Every CIDR that looks at the far (internet) address of a conversation with `eni`: its
/// security groups' rules of the direction, its subnet's network ACL and route table.
fn far_nets(
    model: &NetworkModel,
    eni: &NetworkInterface,
    subnet: &Subnet,
    inbound: bool,
) -> Vec<ipnet::IpNet> {
    let mut nets = Vec::new();
    for g in eni.groups.iter().filter_map(|g| model.security_group(g)) {
        let rules = if inbound { &g.ingress } else { &g.egress };
        for r in rules {
            match &r.peer {
                SgPeer::Cidr(c) => nets.push(*c),
                SgPeer::PrefixList(id) => nets.extend(
                    model
                        .prefix_list(id)
                        .into_iter()
                        .flat_map(|p| p.cidrs.iter()),
                ),
                SgPeer::Group(_) => {}
            }
        }
    }
    if let Some(acl) = model.acl_of(subnet) {
        nets.extend(acl.inbound.iter().chain(&acl.outbound).map(|e| e.cidr));
    }
    if let Some(table) = model.route_table_of(subnet) {
        nets.extend(table.routes.iter().map(|r| r.destination));
        // Traffic through a NAT gateway also crosses the NAT's subnet.
        let nats = table.routes.iter().filter_map(|r| match &r.target {
            RouteTarget::NatGateway(id) => model.nat_gateway(id),
            _ => None,
        });
        for nat in nats {
            if let Some(ns) = model.subnet(&nat.subnet_id) {
                if let Some(acl) = model.acl_of(ns) {
                    nets.extend(acl.inbound.iter().chain(&acl.outbound).map(|e| e.cidr));
                }
                if let Some(t) = model.route_table_of(ns) {
                    nets.extend(t.routes.iter().map(|r| r.destination));
                }
            }
        }
    }
    nets
}

/// The flow's address family: that of an address endpoint, else IPv6 for ICMPv6, else IPv4.
fn family(flow: &Flow) -> Result<bool, FlowError> {
    match (&flow.from, &flow.to) {
        (Endpoint::Ip(a), Endpoint::Ip(b)) if a.is_ipv6() != b.is_ipv6() => {
            Err(FlowError::MixedFamilies(a.to_string(), b.to_string()))
        }
        (Endpoint::Ip(a), _) | (_, Endpoint::Ip(a)) => Ok(a.is_ipv6()),
        _ => Ok(flow.protocol == ICMPV6),
    }
}

fn resolve<'m>(model: &'m NetworkModel, ep: &Endpoint, v6: bool) -> Result<Side<'m>, FlowError> {
    let (eni, literal) = match ep {
        Endpoint::Internet => return Ok(Side::External(Peer::Internet { v6 })),
        Endpoint::OnPremises(name) => return on_premises(model, name),
        Endpoint::Ip(a) => match model.interface_by_address(*a) {
            Some(eni) => (eni, Some(*a)),
            None if model
                .subnets
                .iter()
                .any(|s| s.cidrs.iter().any(|c| c.contains(a))) =>
            {
                return Err(FlowError::AddressWithoutInterface(a.to_string()))
            }
            None => return Ok(Side::External(Peer::Addr(*a))),
        },
        Endpoint::Instance(id) => {
            let instance = model
                .instance(id)
                .ok_or_else(|| FlowError::UnknownEndpoint(id.clone()))?;
            let eni = instance
                .interface_ids
                .first()
                .and_then(|e| model.interface(e))
                .ok_or_else(|| FlowError::NoInterface(id.clone()))?;
            (eni, None)
        }
        Endpoint::Interface(id) => (
            model
                .interface(id)
                .ok_or_else(|| FlowError::UnknownEndpoint(id.clone()))?,
            None,
        ),
        // Replaced by the interface it is reached at before resolving (`serve::named`).
        Endpoint::Service(id) => return Err(FlowError::UnknownEndpoint(id.clone())),
    };
    resolve_eni(model, eni, v6, literal)
}

/// The network behind a VPN connection, as one end: the first address of its first static
/// route. `name` is `on-premises` (the world's only connection), a `vpn-...` id or a `Name` tag.
fn on_premises<'m>(model: &'m NetworkModel, name: &str) -> Result<Side<'m>, FlowError> {
    let all = model.vpn_connections();
    let found: Vec<_> = all
        .iter()
        .filter(|c| {
            name.eq_ignore_ascii_case("on-premises")
                || c.id == name
                || c.name.as_deref() == Some(name)
        })
        .collect();
    let candidates = || {
        let names: Vec<String> = all
            .iter()
            .map(|c| match &c.name {
                Some(n) => format!("`on-premises:{n}` ({})", c.id),
                None => format!("`{}`", c.id),
            })
            .collect();
        if names.is_empty() {
            "the world holds no `VpnConnections`".to_string()
        } else {
            format!("the world's vpn connections: {}", names.join(", "))
        }
    };
    let [vpn] = found.as_slice() else {
        return Err(FlowError::Invalid(format!(
            "`{name}` names {} vpn connections; {}",
            found.len(),
            candidates()
        )));
    };
    let addr = vpn.cidrs.first().map(|c| c.network()).ok_or_else(|| {
        FlowError::Invalid(format!(
            "vpn connection `{}` has no static `Routes`: give an address of the on-premises network instead",
            vpn.id
        ))
    })?;
    Ok(Side::External(Peer::Addr(addr)))
}

/// An interface as one end of a flow; `literal` is the address the flow named it by, if any.
pub(crate) fn resolve_eni<'m>(
    model: &'m NetworkModel,
    eni: &'m NetworkInterface,
    v6: bool,
    literal: Option<IpAddr>,
) -> Result<Side<'m>, FlowError> {
    // Import guarantees every interface's subnet exists; a miss would be a bug, reported as
    // an unknown endpoint rather than a panic.
    let subnet = model
        .subnet(&eni.subnet_id)
        .ok_or_else(|| FlowError::UnknownEndpoint(eni.subnet_id.clone()))?;
    let public = literal.filter(|a| !eni.has_private(*a));
    let addr = match literal {
        Some(a) if public.is_none() => Some(a),
        _ if v6 => eni.ipv6.first().map(|&a| IpAddr::V6(a)),
        _ => eni.private_ipv4.first().map(|&a| IpAddr::V4(a)),
    };
    Ok(Side::Eni {
        eni,
        subnet,
        addr,
        public,
    })
}

/// Where a transit gateway sends a packet.
enum Transit {
    /// To the destination VPC's attachment: (attachment, TGW route table, route).
    Delivered(String, String, String),
    /// Nowhere: why.
    Refused(ExplanationCode, String),
    /// Somewhere polcheck cannot follow: why.
    Unknown(String),
}

/// What a route lookup must find.
enum Want<'a> {
    /// The local route of this VPC.
    Local(&'a str),
    /// An internet gateway of this VPC; `inbound` when the conversation starts outside.
    Internet { vpc: &'a str, inbound: bool },
}

/// The state of one evaluation.
pub(crate) struct Walk<'m> {
    model: &'m NetworkModel,
    v6: bool,
    query: Query,
    /// The forward ports no check has refused yet.
    pub(crate) open: PortSet,
    /// What the walk found.
    pub(crate) verdict: Verdict,
}

impl<'m> Walk<'m> {
    fn hop(&mut self, direction: Direction, kind: HopKind, component: &str, rule: Option<String>) {
        self.verdict.hops.push(Hop {
            direction,
            kind,
            component: component.to_string(),
            rule,
        });
    }

    /// Records something on the path polcheck cannot follow.
    fn unknown(
        &mut self,
        component: &str,
        rule: Option<String>,
        direction: Direction,
        code: ExplanationCode,
        explanation: String,
    ) {
        self.verdict.unknowns.push(Blocker {
            kind: BlockerKind::Route,
            component: component.to_string(),
            rule,
            direction,
            code,
            explanation,
        });
    }

    /// An instance that is not running takes no traffic.
    fn state(&mut self, side: &Side<'_>) {
        let Side::Eni { eni, .. } = side else {
            return;
        };
        let Some(instance) = eni
            .instance_id
            .as_deref()
            .and_then(|i| self.model.instance(i))
        else {
            return;
        };
        let Some(state) = instance.state.as_deref() else {
            return;
        };
        if !super::model::NOT_RUNNING.contains(&state) {
            return;
        }
        let explanation = format!(
            "instance `{}` is {state}: it takes no traffic and has no public address",
            instance.id
        );
        self.block(
            BlockerKind::InstanceState,
            &instance.id,
            Some(state.to_string()),
            Forward,
            ExplanationCode::InstanceNotRunning,
            explanation,
        );
    }

    fn block(
        &mut self,
        kind: BlockerKind,
        component: &str,
        rule: Option<String>,
        direction: Direction,
        code: ExplanationCode,
        explanation: String,
    ) {
        // A refusal on the first packet's ports narrows the open ports (security groups and
        // network ACL rules, by the ports they refuse, are applied by their callers); any
        // other refusal closes them all.
        if !(direction == Forward && matches!(kind, BlockerKind::SecurityGroup | BlockerKind::Nacl))
        {
            self.open = PortSet::empty();
        }
        self.verdict.blockers.push(Blocker {
            kind,
            component: component.to_string(),
            rule,
            direction,
            code,
            explanation,
        });
    }

    /// Both ends are interfaces reached by private addresses.
    fn private(&mut self, from: Side<'m>, to: Side<'m>, flow: &Flow) -> Result<(), FlowError> {
        let (
            Side::Eni {
                eni: s,
                subnet: ss,
                addr: sa,
                ..
            },
            Side::Eni {
                eni: d,
                subnet: ds,
                addr: da,
                ..
            },
        ) = (from, to)
        else {
            return Ok(());
        };
        let family = if self.v6 { "IPv6" } else { "IPv4" };
        let no_addr = |ep: &Endpoint| FlowError::NoAddress {
            endpoint: ep.to_string(),
            family,
        };
        let sa = sa.ok_or_else(|| no_addr(&flow.from))?;
        let da = da.ok_or_else(|| no_addr(&flow.to))?;
        let (sp, dp) = (Peer::Addr(sa), Peer::Addr(da));
        let same_subnet = ss.id == ds.id;
        self.interface_hop(Forward, s, ss);
        self.sg(
            s,
            false,
            SgPeerContext {
                addr: dp,
                interface: Some(d),
            },
        );
        self.route(Forward, ss, dp, Want::Local(&ds.vpc_id));
        if !same_subnet {
            self.acl(Forward, ss, true, dp);
            self.acl(Forward, ds, false, sp);
        }
        self.sg(
            d,
            true,
            SgPeerContext {
                addr: sp,
                interface: Some(s),
            },
        );
        self.interface_hop(Forward, d, ds);
        self.route(Reply, ds, sp, Want::Local(&ss.vpc_id));
        if !same_subnet {
            self.acl(Reply, ds, true, sp);
            self.acl(Reply, ss, false, dp);
        }
        Ok(())
    }

    /// An interface opens a conversation with an address outside every VPC.
    fn out_to_internet(&mut self, from: Side<'m>, dest: Peer) {
        let Side::Eni { eni, subnet, .. } = from else {
            return;
        };
        self.interface_hop(Forward, eni, subnet);
        self.sg(
            eni,
            false,
            SgPeerContext {
                addr: dest,
                interface: None,
            },
        );
        let target = self.route(
            Forward,
            subnet,
            dest,
            Want::Internet {
                vpc: &subnet.vpc_id,
                inbound: false,
            },
        );
        if let Some(RouteTarget::NatGateway(id)) = target {
            if let Some(nat) = self.model.nat_gateway(id) {
                return self.through_nat(eni, subnet, nat, dest);
            }
        }
        // Behind an unmodelled target the interface needs no public address of its own; the
        // unknown already says polcheck cannot follow.
        if !matches!(
            target,
            Some(
                RouteTarget::Other { .. }
                    | RouteTarget::NatGateway(_)
                    | RouteTarget::VpcPeering(_)
                    | RouteTarget::TransitGateway(_)
                    | RouteTarget::GatewayEndpoint(_)
                    | RouteTarget::VpnGateway(_)
            )
        ) {
            self.public_address(Forward, eni, "send to");
        }
        self.acl(Forward, subnet, true, dest);
        self.hop(Forward, HopKind::Internet, &dest.to_string(), None);
        self.acl(Reply, subnet, false, dest);
    }

    /// The rest of a conversation an interface opens with the internet through a public NAT
    /// gateway (AWS VPC User Guide, "NAT gateways"): the packet crosses the interface's subnet
    /// ACL outbound, the NAT's subnet ACL inbound (when the subnets differ) and outbound; the
    /// NAT's subnet must route the destination to an attached internet gateway; the source is
    /// translated to the NAT's Elastic IP, so the interface needs no public address. The reply
    /// comes back the same way: the NAT's subnet ACL inbound, then (different subnets) its
    /// outbound to the interface and the interface's subnet ACL inbound.
    fn through_nat(
        &mut self,
        eni: &NetworkInterface,
        subnet: &'m Subnet,
        nat: &'m super::model::NatGateway,
        dest: Peer,
    ) {
        let Some(nat_subnet) = self.model.subnet(&nat.subnet_id) else {
            return;
        };
        let src = eni
            .private_ipv4
            .first()
            .map_or(Peer::Internet { v6: false }, |a| Peer::Addr(IpAddr::V4(*a)));
        let same = nat_subnet.id == subnet.id;
        if !same {
            self.acl(Forward, subnet, true, dest);
            self.acl(Forward, nat_subnet, false, src);
        }
        self.hop(
            Forward,
            HopKind::NatGateway,
            &nat.id,
            nat.public_ip.map(|a| format!("source translated to {a}")),
        );
        self.acl(Forward, nat_subnet, true, dest);
        self.route(
            Forward,
            nat_subnet,
            dest,
            Want::Internet {
                vpc: &nat_subnet.vpc_id,
                inbound: false,
            },
        );
        self.hop(Forward, HopKind::Internet, &dest.to_string(), None);
        self.acl(Reply, nat_subnet, false, dest);
        if !same {
            self.acl(Reply, nat_subnet, true, src);
            self.acl(Reply, subnet, false, dest);
        }
    }

    /// An address outside every VPC opens a conversation with an interface.
    fn in_from_internet(&mut self, src: Peer, to: Side<'m>) {
        let Side::Eni { eni, subnet, .. } = to else {
            return;
        };
        self.hop(Forward, HopKind::Internet, &src.to_string(), None);
        // A network behind a VPN reaches private addresses: no public address is needed.
        let via_vpn = self
            .model
            .route_table_of(subnet)
            .and_then(|t| route::lookup(t, &src))
            .is_some_and(|r| matches!(r.target, RouteTarget::VpnGateway(_)));
        if !via_vpn {
            self.public_address(Forward, eni, "be reached from");
        }
        self.acl(Forward, subnet, false, src);
        self.sg(
            eni,
            true,
            SgPeerContext {
                addr: src,
                interface: None,
            },
        );
        self.interface_hop(Forward, eni, subnet);
        self.acl(Reply, subnet, true, src);
        self.route(
            Reply,
            subnet,
            src,
            Want::Internet {
                vpc: &subnet.vpc_id,
                inbound: true,
            },
        );
    }

    fn interface_hop(&mut self, dir: Direction, eni: &NetworkInterface, subnet: &Subnet) {
        self.hop(dir, HopKind::Interface, &eni.id, None);
        self.hop(dir, HopKind::Subnet, &subnet.id, None);
    }

    /// An interface talking with the internet needs a public IPv4 address (IPv4) or an IPv6
    /// address (IPv6).
    fn public_address(&mut self, dir: Direction, eni: &NetworkInterface, verb: &str) {
        let (ok, code, what) = if self.v6 {
            (
                !eni.ipv6.is_empty(),
                ExplanationCode::NoIpv6Address,
                "ipv6 address",
            )
        } else {
            (
                eni.has_public_ipv4(),
                ExplanationCode::NoPublicIp,
                "public ipv4 address or elastic ip",
            )
        };
        if !ok {
            let explanation = format!("`{}` has no {what} to {verb} the internet", eni.id);
            self.block(BlockerKind::PublicIp, &eni.id, None, dir, code, explanation);
        }
    }

    /// Looks up `dest` in the subnet's table, records the hop or the blocker, and returns the
    /// target of the matching route, if one matched.
    fn route(
        &mut self,
        dir: Direction,
        subnet: &Subnet,
        dest: Peer,
        want: Want<'_>,
    ) -> Option<&'m RouteTarget> {
        let Some(table) = self.model.route_table_of(subnet) else {
            let explanation = format!(
                "subnet `{}` has no route table and its vpc no main table",
                subnet.id
            );
            self.block(
                BlockerKind::Route,
                &subnet.id,
                None,
                dir,
                ExplanationCode::NoRouteTable,
                explanation,
            );
            return None;
        };
        let Some(r) = route::lookup(table, &dest) else {
            let explanation = format!("route table `{}` has no route to {dest}", table.id);
            self.block(
                BlockerKind::Route,
                &table.id,
                None,
                dir,
                ExplanationCode::NoRouteToDestination,
                explanation,
            );
            return None;
        };
        let rule = Some(format!("{} -> {}", r.destination, r.target));
        let fail = |code, explanation: String| (code, explanation);
        let failure = if r.blackhole {
            Some(fail(
                ExplanationCode::BlackholeRoute,
                format!(
                    "route {} of `{}` is a blackhole: `{}` no longer exists",
                    r.destination, table.id, r.target
                ),
            ))
        } else {
            match (&want, &r.target) {
                (Want::Local(vpc), RouteTarget::Local) if *vpc == table.vpc_id => None,
                (Want::Local(vpc), RouteTarget::Local) => Some(fail(
                    ExplanationCode::NoRouteToDestination,
                    format!("the local route of `{}` keeps {dest} inside `{}`, not `{vpc}`", table.id, table.vpc_id),
                )),
                (Want::Internet { vpc, .. }, RouteTarget::InternetGateway(igw)) => {
                    if self.model.igw_attached(igw, vpc) {
                        self.hop(dir, HopKind::RouteTable, &table.id, rule.clone());
                        self.hop(dir, HopKind::InternetGateway, igw, None);
                        return Some(&r.target);
                    }
                    Some(fail(ExplanationCode::InternetGatewayNotAttached, format!("`{igw}` is not attached to `{vpc}`")))
                }
                (Want::Internet { inbound: false, vpc }, RouteTarget::EgressOnlyInternetGateway(e)) if dest.is_v6() => {
                    if self.model.igw_attached(e, vpc) {
                        None
                    } else {
                        Some(fail(ExplanationCode::InternetGatewayNotAttached, format!("`{e}` is not attached to `{vpc}`")))
                    }
                }
                (Want::Internet { inbound: true, .. }, RouteTarget::EgressOnlyInternetGateway(e)) => Some(fail(
                    ExplanationCode::EgressOnlyGateway,
                    format!("`{}` reaches the internet through egress-only gateway `{e}`, which lets no conversation in", table.id),
                )),
                (Want::Internet { inbound: false, .. }, RouteTarget::NatGateway(id)) => match self.model.nat_gateway(id) {
                    None => {
                        let explanation = format!("route {} of `{}` leads to nat gateway `{id}`, which the world does not describe (add `aws ec2 describe-nat-gateways`)", r.destination, table.id);
                        self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                        return Some(&r.target);
                    }
                    Some(nat) if !nat.available => Some(fail(ExplanationCode::NatGatewayNotAvailable, format!("nat gateway `{id}` is not available"))),
                    Some(nat) if !nat.public => Some(fail(ExplanationCode::NatGatewayNotAvailable, format!("nat gateway `{id}` is private: it does not reach the internet"))),
                    Some(_) => None,
                },
                (Want::Internet { inbound: true, .. }, RouteTarget::NatGateway(id)) => Some(fail(
                    ExplanationCode::NatGatewayOutboundOnly,
                    format!("`{}` sends the reply through nat gateway `{id}`, which lets no conversation in from the internet", table.id),
                )),
                (Want::Local(vpc), RouteTarget::VpcPeering(id)) => match self.model.peering(id) {
                    None => {
                        let explanation = format!("route {} of `{}` leads to peering connection `{id}`, which the world does not describe (add `aws ec2 describe-vpc-peering-connections`)", r.destination, table.id);
                        self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                        return Some(&r.target);
                    }
                    Some(p) if !p.active => Some(fail(ExplanationCode::PeeringNotActive, format!("peering connection `{id}` is not active"))),
                    Some(p) if p.other_side(&table.vpc_id) == Some(*vpc) => {
                        self.hop(dir, HopKind::RouteTable, &table.id, rule.clone());
                        self.hop(dir, HopKind::VpcPeering, id, None);
                        return Some(&r.target);
                    }
                    Some(_) => Some(fail(ExplanationCode::NoRouteToDestination, format!("peering connection `{id}` does not join `{}` to `{vpc}`", table.vpc_id))),
                },
                (Want::Local(vpc), RouteTarget::TransitGateway(tgw)) => {
                    match self.transit(tgw, &table.vpc_id, vpc, &dest) {
                        Transit::Delivered(attach, tgw_rtb, route) => {
                            self.hop(dir, HopKind::RouteTable, &table.id, rule.clone());
                            self.hop(dir, HopKind::TransitGateway, tgw, Some(format!("{tgw_rtb}: {route} -> {attach}")));
                            return Some(&r.target);
                        }
                        Transit::Refused(code, explanation) => Some(fail(code, explanation)),
                        Transit::Unknown(explanation) => {
                            self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                            return Some(&r.target);
                        }
                    }
                }
                (Want::Internet { inbound: false, .. }, RouteTarget::GatewayEndpoint(id)) => match self.model.vpc_endpoint(id) {
                    Some(e) if !e.available => Some(fail(ExplanationCode::EndpointNotAvailable, format!("vpc endpoint `{id}` is not available"))),
                    e => {
                        let service = e.and_then(|e| e.service.clone());
                        self.hop(dir, HopKind::RouteTable, &table.id, rule.clone());
                        self.hop(dir, HopKind::VpcEndpoint, id, service);
                        return Some(&r.target);
                    }
                },
                (Want::Internet { inbound: true, .. }, RouteTarget::GatewayEndpoint(id)) => Some(fail(
                    ExplanationCode::EndpointOutboundOnly,
                    format!("`{}` sends {dest} to gateway endpoint `{id}`, which carries only conversations the vpc opens", table.id),
                )),
                (Want::Internet { .. }, RouteTarget::VpnGateway(vgw)) => {
                    let vpns: Vec<_> = self.model.vpn_connections().iter().filter(|c| c.vpn_gateway.as_deref() == Some(vgw.as_str())).collect();
                    match vpns.iter().find(|c| c.cidrs.iter().any(|n| dest.in_net(n))) {
                        Some(c) if !c.available => Some(fail(ExplanationCode::VpnNotAvailable, format!("vpn connection `{}` is not available", c.id))),
                        Some(c) => {
                            self.hop(dir, HopKind::RouteTable, &table.id, rule.clone());
                            let label = c.name.as_ref().map_or_else(|| c.id.clone(), |n| format!("{} ({n})", c.id));
                            self.hop(dir, HopKind::VpnGateway, vgw, Some(format!("on-premises network behind {label}")));
                            return Some(&r.target);
                        }
                        None => {
                            let explanation = format!("route {} of `{}` sends {dest} to virtual private gateway `{vgw}`, and no vpn connection of the world has a static route to it (add `aws ec2 describe-vpn-connections`)", r.destination, table.id);
                            self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                            return Some(&r.target);
                        }
                    }
                }
                (Want::Internet { .. }, RouteTarget::TransitGateway(id)) => {
                    let explanation = format!("route {} of `{}` sends {dest} to transit gateway `{id}`, and no vpc of the world holds it (an on-premises or other network polcheck does not follow)", r.destination, table.id);
                    self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                    return Some(&r.target);
                }
                (Want::Internet { .. }, RouteTarget::VpcPeering(id)) => {
                    let explanation = format!("route {} of `{}` sends {dest} to peering connection `{id}`, whose far side the world does not hold", r.destination, table.id);
                    self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                    return Some(&r.target);
                }
                (_, target @ RouteTarget::Other { kind, .. }) => {
                    let explanation = format!(
                        "route {} of `{}` leads to `{target}` ({kind}), which polcheck does not follow: it cannot say where the packet goes",
                        r.destination, table.id
                    );
                    self.unknown(&table.id, rule, dir, ExplanationCode::RouteTargetNotModelled, explanation);
                    return Some(&r.target);
                }
                (_, target) => Some(fail(
                    ExplanationCode::NoRouteToDestination,
                    format!("route {} of `{}` sends {dest} to `{target}`, which does not lead there", r.destination, table.id),
                )),
            }
        };
        match failure {
            Some((code, explanation)) => {
                self.block(BlockerKind::Route, &table.id, rule, dir, code, explanation)
            }
            None => self.hop(dir, HopKind::RouteTable, &table.id, rule),
        }
        Some(&r.target)
    }

    /// Follows transit gateway `tgw` from VPC `from` towards `dest` in VPC `to`: the `vpc`
    /// attachment of `from`, the TGW route table it is associated with, the longest prefix
    /// matching `dest` there, which must lead to the `vpc` attachment of `to` (AWS Transit
    /// Gateway Guide, "How transit gateways work": routing is by the route table associated
    /// with the attachment the packet enters by; propagated routes are routes of the table).
    fn transit(&self, tgw: &str, from: &str, to: &str, dest: &Peer) -> Transit {
        let export = "add `aws ec2 describe-transit-gateway-attachments` and each table's `search-transit-gateway-routes` under `TransitGatewayRoutes`";
        let Some(entry) = self.model.tgw_attachment_of(tgw, from) else {
            return Transit::Unknown(format!(
                "the world holds no attachment of transit gateway `{tgw}` to `{from}` ({export})"
            ));
        };
        if !entry.available {
            return Transit::Refused(
                ExplanationCode::TransitGatewayNoRoute,
                format!("attachment `{}` of `{tgw}` is not available", entry.id),
            );
        }
        let Some(rtb_id) = entry.route_table.as_deref() else {
            return Transit::Refused(
                ExplanationCode::TransitGatewayNoRoute,
                format!(
                    "attachment `{}` of `{tgw}` is associated with no route table",
                    entry.id
                ),
            );
        };
        let Some(rtb) = self.model.tgw_route_table(rtb_id) else {
            return Transit::Unknown(format!(
                "the world holds no routes of transit gateway route table `{rtb_id}` ({export})"
            ));
        };
        let Some(route) = rtb
            .routes
            .iter()
            .filter(|r| dest.in_net(&r.destination))
            .max_by_key(|r| r.destination.prefix_len())
        else {
            return Transit::Refused(
                ExplanationCode::TransitGatewayNoRoute,
                format!("transit gateway route table `{rtb_id}` has no route to {dest}"),
            );
        };
        if route.blackhole {
            return Transit::Refused(
                ExplanationCode::BlackholeRoute,
                format!(
                    "route {} of transit gateway route table `{rtb_id}` is a blackhole",
                    route.destination
                ),
            );
        }
        let exit = route
            .attachment
            .as_deref()
            .and_then(|a| self.model.tgw_attachment(a));
        match exit {
            Some(a) if a.resource_type == "vpc" && a.resource_id.as_deref() == Some(to) => {
                Transit::Delivered(a.id.clone(), rtb_id.to_string(), route.destination.to_string())
            }
            Some(a) if a.resource_type == "vpc" => Transit::Refused(
                ExplanationCode::TransitGatewayNoRoute,
                format!("route {} of `{rtb_id}` leads to attachment `{}` of `{}`, not `{to}`", route.destination, a.id, a.resource_id.as_deref().unwrap_or("?")),
            ),
            Some(a) => Transit::Unknown(format!("route {} of `{rtb_id}` leads to a `{}` attachment `{}`, which polcheck does not follow", route.destination, a.resource_type, a.id)),
            None => Transit::Unknown(format!("route {} of `{rtb_id}` leads to an attachment the world does not describe ({export})", route.destination)),
        }
    }

    /// The subnet's ACL in one direction; `peer` is the packet's source for inbound rules and
    /// its destination for outbound rules.
    fn acl(&mut self, dir: Direction, subnet: &Subnet, egress: bool, peer: Peer) {
        let (traffic, ports) = match dir {
            Forward => (self.query.traffic, self.query.forward_ports.clone()),
            Reply => match self.query.reply_traffic {
                Some(t) => (t, self.query.reply_ports.clone()),
                None => return,
            },
        };
        let Some(nacl) = self.model.acl_of(subnet) else {
            // No ACL in the world for this subnet: the VPC's default ACL, which allows all.
            let rule = Some("default (not in the world): allow all".to_string());
            return self.hop(dir, HopKind::NetworkAcl, &subnet.id, rule);
        };
        let way = if egress { "outbound" } else { "inbound" };
        let prep = if egress { "to" } else { "from" };
        let decisions = acl::evaluate(nacl, egress, &peer, &traffic, &ports);
        if dir == Forward {
            self.open = self.open.intersection(&acl::allowed(&decisions));
        }
        for d in decisions {
            let rule = Some(format!("{} {way}", d.label()));
            if d.allow {
                self.hop(dir, HopKind::NetworkAcl, &nacl.id, rule);
            } else {
                let explanation = format!(
                    "rule {} of `{}` denies {way} {} {prep} {peer}",
                    d.label(),
                    nacl.id,
                    traffic.describe(&d.ports)
                );
                self.block(
                    BlockerKind::Nacl,
                    &nacl.id,
                    rule,
                    dir,
                    ExplanationCode::NaclDeny,
                    explanation,
                );
            }
        }
    }

    /// The interface's security groups for the first packet (replies pass: groups are stateful).
    fn sg(&mut self, eni: &NetworkInterface, ingress: bool, peer: SgPeerContext<'_>) {
        // A Network Load Balancer created without security groups filters nothing at its
        // interfaces: its targets' groups see the client's address (Elastic Load Balancing,
        // User Guide for Network Load Balancers, *Security groups for your Network Load
        // Balancer*: groups can be associated only when the load balancer is created, and
        // without them all traffic reaches the targets).
        let unfiltered_nlb = eni.groups.is_empty()
            && eni
                .description_text
                .as_deref()
                .is_some_and(|d| d.starts_with("ELB net/"));
        if unfiltered_nlb {
            return;
        }
        let query = self.query.forward_ports.clone();
        let (allowed, matches) = sg::evaluate(
            self.model,
            &eni.groups,
            ingress,
            &peer,
            &self.query.traffic,
            &query,
        );
        self.open = self.open.intersection(&allowed);
        for m in &matches {
            self.hop(
                Forward,
                HopKind::SecurityGroup,
                &m.group.id,
                Some(m.describe(ingress)),
            );
        }
        if allowed.is_superset_of(&query) {
            return;
        }
        let component = if eni.groups.is_empty() {
            eni.id.clone()
        } else {
            eni.groups.join(", ")
        };
        let (code, way, prep) = if ingress {
            (ExplanationCode::SecurityGroupNoIngress, "inbound", "from")
        } else {
            (ExplanationCode::SecurityGroupNoEgress, "outbound", "to")
        };
        let missing = query.difference(&allowed);
        let shown = if has_ports(self.query.traffic.protocol) {
            missing
        } else {
            query
        };
        let explanation = format!(
            "no security group rule of `{}` allows {way} {} {prep} {}",
            eni.id,
            self.query.traffic.describe(&shown),
            peer.addr
        );
        self.block(
            BlockerKind::SecurityGroup,
            &component,
            None,
            Forward,
            code,
            explanation,
        );
    }
}
