//! Services as flow ends: each rule of `super::service`'s module documentation, on a small
//! world of a public subnet (an internet gateway), a private one, and one service of each kind.

use serde_json::{json, Value};

use super::*;
use crate::json;

const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1";
const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app/2";

fn world() -> Value {
    let perm = |port: u16, cidr: Option<&str>, group: Option<&str>| {
        json!({"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
               "IpRanges": cidr.map(|c| json!([{"CidrIp": c}])).unwrap_or(json!([])),
               "UserIdGroupPairs": group.map(|g| json!([{"GroupId": g}])).unwrap_or(json!([]))})
    };
    let out = json!([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]);
    json!({
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
        "Subnets": [
            {"SubnetId": "subnet-pub", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"},
            {"SubnetId": "subnet-priv", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1a"}
        ],
        "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1"}]}],
        "RouteTables": [
            {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}], "Routes": []},
            {"RouteTableId": "rtb-pub", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-pub"}],
             "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}]}
        ],
        "SecurityGroups": [
            {"GroupId": "sg-lb", "IpPermissions": [perm(443, Some("0.0.0.0/0"), None)], "IpPermissionsEgress": out},
            {"GroupId": "sg-app", "IpPermissions": [perm(8080, None, Some("sg-lb"))], "IpPermissionsEgress": out},
            {"GroupId": "sg-db", "IpPermissions": [perm(5432, None, Some("sg-app"))], "IpPermissionsEgress": out},
            {"GroupId": "sg-none", "IpPermissions": [], "IpPermissionsEgress": out}
        ],
        "Reservations": [{"OwnerId": "111122223333", "Instances": [
            {"InstanceId": "i-app", "SubnetId": "subnet-priv", "PrivateIpAddress": "10.0.2.4",
             "SecurityGroups": [{"GroupId": "sg-app"}], "Placement": {"AvailabilityZone": "us-east-1a"},
             "Tags": [{"Key": "Name", "Value": "app"}]},
            {"InstanceId": "i-other", "SubnetId": "subnet-priv", "PrivateIpAddress": "10.0.2.9",
             "SecurityGroups": [{"GroupId": "sg-none"}]}
        ]}],
        "LoadBalancers": [{"LoadBalancerName": "web", "LoadBalancerArn": LB, "Scheme": "internet-facing",
            "Type": "application", "DNSName": "web-1.us-east-1.elb.amazonaws.com",
            "AvailabilityZones": [{"SubnetId": "subnet-pub", "ZoneName": "us-east-1a"}], "SecurityGroups": ["sg-lb"]}],
        "Listeners": [{"LoadBalancerArn": LB, "Port": 443, "Protocol": "HTTPS",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG}]}],
        "TargetGroups": [{"TargetGroupArn": TG, "TargetGroupName": "app", "Port": 8080, "TargetType": "instance"}],
        "LoadBalancerTargetHealth": [{"TargetGroupArn": TG, "TargetHealthDescriptions": [
            {"Target": {"Id": "i-app", "Port": 8080}, "TargetHealth": {"State": "healthy"}}]}],
        "DBInstances": [{"DBInstanceIdentifier": "orders", "DBInstanceStatus": "available",
            "Endpoint": {"Address": "orders.x.us-east-1.rds.amazonaws.com", "Port": 5432},
            "AvailabilityZone": "us-east-1a", "PubliclyAccessible": false,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-db", "Status": "active"}],
            "DBSubnetGroup": {"Subnets": [{"SubnetIdentifier": "subnet-priv", "SubnetAvailabilityZone": {"Name": "us-east-1a"}}]}}],
        "Functions": [{"FunctionName": "job", "VpcConfig": {"SubnetIds": ["subnet-priv"], "SecurityGroupIds": ["sg-none"]}}]
    })
}

fn model(w: &Value) -> NetworkModel {
    let doc = json::parse(&w.to_string()).unwrap();
    let (m, warnings) = NetworkModel::import(&[("w.json", &doc)]).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    m
}

fn flow(from: &str, to: &str, port: u16) -> Flow {
    Flow::from_test_json(&json!({"from": from, "to": to, "protocol": "tcp", "port": port})).unwrap()
}

fn kinds(v: &Verdict) -> Vec<&'static str> {
    v.blocked_by().into_iter().collect()
}

