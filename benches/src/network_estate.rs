//! A large generated network estate in AWS's `describe-*` output shapes: `vpcs` VPCs joined by
//! one transit gateway, `subnets_per_vpc` subnets each (the first public), `groups_per_vpc`
//! security groups each (CIDR and group-reference rules), `instances_per_vpc` instances each,
//! and in every tenth VPC an internet-facing Application Load Balancer (listener 443 to a
//! target group of that VPC's first instances) and an RDS instance; plus a shared-services VPC
//! (`vpc-shared`, 10.250.0.0/16, 10 instances `i-shared-N` admitting 443 from VPC 0) joined to
//! VPC 0 by an active VPC peering connection `pcx-shared` (not attached to the transit
//! gateway: VPC 0 routes 10.250.0.0/16 to the peering, the shared VPC 10.0.0.0/16 back).
//!
//! Besides `benches/benches/network.rs`, `core/tests/network_scale.rs` includes this file (with
//! `estates.rs`) to measure in release mode without the benches crate's dependencies.

use serde_json::{json, Value};

use crate::estates::Lcg;

/// The estate's sizes.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// VPCs (at most 250: each is `10.V.0.0/16`).
    pub vpcs: usize,
    /// Subnets per VPC (at most 250).
    pub subnets_per_vpc: usize,
    /// Security groups per VPC.
    pub groups_per_vpc: usize,
    /// Instances per VPC (at most 250 per subnet).
    pub instances_per_vpc: usize,
}

impl Sizes {
    /// 100 VPCs × (5 subnets, 10 groups, 100 instances): 10,000 instances, 1,000 security
    /// groups, 500 subnets.
    pub const LARGE: Sizes = Sizes {
        vpcs: 100,
        subnets_per_vpc: 5,
        groups_per_vpc: 10,
        instances_per_vpc: 100,
    };
}

