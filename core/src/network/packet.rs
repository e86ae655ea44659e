//! What a rule looks at: the peer address, the protocol, and the ports or ICMP type/code.
//!
//! Rules are evaluated over *sets* of ports (see [`super::ports`]) so that one pass answers
//! "which of these ports are allowed". Protocols without ports are evaluated over the one-port
//! set `{0}`, a placeholder every matching rule covers, so that ACL and security-group logic
//! stays the same for every protocol.
//!
//! "The internet" as a flow endpoint is every public address; the evaluator asks one public
//! address per range the rules tell apart (see [`super::internet`]). [`Peer::Internet`]
//! (matching only `/0` blocks) remains for the one case with no address to ask: the source of
//! a flow between two interfaces by public address when the client has none.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::ports::PortSet;
use super::protocol::{has_ports, is_icmp, name, IcmpMatch, Protocol};

/// The address on the far side of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Peer {
    /// One address.
    Addr(IpAddr),
    /// Any internet address no narrower rule names; `v6` picks the family.
    Internet {
        /// `true` for the IPv6 internet.
        v6: bool,
    },
}

impl Peer {
    /// `true` when the peer lies in `net` (for [`Peer::Internet`]: when `net` is a `/0` of its
    /// family).
    pub fn in_net(&self, net: &IpNet) -> bool {
        match self {
            Peer::Addr(a) => net.contains(a),
            Peer::Internet { v6 } => net.prefix_len() == 0 && matches!(net, IpNet::V6(_)) == *v6,
        }
    }

    /// `true` for IPv6.
    pub fn is_v6(&self) -> bool {
        match self {
            Peer::Addr(a) => a.is_ipv6(),
            Peer::Internet { v6 } => *v6,
        }
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Addr(a) => write!(f, "{a}"),
            Peer::Internet { v6: false } => f.write_str("the internet (0.0.0.0/0)"),
            Peer::Internet { v6: true } => f.write_str("the internet (::/0)"),
        }
    }
}

/// A packet's protocol, and its ICMP type and code for ICMP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Traffic {
    /// IANA protocol number.
    pub protocol: u8,
    /// ICMP type and code, for ICMP and ICMPv6.
    pub icmp: Option<(u8, u8)>,
}

impl Traffic {
    /// The ports a rule with these fields covers for this traffic, or `None` when the rule
    /// does not apply to it. Port ranges count only for TCP and UDP; ICMP matches type/code.
    pub fn covered(
        &self,
        protocol: Protocol,
        ports: Option<(u16, u16)>,
        icmp: IcmpMatch,
    ) -> Option<PortSet> {
        if !protocol.covers(self.protocol) {
            return None;
        }
        if protocol == Protocol::All {
            return Some(PortSet::full());
        }
        if has_ports(self.protocol) {
            return Some(ports.map_or_else(PortSet::full, |(a, b)| PortSet::range(a, b)));
        }
        if is_icmp(self.protocol) {
            let (t, c) = self.icmp.unwrap_or((0, 0));
            return icmp.matches(t, c).then(PortSet::full);
        }
        Some(PortSet::full())
    }

    /// Describes the traffic on `ports` for explanations: `tcp 22`, `icmp type 8 code 0`.
    pub fn describe(&self, ports: &PortSet) -> String {
        match self.icmp {
            Some((t, c)) => format!("{} type {t} code {c}", name(self.protocol)),
            None if has_ports(self.protocol) => format!("{} {ports}", name(self.protocol)),
            None => name(self.protocol),
        }
    }
}

/// The port set a rule query starts from: the given ports for TCP/UDP, `{0}` otherwise.
pub fn query_ports(traffic: &Traffic, ports: PortSet) -> PortSet {
    if has_ports(traffic.protocol) {
        ports
    } else {
        PortSet::single(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::protocol::{ICMP, TCP, UDP};

    #[test]
    fn internet_matches_only_zero_prefixes_of_its_family() {
        let any4: IpNet = "0.0.0.0/0".parse().unwrap();
        let any6: IpNet = "::/0".parse().unwrap();
        let narrow: IpNet = "203.0.113.0/24".parse().unwrap();
        let v4 = Peer::Internet { v6: false };
        assert!(v4.in_net(&any4) && !v4.in_net(&any6) && !v4.in_net(&narrow));
        assert!(Peer::Internet { v6: true }.in_net(&any6));
        assert!(Peer::Addr("203.0.113.9".parse().unwrap()).in_net(&narrow));
    }

    #[test]
    fn ports_count_only_for_tcp_and_udp() {
        let tcp = Traffic {
            protocol: TCP,
            icmp: None,
        };
        let icmp = Traffic {
            protocol: ICMP,
            icmp: Some((8, 0)),
        };
        let rule_tcp = Protocol::Number(TCP);
        assert_eq!(
            tcp.covered(rule_tcp, Some((22, 22)), IcmpMatch::ANY),
            Some(PortSet::single(22))
        );
        assert_eq!(
            tcp.covered(Protocol::Number(UDP), None, IcmpMatch::ANY),
            None
        );
        assert_eq!(
            icmp.covered(
                Protocol::Number(ICMP),
                Some((22, 22)),
                IcmpMatch::from_aws(8, -1)
            ),
            Some(PortSet::full())
        );
        assert_eq!(
            icmp.covered(Protocol::Number(ICMP), None, IcmpMatch::from_aws(0, -1)),
            None
        );
        assert_eq!(
            icmp.covered(Protocol::All, None, IcmpMatch::ANY),
            Some(PortSet::full())
        );
        assert_eq!(query_ports(&icmp, PortSet::ephemeral()), PortSet::single(0));
    }
}
