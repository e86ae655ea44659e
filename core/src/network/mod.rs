//! VPC reachability: would AWS let this packet through, and its reply back?
//!
//! # The model
//!
//! [`NetworkModel::import`] reads the network keys of a world (AWS `describe-*` exports, see
//! [`import`]) into plain data: [`Vpc`]s, [`Subnet`]s, [`RouteTable`]s of [`Route`]s, internet
//! gateways, [`NetworkAcl`]s of [`AclEntry`]s, [`SecurityGroup`]s of [`SgRule`]s,
//! [`NetworkInterface`]s (of [`Instance`]s, or standalone) and [`PrefixList`]s. Import resolves
//! what the evaluator follows, so evaluation never meets a dangling id.
//!
//! # A flow and its checks
//!
//! A [`Flow`] is a conversation: the first packet from `from` to `to`, and the reply. Each end is
//! an interface of the world or an address outside every VPC ("the internet"). The evaluator
//! walks both directions and runs every check, even after one fails, so the [`Verdict`] lists
//! every [`Blocker`] (kinds `route`, `public-ip`, `nacl`, `security-group`, `instance-state`)
//! and the [`Hop`]s with the rules that allowed each step. Its [`Reachability`] is one of three:
//! `allowed`; `denied` when a check polcheck made refuses; `unknown` when nothing refuses but
//! the path crosses something polcheck does not follow (a route target it does not model,
//! listed in [`Verdict::unknowns`]): never a deny it cannot back. The checks, in order:
//!
//! **Interface to interface, by private address** (the same VPC, or another one):
//! 1. the source's security groups, outbound, to the destination address;
//! 2. the source subnet's route table: the longest prefix matching the destination must be the
//!    `local` route of the destination's VPC (a blackhole drops; a target polcheck does not
//!    follow is an unknown `ROUTE_TARGET_NOT_MODELLED`: polcheck claims neither "allowed" nor
//!    "denied" for a path it cannot follow);
//! 3. the source subnet's network ACL outbound and the destination subnet's inbound, unless both
//!    addresses are in one subnet (traffic inside a subnet does not cross its ACL);
//! 4. the destination's security groups, inbound, from the source address (group references
//!    match the private addresses of the interfaces in the group);
//! 5. the reply: the destination subnet's table must route back locally, and the destination
//!    subnet's ACL outbound and the source subnet's inbound must allow the reply to the client's
//!    port (`sourcePort`, or every port 1024-65535 when it is absent). Security groups are
//!    stateful: replies always pass them.
//!
//! **Interface to the internet**: its security groups outbound; its subnet's table must send the
//! address to an internet gateway attached to the VPC (for IPv6, an egress-only internet gateway
//! also does), else `route`; the source needs a public IPv4 address or Elastic IP (IPv4) or an
//! IPv6 address (IPv6), else `public-ip` (not asked when the route leads to a target polcheck
//! does not model, such as a NAT gateway: that route is already the blocker); its ACL outbound,
//! and inbound for the reply.
//!
//! **The internet to an interface**: the interface needs a public address; its subnet's ACL
//! inbound and its security groups inbound; the reply needs the ACL outbound, and the subnet's
//! table must route the internet address to an attached internet gateway (the reply leaves by
//! that route: a "public" address in a subnet without one is unreachable, reported as a reply
//! `route` blocker).
//!
//! **Interface to another's public address**: both of the above, the packet leaving to the
//! internet and coming back in from the source's public address.
//!
//! # Where AWS documentation is silent, polcheck decides
//!
//! - `internet` is every public address (see [`internet`]: outside the blocks RFC 6890 reserves
//!   and the world's own VPC blocks). A flow from or to it is allowed when it is allowed for
//!   every public address, whichever rules cover them (`0.0.0.0/1` + `128.0.0.0/1` opens a port
//!   as `0.0.0.0/0` does); when only part of the internet passes, the verdict is denied and
//!   [`Verdict::allowed_from`] names the ranges that pass. It is IPv4 unless the other end is an
//!   IPv6 address or the protocol is ICMPv6. A specific public address may be given instead.
//! - [`exposure`] is the same walk over every port at once, so it lists exactly the ports for
//!   which a flow from `internet` is allowed (and, apart, those open to part of the internet).
//! - ICMP flows without `icmpType` are echo requests (type 8, or 128 for ICMPv6) with code 0;
//!   their reply is the echo reply (0 or 129). ICMP messages that get no reply (destination
//!   unreachable...) have no reply checks. Protocols other than TCP, UDP and ICMP reply with the
//!   same protocol and no ports.
//! - An export without the final `*` ACL entries still ends in a deny; a subnet whose VPC's
//!   default ACL is absent from the world is treated as using AWS's default (allow all).
//! - Every route table gets the `local` route of each VPC CIDR, whether exported or not.
//! - An internet gateway named by a route but absent from `InternetGateways` is assumed attached.
//! - An instance that is `stopping`, `stopped`, `shutting-down` or `terminated` takes no
//!   traffic (an `instance-state` blocker naming the state) and holds no public address.
//! - An instance is its primary interface (device index 0).
//! - A service (load balancer, RDS instance, EFS mount target, ElastiCache cluster, Lambda
//!   function, ECS task, interface endpoint) is reached at its interfaces, exported or placed
//!   by polcheck in its subnets; what it adds to a flow is in [`service`].
//! - Unknown references: see [`error`] (missing VPC or subnet: error; missing group or prefix
//!   list: warning, the reference matches nothing).
//!
//! ```
//! use polcheck_core::{json, network::{Flow, NetworkModel}};
//! let world = json::parse(r#"{
//!   "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
//!   "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}],
//!   "RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": true}], "Routes": []}],
//!   "SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [], "IpPermissionsEgress": []}],
//!   "Reservations": [{"Instances": [{"InstanceId": "i-1", "SubnetId": "subnet-1",
//!      "PrivateIpAddress": "10.0.1.5", "SecurityGroups": [{"GroupId": "sg-1"}]}]}]
//! }"#).unwrap();
//! let (model, warnings) = NetworkModel::import(&[("world.json", &world)]).unwrap();
//! assert!(warnings.is_empty());
//! let flow = Flow::from_test_json(&serde_json::json!(
//!     {"from": "i-1", "to": "203.0.113.9", "protocol": "tcp", "port": 443})).unwrap();
//! let verdict = model.evaluate(&flow).unwrap();
//! assert_eq!(verdict.outcome, polcheck_core::network::Reachability::Denied);
//! assert_eq!(verdict.blocked_by().into_iter().collect::<Vec<_>>(),
//!            ["public-ip", "route", "security-group"]);
//! ```

