//! One test per rule of semantics.md section 6, each on a small world built from a base estate.

use serde_json::{json, Value};

use super::*;
use crate::json;

/// A VPC (10.0.0.0/16 and 2600:1f18::/56) with a public subnet (routes to `igw-1`, IPv4 and
/// IPv6) and a private one (main table, local only), the default ACL allowing everything, and
/// three instances: `i-pub` (public IPv4 and an IPv6 address), `i-pub2` (same subnet) and
/// `i-priv`. `sg-open` allows everything in and out.
fn base() -> Value {
    let allow_all = |n: u32, egress: bool, v6: bool| {
        let mut e =
            json!({"RuleNumber": n, "Egress": egress, "RuleAction": "allow", "Protocol": "-1"});
        e[if v6 { "Ipv6CidrBlock" } else { "CidrBlock" }] =
            json!(if v6 { "::/0" } else { "0.0.0.0/0" });
        e
    };
    let deny_all = |n: u32, egress: bool, v6: bool| {
        let mut e = allow_all(n, egress, v6);
        e["RuleAction"] = json!("deny");
        e
    };
    let instance = |id: &str, subnet: &str, ip: &str, public: Option<&str>, v6: Option<&str>| {
        let mut eni = json!({
            "NetworkInterfaceId": format!("eni-{}", &id[2..]), "SubnetId": subnet, "VpcId": "vpc-1",
            "Groups": [{"GroupId": "sg-open"}],
            "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": true}],
            "Ipv6Addresses": v6.map(|a| json!([{"Ipv6Address": a}])).unwrap_or(Value::Null),
            "Attachment": {"DeviceIndex": 0}
        });
        if let Some(p) = public {
            eni["Association"] = json!({"PublicIp": p});
        }
        json!({"InstanceId": id, "State": {"Name": "running"}, "NetworkInterfaces": [eni]})
    };
    json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
                  "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18::/56", "Ipv6CidrBlockState": {"State": "associated"}}]}],
        "Subnets": [
            {"SubnetId": "subnet-pub", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
             "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18:0:1::/64"}]},
            {"SubnetId": "subnet-priv", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}
        ],
        "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
        "RouteTables": [
            {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}],
             "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]},
            {"RouteTableId": "rtb-pub", "VpcId": "vpc-1", "Associations": [{"Main": false, "SubnetId": "subnet-pub"}],
             "Routes": [
                {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"},
                {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "State": "active"}
             ]}
        ],
        "NetworkAcls": [{"NetworkAclId": "acl-default", "VpcId": "vpc-1", "IsDefault": true, "Associations": [],
            "Entries": [allow_all(100, false, false), allow_all(100, true, false), allow_all(101, false, true), allow_all(101, true, true),
                        deny_all(32767, false, false), deny_all(32767, true, false), deny_all(32768, false, true), deny_all(32768, true, true)]}],
        "SecurityGroups": [{"GroupId": "sg-open", "VpcId": "vpc-1",
            "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]}],
        "Reservations": [{"Instances": [
            instance("i-pub", "subnet-pub", "10.0.1.10", Some("198.51.100.10"), Some("2600:1f18:0:1::10")),
            instance("i-pub2", "subnet-pub", "10.0.1.11", None, None),
            instance("i-priv", "subnet-priv", "10.0.2.20", None, None)
        ]}]
    })
}

fn model(world: &Value) -> NetworkModel {
    let text = serde_json::to_string_pretty(world).unwrap();
    let doc = json::parse(&text).unwrap();
    let (m, warnings) = NetworkModel::import(&[("test.json", &doc)]).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    m
}

fn check(world: &Value, flow: Value) -> Verdict {
    model(world)
        .evaluate(&Flow::from_test_json(&flow).unwrap())
        .unwrap()
}

fn tcp(from: &str, to: &str, port: u16) -> Value {
    json!({"from": from, "to": to, "protocol": "tcp", "port": port})
}

fn kinds(v: &Verdict) -> Vec<&'static str> {
    v.blocked_by().into_iter().collect()
}

fn codes(v: &Verdict) -> Vec<ExplanationCode> {
    v.blockers.iter().map(|b| b.code).collect()
}

/// Adds entries to `acl-default`.
fn add_acl_entries(w: &mut Value, entries: Value) {
    let list = w["NetworkAcls"][0]["Entries"].as_array_mut().unwrap();
    list.extend(entries.as_array().unwrap().iter().cloned());
}

