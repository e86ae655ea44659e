//! The VPC estate as polcheck holds it after import: plain data, resolved and indexed.
//!
//! Every type here is a faithful subset of an AWS `describe-*` record, reduced to what decides
//! reachability. Ids are kept as AWS prints them, so a verdict can name the component a user
//! will look for in the console. Import (see [`super::import`]) is the only way in; after it,
//! every reference the evaluator follows (subnet → VPC, interface → subnet) is known to exist.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::protocol::{IcmpMatch, Protocol};
use super::service::{Service, TargetGroup};

/// A VPC (`describe-vpcs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Vpc {
    /// `vpc-...`.
    pub id: String,
    /// Every IPv4 and IPv6 CIDR block associated with the VPC.
    pub cidrs: Vec<IpNet>,
    /// `IsDefault`.
    pub is_default: bool,
}

/// A subnet (`describe-subnets`).
#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    /// `subnet-...`.
    pub id: String,
    /// The VPC it belongs to.
    pub vpc_id: String,
    /// IPv4 and IPv6 CIDR blocks.
    pub cidrs: Vec<IpNet>,
    /// `AvailabilityZone`, when exported.
    pub availability_zone: Option<String>,
}

/// Where a route sends matching packets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RouteTarget {
    /// `GatewayId: "local"`: delivered inside the VPC.
    Local,
    /// `igw-...`: an internet gateway.
    InternetGateway(String),
    /// `eigw-...`: an egress-only internet gateway (IPv6, outbound only).
    EgressOnlyInternetGateway(String),
    /// `NatGatewayId`: a NAT gateway (outbound only, source translated).
    NatGateway(String),
    /// `VpcPeeringConnectionId`: a VPC peering connection.
    VpcPeering(String),
    /// `TransitGatewayId`: a transit gateway.
    TransitGateway(String),
    /// `GatewayId: vgw-...`: a virtual private gateway (site-to-site VPN).
    VpnGateway(String),
    /// `GatewayId: vpce-...`: a gateway VPC endpoint (S3, DynamoDB), named by prefix-list
    /// routes.
    GatewayEndpoint(String),
    /// Anything polcheck does not model (NAT gateway, peering, transit gateway, VPN gateway,
    /// endpoint, interface, instance...): its kind as the export names the field, and its id.
    Other {
        /// The export's field name, e.g. `NatGatewayId`.
        kind: String,
        /// The target id.
        id: String,
    },
}

impl fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteTarget::Local => f.write_str("local"),
            RouteTarget::InternetGateway(id)
            | RouteTarget::EgressOnlyInternetGateway(id)
            | RouteTarget::NatGateway(id)
            | RouteTarget::VpcPeering(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::GatewayEndpoint(id)
            | RouteTarget::VpnGateway(id)
            | RouteTarget::Other { id, .. } => f.write_str(id),
        }
    }
}

/// One route of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The destination block (a prefix-list destination is expanded into one route per entry).
    pub destination: IpNet,
    /// The prefix list the destination came from, if any.
    pub prefix_list: Option<String>,
    /// The target.
    pub target: RouteTarget,
    /// `State: "blackhole"`: the target is gone and matching packets are dropped.
    pub blackhole: bool,
}

/// A route table (`describe-route-tables`).
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTable {
    /// `rtb-...`.
    pub id: String,
    /// The VPC.
    pub vpc_id: String,
    /// `true` when an association says `Main: true`.
    pub main: bool,
    /// Subnets explicitly associated.
    pub subnet_ids: Vec<String>,
    /// Routes, including a `local` route for every VPC CIDR.
    pub routes: Vec<Route>,
}

/// One network ACL entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AclEntry {
    /// `RuleNumber`: 1-32766, or 32767/32768 for the final `*` rules.
    pub rule_number: u32,
    /// `Egress`: `true` for outbound rules.
    pub egress: bool,
    /// `RuleAction == "allow"`.
    pub allow: bool,
    /// `Protocol`.
    pub protocol: Protocol,
    /// `CidrBlock` or `Ipv6CidrBlock`.
    pub cidr: IpNet,
    /// `PortRange` (TCP and UDP only); `None` means every port.
    pub ports: Option<(u16, u16)>,
    /// `IcmpTypeCode` (ICMP and ICMPv6 only).
    pub icmp: IcmpMatch,
}