pub mod acl;
pub mod error;
mod evaluate;
mod exposure;
pub mod flow;
pub mod import;
pub mod internet;
pub mod model;
pub mod packet;
pub mod ports;
pub mod protocol;
pub mod route;
mod serve;
pub mod service;
pub mod sg;
pub mod verdict;

pub use error::{FlowError, ImportErrorKind, NetworkImportError, NetworkWarning};
pub use exposure::{exposure, Exposure};
pub use flow::{Endpoint, Flow};
pub use model::{
    AclEntry, Instance, NetworkAcl, NetworkInterface, NetworkModel, PrefixList, Route, RouteTable,
    RouteTarget, SecurityGroup, SgPeer, SgRule, Subnet, Vpc,
};
pub use ports::{PortRange, PortSet};
pub use service::{Listener, Service, ServiceKind, Target, TargetGroup};
pub use verdict::{
    Blocker, BlockerKind, Direction, ExplanationCode, Hop, HopKind, Reachability, Verdict,
};

use crate::json::Document;

impl NetworkModel {
    /// Reads the network keys of one or more world documents, each after the file name errors
    /// and warnings will name (the order of [`crate::world::World::from_documents`]). Arrays under the same key in several documents are concatenated.
    pub fn import(
        files: &[(&str, &Document)],
    ) -> Result<(NetworkModel, Vec<NetworkWarning>), NetworkImportError> {
        import::import(files)
    }

    /// The instance a flow end names: `i-...`, `name:NAME`, an instance's interface or address.
    pub fn instance_of(&self, end: &Endpoint) -> Option<&Instance> {
        let end = match end {
            Endpoint::Service(text) => serve::pick(self, text, None).ok()?,
            other => other.clone(),
        };
        let eni = serve::end_interface(self, &end)?;
        self.instance(eni.instance_id.as_deref()?)
    }

    /// The services a flow end's text names (`rds:orders`, `efs:fs-0a1b`, an ARN, a DNS name):
    /// one, or several that answer to one name (the mount targets of a file system, the readers
    /// of an Aurora cluster). A text that names no service, or an instance, is the error a flow
    /// naming it would give (an unknown name lists the candidates).
    pub fn services_named(&self, text: &str) -> Result<Vec<&service::Service>, FlowError> {
        serve::services_named(self, text)
    }

    /// Evaluates a flow: allowed or not, every blocker, and the path.
    pub fn evaluate(&self, flow: &Flow) -> Result<Verdict, FlowError> {
        evaluate::evaluate(self, flow)
    }
}

#[cfg(test)]
mod serve_tests;
#[cfg(test)]
mod tests;
