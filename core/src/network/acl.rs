//! Network ACL evaluation over port sets.
//!
//! A network ACL is an ordered list: rules are taken by rule number, lowest first, and the
//! first rule that matches a packet decides, allow or deny. Over a *set* of ports this becomes
//! a sweep: each matching rule claims the ports of the query that no earlier rule claimed, and
//! whatever is left at the end falls to the final `*` rule, which denies (polcheck applies that
//! implicit deny even when an export omits the `*` entries). The result partitions the query:
//! every port is decided by exactly one rule, so a verdict can name each rule that denies.

use super::model::{AclEntry, NetworkAcl};
use super::packet::{Peer, Traffic};
use super::ports::PortSet;

/// The ports of a query one rule decided.
#[derive(Debug, Clone, PartialEq)]
pub struct AclDecision<'m> {
    /// The deciding entry; `None` for the implicit final deny of an export without `*` rules.
    pub entry: Option<&'m AclEntry>,
    /// Allow or deny.
    pub allow: bool,
    /// The ports it decided.
    pub ports: PortSet,
}

impl AclDecision<'_> {
    /// The rule as the console labels it: a number, or `*`.
    pub fn label(&self) -> String {
        self.entry.map_or_else(|| "*".to_string(), AclEntry::label)
    }
}

/// Decides every port of `query` for traffic with `peer` (the source for inbound rules, the
/// destination for outbound rules), in the direction `egress`.
pub fn evaluate<'m>(
    acl: &'m NetworkAcl,
    egress: bool,
    peer: &Peer,
    traffic: &Traffic,
    query: &PortSet,
) -> Vec<AclDecision<'m>> {
    let entries = if egress { &acl.outbound } else { &acl.inbound };
    let mut remaining = query.clone();
    let mut out = Vec::new();
    for entry in entries {
        if remaining.is_empty() {
            break;
        }
        if !peer.in_net(&entry.cidr) {
            continue;
        }
        let Some(covered) = traffic.covered(entry.protocol, entry.ports, entry.icmp) else {
            continue;
        };
        let hit = remaining.intersection(&covered);
        if hit.is_empty() {
            continue;
        }
        remaining = remaining.difference(&covered);
        out.push(AclDecision {
            entry: Some(entry),
            allow: entry.allow,
            ports: hit,
        });
    }
    if !remaining.is_empty() {
        out.push(AclDecision {
            entry: None,
            allow: false,
            ports: remaining,
        });
    }
    out
}

/// The allowed part of a set of decisions.
pub fn allowed(decisions: &[AclDecision<'_>]) -> PortSet {
    decisions
        .iter()
        .filter(|d| d.allow)
        .fold(PortSet::empty(), |acc, d| acc.union(&d.ports))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::protocol::{IcmpMatch, Protocol, ICMP, TCP, UDP};

    fn entry(
        n: u32,
        allow: bool,
        proto: Protocol,
        cidr: &str,
        ports: Option<(u16, u16)>,
    ) -> AclEntry {
        AclEntry {
            rule_number: n,
            egress: false,
            allow,
            protocol: proto,
            cidr: cidr.parse().unwrap(),
            ports,
            icmp: IcmpMatch::ANY,
        }
    }

    fn acl(mut inbound: Vec<AclEntry>) -> NetworkAcl {
        inbound.sort_by_key(|e| e.rule_number);
        NetworkAcl {
            id: "acl-1".into(),
            vpc_id: "vpc-1".into(),
            is_default: false,
            subnet_ids: vec![],
            inbound,
            outbound: vec![],
        }
    }

    const TCP_T: Traffic = Traffic {
        protocol: TCP,
        icmp: None,
    };
    fn peer(a: &str) -> Peer {
        Peer::Addr(a.parse().unwrap())
    }

    #[test]
    fn lowest_rule_number_decides_whatever_the_export_order() {
        let a = acl(vec![
            entry(200, true, Protocol::All, "0.0.0.0/0", None),
            entry(
                100,
                false,
                Protocol::Number(TCP),
                "10.0.0.0/8",
                Some((22, 22)),
            ),
        ]);
        let d = evaluate(&a, false, &peer("10.1.2.3"), &TCP_T, &PortSet::single(22));
        assert_eq!(d.len(), 1);
        assert!(!d[0].allow);
        assert_eq!(d[0].label(), "100");
        let d = evaluate(&a, false, &peer("192.0.2.1"), &TCP_T, &PortSet::single(22));
        assert!(d[0].allow);
    }

    #[test]
    fn final_rule_denies_what_nothing_matched() {
        let a = acl(vec![
            entry(
                100,
                true,
                Protocol::Number(TCP),
                "0.0.0.0/0",
                Some((1024, 2000)),
            ),
            entry(32767, false, Protocol::All, "0.0.0.0/0", None),
        ]);
        let d = evaluate(&a, false, &peer("192.0.2.1"), &TCP_T, &PortSet::ephemeral());
        assert_eq!(allowed(&d), PortSet::range(1024, 2000));
        assert_eq!(d[1].label(), "*");
        assert_eq!(d[1].ports, PortSet::range(2001, 65535));
        // An export without the `*` entries still ends in a deny.
        let bare = acl(vec![entry(
            100,
            true,
            Protocol::Number(UDP),
            "0.0.0.0/0",
            None,
        )]);
        let d = evaluate(
            &bare,
            false,
            &peer("192.0.2.1"),
            &TCP_T,
            &PortSet::single(80),
        );
        assert!(!d[0].allow && d[0].entry.is_none());
    }

    #[test]
    fn icmp_rules_match_type_and_code() {
        let mut ping = entry(100, true, Protocol::Number(ICMP), "0.0.0.0/0", None);
        ping.icmp = IcmpMatch::from_aws(8, -1);
        let a = acl(vec![ping]);
        let echo = Traffic {
            protocol: ICMP,
            icmp: Some((8, 0)),
        };
        let unreachable = Traffic {
            protocol: ICMP,
            icmp: Some((3, 4)),
        };
        assert!(evaluate(&a, false, &peer("192.0.2.1"), &echo, &PortSet::single(0))[0].allow);
        assert!(
            !evaluate(
                &a,
                false,
                &peer("192.0.2.1"),
                &unreachable,
                &PortSet::single(0)
            )[0]
            .allow
        );
    }
}
