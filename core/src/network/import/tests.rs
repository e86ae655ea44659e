//! Import: shapes AWS prints, merging, and errors that name the path and line:column.

use crate::json;
use crate::network::{
    ImportErrorKind, NetworkImportError, NetworkModel, NetworkWarning, RouteTarget,
};

fn import(
    files: &[(&str, &str)],
) -> Result<(NetworkModel, Vec<NetworkWarning>), NetworkImportError> {
    let docs: Vec<_> = files
        .iter()
        .map(|(name, text)| (json::parse(text).unwrap(), *name))
        .collect();
    let refs: Vec<_> = docs.iter().map(|(d, n)| (*n, d)).collect();
    NetworkModel::import(&refs)
}

fn error(text: &str) -> NetworkImportError {
    import(&[("world.json", text)]).unwrap_err()
}

const VPC: &str = r#"{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}"#;

#[test]
fn sdk_exports_with_explicit_nulls_are_accepted() {
    let text = r#"{
      "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Ipv6CidrBlockAssociationSet": null, "IsDefault": null}],
      "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": null, "Ipv6CidrBlockAssociationSet": []}],
      "RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": true, "SubnetId": null}],
                       "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "NatGatewayId": null, "State": "active"}]}],
      "NetworkAcls": null,
      "SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
          "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": null}], "Ipv6Ranges": null, "PrefixListIds": null, "UserIdGroupPairs": null}],
          "IpPermissionsEgress": null}],
      "Reservations": [{"Instances": [{"InstanceId": "i-1", "State": {"Name": "running"}, "NetworkInterfaces": [{
          "NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "Groups": [{"GroupId": "sg-1"}], "Association": null,
          "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5", "Primary": true, "Association": null}], "Ipv6Addresses": null,
          "Attachment": {"DeviceIndex": 0, "InstanceId": null}}]}]}],
      "UserDetailList": [{"UserName": "alice"}]
    }"#;
    let (m, warnings) = import(&[("world.json", text)]).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let eni = m.interface("eni-1").unwrap();
    assert_eq!(eni.vpc_id, "vpc-1");
    assert_eq!(eni.instance_id.as_deref(), Some("i-1"));
    assert!(eni.public_ipv4.is_empty());
    // The local route is added for the VPC block.
    let table = &m.route_tables()[0];
    assert!(table
        .routes
        .iter()
        .any(|r| r.target == RouteTarget::Local && r.destination.to_string() == "10.0.0.0/16"));
}

#[test]
fn several_files_merge_and_refer_across() {
    let a = format!(r#"{{"Vpcs": [{VPC}]}}"#);
    let b = r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}],
               "NetworkInterfaces": [{"NetworkInterfaceId": "eni-rds", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.9",
                                      "InterfaceType": "interface", "Description": "RDSNetworkInterface"}]}"#;
    let (m, w) = import(&[("vpcs.json", &a), ("subnets.json", b)]).unwrap();
    assert!(w.is_empty());
    assert_eq!(m.subnets().len(), 1);
    assert_eq!(
        m.interface("eni-rds").unwrap().description.as_deref(),
        Some("RDSNetworkInterface")
    );
    assert!(m
        .interface_by_address("10.0.1.9".parse().unwrap())
        .is_some());
}

