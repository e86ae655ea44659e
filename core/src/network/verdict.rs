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
#[non_exhaustive]
pub enum Direction {
    /// The packet from the source to the destination.
    Forward,
    /// The answer from the destination back to the source.
    Reply,
}

/// The kind of component that blocks, as test suites name it in `blockedBy`.
#[non_exhaustive]
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
    /// An end is an instance that is not running (stopped, terminated...).
    #[serde(rename = "instance-state")]
    InstanceState,
}

impl BlockerKind {
    /// The suite's name for the kind: `route`, `public-ip`, `nacl` or `security-group`.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockerKind::Route => "route",
            BlockerKind::PublicIp => "public-ip",
            BlockerKind::Nacl => "nacl",
            BlockerKind::SecurityGroup => "security-group",
            BlockerKind::InstanceState => "instance-state",
        }
    }
}

/// Why a component blocks, in the spirit of Reachability Analyzer's explanation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
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
    /// An end is an instance that is stopped, stopping, shutting down or terminated.
    InstanceNotRunning,
    /// A NAT gateway lets no conversation in from the internet.
    NatGatewayOutboundOnly,
    /// The NAT gateway is not available, or is private (no internet).
    NatGatewayNotAvailable,
    /// The VPC peering connection is not active.
    PeeringNotActive,
    /// The transit gateway has no usable route (or attachment) to the destination VPC.
    TransitGatewayNoRoute,
    /// The VPC endpoint is not available.
    EndpointNotAvailable,
    /// The VPN connection is not available.
    VpnNotAvailable,
    /// A gateway endpoint carries only conversations the VPC opens.
    EndpointOutboundOnly,
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
#[non_exhaustive]
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
    /// A NAT gateway crossed (the source translated).
    NatGateway,
    /// A VPC peering connection crossed.
    VpcPeering,
    /// A transit gateway crossed, with its route table and route.
    TransitGateway,
    /// A gateway VPC endpoint crossed (to S3 or DynamoDB).
    VpcEndpoint,
    /// A virtual private gateway crossed, to or from the network behind a VPN.
    VpnGateway,
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

/// The three answers to a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Reachability {
    /// The packet reaches the destination and the reply reaches the source.
    Allowed,
    /// A component polcheck evaluated blocks the packet or its reply.
    #[default]
    Denied,
    /// Nothing polcheck evaluated blocks, but the path crosses something it does not follow
    /// (see [`Verdict::unknowns`]): it cannot say either way.
    Unknown,
}

impl Reachability {
    /// `allowed`, `denied` or `unknown`, as suites write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Reachability::Allowed => "allowed",
            Reachability::Denied => "denied",
            Reachability::Unknown => "unknown",
        }
    }
}

/// The answer to a flow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// Allowed, denied or unknown.
    pub outcome: Reachability,
    /// `true` when the outcome is [`Reachability::Allowed`].
    pub allowed: bool,
    /// Every component that blocks, forward and reply.
    pub blockers: Vec<Blocker>,
    /// What polcheck could not follow (a route target it does not model...): when there is
    /// no blocker, these make the outcome [`Reachability::Unknown`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknowns: Vec<Blocker>,
    /// For a flow from `internet` that only part of the internet passes: the public ranges
    /// that do (the verdict itself is about every public address).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_from: Vec<String>,
    /// Notes on the path that change no answer but explain it (an instance's state...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The path, in order, with the rules that allowed each step.
    pub hops: Vec<Hop>,
}

impl Verdict {
    /// The kinds of the blockers, as the suites' `blockedBy` names them (for an unknown
    /// verdict: the kinds of what polcheck could not follow).
    pub fn blocked_by(&self) -> BTreeSet<&'static str> {
        let list = if self.outcome == Reachability::Unknown {
            &self.unknowns
        } else {
            &self.blockers
        };
        list.iter().map(|b| b.kind.as_str()).collect()
    }

    /// Sets the outcome from the blockers and unknowns: any blocker denies; else any unknown
    /// makes it unknown; else allowed.
    pub(crate) fn settle(&mut self) {
        self.outcome = if !self.blockers.is_empty() {
            Reachability::Denied
        } else if !self.unknowns.is_empty() {
            Reachability::Unknown
        } else {
            Reachability::Allowed
        };
        self.allowed = self.outcome == Reachability::Allowed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_suite_names_and_camel_case() {
        let v = Verdict {
            outcome: Reachability::Denied,
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
            ..Verdict::default()
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