impl AclEntry {
    /// The rule number as the console prints it: `*` for the final rules.
    pub fn label(&self) -> String {
        if self.rule_number >= 32767 {
            "*".into()
        } else {
            self.rule_number.to_string()
        }
    }
}

/// A network ACL (`describe-network-acls`), its entries split by direction and sorted by rule
/// number.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAcl {
    /// `acl-...`.
    pub id: String,
    /// The VPC.
    pub vpc_id: String,
    /// `IsDefault`: the VPC's default ACL, used by subnets without an explicit association.
    pub is_default: bool,
    /// Subnets explicitly associated.
    pub subnet_ids: Vec<String>,
    /// Inbound entries by rule number.
    pub inbound: Vec<AclEntry>,
    /// Outbound entries by rule number.
    pub outbound: Vec<AclEntry>,
}

/// Whom a security group rule names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SgPeer {
    /// `IpRanges[].CidrIp` or `Ipv6Ranges[].CidrIpv6`.
    Cidr(IpNet),
    /// `PrefixListIds[].PrefixListId`.
    PrefixList(String),
    /// `UserIdGroupPairs[].GroupId`: the private addresses of the interfaces in that group.
    Group(String),
}

impl fmt::Display for SgPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SgPeer::Cidr(c) => write!(f, "{c}"),
            SgPeer::PrefixList(id) | SgPeer::Group(id) => f.write_str(id),
        }
    }
}

/// One security group rule: one permission for one peer (AWS groups several peers per
/// permission; polcheck flattens them so a verdict names the exact peer that matched).
#[derive(Debug, Clone, PartialEq)]
pub struct SgRule {
    /// `IpProtocol`.
    pub protocol: Protocol,
    /// `FromPort..=ToPort` for TCP and UDP; `None` means every port.
    pub ports: Option<(u16, u16)>,
    /// `FromPort`/`ToPort` read as ICMP type/code for ICMP and ICMPv6.
    pub icmp: IcmpMatch,
    /// The peer.
    pub peer: SgPeer,
}

/// A security group (`describe-security-groups`).
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    /// `sg-...`.
    pub id: String,
    /// `GroupName`.
    pub name: Option<String>,
    /// The VPC.
    pub vpc_id: Option<String>,
    /// `IpPermissions`, flattened.
    pub ingress: Vec<SgRule>,
    /// `IpPermissionsEgress`, flattened.
    pub egress: Vec<SgRule>,
}

/// A network interface: of an instance (`Reservations[].Instances[].NetworkInterfaces`) or
/// standalone (`NetworkInterfaces`, for RDS, load balancers, Lambda...).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkInterface {
    /// `eni-...` (or `<instance-id>/eth0` for an instance exported without interfaces).
    pub id: String,
    /// The subnet.
    pub subnet_id: String,
    /// The VPC (the subnet's).
    pub vpc_id: String,
    /// The instance it is attached to, if any.
    pub instance_id: Option<String>,
    /// `Attachment.DeviceIndex` (0 is the primary interface).
    pub device_index: Option<u32>,
    /// Private IPv4 addresses, the primary first.
    pub private_ipv4: Vec<Ipv4Addr>,
    /// Public IPv4 addresses or Elastic IPs (`Association.PublicIp`), each with the private
    /// address it maps to.
    pub public_ipv4: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// `Ipv6Addresses[].Ipv6Address`.
    pub ipv6: Vec<Ipv6Addr>,
    /// Security group ids.
    pub groups: Vec<String>,
    /// `InterfaceType` or `Description`, for display.
    pub description: Option<String>,
    /// `Description` as exported (AWS writes the owner there: `ELB app/NAME/...`, `AWS Lambda
    /// VPC ENI-NAME...`), which links a service to its interfaces.
    pub description_text: Option<String>,
    /// For an interface AWS gives a public address the export does not show (an
    /// internet-facing load balancer's, a publicly accessible database's): the DNS name the
    /// internet reaches it by. It counts as a public address.
    pub public_name: Option<String>,
}

impl NetworkInterface {
    /// `true` when the interface holds a public IPv4 address (shown in the export, or assigned
    /// by AWS to the service it belongs to).
    pub fn has_public_ipv4(&self) -> bool {
        !self.public_ipv4.is_empty() || self.public_name.is_some()
    }

