//! Security group evaluation over port sets.
//!
//! Security groups hold allow rules only, and the rules of every group on an interface are
//! combined: the allowed ports are the union of what each matching rule covers. A rule's peer is
//! a CIDR, a prefix list (any of its entries), or another security group, which stands for the
//! *private* addresses of the interfaces that group is attached to; a packet arriving from a
//! public address never matches a group reference. Groups are stateful, so the evaluator never
//! checks them for replies.

use super::model::{NetworkInterface, NetworkModel, SecurityGroup, SgPeer, SgRule};
use super::packet::{Peer, Traffic};
use super::ports::PortSet;

/// The far side of a security group rule: its address and, when it is an interface of the
/// world reached by one of its private addresses, that interface.
#[derive(Debug, Clone, Copy)]
pub struct SgPeerContext<'m> {
    /// The address the rule sees.
    pub addr: Peer,
    /// The interface behind a private address, for group references.
    pub interface: Option<&'m NetworkInterface>,
}

/// One rule that allowed some ports.
#[derive(Debug, Clone)]
pub struct SgMatch<'m> {
    /// The group holding the rule.
    pub group: &'m SecurityGroup,
    /// The rule.
    pub rule: &'m SgRule,
    /// The ports of the query it allowed.
    pub ports: PortSet,
}

impl SgMatch<'_> {
    /// The rule in words: `tcp 22 from 0.0.0.0/0`.
    pub fn describe(&self, ingress: bool) -> String {
        let ports = self
            .rule
            .ports
            .map(|(a, b)| PortSet::range(a, b).to_string());
        let what = match ports {
            Some(p) => format!("{} {p}", self.rule.protocol),
            None => self.rule.protocol.to_string(),
        };
        let dir = if ingress { "from" } else { "to" };
        format!("{what} {dir} {}", self.rule.peer)
    }
}

/// `true` when `rule`'s peer covers `peer`.
fn peer_matches(model: &NetworkModel, rule: &SgRule, peer: &SgPeerContext<'_>) -> bool {
    match &rule.peer {
        SgPeer::Cidr(net) => peer.addr.in_net(net),
        SgPeer::PrefixList(id) => model
            .prefix_list(id)
            .is_some_and(|pl| pl.cidrs.iter().any(|c| peer.addr.in_net(c))),
        SgPeer::Group(id) => match (peer.interface, peer.addr) {
            (Some(eni), Peer::Addr(a)) => eni.has_private(a) && eni.groups.iter().any(|g| g == id),
            _ => false,
        },
    }
}

/// The rules of `groups` (ids; unknown ids contribute nothing) that allow part of `query`, in
/// the direction `ingress`, and the union of what they allow.
pub fn evaluate<'m>(
    model: &'m NetworkModel,
    groups: &[String],
    ingress: bool,
    peer: &SgPeerContext<'_>,
    traffic: &Traffic,
    query: &PortSet,
) -> (PortSet, Vec<SgMatch<'m>>) {
    let mut allowed = PortSet::empty();
    let mut matches = Vec::new();
    for group in groups.iter().filter_map(|g| model.security_group(g)) {
        let rules = if ingress {
            &group.ingress
        } else {
            &group.egress
        };
        for rule in rules {
            let Some(covered) = traffic.covered(rule.protocol, rule.ports, rule.icmp) else {
                continue;
            };
            let hit = query.intersection(&covered);
            if hit.is_empty() || !peer_matches(model, rule, peer) {
                continue;
            }
            allowed = allowed.union(&hit);
            matches.push(SgMatch {
                group,
                rule,
                ports: hit,
            });
        }
    }
    (allowed, matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::model::PrefixList;
    use crate::network::protocol::{IcmpMatch, Protocol, TCP};

    fn rule(ports: (u16, u16), peer: SgPeer) -> SgRule {
        SgRule {
            protocol: Protocol::Number(TCP),
            ports: Some(ports),
            icmp: IcmpMatch::ANY,
            peer,
        }
    }

    fn model() -> NetworkModel {
        let mut m = NetworkModel {
            security_groups: vec![
                SecurityGroup {
                    id: "sg-a".into(),
                    name: None,
                    vpc_id: None,
                    ingress: vec![rule((22, 22), SgPeer::Cidr("10.0.0.0/8".parse().unwrap()))],
                    egress: vec![],
                },
                SecurityGroup {
                    id: "sg-b".into(),
                    name: None,
                    vpc_id: None,
                    ingress: vec![
                        rule((80, 90), SgPeer::Group("sg-a".into())),
                        rule((443, 443), SgPeer::PrefixList("pl-1".into())),
                    ],
                    egress: vec![],
                },
            ],
            prefix_lists: vec![PrefixList {
                id: "pl-1".into(),
                name: None,
                cidrs: vec!["198.51.100.0/24".parse().unwrap()],
            }],
            ..NetworkModel::default()
        };
        m.build_index();
        m
    }

    fn eni(addr: &str, groups: &[&str]) -> NetworkInterface {
        NetworkInterface {
            id: "eni-1".into(),
            subnet_id: "s".into(),
            vpc_id: "v".into(),
            instance_id: None,
            device_index: None,
            private_ipv4: vec![addr.parse().unwrap()],
            public_ipv4: vec![],
            ipv6: vec![],
            groups: groups.iter().map(|g| g.to_string()).collect(),
            description: None,
            description_text: None,
            public_name: None,
        }
    }

    const T: Traffic = Traffic {
        protocol: TCP,
        icmp: None,
    };

    #[test]
    fn rules_of_all_groups_are_combined() {
        let m = model();
        let groups = vec![
            "sg-a".to_string(),
            "sg-b".to_string(),
            "sg-missing".to_string(),
        ];
        let member = eni("10.0.0.5", &["sg-a"]);
        let peer = SgPeerContext {
            addr: Peer::Addr("10.0.0.5".parse().unwrap()),
            interface: Some(&member),
        };
        let (allowed, matches) = evaluate(&m, &groups, true, &peer, &T, &PortSet::full());
        assert_eq!(allowed.to_string(), "22, 80-90");
        assert_eq!(matches.len(), 2);
    }

    #[test]
    fn group_reference_needs_a_private_address_of_a_member() {
        let m = model();
        let groups = vec!["sg-b".to_string()];
        let outsider = eni("10.0.0.6", &["sg-other"]);
        let peer = SgPeerContext {
            addr: Peer::Addr("10.0.0.6".parse().unwrap()),
            interface: Some(&outsider),
        };
        assert!(evaluate(&m, &groups, true, &peer, &T, &PortSet::single(80))
            .0
            .is_empty());
        let public = SgPeerContext {
            addr: Peer::Addr("198.51.100.7".parse().unwrap()),
            interface: None,
        };
        let (allowed, _) = evaluate(&m, &groups, true, &public, &T, &PortSet::full());
        assert_eq!(allowed, PortSet::single(443), "prefix list entry matches");
    }
}