#[test]
fn services_are_placed_in_their_subnets_with_their_groups() {
    let m = model(&world());
    let db = m
        .services()
        .iter()
        .find(|s| s.label() == "rds:orders")
        .unwrap();
    let eni = m.interface(&db.interface_ids[0]).unwrap();
    // The first free address after the four AWS reserves: 10.0.2.4 is the app instance's.
    assert_eq!(
        eni.private_ipv4,
        ["10.0.2.5".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    assert_eq!(eni.groups, ["sg-db"]);
    let lb = m.services().iter().find(|s| s.label() == "lb:web").unwrap();
    let lb_eni = m.interface(&lb.interface_ids[0]).unwrap();
    assert_eq!(lb_eni.subnet_id, "subnet-pub");
    assert_eq!(
        lb_eni.public_name.as_deref(),
        Some("web-1.us-east-1.elb.amazonaws.com")
    );
    assert_eq!(
        m.instances()[0].arn().as_deref(),
        Some("arn:aws:ec2:us-east-1:111122223333:instance/i-app")
    );
}

#[test]
fn the_internet_reaches_the_targets_through_the_listener() {
    let m = model(&world());
    let v = m.evaluate(&flow("internet", "lb:web", 443)).unwrap();
    assert!(v.allowed, "{:?} {:?}", v.blockers, v.unknowns);
    assert!(v
        .hops
        .iter()
        .any(|h| h.kind == HopKind::Service && h.rule.as_deref() == Some("listener HTTPS:443")));
    // By ARN and by DNS name, the same answer.
    assert!(m.evaluate(&flow("internet", LB, 443)).unwrap().allowed);
    // No listener on 80, and the group does not admit it.
    let v = m.evaluate(&flow("internet", "lb:web", 80)).unwrap();
    assert_eq!(kinds(&v), ["security-group", "service"]);
}

/// A Network Load Balancer without security groups (they can only be given at creation)
/// filters nothing itself; the targets' groups decide, on the client's address (Elastic Load
/// Balancing, *Security groups for your Network Load Balancer*).
#[test]
fn a_network_load_balancer_without_groups_lets_the_targets_decide() {
    let mut w = world();
    w["LoadBalancers"][0]["Type"] = json!("network");
    w["LoadBalancers"][0]["SecurityGroups"] = json!([]);
    w["LoadBalancers"][0]["LoadBalancerArn"] = json!(LB.replace("/app/", "/net/"));
    w["Listeners"][0]["LoadBalancerArn"] = json!(LB.replace("/app/", "/net/"));
    w["Listeners"][0]["Protocol"] = json!("TCP");
    // The target admits 8080 from anywhere: the client's address passes the target's group.
    w["SecurityGroups"][1]["IpPermissions"] = json!([{"IpProtocol": "tcp", "FromPort": 8080,
        "ToPort": 8080, "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []}]);
    let m = model(&w);
    let v = m.evaluate(&flow("internet", "lb:web", 443)).unwrap();
    assert!(v.allowed, "{:?} {:?}", v.blockers, v.unknowns);
    // With an application load balancer's group taken away instead, the interface has no
    // group and refuses everything, as AWS's groups do.
    let mut alb = world();
    alb["LoadBalancers"][0]["SecurityGroups"] = json!([]);
    let v = model(&alb)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert!(!v.allowed);
}

#[test]
fn a_target_the_load_balancer_cannot_reach_denies_with_its_blockers() {
    let mut w = world();
    w["SecurityGroups"][1]["IpPermissions"] = json!([]);
    let m = model(&w);
    let v = m.evaluate(&flow("internet", "lb:web", 443)).unwrap();
    assert_eq!(kinds(&v), ["security-group"]);
    assert!(
        v.blockers[0]
            .explanation
            .starts_with("target `i-app` of `app` on port 8080: "),
        "{}",
        v.blockers[0].explanation
    );
}

#[test]
fn what_the_world_lacks_of_a_load_balancer_is_unknown() {
    let mut w = world();
    w["LoadBalancerTargetHealth"] = json!([]);
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert_eq!(v.outcome, Reachability::Unknown, "{:?}", v.blockers);
    w["Listeners"] = json!([]);
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert_eq!(v.outcome, Reachability::Unknown);
    assert_eq!(v.unknowns[0].code, ExplanationCode::ServiceNotExported);
}

#[test]
fn a_database_listens_on_its_port_and_a_stopped_one_on_none() {
    let m = model(&world());
    assert!(
        m.evaluate(&flow("i-app", "rds:orders", 5432))
            .unwrap()
            .allowed
    );
    assert_eq!(
        kinds(&m.evaluate(&flow("i-app", "rds:orders", 3306)).unwrap()),
        ["security-group", "service"]
    );
    assert_eq!(
        kinds(&m.evaluate(&flow("i-other", "rds:orders", 5432)).unwrap()),
        ["security-group"]
    );
    // By interface id, the same rules (so exposure, which walks interfaces, agrees).
    let db = m
        .services()
        .iter()
        .find(|s| s.id == "orders")
        .unwrap()
        .interface_ids[0]
        .clone();
    assert_eq!(
        kinds(&m.evaluate(&flow("i-app", &db, 3306)).unwrap()),
        ["security-group", "service"]
    );
    let mut w = world();
    w["DBInstances"][0]["DBInstanceStatus"] = json!("stopped");
    let v = model(&w)
        .evaluate(&flow("i-app", "rds:orders", 5432))
        .unwrap();
    assert_eq!(kinds(&v), ["instance-state"]);
}

#[test]
fn a_lambda_function_opens_conversations_and_takes_none() {
    let m = model(&world());
    let v = m.evaluate(&flow("lambda:job", "8.8.8.8", 443)).unwrap();
    assert_eq!(
        kinds(&v),
        ["public-ip", "route"],
        "no route from the private subnet, no public address"
    );
    let v = m.evaluate(&flow("i-app", "lambda:job", 443)).unwrap();
    assert!(kinds(&v).contains(&"service"));
}

#[test]
fn an_unknown_name_lists_the_candidates() {
    let m = model(&world());
    let e = m
        .evaluate(&flow("internet", "rds:nope", 5432))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no database `rds:nope`") && e.contains("rds:orders"),
        "{e}"
    );
    let e = m
        .evaluate(&flow("internet", "efs:fs-1", 2049))
        .unwrap_err()
        .to_string();
    assert!(e.contains("holds no efs mount target"), "{e}");
    assert!(
        m.evaluate(&flow("name:app", "rds:orders", 5432))
            .unwrap()
            .allowed
    );
}

#[test]
fn exposure_lists_listener_ports_and_agrees_with_flows() {
    let m = model(&world());
    let found = exposure(&m);
    let lb: Vec<_> = found
        .iter()
        .filter(|e| e.service.as_deref() == Some("lb:web"))
        .collect();
    assert_eq!(lb.len(), 1, "{found:?}");
    assert_eq!(lb[0].ports, [PortRange { from: 443, to: 443 }]);
    assert_eq!(lb[0].address, "web-1.us-east-1.elb.amazonaws.com");
    for e in found
        .iter()
        .filter(|e| e.protocol == "tcp" && e.from.is_empty() && !e.unknown)
    {
        for r in &e.ports {
            let v = m
                .evaluate(&flow("internet", &e.interface_id, r.from))
                .unwrap();
            assert!(v.allowed, "{e:?}");
        }
    }
    // Nothing else is exposed: the database is private and the function takes no connection.
    assert!(
        found.iter().all(|e| e.service.as_deref() == Some("lb:web")),
        "{found:?}"
    );
}

#[test]
fn an_interface_endpoint_is_reached_at_the_interface_nearest_the_client() {
    let mut w = world();
    w["Subnets"]
        .as_array_mut()
        .unwrap()
        .push(json!({"SubnetId": "subnet-b", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24", "AvailabilityZone": "us-east-1b"}));
    w["SecurityGroups"].as_array_mut().unwrap().push(json!({"GroupId": "sg-vpce",
        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-app"}]}],
        "IpPermissionsEgress": []}));
    w["VpcEndpoints"] = json!([{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "State": "available",
        "ServiceName": "com.amazonaws.us-east-1.ssm", "SubnetIds": ["subnet-b", "subnet-priv"],
        "Groups": [{"GroupId": "sg-vpce"}], "PrivateDnsEnabled": true,
        "DnsEntries": [{"DnsName": "vpce-1-abc.ssm.us-east-1.vpce.amazonaws.com"}, {"DnsName": "ssm.us-east-1.amazonaws.com"}]}]);
    let m = model(&w);
    for name in [
        "vpce-1",
        "vpce:com.amazonaws.us-east-1.ssm",
        "vpce:ssm.us-east-1.amazonaws.com",
    ] {
        let v = m.evaluate(&flow("i-app", name, 443)).unwrap();
        assert!(v.allowed, "{name}: {:?}", v.blockers);
        // The interface in the client's own subnet, not the first listed.
        assert!(
            v.hops
                .iter()
                .any(|h| h.component == "vpce:vpce-1/subnet-priv"),
            "{:?}",
            v.hops
        );
    }
    assert_eq!(
        kinds(&m.evaluate(&flow("i-other", "vpce-1", 443)).unwrap()),
        ["security-group"]
    );
}

/// An Aurora cluster (`rds describe-db-clusters`,
/// https://docs.aws.amazon.com/cli/latest/reference/rds/describe-db-clusters.html): the cluster
/// endpoint connects to the writer, the reader endpoint to a reader, and IAM database
/// authentication names the cluster's `DbClusterResourceId`
/// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html).
#[test]
fn an_aurora_cluster_is_reached_at_its_writer_and_readers() {
    let mut w = world();
    let member = |id: &str| {
        json!({"DBInstanceIdentifier": id, "DBInstanceStatus": "available", "DBClusterIdentifier": "cat",
            "DBInstanceArn": format!("arn:aws:rds:us-east-1:111122223333:db:{id}"), "DbiResourceId": format!("db-{id}"),
            "Endpoint": {"Address": format!("{id}.x.us-east-1.rds.amazonaws.com"), "Port": 5432},
            "AvailabilityZone": "us-east-1a",
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-db", "Status": "active"}],
            "DBSubnetGroup": {"Subnets": [{"SubnetIdentifier": "subnet-priv", "SubnetAvailabilityZone": {"Name": "us-east-1a"}}]}})
    };
    let dbs = w["DBInstances"].as_array_mut().unwrap();
    dbs.push(member("cat-1"));
    dbs.push(member("cat-2"));
    // Without the cluster record, the cluster's name fits both instances.
    let err = model(&w)
        .evaluate(&flow("i-app", "rds:cat", 5432))
        .unwrap_err();
    assert!(err.to_string().contains("rds:cat-1, rds:cat-2"), "{err}");
    assert_eq!(
        model(&w).services_named("rds:cat-1").unwrap()[0].iam_resource,
        None,
        "an Aurora instance's own DbiResourceId is not what IAM authentication names"
    );
    w["DBClusters"] = json!([{"DBClusterIdentifier": "cat", "DBClusterArn": "arn:aws:rds:us-east-1:111122223333:cluster:cat",
        "Endpoint": "cat.cluster-x.us-east-1.rds.amazonaws.com", "ReaderEndpoint": "cat.cluster-ro-x.us-east-1.rds.amazonaws.com",
        "Port": 5432, "DbClusterResourceId": "cluster-CAT", "IAMDatabaseAuthenticationEnabled": true,
        "DBClusterMembers": [{"DBInstanceIdentifier": "cat-2", "IsClusterWriter": false},
                             {"DBInstanceIdentifier": "cat-1", "IsClusterWriter": true}]}]);
    let m = model(&w);
    let at = |to: &str| -> Vec<String> {
        let v = m.evaluate(&flow("i-app", to, 5432)).unwrap();
        assert!(v.allowed, "{to}: {:?}", v.blockers);
        v.hops
            .iter()
            .filter(|h| h.component.starts_with("rds:cat-"))
            .map(|h| h.component.clone())
            .collect()
    };
    for writer in [
        "rds:cat",
        "rds:cat.cluster-x.us-east-1.rds.amazonaws.com",
        "arn:aws:rds:us-east-1:111122223333:cluster:cat",
    ] {
        assert!(
            at(writer).iter().all(|c| c.starts_with("rds:cat-1")),
            "{writer}"
        );
    }
    let reader = at("rds:cat.cluster-ro-x.us-east-1.rds.amazonaws.com");
    assert!(
        !reader.is_empty() && reader.iter().all(|c| c.starts_with("rds:cat-2")),
        "{reader:?}"
    );
    let s = m.services_named("rds:cat").unwrap();
    assert_eq!(
        s[0].iam_resource.as_deref(),
        Some("arn:aws:rds-db:us-east-1:111122223333:dbuser:cluster-CAT")
    );
    assert_eq!(s[0].iam_auth, Some(true));
}

/// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html:
/// "Each load balancer node routes requests only to the healthy targets"; "If a target group
/// contains only unhealthy registered targets, the load balancer routes requests to all those
/// targets, regardless of their health status" (it fails open). Draining and unused targets
/// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html)
/// take none.
#[test]
fn only_healthy_targets_take_traffic_unless_none_is_healthy() {
    // i-app (admits the lb on 8080) is unhealthy, i-other (admits nothing) healthy: the healthy
    // one takes the traffic, so the flow is denied by its group.
    let mut w = world();
    w["LoadBalancerTargetHealth"] = json!([{"TargetGroupArn": TG, "TargetHealthDescriptions": [
        {"Target": {"Id": "i-app", "Port": 8080}, "TargetHealth": {"State": "unhealthy"}},
        {"Target": {"Id": "i-other", "Port": 8080}, "TargetHealth": {"State": "healthy"}}]}]);
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert!(!v.allowed, "{:?}", v.notes);
    assert_eq!(kinds(&v), ["security-group"]);
    assert!(
        v.notes.iter().any(|n| n.contains(
            "`i-app` of `app` is unhealthy: the load balancer routes only to healthy targets"
        )),
        "{:?}",
        v.notes
    );
    // Both unhealthy: fail open, i-app answers.
    w["LoadBalancerTargetHealth"][0]["TargetHealthDescriptions"][1]["TargetHealth"]["State"] =
        json!("unhealthy");
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert!(v.allowed, "{:?} {:?}", v.blockers, v.notes);
    assert!(
        v.notes.iter().any(|n| n.contains("fails open")),
        "{:?}",
        v.notes
    );
    // i-other draining, i-app unhealthy: the draining one takes nothing even failing open.
    w["LoadBalancerTargetHealth"][0]["TargetHealthDescriptions"][1]["TargetHealth"]["State"] =
        json!("draining");
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert!(v.allowed, "{:?}", v.blockers);
    assert!(v
        .notes
        .iter()
        .any(|n| n.contains("`i-other` of `app` is draining")));
    // Every target draining or unused: none takes traffic.
    w["LoadBalancerTargetHealth"][0]["TargetHealthDescriptions"][0]["TargetHealth"]["State"] =
        json!("unused");
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert!(!v.allowed);
    assert_eq!(
        v.blockers.first().map(|b| b.code),
        Some(ExplanationCode::NoTargets)
    );
}

/// A health-check leg the network model cannot evaluate (here: a registered target the world
/// does not hold) is named in a note, not passed over in silence; the healthy target still
/// decides the flow.
#[test]
fn a_health_check_polcheck_cannot_evaluate_is_named() {
    let mut w = world();
    w["LoadBalancerTargetHealth"] = json!([{"TargetGroupArn": TG, "TargetHealthDescriptions": [
        {"Target": {"Id": "i-app", "Port": 8080}, "TargetHealth": {"State": "healthy"}},
        {"Target": {"Id": "i-gone", "Port": 8080}, "TargetHealth": {"State": "unhealthy"}}]}]);
    let v = model(&w)
        .evaluate(&flow("internet", "lb:web", 443))
        .unwrap();
    assert!(v.allowed, "{:?} {:?}", v.blockers, v.notes);
    assert!(
        v.notes.iter().any(|n| {
            n.starts_with(
            "health checks of `app` (port 8080) to target `i-gone`: polcheck cannot evaluate them ("
        )
        }),
        "{:?}",
        v.notes
    );
}

/// Health checks go to `HealthCheckPort` ("traffic-port" or a number, `describe-target-groups`,
/// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html):
/// the target's security group must admit the load balancer there too, or the target fails
/// them; the explanation says so.
#[test]
fn health_checks_on_another_port_need_the_targets_group_to_admit_them() {
    let mut w = world();
    w["TargetGroups"][0]["HealthCheckPort"] = json!("8081");
    w["TargetGroups"][0]["HealthCheckProtocol"] = json!("HTTP");
    w["LoadBalancerTargetHealth"][0]["TargetHealthDescriptions"][0]["TargetHealth"]["State"] =
        json!("unhealthy");
    let m = model(&w);
    let tg = m.target_group(TG).unwrap();
    assert_eq!(tg.health_check_port, Some(8081));
    let v = m.evaluate(&flow("internet", "lb:web", 443)).unwrap();
    // The only target fails open: traffic on 8080 is admitted.
    assert!(v.allowed, "{:?}", v.blockers);
    let note = v
        .notes
        .iter()
        .find(|n| n.starts_with("health checks of `app` (HTTP to port 8081) to target `i-app` are blocked by security-group"))
        .unwrap_or_else(|| panic!("{:?}", v.notes));
    assert!(
        note.ends_with("which explains its `unhealthy` state"),
        "{note}"
    );
    // "traffic-port": the checks go to 8080, which the group admits; the unhealthy state is
    // the target's own doing.
    w["TargetGroups"][0]["HealthCheckPort"] = json!("traffic-port");
    let m = model(&w);
    assert_eq!(m.target_group(TG).unwrap().health_check_port, None);
    let v = m.evaluate(&flow("internet", "lb:web", 443)).unwrap();
    assert!(
        v.notes.iter().any(
            |n| n.contains("(HTTP to port 8080) to target `i-app` are admitted by the network")
        ),
        "{:?}",
        v.notes
    );
    // A port that is neither is a located error.
    w["TargetGroups"][0]["HealthCheckPort"] = json!("70000");
    let doc = json::parse(&w.to_string()).unwrap();
    let e = NetworkModel::import(&[("w.json", &doc)]).unwrap_err();
    assert!(
        e.to_string().contains("TargetGroups[0].HealthCheckPort"),
        "{e}"
    );
}
