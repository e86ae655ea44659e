//! Generated estates for the loading and exposure benchmarks: an IAM export of N roles, and a
//! VPC of N instances, security groups and subnets, in AWS's own export shapes.

use serde_json::{json, Value};

/// A deterministic generator (an LCG), so every run measures the same estate.
pub struct Lcg(u64);

impl Lcg {
    /// Seeded generator.
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// `aws iam get-account-authorization-details` output with `roles` roles, each with a trust
/// policy, three inline policies given as JSON strings (as the IAM API returns them), tags, and
/// one of 50 managed policies; on one line, as `aws ... --output json | jq -c` prints it.
pub fn iam_export(roles: usize) -> String {
    let managed: Vec<Value> = (0..50)
        .map(|i| {
            json!({"PolicyName": format!("managed-{i}"), "Arn": format!("arn:aws:iam::111122223333:policy/managed-{i}"),
                "DefaultVersionId": "v2", "PolicyVersionList": [
                {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": format!("arn:aws:logs:*:111122223333:log-group:/app/{i}/*")},
                    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}}]})
        })
        .collect();
    let role_list: Vec<Value> = (0..roles)
        .map(|i| {
            let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage"],
                "Resource": [format!("arn:aws:s3:::bucket-{i}/*"), format!("arn:aws:dynamodb:us-east-1:111122223333:table/t-{i}"), format!("arn:aws:sqs:us-east-1:111122223333:q-{i}")],
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("t{}", i % 7)}}}]})
            .to_string();
            json!({"RoleName": format!("role-{i}"), "RoleId": format!("AROA{i:012}"), "Path": "/",
                "Arn": format!("arn:aws:iam::111122223333:role/role-{i}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "RolePolicyList": (0..3).map(|j| json!({"PolicyName": format!("inline-{j}"), "PolicyDocument": inline})).collect::<Vec<_>>(),
                "AttachedManagedPolicies": [{"PolicyName": format!("managed-{}", i % 50), "PolicyArn": format!("arn:aws:iam::111122223333:policy/managed-{}", i % 50)}],
                "Tags": [{"Key": "team", "Value": format!("t{}", i % 7)}]})
        })
        .collect();
    json!({"AccountId": "111122223333", "RoleDetailList": role_list, "Policies": managed})
        .to_string()
}

/// `describe-*` output for one VPC with `subnets` subnets (half public), `groups` security
/// groups with CIDR and group-reference rules, a custom ACL on every fourth subnet, and
/// `instances` instances with one to three groups, public addresses in public subnets.
pub fn vpc_estate(instances: usize, groups: usize, subnets: usize) -> String {
    let mut rng = Lcg::new(7);
    let subnet_list: Vec<Value> = (0..subnets)
        .map(|s| json!({"SubnetId": format!("subnet-{s}"), "VpcId": "vpc-1", "CidrBlock": format!("10.0.{s}.0/24"), "AvailabilityZone": "us-east-1a"}))
        .collect();
    let public: Vec<Value> = (0..subnets)
        .filter(|s| s % 2 == 0)
        .map(|s| json!({"SubnetId": format!("subnet-{s}"), "Main": false}))
        .collect();
    let ports = [22u16, 80, 443, 3306, 5432, 6379, 8080, 9200];
    let sgs: Vec<Value> = (0..groups)
        .map(|g| {
            let mut rules = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let from = ports[rng.below(ports.len() as u64) as usize];
                let to = if rng.below(4) == 0 { from + 100 } else { from };
                let peer = if rng.below(3) == 0 {
                    json!({"IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []})
                } else {
                    json!({"IpRanges": [], "UserIdGroupPairs": [{"GroupId": format!("sg-{}", rng.below(groups as u64))}]})
                };
                let mut rule = json!({"IpProtocol": "tcp", "FromPort": from, "ToPort": to, "Ipv6Ranges": [], "PrefixListIds": []});
                if let (Value::Object(r), Value::Object(p)) = (&mut rule, peer) {
                    r.extend(p);
                }
                rules.push(rule);
            }
            json!({"GroupId": format!("sg-{g}"), "GroupName": format!("g{g}"), "VpcId": "vpc-1", "IpPermissions": rules,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]})
        })
        .collect();
    let acl_entries = json!([
        {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 80, "To": 443}},
        {"RuleNumber": 110, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "10.0.0.0/16", "PortRange": {"From": 0, "To": 65535}},
        {"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 32767, "Egress": true, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]);
    let custom: Vec<Value> = (0..subnets)
        .filter(|s| s % 4 == 1)
        .map(|s| json!({"SubnetId": format!("subnet-{s}")}))
        .collect();
    let instance_list: Vec<Value> = (0..instances)
        .map(|i| {
            let s = i % subnets;
            let ip = format!("10.0.{s}.{}", 10 + i / subnets);
            let groups: Vec<Value> = (0..1 + rng.below(3)).map(|_| json!({"GroupId": format!("sg-{}", rng.below(groups as u64))})).collect();
            let mut private = json!({"PrivateIpAddress": ip, "Primary": true});
            let mut inst = json!({"InstanceId": format!("i-{i}"), "State": {"Name": "running"}, "VpcId": "vpc-1", "SubnetId": format!("subnet-{s}"),
                "PrivateIpAddress": ip, "SecurityGroups": groups});
            let mut eni = json!({"NetworkInterfaceId": format!("eni-{i}"), "SubnetId": format!("subnet-{s}"), "VpcId": "vpc-1", "Groups": groups,
                "Attachment": {"DeviceIndex": 0}});
            if s.is_multiple_of(2) {
                let public_ip = format!("198.51.{}.{}", i / 250, i % 250);
                private["Association"] = json!({"PublicIp": public_ip});
                eni["Association"] = json!({"PublicIp": public_ip});
                inst["PublicIpAddress"] = json!(public_ip);
            }
            eni["PrivateIpAddresses"] = json!([private]);
            inst["NetworkInterfaces"] = json!([eni]);
            inst
        })
        .collect();
    json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "IsDefault": false}],
        "Subnets": subnet_list,
        "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
        "RouteTables": [
            {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}], "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}]},
            {"RouteTableId": "rtb-public", "VpcId": "vpc-1", "Associations": public, "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}]}],
        "NetworkAcls": [{"NetworkAclId": "acl-custom", "VpcId": "vpc-1", "IsDefault": false, "Associations": custom, "Entries": acl_entries}],
        "SecurityGroups": sgs,
        "Reservations": [{"ReservationId": "r-1", "Instances": instance_list}],
    })
    .to_string()
}