    /// `true` when `addr` is one of the interface's private IPv4 or IPv6 addresses.
    pub fn has_private(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => self.private_ipv4.contains(&a),
            IpAddr::V6(a) => self.ipv6.contains(&a),
        }
    }

    /// The public IPv4 address mapped to the primary private address, else the first one.
    pub fn primary_public_ipv4(&self) -> Option<Ipv4Addr> {
        let primary = self.private_ipv4.first();
        self.public_ipv4
            .iter()
            .find(|(private, _)| Some(private) == primary)
            .or(self.public_ipv4.first())
            .map(|&(_, public)| public)
    }
}

/// The `State.Name`s of an instance that takes no traffic and holds no public address.
pub const NOT_RUNNING: [&str; 4] = ["stopping", "stopped", "shutting-down", "terminated"];

/// An EC2 instance (`describe-instances`).
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// `i-...`.
    pub id: String,
    /// `State.Name` (`running`, `stopped`...): an instance in a state of [`NOT_RUNNING`] takes
    /// no traffic (an `instance-state` blocker) and is never exposed.
    pub state: Option<String>,
    /// Its interfaces, the primary (device index 0) first.
    pub interface_ids: Vec<String>,
    /// The `Name` tag.
    pub name: Option<String>,
    /// `Placement.AvailabilityZone` (its region is the zone without the last letter).
    pub availability_zone: Option<String>,
    /// The reservation's `OwnerId`: the account.
    pub owner_id: Option<String>,
    /// `IamInstanceProfile.Arn`: the instance profile whose role the instance's software
    /// gets credentials for (read by the access paths' SSM edges).
    pub instance_profile: Option<String>,
}

impl Instance {
    /// `arn:aws:ec2:REGION:ACCOUNT:instance/ID`, when the export says the zone and the owner.
    pub fn arn(&self) -> Option<String> {
        let zone = self.availability_zone.as_deref()?;
        // `us-east-1a` is in `us-east-1`.
        let region = zone.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        Some(format!(
            "arn:aws:ec2:{region}:{}:instance/{}",
            self.owner_id.as_deref()?,
            self.id
        ))
    }
}

/// A managed prefix list: its id and entries (see the module documentation of
/// [`super::import`] for the exported shape).
#[derive(Debug, Clone, PartialEq)]
pub struct PrefixList {
    /// `pl-...`.
    pub id: String,
    /// `PrefixListName`.
    pub name: Option<String>,
    /// The entries' CIDRs.
    pub cidrs: Vec<IpNet>,
}

/// A NAT gateway (`describe-nat-gateways`).
#[derive(Debug, Clone, PartialEq)]
pub struct NatGateway {
    /// `nat-...`.
    pub id: String,
    /// The subnet it lives in: its network ACL and route table carry the translated traffic.
    pub subnet_id: String,
    /// `ConnectivityType == "public"` (the default): it reaches the internet through the
    /// subnet's internet gateway with its Elastic IP.
    pub public: bool,
    /// `State == "available"` (or absent).
    pub available: bool,
    /// `NatGatewayAddresses[].PrivateIp` (the primary first).
    pub private_ip: Option<Ipv4Addr>,
    /// `NatGatewayAddresses[].PublicIp`: the address the internet sees.
    pub public_ip: Option<Ipv4Addr>,
}

/// A VPC peering connection (`describe-vpc-peering-connections`).
#[derive(Debug, Clone, PartialEq)]
pub struct VpcPeering {
    /// `pcx-...`.
    pub id: String,
    /// `RequesterVpcInfo.VpcId`.
    pub requester_vpc: String,
    /// `AccepterVpcInfo.VpcId`.
    pub accepter_vpc: String,
    /// `Status.Code == "active"`.
    pub active: bool,
}

impl VpcPeering {
    /// The VPC on the other side from `vpc`, when the connection joins `vpc`.
    pub fn other_side(&self, vpc: &str) -> Option<&str> {
        if self.requester_vpc == vpc {
            Some(&self.accepter_vpc)
        } else if self.accepter_vpc == vpc {
            Some(&self.requester_vpc)
        } else {
            None
        }
    }
}