fn add_acl(w: &mut Value, id: &str, subnet: &str, entries: Value) {
    w["NetworkAcls"].as_array_mut().unwrap().push(json!({
        "NetworkAclId": id, "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"NetworkAclId": id, "SubnetId": subnet}], "Entries": entries
    }));
}

#[test]
fn base_world_allows_the_obvious() {
    let w = base();
    assert!(check(&w, tcp("internet", "i-pub", 22)).allowed);
    assert!(check(&w, tcp("i-pub", "8.8.8.8", 443)).allowed);
    assert!(check(&w, tcp("i-priv", "i-pub", 5432)).allowed);
    let v = check(&w, tcp("internet", "198.51.100.10", 22));
    assert!(v.allowed, "by its public address: {:?}", v.blockers);
}

#[test]
fn longest_prefix_wins_over_the_default_route() {
    let mut w = base();
    let routes = w["RouteTables"][1]["Routes"].as_array_mut().unwrap();
    routes.push(json!({"DestinationCidrBlock": "203.0.113.0/24", "NatGatewayId": "nat-1", "State": "active"}));
    routes.push(json!({"DestinationCidrBlock": "203.0.113.128/25", "GatewayId": "igw-1", "State": "active"}));
    assert!(check(&w, tcp("i-pub", "203.0.113.200", 443)).allowed);
    // A route polcheck cannot follow (a NAT gateway the world does not hold) is unknown, not
    // a deny (issue #15).
    let v = check(&w, tcp("i-pub", "203.0.113.5", 443));
    assert_eq!(v.outcome, Reachability::Unknown);
    assert!(v.blockers.is_empty());
    assert_eq!(v.unknowns[0].code, ExplanationCode::RouteTargetNotModelled);
    assert_eq!(
        v.unknowns[0].rule.as_deref(),
        Some("203.0.113.0/24 -> nat-1")
    );
    // A real blocker still denies, whatever lies further on.
    w["SecurityGroups"][0]["IpPermissionsEgress"] = json!([]);
    let v = check(&w, tcp("i-pub", "203.0.113.5", 443));
    assert_eq!(v.outcome, Reachability::Denied);
    assert_eq!(kinds(&v), ["security-group"]);
    w = base();
    assert!(check(&w, tcp("i-pub", "192.0.2.1", 443)).allowed);
}