#[test]
fn an_interface_listed_twice_is_read_once() {
    let text = format!(
        r#"{{"Vpcs": [{VPC}],
      "Subnets": [{{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}}],
      "Reservations": [{{"Instances": [{{"InstanceId": "i-1", "NetworkInterfaces": [{{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1"}}]}}]}}],
      "NetworkInterfaces": [{{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "Attachment": {{"InstanceId": "i-1"}}}}],
      "Vpcs2": []}}"#
    );
    let (m, w) = import(&[("w.json", &text)]).unwrap();
    assert_eq!(m.interfaces().len(), 1);
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn invalid_cidr_names_path_and_position() {
    let err = error(
        "{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\", \"CidrBlock\": \"10.0.0.0/33\"}\n  ]\n}",
    );
    assert_eq!(err.path.to_string(), "Vpcs[0].CidrBlock");
    assert_eq!((err.position.line, err.position.column), (3, 37));
    assert_eq!(
        err.to_string(),
        "world.json:3:37: Vpcs[0].CidrBlock: invalid IPv4 cidr block `10.0.0.0/33`"
    );
    let err = error(r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "2001:db8::/32"}]}"#);
    assert!(matches!(
        err.kind,
        ImportErrorKind::InvalidCidr { family: "IPv4", .. }
    ));
}

#[test]
fn wrong_types_are_errors() {
    let err = error(r#"{"Subnets": {"SubnetId": "x"}}"#);
    assert_eq!(err.path.to_string(), "Subnets");
    assert_eq!(
        err.kind,
        ImportErrorKind::WrongType {
            expected: "an array",
            found: "an object"
        }
    );
    let err = error(r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": 7}]}"#);
    assert_eq!(
        err.to_string(),
        "world.json:1:53: NetworkAcls[0].VpcId: expected a string, found a number"
    );
    let err = error("[]");
    assert_eq!(err.path.to_string(), "$");
}

#[test]
fn subnet_naming_a_missing_vpc_is_an_error() {
    let err = error(
        r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-gone", "CidrBlock": "10.0.1.0/24"}]}"#,
    );
    assert_eq!(
        err.kind,
        ImportErrorKind::UnknownReference {
            what: "vpc",
            id: "vpc-gone".into()
        }
    );
    assert_eq!(err.path.to_string(), "Subnets[0].VpcId");
    assert_eq!(
        err.to_string(),
        "world.json:1:48: Subnets[0].VpcId: unknown vpc `vpc-gone`"
    );
}

#[test]
fn acl_entries_are_checked() {
    let acl = |entry: &str| {
        format!(
            r#"{{"Vpcs": [{VPC}], "NetworkAcls": [{{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [{entry}]}}]}}"#
        )
    };
    let err = error(&acl(
        r#"{"RuleNumber": 100, "Egress": false, "RuleAction": "permit", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}"#,
    ));
    assert_eq!(err.path.to_string(), "NetworkAcls[0].Entries[0].RuleAction");
    let err = error(&acl(
        r#"{"RuleNumber": 40000, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}"#,
    ));
    assert_eq!(err.path.to_string(), "NetworkAcls[0].Entries[0].RuleNumber");
    let err = error(&acl(
        r#"{"RuleNumber": 1, "Egress": false, "RuleAction": "allow", "Protocol": "gre", "CidrBlock": "0.0.0.0/0"}"#,
    ));
    assert!(err.to_string().contains("invalid value `gre`"), "{err}");
    let err = error(&acl(
        r#"{"RuleNumber": 1, "Egress": false, "RuleAction": "allow", "Protocol": "6", "Ipv6CidrBlock": "::/0", "PortRange": {"From": 90, "To": 80}}"#,
    ));
    assert_eq!(
        err.path.to_string(),
        "NetworkAcls[0].Entries[0].PortRange.From"
    );
}

#[test]
fn loose_ends_are_warnings() {
    let text = format!(
        r#"{{"Vpcs": [{VPC}, {VPC}],
      "Subnets": [{{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/29"}}],
      "RouteTables": [{{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{{"SubnetId": "subnet-gone"}}],
          "Routes": [{{"DestinationPrefixListId": "pl-gone", "GatewayId": "igw-1"}}]}}],
      "SecurityGroups": [{{"GroupId": "sg-1", "IpPermissions": [{{"IpProtocol": "-1", "UserIdGroupPairs": [{{"GroupId": "sg-other-account"}}]}}]}}]
    }}"#
    );
    let (_, warnings) = import(&[("w.json", &text)]).unwrap();
    let codes: Vec<_> = warnings.iter().map(|w| w.code).collect();
    assert_eq!(
        codes,
        [
            "DUPLICATE_ID",
            "SUBNET_SIZE",
            "UNKNOWN_PREFIX_LIST",
            "UNKNOWN_SUBNET",
            "UNKNOWN_SECURITY_GROUP"
        ]
    );
    let sg = warnings
        .iter()
        .find(|w| w.code == "UNKNOWN_SECURITY_GROUP")
        .unwrap();
    assert_eq!(
        sg.path,
        "SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0].GroupId"
    );
    assert_eq!(sg.line, 5);
    assert!(sg.to_string().starts_with("w.json:5:"), "{sg}");
}

#[test]
fn terminated_instances_are_skipped_and_bare_instances_get_an_interface() {
    let text = format!(
        r#"{{"Vpcs": [{VPC}],
      "Subnets": [{{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}}],
      "Reservations": [{{"Instances": [
        {{"InstanceId": "i-dead", "State": {{"Name": "terminated"}}, "NetworkInterfaces": []}},
        {{"InstanceId": "i-bare", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.4", "PublicIpAddress": "198.51.100.4"}}
      ]}}]}}"#
    );
    let (m, _) = import(&[("w.json", &text)]).unwrap();
    assert!(m.instance("i-dead").is_none());
    let eni = m.interface("i-bare/eth0").unwrap();
    assert_eq!(
        eni.primary_public_ipv4(),
        Some("198.51.100.4".parse().unwrap())
    );
}

#[test]
fn routes_expanded_from_prefix_lists_are_limited() {
    // 1,001 entries named by 1,000 routes: a small file that would expand to 1,001,000 routes.
    let entries: Vec<String> = (0..1001)
        .map(|i| format!(r#"{{"Cidr": "10.{}.{}.0/24"}}"#, i / 256, i % 256))
        .collect();
    let routes: Vec<&str> =
        vec![r#"{"DestinationPrefixListId": "pl-1", "GatewayId": "igw-1"}"#; 1000];
    let text = format!(
        r#"{{"Vpcs": [{VPC}],
  "ManagedPrefixLists": [{{"PrefixListId": "pl-1", "AddressFamily": "IPv4", "Entries": [{}]}}],
  "RouteTables": [{{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [{}]}}]}}"#,
        entries.join(","),
        routes.join(",")
    );
    let err = error(&text);
    assert!(
        matches!(
            err.kind,
            ImportErrorKind::Limit {
                limit: 1_000_000,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.path.to_string(), "RouteTables[0].Routes[999]");
    assert!(
        err.to_string().contains("more than 1000000 routes"),
        "{err}"
    );
}

#[test]
fn prefix_lists_from_aws_output_keys_and_the_entries_wrapper() {
    // `describe-managed-prefix-lists` prints `PrefixLists` (no entries);
    // `get-managed-prefix-list-entries` prints `Entries`, wrapped with the list id;
    // `describe-prefix-lists` prints AWS-managed lists with `Cidrs`.
    let text = format!(
        r#"{{"Vpcs": [{VPC}],
      "PrefixLists": [
        {{"PrefixListId": "pl-0office", "AddressFamily": "IPv4", "State": "create-complete",
          "PrefixListArn": "arn:aws:ec2:us-east-1:111122223333:prefix-list/pl-0office",
          "PrefixListName": "office", "MaxEntries": 10, "Version": 1, "Tags": [], "OwnerId": "111122223333"}},
        {{"PrefixListId": "pl-63a5400a", "PrefixListName": "com.amazonaws.us-east-1.s3",
          "Cidrs": ["54.231.0.0/17", "52.216.0.0/15"]}},
        {{"PrefixListId": "pl-0empty", "PrefixListName": "empty"}}
      ],
      "PrefixListEntries": [{{"PrefixListId": "pl-0office", "Entries": [{{"Cidr": "192.0.2.0/24", "Description": "hq"}}]}}],
      "RouteTables": [{{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
        {{"DestinationPrefixListId": "pl-0empty", "GatewayId": "igw-1"}}]}}]}}"#
    );
    let (m, warnings) = import(&[("w.json", &text)]).unwrap();
    let office = m.prefix_list("pl-0office").unwrap();
    assert_eq!(office.name.as_deref(), Some("office"));
    assert_eq!(office.cidrs, ["192.0.2.0/24".parse().unwrap()]);
    assert_eq!(m.prefix_list("pl-63a5400a").unwrap().cidrs.len(), 2);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code, "PREFIX_LIST_WITHOUT_ENTRIES");
    assert!(
        warnings[0].message.contains("PrefixListEntries"),
        "{}",
        warnings[0]
    );
}
