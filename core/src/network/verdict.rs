//! The answer to a flow: allowed or not, everything that blocks it, and the path it took.
//!
//! A verdict lists *every* blocker on the forward and reply paths, not only the first one met,
//! because a user fixing a path needs the whole list: "no route to the internet gateway" and
//! "no public address" are two changes, and fixing one only reveals the other if polcheck kept
//! quiet about it. Each blocker carries an explanation code in the spirit of AWS Reachability
//! Analyzer's, so tools can act on it without parsing prose.

use std::collections::BTreeSet;

use serde::Serialize;

/// Which half of a conversation a hop or blocker belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// The packet from the source to the destination.
    Forward,
    /// The answer from the destination back to the source.
    Reply,
}

/// The kind of component that blocks, as test suites name it in `blockedBy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BlockerKind {
    /// No route, a blackhole route, a route polcheck cannot follow, or no internet gateway.
    #[serde(rename = "route")]
    Route,
    /// An interface talking with the internet has no public address.
    #[serde(rename = "public-ip")]
    PublicIp,
    /// A network ACL rule denies.
    #[serde(rename = "nacl")]
    Nacl,
    /// No security group rule allows.
    #[serde(rename = "security-group")]
    SecurityGroup,
}

impl BlockerKind {
    /// The suite's name for the kind: `route`, `public-ip`, `nacl` or `security-group`.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockerKind::Route => "route",
            BlockerKind::PublicIp => "public-ip",
            BlockerKind::Nacl => "nacl",
            BlockerKind::SecurityGroup => "security-group",
        }
    }
}

/// Why a component blocks, in the spirit of Reachability Analyzer's explanation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExplanationCode {
    /// The route table has no route matching the destination.
    NoRouteToDestination,
    /// The subnet has no associated table and its VPC no main table.
    NoRouteTable,
    /// The matching route is a blackhole.
    BlackholeRoute,
    /// The matching route's target is not local for a destination inside the VPC, or leads
    /// somewhere polcheck does not model (NAT gateway, peering, transit gateway...).
    RouteTargetNotModelled,
    /// The route names an internet gateway that is not attached to the VPC.
    InternetGatewayNotAttached,
    /// Traffic from the internet cannot enter through an egress-only internet gateway.
    EgressOnlyGateway,
    /// No public IPv4 address or Elastic IP on the interface.
    NoPublicIp,
    /// No IPv6 address on the interface for IPv6 internet traffic.
    NoIpv6Address,
    /// A network ACL rule (possibly the final `*` rule) denies.
    NaclDeny,
    /// No inbound security group rule allows the traffic.
    SecurityGroupNoIngress,
    /// No outbound security group rule allows the traffic.
    SecurityGroupNoEgress,
}

/// One component that blocks the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Blocker {
    /// The kind, as `blockedBy` names it.
    pub kind: BlockerKind,
    /// The component's id: `rtb-...`, `acl-...`, `sg-...` (several joined by `, `), `eni-...`.
    pub component: String,
    /// The rule: an ACL rule number (`100`, `*`) or a route's destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Forward or reply.
    pub direction: Direction,
    /// Why.
    pub code: ExplanationCode,
    /// The explanation in words, lowercase, ids in backticks.
    pub explanation: String,
}

/// What a hop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopKind {
    /// A network interface the traffic leaves or enters.
    Interface,
    /// A subnet crossed.
    Subnet,
    /// The route table and the route taken.
    RouteTable,
    /// A network ACL and the rule that allowed.
    NetworkAcl,
    /// A security group and the rule that allowed.
    SecurityGroup,
    /// An internet gateway crossed.
    InternetGateway,
    /// The internet.
    Internet,
}

/// One step of the path, with the rule that let the traffic through where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hop {
    /// Forward or reply.
    pub direction: Direction,
    /// What the hop is.
    pub kind: HopKind,
    /// The component's id (or an address, for the internet).
    pub component: String,
    /// The rule or route taken, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// The answer to a flow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// `true` when the packet reaches the destination and the reply reaches the source.
    pub allowed: bool,
    /// Every component that blocks, forward and reply.
    pub blockers: Vec<Blocker>,
    /// The path, in order, with the rules that allowed each step.
    pub hops: Vec<Hop>,
}

impl Verdict {
    /// The kinds of the blockers, as the suites' `blockedBy` names them.
    pub fn blocked_by(&self) -> BTreeSet<&'static str> {
        self.blockers.iter().map(|b| b.kind.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_suite_names_and_camel_case() {
        let v = Verdict {
            allowed: false,
            blockers: vec![Blocker {
                kind: BlockerKind::PublicIp,
                component: "eni-0app".into(),
                rule: None,
                direction: Direction::Forward,
                code: ExplanationCode::NoPublicIp,
                explanation: "x".into(),
            }],
            hops: vec![Hop {
                direction: Direction::Reply,
                kind: HopKind::NetworkAcl,
                component: "acl-1".into(),
                rule: Some("100".into()),
            }],
        };
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["blockers"][0]["kind"], "public-ip");
        assert_eq!(json["blockers"][0]["code"], "NO_PUBLIC_IP");
        assert_eq!(json["hops"][0]["kind"], "network-acl");
        assert_eq!(json["hops"][0]["direction"], "reply");
        assert_eq!(
            v.blocked_by().into_iter().collect::<Vec<_>>(),
            ["public-ip"]
        );
    }
}