/// A transit gateway attachment (`describe-transit-gateway-attachments`).
#[derive(Debug, Clone, PartialEq)]
pub struct TgwAttachment {
    /// `tgw-attach-...`.
    pub id: String,
    /// `TransitGatewayId`.
    pub tgw_id: String,
    /// `ResourceType`: `vpc`, `vpn`, `peering`, `direct-connect-gateway`...
    pub resource_type: String,
    /// `ResourceId`: the VPC id for a `vpc` attachment.
    pub resource_id: Option<String>,
    /// `Association.TransitGatewayRouteTableId` (when associated).
    pub route_table: Option<String>,
    /// `State == "available"` (or absent).
    pub available: bool,
}

/// One route of a transit gateway route table (as `search-transit-gateway-routes` prints it;
/// propagated routes appear there with `Type: propagated`).
#[derive(Debug, Clone, PartialEq)]
pub struct TgwRoute {
    /// `DestinationCidrBlock`.
    pub destination: IpNet,
    /// `TransitGatewayAttachments[0].TransitGatewayAttachmentId`.
    pub attachment: Option<String>,
    /// `State == "blackhole"`.
    pub blackhole: bool,
}

/// A transit gateway route table and its routes.
#[derive(Debug, Clone, PartialEq)]
pub struct TgwRouteTable {
    /// `tgw-rtb-...`.
    pub id: String,
    /// Its routes.
    pub routes: Vec<TgwRoute>,
}

/// A site-to-site VPN connection (`describe-vpn-connections`): the on-premises network behind
/// a virtual private gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct VpnConnection {
    /// `vpn-...`.
    pub id: String,
    /// The `Name` tag, if any.
    pub name: Option<String>,
    /// `VpnGatewayId`.
    pub vpn_gateway: Option<String>,
    /// `State == "available"` (or absent).
    pub available: bool,
    /// `Routes[].DestinationCidrBlock` (static routes): the on-premises network.
    pub cidrs: Vec<IpNet>,
}

/// A VPC endpoint (`describe-vpc-endpoints`).
#[derive(Debug, Clone, PartialEq)]
pub struct VpcEndpoint {
    /// `vpce-...`.
    pub id: String,
    /// `VpcEndpointType`: `Gateway`, `Interface`, `GatewayLoadBalancer`...
    pub kind: String,
    /// `ServiceName`, e.g. `com.amazonaws.us-east-1.s3`.
    pub service: Option<String>,
    /// `State` is `available` (or absent).
    pub available: bool,
    /// `NetworkInterfaceIds` (interface endpoints): the endpoint as a flow end is its first.
    pub interface_ids: Vec<String>,
}

/// Every network component of a world, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct NetworkModel {
    pub(crate) vpcs: Vec<Vpc>,
    pub(crate) subnets: Vec<Subnet>,
    /// Internet gateway id → attached VPC ids.
    pub(crate) internet_gateways: HashMap<String, Vec<String>>,
    pub(crate) route_tables: Vec<RouteTable>,
    pub(crate) acls: Vec<NetworkAcl>,
    pub(crate) security_groups: Vec<SecurityGroup>,
    pub(crate) interfaces: Vec<NetworkInterface>,
    pub(crate) instances: Vec<Instance>,
    pub(crate) prefix_lists: Vec<PrefixList>,
    pub(crate) nat_gateways: Vec<NatGateway>,
    pub(crate) peerings: Vec<VpcPeering>,
    pub(crate) tgw_attachments: Vec<TgwAttachment>,
    pub(crate) tgw_route_tables: Vec<TgwRouteTable>,
    pub(crate) vpc_endpoints: Vec<VpcEndpoint>,
    pub(crate) vpn_connections: Vec<VpnConnection>,
    pub(crate) services: Vec<Service>,
    pub(crate) target_groups: Vec<TargetGroup>,
    pub(crate) index: Index,
}

/// Positions by id, built once after import.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) vpc: HashMap<String, usize>,
    pub(crate) subnet: HashMap<String, usize>,
    pub(crate) route_table_of_subnet: HashMap<String, usize>,
    pub(crate) main_route_table: HashMap<String, usize>,
    pub(crate) acl_of_subnet: HashMap<String, usize>,
    pub(crate) default_acl: HashMap<String, usize>,
    pub(crate) security_group: HashMap<String, usize>,
    pub(crate) interface: HashMap<String, usize>,
    pub(crate) instance: HashMap<String, usize>,
    pub(crate) prefix_list: HashMap<String, usize>,
    pub(crate) nat_gateway: HashMap<String, usize>,
    pub(crate) peering: HashMap<String, usize>,
    /// Private and public addresses → interface.
    pub(crate) address: HashMap<IpAddr, usize>,
    /// Interface id → the service owning it.
    pub(crate) service_of_interface: HashMap<String, usize>,
}