/// The estate as one JSON document.
pub fn network_estate(sizes: Sizes) -> String {
    let mut rng = Lcg::new(11);
    let ports = [22u16, 80, 443, 3306, 5432, 6379, 8080, 9200];
    let egress = json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    let (mut vpcs, mut subnets, mut igws, mut tables, mut groups, mut instances) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let (mut attachments, mut tgw_routes) = (Vec::new(), Vec::new());
    let (mut lbs, mut listeners, mut tgs, mut health, mut dbs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for v in 0..sizes.vpcs {
        let vpc = format!("vpc-{v}");
        vpcs.push(json!({"VpcId": vpc, "CidrBlock": format!("10.{v}.0.0/16")}));
        igws.push(json!({"InternetGatewayId": format!("igw-{v}"), "Attachments": [{"VpcId": vpc, "State": "available"}]}));
        attachments.push(json!({"TransitGatewayAttachmentId": format!("tgw-attach-{v}"), "TransitGatewayId": "tgw-1",
            "ResourceType": "vpc", "ResourceId": vpc, "State": "available",
            "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"}}));
        tgw_routes.push(json!({"DestinationCidrBlock": format!("10.{v}.0.0/16"), "Type": "propagated", "State": "active",
            "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": format!("tgw-attach-{v}"), "ResourceType": "vpc"}]}));
        for s in 0..sizes.subnets_per_vpc {
            subnets.push(json!({"SubnetId": format!("subnet-{v}-{s}"), "VpcId": vpc, "CidrBlock": format!("10.{v}.{s}.0/24"),
                "AvailabilityZone": if s % 2 == 0 { "us-east-1a" } else { "us-east-1b" }}));
        }
        let mut main_routes = vec![
            json!({"DestinationCidrBlock": format!("10.{v}.0.0/16"), "GatewayId": "local"}),
            json!({"DestinationCidrBlock": "10.0.0.0/8", "TransitGatewayId": "tgw-1"}),
        ];
        if v == 0 {
            main_routes.push(json!({"DestinationCidrBlock": "10.250.0.0/16", "VpcPeeringConnectionId": "pcx-shared", "State": "active"}));
        }
        let mut public_routes = main_routes.clone();
        public_routes
            .push(json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": format!("igw-{v}")}));
        tables.push(json!({"RouteTableId": format!("rtb-{v}-main"), "VpcId": vpc, "Associations": [{"Main": true}], "Routes": main_routes}));
        tables.push(json!({"RouteTableId": format!("rtb-{v}-public"), "VpcId": vpc,
            "Associations": [{"Main": false, "SubnetId": format!("subnet-{v}-0")}], "Routes": public_routes}));
        let group = |g: usize| format!("sg-{v}-{g}");
        for g in 0..sizes.groups_per_vpc {
            let mut rules = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let port = ports[rng.below(ports.len() as u64) as usize];
                let peer = match rng.below(4) {
                    0 => json!({"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}),
                    1 => json!({"IpRanges": [{"CidrIp": "10.0.0.0/8"}]}),
                    _ => {
                        json!({"UserIdGroupPairs": [{"GroupId": group(rng.below(sizes.groups_per_vpc as u64) as usize)}]})
                    }
                };
                let mut rule = json!({"IpProtocol": "tcp", "FromPort": port, "ToPort": port});
                if let (Value::Object(r), Value::Object(p)) = (&mut rule, peer) {
                    r.extend(p);
                }
                rules.push(rule);
            }
            groups.push(json!({"GroupId": group(g), "VpcId": vpc, "IpPermissions": rules, "IpPermissionsEgress": egress}));
        }
        for i in 0..sizes.instances_per_vpc {
            let s = i % sizes.subnets_per_vpc;
            let ip = format!("10.{v}.{s}.{}", 10 + i / sizes.subnets_per_vpc);
            let gs: Vec<Value> = (0..1 + rng.below(2))
                .map(|_| json!({"GroupId": group(rng.below(sizes.groups_per_vpc as u64) as usize)}))
                .collect();
            let mut eni = json!({"NetworkInterfaceId": format!("eni-{v}-{i}"), "SubnetId": format!("subnet-{v}-{s}"), "VpcId": vpc,
                "Groups": gs, "Attachment": {"DeviceIndex": 0}, "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true}]});
            if s == 0 {
                eni["Association"] = json!({"PublicIp": format!("3.{v}.{}.{}", i / 250, i % 250)});
            }
            instances.push(json!({"InstanceId": format!("i-{v}-{i}"), "State": {"Name": "running"}, "SubnetId": format!("subnet-{v}-{s}"),
                "NetworkInterfaces": [eni]}));
        }
        if v % 10 == 0 {
            let lb = format!(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web-{v}/{v}"
            );
            let tg = format!(
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app-{v}/{v}"
            );
            lbs.push(json!({"LoadBalancerName": format!("web-{v}"), "LoadBalancerArn": lb, "Scheme": "internet-facing", "Type": "application",
                "DNSName": format!("web-{v}.us-east-1.elb.amazonaws.com"),
                "AvailabilityZones": [{"SubnetId": format!("subnet-{v}-0"), "ZoneName": "us-east-1a"}], "SecurityGroups": [group(0)]}));
            listeners.push(json!({"LoadBalancerArn": lb, "Port": 443, "Protocol": "HTTPS", "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]}));
            tgs.push(json!({"TargetGroupArn": tg, "TargetGroupName": format!("app-{v}"), "Port": 8080, "TargetType": "instance"}));
            let targets: Vec<Value> = (0..4).map(|i| json!({"Target": {"Id": format!("i-{v}-{i}"), "Port": 8080}, "TargetHealth": {"State": "healthy"}})).collect();
            health.push(json!({"TargetGroupArn": tg, "TargetHealthDescriptions": targets}));
            dbs.push(json!({"DBInstanceIdentifier": format!("db-{v}"), "DBInstanceStatus": "available", "Endpoint": {"Port": 5432},
                "AvailabilityZone": "us-east-1b", "VpcSecurityGroups": [{"VpcSecurityGroupId": group(1), "Status": "active"}],
                "DBSubnetGroup": {"Subnets": [{"SubnetIdentifier": format!("subnet-{v}-1"), "SubnetAvailabilityZone": {"Name": "us-east-1b"}}]}}));
        }
    }
    // The shared-services VPC, peered with VPC 0.
    vpcs.push(json!({"VpcId": "vpc-shared", "CidrBlock": "10.250.0.0/16"}));
    subnets.push(json!({"SubnetId": "subnet-shared", "VpcId": "vpc-shared", "CidrBlock": "10.250.0.0/24", "AvailabilityZone": "us-east-1a"}));
    tables.push(json!({"RouteTableId": "rtb-shared", "VpcId": "vpc-shared", "Associations": [{"Main": true}], "Routes": [
        {"DestinationCidrBlock": "10.250.0.0/16", "GatewayId": "local"},
        {"DestinationCidrBlock": "10.0.0.0/16", "VpcPeeringConnectionId": "pcx-shared", "State": "active"}]}));
    groups.push(json!({"GroupId": "sg-shared", "VpcId": "vpc-shared",
        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}],
        "IpPermissionsEgress": egress}));
    for i in 0..10 {
        instances.push(json!({"InstanceId": format!("i-shared-{i}"), "State": {"Name": "running"}, "SubnetId": "subnet-shared",
            "NetworkInterfaces": [{"NetworkInterfaceId": format!("eni-shared-{i}"), "SubnetId": "subnet-shared", "VpcId": "vpc-shared",
                "Groups": [{"GroupId": "sg-shared"}], "Attachment": {"DeviceIndex": 0},
                "PrivateIpAddresses": [{"PrivateIpAddress": format!("10.250.0.{}", 10 + i), "Primary": true}]}]}));
    }
    json!({
        "VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-shared", "Status": {"Code": "active"},
            "RequesterVpcInfo": {"VpcId": "vpc-0", "CidrBlock": "10.0.0.0/16", "OwnerId": "111122223333"},
            "AccepterVpcInfo": {"VpcId": "vpc-shared", "CidrBlock": "10.250.0.0/16", "OwnerId": "111122223333"}}],
        "Vpcs": vpcs, "Subnets": subnets, "InternetGateways": igws, "RouteTables": tables, "SecurityGroups": groups,
        "Reservations": [{"OwnerId": "111122223333", "Instances": instances}],
        "TransitGatewayAttachments": attachments,
        "TransitGatewayRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-1", "Routes": tgw_routes}],
        "LoadBalancers": lbs, "Listeners": listeners, "TargetGroups": tgs, "LoadBalancerTargetHealth": health, "DBInstances": dbs,
    })
    .to_string()
}