#[test]
fn unassociated_subnet_uses_the_main_table() {
    let mut w = base();
    // Give the private instance a public address: the main table still has no internet route.
    w["Reservations"][0]["Instances"][2]["NetworkInterfaces"][0]["Association"] =
        json!({"PublicIp": "198.51.100.20"});
    let v = check(&w, tcp("i-priv", "8.8.8.8", 443));
    assert_eq!(kinds(&v), ["route"]);
    assert_eq!(v.blockers[0].component, "rtb-main");
    // Make the main table public: now it works.
    w["RouteTables"][0]["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}));
    assert!(check(&w, tcp("i-priv", "8.8.8.8", 443)).allowed);
}

#[test]
fn blackhole_route_drops() {
    let mut w = base();
    w["RouteTables"][1]["Routes"][0]["State"] = json!("blackhole");
    let v = check(&w, tcp("i-pub", "8.8.8.8", 443));
    assert_eq!(codes(&v), [ExplanationCode::BlackholeRoute]);
    assert_eq!(v.blockers[0].direction, Direction::Forward);
    let v = check(&w, tcp("internet", "i-pub", 22));
    assert_eq!(codes(&v), [ExplanationCode::BlackholeRoute]);
    assert_eq!(v.blockers[0].direction, Direction::Reply);
}

#[test]
fn internet_needs_igw_route_and_public_address() {
    let w = base();
    let v = check(&w, tcp("i-pub2", "8.8.8.8", 443));
    assert_eq!(kinds(&v), ["public-ip"]);
    assert_eq!(codes(&v), [ExplanationCode::NoPublicIp]);
    let v = check(&w, tcp("internet", "i-priv", 22));
    assert_eq!(kinds(&v), ["public-ip", "route"]);
    let mut detached = base();
    detached["InternetGateways"][0]["Attachments"] = json!([]);
    let v = check(&detached, tcp("i-pub", "8.8.8.8", 443));
    assert_eq!(codes(&v), [ExplanationCode::InternetGatewayNotAttached]);
}

#[test]
fn nacl_rules_apply_in_rule_number_order() {
    let mut w = base();
    // Listed after the allow-all 100, but numbered lower: it decides first.
    add_acl_entries(
        &mut w,
        json!([{"RuleNumber": 50, "Egress": false, "RuleAction": "deny", "Protocol": "6",
        "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}}]),
    );
    let v = check(&w, tcp("internet", "i-pub", 22));
    assert_eq!(kinds(&v), ["nacl"]);
    assert_eq!(v.blockers[0].rule.as_deref(), Some("50 inbound"));
    assert!(check(&w, tcp("internet", "i-pub", 23)).allowed);
}

#[test]
fn final_star_rule_denies_and_every_blocker_is_reported() {
    let mut w = base();
    add_acl(
        &mut w,
        "acl-db",
        "subnet-priv",
        json!([
            {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "10.0.1.0/24", "PortRange": {"From": 5432, "To": 5432}},
            {"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Egress": true, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}
        ]),
    );
    let v = check(&w, tcp("i-pub", "i-priv", 22));
    let rules: Vec<_> = v
        .blockers
        .iter()
        .map(|b| (b.component.as_str(), b.rule.clone().unwrap(), b.direction))
        .collect();
    assert_eq!(
        rules,
        [
            ("acl-db", "* inbound".to_string(), Direction::Forward),
            ("acl-db", "* outbound".to_string(), Direction::Reply),
        ]
    );
    // 5432 gets in, but the reply is still refused by the outbound `*` rule.
    let v = check(&w, tcp("i-pub", "i-priv", 5432));
    assert_eq!(v.blockers.len(), 1);
    assert_eq!(v.blockers[0].direction, Direction::Reply);
}

#[test]
fn reply_must_pass_on_the_client_port() {
    let mut w = base();
    add_acl(
        &mut w,
        "acl-pub",
        "subnet-pub",
        json!([
            {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 443, "To": 443}},
            {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1024, "To": 40000}},
            {"RuleNumber": 110, "Egress": true, "RuleAction": "deny", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 40001, "To": 50000}}
        ]),
    );
    let with = |sp: u16| json!({"from": "internet", "to": "i-pub", "protocol": "tcp", "port": 443, "sourcePort": sp});
    assert!(check(&w, with(30000)).allowed);
    let v = check(&w, with(45000));
    assert_eq!(v.blockers[0].rule.as_deref(), Some("110 outbound"));
    let v = check(&w, tcp("internet", "i-pub", 443));
    assert!(!v.allowed);
    // Without a source port, both rules that refuse part of 1024-65535 are named.
    let rules: Vec<_> = v.blockers.iter().map(|b| b.rule.clone().unwrap()).collect();
    assert_eq!(rules, ["110 outbound", "* outbound"]);
    assert!(v.blockers.iter().all(|b| b.direction == Direction::Reply));
    assert!(
        v.blockers[1].explanation.contains("50001-65535"),
        "{}",
        v.blockers[1].explanation
    );
}

#[test]
fn traffic_inside_one_subnet_does_not_cross_its_acl() {
    let mut w = base();
    add_acl(&mut w, "acl-closed", "subnet-pub", json!([]));
    assert!(check(&w, tcp("i-pub", "i-pub2", 22)).allowed);
    assert_eq!(kinds(&check(&w, tcp("i-pub", "i-priv", 22))), ["nacl"]);
}

#[test]
fn subnet_without_association_uses_the_default_acl() {
    let mut w = base();
    add_acl_entries(
        &mut w,
        json!([{"RuleNumber": 10, "Egress": false, "RuleAction": "deny", "Protocol": "6",
        "CidrBlock": "10.0.1.0/24", "PortRange": {"From": 3306, "To": 3306}}]),
    );
    let v = check(&w, tcp("i-pub", "i-priv", 3306));
    assert_eq!(v.blockers[0].component, "acl-default");
    assert!(check(&w, tcp("i-pub", "i-priv", 3307)).allowed);
}

#[test]
fn group_references_match_members_private_addresses() {
    let mut w = base();
    w["SecurityGroups"].as_array_mut().unwrap().push(json!({"GroupId": "sg-db", "VpcId": "vpc-1",
        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": "sg-app"}]}],
        "IpPermissionsEgress": []}));
    w["SecurityGroups"].as_array_mut().unwrap().push(
        json!({"GroupId": "sg-app", "VpcId": "vpc-1", "IpPermissions": [],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}),
    );
    w["Reservations"][0]["Instances"][2]["NetworkInterfaces"][0]["Groups"] =
        json!([{"GroupId": "sg-db"}]);
    w["Reservations"][0]["Instances"][1]["NetworkInterfaces"][0]["Groups"] =
        json!([{"GroupId": "sg-app"}]);
    assert!(check(&w, tcp("i-pub2", "i-priv", 5432)).allowed);
    let v = check(&w, tcp("i-pub", "i-priv", 5432));
    assert_eq!(kinds(&v), ["security-group"]);
    assert_eq!(codes(&v), [ExplanationCode::SecurityGroupNoIngress]);
    // sg-db has no outbound rule: it cannot open connections, but its replies pass (stateful).
    let v = check(&w, tcp("i-priv", "i-pub", 22));
    assert_eq!(codes(&v), [ExplanationCode::SecurityGroupNoEgress]);
}

#[test]
fn prefix_lists_in_rules_and_routes() {
    let mut w = base();
    w["ManagedPrefixLists"] = json!([
        {"PrefixListId": "pl-office", "PrefixListName": "office", "AddressFamily": "IPv4",
         "Entries": [{"Cidr": "192.0.2.0/24", "Description": "hq"}]},
        {"PrefixListId": "pl-partner", "AddressFamily": "IPv4", "Entries": [{"Cidr": "203.0.113.0/24"}]}
    ]);
    w["SecurityGroups"][0]["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "PrefixListIds": [{"PrefixListId": "pl-office"}]}]);
    w["RouteTables"][1]["Routes"]
        .as_array_mut()
        .unwrap()
        .push(json!(
        {"DestinationPrefixListId": "pl-partner", "TransitGatewayId": "tgw-1", "State": "active"}));
    assert!(check(&w, tcp("192.0.2.44", "i-pub", 22)).allowed);
    assert_eq!(
        kinds(&check(&w, tcp("198.51.100.99", "i-pub", 22))),
        ["security-group"]
    );
    assert_eq!(
        kinds(&check(&w, tcp("internet", "i-pub", 22))),
        ["security-group"]
    );
    let v = check(&w, tcp("i-pub", "203.0.113.9", 443));
    assert_eq!(v.outcome, Reachability::Unknown);
    assert_eq!(v.unknowns[0].code, ExplanationCode::RouteTargetNotModelled);
}

#[test]
fn security_groups_are_stateful() {
    let mut w = base();
    // Inbound 22 only, no outbound rule at all: ssh in still works, the reply is not checked.
    w["SecurityGroups"][0]["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    w["SecurityGroups"][0]["IpPermissionsEgress"] = json!([]);
    let v = check(&w, tcp("internet", "i-pub", 22));
    assert!(v.allowed, "{:?}", v.blockers);
    assert!(v
        .hops
        .iter()
        .any(|h| h.kind == HopKind::SecurityGroup
            && h.rule.as_deref() == Some("tcp 22 from 0.0.0.0/0")));
}

#[test]
fn ipv6_routes_and_default_deny_32768() {
    let w = base();
    let v6 = "2600:1f18:0:1::10";
    assert!(check(&w, tcp("2001:db8::5", v6, 443)).allowed);
    assert!(
        check(
            &w,
            json!({"from": "i-pub", "to": "2001:db8::5", "protocol": "tcp", "port": 443})
        )
        .allowed
    );
    // An ACL with IPv4 rules only: IPv6 falls to the 32768 rule.
    let mut w4 = base();
    add_acl(
        &mut w4,
        "acl-v4",
        "subnet-pub",
        json!([
            {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32768, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "Ipv6CidrBlock": "::/0"},
            {"RuleNumber": 32768, "Egress": true, "RuleAction": "deny", "Protocol": "-1", "Ipv6CidrBlock": "::/0"}
        ]),
    );
    assert!(check(&w4, tcp("internet", "i-pub", 443)).allowed);
    let v = check(&w4, tcp("2001:db8::5", v6, 443));
    assert_eq!(kinds(&v), ["nacl"]);
    assert!(v
        .blockers
        .iter()
        .all(|b| b.rule.as_deref().is_some_and(|r| r.starts_with('*'))));
    // No ::/0 route: IPv6 internet unreachable; an egress-only gateway lets traffic out only.
    let mut eigw = base();
    eigw["RouteTables"][1]["Routes"][1] =
        json!({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"});
    assert!(
        check(
            &eigw,
            json!({"from": "i-pub", "to": "2001:db8::5", "protocol": "tcp", "port": 443})
        )
        .allowed
    );
    assert_eq!(
        codes(&check(&eigw, tcp("2001:db8::5", v6, 443))),
        [ExplanationCode::EgressOnlyGateway]
    );
    // An interface without an IPv6 address cannot talk with the IPv6 internet.
    let v = check(
        &w,
        json!({"from": "i-pub2", "to": "2001:db8::5", "protocol": "tcp", "port": 443}),
    );
    assert_eq!(codes(&v), [ExplanationCode::NoIpv6Address]);
}

#[test]
fn icmp_type_and_code() {
    let mut w = base();
    add_acl(
        &mut w,
        "acl-ping",
        "subnet-pub",
        json!([
            {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "1", "CidrBlock": "0.0.0.0/0", "IcmpTypeCode": {"Type": 8, "Code": -1}},
            {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "1", "CidrBlock": "0.0.0.0/0", "IcmpTypeCode": {"Type": 0, "Code": 0}}
        ]),
    );
    w["SecurityGroups"][0]["IpPermissions"] = json!([{"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    assert!(
        check(
            &w,
            json!({"from": "internet", "to": "i-pub", "protocol": "icmp"})
        )
        .allowed
    );
    let unreachable =
        json!({"from": "internet", "to": "i-pub", "protocol": "1", "icmpType": 3, "icmpCode": 4});
    assert_eq!(kinds(&check(&w, unreachable)), ["nacl", "security-group"]);
    // The reply type must pass the outbound rules too.
    w["NetworkAcls"][1]["Entries"][1]["IcmpTypeCode"] = json!({"Type": 8, "Code": -1});
    let v = check(
        &w,
        json!({"from": "internet", "to": "i-pub", "protocol": "icmp", "icmpType": 8, "icmpCode": 0}),
    );
    assert_eq!(v.blockers.len(), 1);
    assert_eq!(v.blockers[0].direction, Direction::Reply);
    assert!(
        v.blockers[0].explanation.contains("icmp type 0 code 0"),
        "{}",
        v.blockers[0].explanation
    );
}

#[test]
fn protocol_numbers_as_strings() {
    let mut w = base();
    w["SecurityGroups"][0]["IpPermissions"] = json!([
        {"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "17", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "1", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "58", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    ]);
    for (flow, allowed) in [
        (
            json!({"from": "internet", "to": "i-pub", "protocol": "tcp", "port": 22}),
            true,
        ),
        (
            json!({"from": "internet", "to": "i-pub", "protocol": "6", "port": 22}),
            true,
        ),
        (
            json!({"from": "internet", "to": "i-pub", "protocol": "17", "port": 22}),
            false,
        ),
        (
            json!({"from": "internet", "to": "i-pub", "protocol": "udp", "port": 53}),
            true,
        ),
        (
            json!({"from": "internet", "to": "i-pub", "protocol": "icmp"}),
            true,
        ),
        (
            json!({"from": "2001:db8::1", "to": "i-pub", "protocol": "58"}),
            true,
        ),
        (
            json!({"from": "internet", "to": "i-pub", "protocol": "47"}),
            false,
        ),
    ] {
        assert_eq!(check(&w, flow.clone()).allowed, allowed, "{flow}");
    }
}

#[test]
fn flows_name_endpoints_the_world_must_know() {
    let m = model(&base());
    let eval = |f: Value| m.evaluate(&Flow::from_test_json(&f).unwrap());
    assert_eq!(
        eval(tcp("i-nope", "i-pub", 22)),
        Err(FlowError::UnknownEndpoint("i-nope".into()))
    );
    assert!(matches!(
        eval(tcp("10.0.2.99", "i-pub", 22)),
        Err(FlowError::AddressWithoutInterface(_))
    ));
    assert!(matches!(
        eval(tcp("internet", "8.8.8.8", 22)),
        Err(FlowError::NothingToEvaluate(..))
    ));
    let v = eval(tcp("i-priv", "2001:db8::1", 22)).unwrap();
    assert_eq!(
        codes(&v),
        [
            ExplanationCode::NoRouteToDestination,
            ExplanationCode::NoIpv6Address
        ]
    );
    assert!(matches!(
        eval(tcp("i-priv", "2600:1f18:0:1::10", 22)),
        Err(FlowError::NoAddress { .. })
    ));
    assert!(eval(tcp("eni-pub", "10.0.2.20", 22)).unwrap().allowed);
}

#[test]
fn verdict_serializes_for_json_output() {
    let v = check(&base(), tcp("i-priv", "8.8.8.8", 443));
    let out = serde_json::to_value(&v).unwrap();
    assert_eq!(out["allowed"], false);
    assert_eq!(out["blockers"][0]["code"], "NO_ROUTE_TO_DESTINATION");
    assert_eq!(out["blockers"][1]["kind"], "public-ip");
    assert!(out["hops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["kind"] == "security-group"));
}

#[test]
fn exposure_over_port_sets() {
    let mut w = base();
    w["SecurityGroups"][0]["IpPermissions"] = json!([
        {"IpProtocol": "tcp", "FromPort": 20, "ToPort": 1000, "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    ]);
    add_acl_entries(
        &mut w,
        json!([{"RuleNumber": 50, "Egress": false, "RuleAction": "deny", "Protocol": "6",
        "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 100, "To": 199}}]),
    );
    let found = exposure(&model(&w));
    let shown: Vec<_> = found
        .iter()
        .map(|e| {
            (
                e.interface_id.as_str(),
                e.address.as_str(),
                e.protocol.as_str(),
                PortSetShow(&e.ports).to_string(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "eni-pub",
                "198.51.100.10",
                "tcp",
                "20-99, 200-1000".to_string()
            ),
            // The ACL's deny rule 50 is an IPv4 rule: IPv6 sees every port the group opens.
            ("eni-pub", "2600:1f18:0:1::10", "tcp", "20-1000".to_string()),
        ]
    );
}

struct PortSetShow<'a>(&'a [PortRange]);
impl std::fmt::Display for PortSetShow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0.iter().fold(PortSet::empty(), |acc, r| {
            acc.union(&PortSet::range(r.from, r.to))
        });
        write!(f, "{s}")
    }
}

#[test]
fn exposure_of_a_large_estate() {
    // 1,000 instances, 200 security groups, 50 subnets (25 public), every ACL allowing all.
    let mut w = base();
    let subnets: Vec<Value> = (0..50).map(|s| json!({"SubnetId": format!("subnet-g{s}"), "VpcId": "vpc-1", "CidrBlock": format!("10.0.{}.0/24", 100 + s)})).collect();
    w["Subnets"].as_array_mut().unwrap().extend(subnets);
    let public: Vec<Value> = (0..25)
        .map(|s| json!({"SubnetId": format!("subnet-g{s}")}))
        .collect();
    w["RouteTables"][1]["Associations"]
        .as_array_mut()
        .unwrap()
        .extend(public);
    let groups: Vec<Value> = (0..200).map(|g| json!({"GroupId": format!("sg-g{g}"), "VpcId": "vpc-1",
        "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 1000 + g, "ToPort": 1000 + g, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": "sg-g0"}]}
        ],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]})).collect();
    w["SecurityGroups"].as_array_mut().unwrap().extend(groups);
    let instances: Vec<Value> = (0..1000u32).map(|i| {
        let s = i % 50;
        json!({"InstanceId": format!("i-g{i}"), "State": {"Name": "running"}, "NetworkInterfaces": [{
            "NetworkInterfaceId": format!("eni-g{i}"), "SubnetId": format!("subnet-g{s}"),
            "Groups": [{"GroupId": format!("sg-g{}", i % 200)}, {"GroupId": format!("sg-g{}", (i + 1) % 200)}],
            "PrivateIpAddresses": [{"PrivateIpAddress": format!("10.0.{}.{}", 100 + s, 10 + i / 50), "Primary": true,
                "Association": {"PublicIp": format!("198.18.{}.{}", i / 250, i % 250)}}],
            "Association": {"PublicIp": format!("198.18.{}.{}", i / 250, i % 250)},
            "Attachment": {"DeviceIndex": 0}}]})
    }).collect();
    w["Reservations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"Instances": instances}));
    let m = model(&w);
    let found = exposure(&m);
    let generated: Vec<_> = found
        .iter()
        .filter(|e| e.interface_id.starts_with("eni-g"))
        .collect();
    // Only instances in the 25 public subnets (i % 50 < 25) are exposed, on their two groups' ports.
    assert_eq!(generated.len(), 500);
    let e = generated
        .iter()
        .find(|e| e.interface_id == "eni-g7")
        .unwrap();
    assert_eq!(
        e.ports,
        [PortRange {
            from: 1007,
            to: 1008
        }]
    );
    assert!(!generated.iter().any(|e| e.interface_id == "eni-g30"));
    // And flows evaluate on the same estate.
    assert!(
        m.evaluate(&Flow::tcp(
            Endpoint::Instance("i-g0".into()),
            Endpoint::Instance("i-g30".into()),
            22
        ))
        .unwrap()
        .allowed
    );
    assert!(
        !m.evaluate(&Flow::tcp(
            Endpoint::Instance("i-g1".into()),
            Endpoint::Instance("i-g30".into()),
            22
        ))
        .unwrap()
        .allowed
    );
}

/// Issue #15: "internet" is every public address, not only rules naming `0.0.0.0/0`.
#[test]
fn internet_is_every_public_address() {
    let mut w = base();
    w["SecurityGroups"][0]["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "0.0.0.0/1"}, {"CidrIp": "128.0.0.0/1"}]}]);
    let m = model(&w);
    let eval = |from: &str| {
        m.evaluate(&Flow::from_test_json(&tcp(from, "i-pub", 22)).unwrap())
            .unwrap()
    };
    assert!(eval("internet").allowed, "{:?}", eval("internet").blockers);
    assert!(eval("8.8.8.8").allowed);
    let found = exposure(&m);
    assert!(
        found.iter().any(|e| e.interface_id == "eni-pub"
            && e.protocol == "tcp"
            && e.from.is_empty()
            && e.ports == [PortRange { from: 22, to: 22 }]),
        "{found:?}"
    );
    // Half of the internet: `internet` is denied, names the half that passes, and exposure
    // lists the port as open to that half only.
    w["SecurityGroups"][0]["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "128.0.0.0/1"}]}]);
    let m = model(&w);
    let v = m
        .evaluate(&Flow::from_test_json(&tcp("internet", "i-pub", 22)).unwrap())
        .unwrap();
    assert_eq!(kinds(&v), ["security-group"]);
    assert_eq!(v.allowed_from, ["128.0.0.0/1"]);
    assert!(
        m.evaluate(&Flow::from_test_json(&tcp("130.0.0.1", "i-pub", 22)).unwrap())
            .unwrap()
            .allowed
    );
    let found: Vec<_> = exposure(&m)
        .into_iter()
        .filter(|e| e.protocol == "tcp" && !e.address.contains(':'))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].from, ["128.0.0.0/1"]);
}

/// Issue #15: a network ACL whose reply range is 1024-2000 refuses most client ports, so the
/// flow without `sourcePort` is denied and exposure does not list the port.
#[test]
fn narrow_reply_range_keeps_exposure_and_flows_together() {
    let mut w = base();
    add_acl(
        &mut w,
        "acl-pub",
        "subnet-pub",
        json!([
            {"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}},
            {"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1024, "To": 2000}}
        ]),
    );
    let m = model(&w);
    let v = m
        .evaluate(&Flow::from_test_json(&tcp("internet", "i-pub", 22)).unwrap())
        .unwrap();
    assert_eq!(kinds(&v), ["nacl"]);
    assert!(!exposure(&m)
        .iter()
        .any(|e| e.address == "198.51.100.10" && e.protocol == "tcp"));
    let chosen = json!({"from": "internet", "to": "i-pub", "protocol": "tcp", "port": 22, "sourcePort": 1500});
    assert!(
        m.evaluate(&Flow::from_test_json(&chosen).unwrap())
            .unwrap()
            .allowed
    );
}

/// A stopped instance takes no traffic and has no public address.
#[test]
fn stopped_instances_take_no_traffic() {
    let mut w = base();
    w["Reservations"][0]["Instances"][0]["State"]["Name"] = json!("stopped");
    let m = model(&w);
    let v = m
        .evaluate(&Flow::from_test_json(&tcp("i-pub2", "i-pub", 22)).unwrap())
        .unwrap();
    assert_eq!(kinds(&v), ["instance-state"]);
    assert!(
        v.blockers[0].explanation.contains("is stopped"),
        "{}",
        v.blockers[0].explanation
    );
    assert!(!exposure(&m).iter().any(|e| e.interface_id == "eni-pub"));
    assert!(m.interface("eni-pub").unwrap().public_ipv4.is_empty());
    w["Reservations"][0]["Instances"][0]["State"]["Name"] = json!("terminated");
    let v = model(&w)
        .evaluate(&Flow::from_test_json(&tcp("i-pub", "8.8.8.8", 443)).unwrap())
        .unwrap();
    assert_eq!(kinds(&v), ["instance-state", "public-ip"]);
}

mod agreement {
    //! Issue #15: exposure and flows from the internet agree on generated networks.
    use super::*;
    use proptest::prelude::*;

    const CIDRS: [&str; 8] = [
        "0.0.0.0/0",
        "0.0.0.0/1",
        "128.0.0.0/1",
        "8.8.0.0/16",
        "10.0.0.0/8",
        "198.51.100.0/24",
        "52.0.0.0/8",
        "::/0",
    ];

    fn sg_rule() -> impl Strategy<Value = Value> {
        (0usize..CIDRS.len(), 0u16..100, 0u16..100, prop::bool::ANY).prop_map(|(c, a, b, udp)| {
            let (lo, hi) = (a.min(b) * 10, a.max(b) * 10);
            let cidr = CIDRS[c];
            let range = if cidr.contains(':') {
                json!({"Ipv6Ranges": [{"CidrIpv6": cidr}]})
            } else {
                json!({"IpRanges": [{"CidrIp": cidr}]})
            };
            let mut r = json!({"IpProtocol": if udp { "udp" } else { "tcp" }, "FromPort": lo, "ToPort": hi});
            if let (Some(r), Some(range)) = (r.as_object_mut(), range.as_object()) {
                r.extend(range.clone());
            }
            r
        })
    }

    fn acl_entry() -> impl Strategy<Value = Value> {
        (1u32..200, prop::bool::ANY, prop::bool::ANY, 0usize..CIDRS.len(), 0u16..7000, 0u16..7000)
            .prop_map(|(n, egress, allow, c, a, b)| {
                let cidr = CIDRS[c];
                let mut e = json!({"RuleNumber": n, "Egress": egress, "RuleAction": if allow { "allow" } else { "deny" },
                    "Protocol": "6", "PortRange": {"From": a.min(b), "To": a.max(b) * 9}});
                e[if cidr.contains(':') { "Ipv6CidrBlock" } else { "CidrBlock" }] = json!(cidr);
                e
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn exposure_agrees_with_flows(
            rules in prop::collection::vec(sg_rule(), 0..5),
            entries in prop::collection::vec(acl_entry(), 0..6),
            allow_rest in prop::bool::ANY,
            ports in prop::collection::vec(0u16..2000, 12),
        ) {
            let mut w = base();
            w["SecurityGroups"][0]["IpPermissions"] = Value::Array(rules);
            let mut entries = entries;
            if allow_rest {
                for (egress, v6) in [(false, false), (true, false), (false, true), (true, true)] {
                    let mut e = json!({"RuleNumber": 1000, "Egress": egress, "RuleAction": "allow", "Protocol": "-1"});
                    e[if v6 { "Ipv6CidrBlock" } else { "CidrBlock" }] = json!(if v6 { "::/0" } else { "0.0.0.0/0" });
                    entries.push(e);
                }
            }
            add_acl(&mut w, "acl-pub", "subnet-pub", Value::Array(entries));
            let m = model(&w);
            let found = exposure(&m);
            for to in ["198.51.100.10", "2600:1f18:0:1::10"] {
                for protocol in ["tcp", "udp"] {
                    let listed: Vec<&Exposure> = found.iter()
                        .filter(|e| e.address == to && e.protocol == protocol).collect();
                    for &p in &ports {
                        let flow = json!({"from": "internet", "to": to, "protocol": protocol, "port": p});
                        let v = m.evaluate(&Flow::from_test_json(&flow).unwrap()).unwrap();
                        let open = |e: &&Exposure| e.ports.iter().any(|r| r.from <= p && p <= r.to);
                        let everywhere = listed.iter().any(|e| e.from.is_empty() && !e.unknown && open(e));
                        prop_assert_eq!(v.allowed, everywhere, "{} {} {}: {:?}", to, protocol, p, v.blockers);
                        let partly = listed.iter().any(|e| !e.from.is_empty() && open(e));
                        prop_assert_eq!(!v.allowed && !v.allowed_from.is_empty(), partly, "{} {} {}", to, protocol, p);
                    }
                }
            }
        }
    }
}

/// `describe-egress-only-internet-gateways`: a gateway attached to another VPC does not carry.
#[test]
fn egress_only_gateways_must_be_attached() {
    let mut w = base();
    w["RouteTables"][1]["Routes"][1] = json!({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"});
    let out = json!({"from": "i-pub", "to": "2001:4860::8888", "protocol": "tcp", "port": 443});
    assert!(
        check(&w, out.clone()).allowed,
        "absent from the world: assumed attached"
    );
    w["EgressOnlyInternetGateways"] = json!([{"EgressOnlyInternetGatewayId": "eigw-1", "Attachments": [{"State": "attached", "VpcId": "vpc-other"}]}]);
    let v = check(&w, out);
    assert_eq!(codes(&v), [ExplanationCode::InternetGatewayNotAttached]);
    w["EgressOnlyInternetGateways"][0]["Attachments"][0]["VpcId"] = json!("vpc-1");
    let inbound = json!({"from": "2001:4860::8888", "to": "i-pub", "protocol": "tcp", "port": 443});
    assert_eq!(
        codes(&check(&w, inbound)),
        [ExplanationCode::EgressOnlyGateway]
    );
}