impl NetworkModel {
    /// Builds the indexes; called once by import after every vector is filled.
    pub(crate) fn build_index(&mut self) {
        fn ids<T>(v: &[T], id: impl Fn(&T) -> &str) -> HashMap<String, usize> {
            v.iter()
                .enumerate()
                .map(|(i, x)| (id(x).to_string(), i))
                .collect()
        }
        let mut index = Index {
            vpc: ids(&self.vpcs, |x| &x.id),
            subnet: ids(&self.subnets, |x| &x.id),
            security_group: ids(&self.security_groups, |x| &x.id),
            interface: ids(&self.interfaces, |x| &x.id),
            instance: ids(&self.instances, |x| &x.id),
            prefix_list: ids(&self.prefix_lists, |x| &x.id),
            nat_gateway: ids(&self.nat_gateways, |x| &x.id),
            peering: ids(&self.peerings, |x| &x.id),
            ..Index::default()
        };
        for (i, t) in self.route_tables.iter().enumerate() {
            if t.main {
                index.main_route_table.entry(t.vpc_id.clone()).or_insert(i);
            }
            for s in &t.subnet_ids {
                index.route_table_of_subnet.entry(s.clone()).or_insert(i);
            }
        }
        for (i, a) in self.acls.iter().enumerate() {
            if a.is_default {
                index.default_acl.entry(a.vpc_id.clone()).or_insert(i);
            }
            for s in &a.subnet_ids {
                index.acl_of_subnet.entry(s.clone()).or_insert(i);
            }
        }
        for (i, svc) in self.services.iter().enumerate() {
            for e in &svc.interface_ids {
                index.service_of_interface.entry(e.clone()).or_insert(i);
            }
        }
        for (i, eni) in self.interfaces.iter().enumerate() {
            let private = eni.private_ipv4.iter().map(|&a| IpAddr::V4(a));
            let v6 = eni.ipv6.iter().map(|&a| IpAddr::V6(a));
            let public = eni.public_ipv4.iter().map(|&(_, p)| IpAddr::V4(p));
            for a in private.chain(v6).chain(public) {
                index.address.entry(a).or_insert(i);
            }
        }
        self.index = index;
    }

    /// Every VPC.
    pub fn vpcs(&self) -> &[Vpc] {
        &self.vpcs
    }
    /// Every subnet.
    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }
    /// Every route table.
    pub fn route_tables(&self) -> &[RouteTable] {
        &self.route_tables
    }
    /// Every network ACL.
    pub fn network_acls(&self) -> &[NetworkAcl] {
        &self.acls
    }
    /// Every security group.
    pub fn security_groups(&self) -> &[SecurityGroup] {
        &self.security_groups
    }
    /// Every network interface (of instances and standalone).
    pub fn interfaces(&self) -> &[NetworkInterface] {
        &self.interfaces
    }
    /// Every instance.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }
    /// Every prefix list.
    pub fn prefix_lists(&self) -> &[PrefixList] {
        &self.prefix_lists
    }

    /// The VPC with this id.
    pub fn vpc(&self, id: &str) -> Option<&Vpc> {
        self.index.vpc.get(id).and_then(|&i| self.vpcs.get(i))
    }
    /// The subnet with this id.
    pub fn subnet(&self, id: &str) -> Option<&Subnet> {
        self.index.subnet.get(id).and_then(|&i| self.subnets.get(i))
    }
    /// The security group with this id.
    pub fn security_group(&self, id: &str) -> Option<&SecurityGroup> {
        self.index
            .security_group
            .get(id)
            .and_then(|&i| self.security_groups.get(i))
    }
    /// The interface with this id.
    pub fn interface(&self, id: &str) -> Option<&NetworkInterface> {
        self.index
            .interface
            .get(id)
            .and_then(|&i| self.interfaces.get(i))
    }
    /// The instance with this id.
    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.index
            .instance
            .get(id)
            .and_then(|&i| self.instances.get(i))
    }
    /// The prefix list with this id.
    pub fn prefix_list(&self, id: &str) -> Option<&PrefixList> {
        self.index
            .prefix_list
            .get(id)
            .and_then(|&i| self.prefix_lists.get(i))
    }
    /// Every NAT gateway.
    pub fn nat_gateways(&self) -> &[NatGateway] {
        &self.nat_gateways
    }
    /// The NAT gateway with this id.
    pub fn nat_gateway(&self, id: &str) -> Option<&NatGateway> {
        self.index
            .nat_gateway
            .get(id)
            .and_then(|&i| self.nat_gateways.get(i))
    }
    /// Every VPC peering connection.
    pub fn peerings(&self) -> &[VpcPeering] {
        &self.peerings
    }
    /// The VPC peering connection with this id.
    pub fn peering(&self, id: &str) -> Option<&VpcPeering> {
        self.index
            .peering
            .get(id)
            .and_then(|&i| self.peerings.get(i))
    }
    /// The available `vpc` attachment of transit gateway `tgw` to `vpc`.
    pub fn tgw_attachment_of(&self, tgw: &str, vpc: &str) -> Option<&TgwAttachment> {
        self.tgw_attachments.iter().find(|a| {
            a.tgw_id == tgw && a.resource_type == "vpc" && a.resource_id.as_deref() == Some(vpc)
        })
    }
    /// The transit gateway attachment with this id.
    pub fn tgw_attachment(&self, id: &str) -> Option<&TgwAttachment> {
        self.tgw_attachments.iter().find(|a| a.id == id)
    }
    /// The transit gateway route table with this id.
    pub fn tgw_route_table(&self, id: &str) -> Option<&TgwRouteTable> {
        self.tgw_route_tables.iter().find(|t| t.id == id)
    }
    /// Every site-to-site VPN connection.
    pub fn vpn_connections(&self) -> &[VpnConnection] {
        &self.vpn_connections
    }
    /// The VPC endpoint with this id.
    pub fn vpc_endpoint(&self, id: &str) -> Option<&VpcEndpoint> {
        self.vpc_endpoints.iter().find(|e| e.id == id)
    }
    /// Every service living in subnets (load balancers, databases...).
    pub fn services(&self) -> &[Service] {
        &self.services
    }
    /// The service owning an interface, if any.
    pub fn service_of(&self, interface_id: &str) -> Option<&Service> {
        self.index
            .service_of_interface
            .get(interface_id)
            .and_then(|&i| self.services.get(i))
    }
    /// The target group with this ARN.
    pub fn target_group(&self, arn: &str) -> Option<&TargetGroup> {
        self.target_groups.iter().find(|t| t.arn == arn)
    }
    /// The interface owning a private or public address.
    pub fn interface_by_address(&self, addr: IpAddr) -> Option<&NetworkInterface> {
        self.index
            .address
            .get(&addr)
            .and_then(|&i| self.interfaces.get(i))
    }

    /// The route table a subnet uses: its associated table, else its VPC's main table.
    pub fn route_table_of(&self, subnet: &Subnet) -> Option<&RouteTable> {
        let i = self
            .index
            .route_table_of_subnet
            .get(&subnet.id)
            .or_else(|| self.index.main_route_table.get(&subnet.vpc_id))?;
        self.route_tables.get(*i)
    }

    /// The network ACL a subnet uses: its associated ACL, else its VPC's default ACL. `None`
    /// when the world has neither (the evaluator then treats the subnet as using an
    /// allow-everything default ACL, which is what AWS creates).
    pub fn acl_of(&self, subnet: &Subnet) -> Option<&NetworkAcl> {
        let i = self
            .index
            .acl_of_subnet
            .get(&subnet.id)
            .or_else(|| self.index.default_acl.get(&subnet.vpc_id))?;
        self.acls.get(*i)
    }

    /// `true` when the internet gateway `igw` is attached to `vpc_id`. An internet gateway
    /// missing from the world is assumed attached (the export may simply lack the key).
    pub fn igw_attached(&self, igw: &str, vpc_id: &str) -> bool {
        self.internet_gateways
            .get(igw)
            .is_none_or(|vpcs| vpcs.iter().any(|v| v == vpc_id))
    }

    /// Internet gateways attached to `vpc_id`.
    pub fn igws_of(&self, vpc_id: &str) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .internet_gateways
            .iter()
            .filter(|(_, vpcs)| vpcs.iter().any(|v| v == vpc_id))
            .map(|(id, _)| id.as_str())
            .collect();
        out.sort_unstable();
        out
    }
}
