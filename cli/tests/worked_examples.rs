//! The worked examples of README's "IAM and network in one question": `--ssm`, `--db-connect`
//! and `--efs-mount`, through the real binary on `corpus/worlds/three-tier`. Each asserts both
//! halves, and a case where each half alone denies.

mod common;
use common::{polcheck, workspace};

fn world() -> String {
    workspace()
        .join("corpus/worlds/three-tier")
        .to_string_lossy()
        .into_owned()
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";
const APP_ROLE: &str = "arn:aws:iam::111122223333:role/app";

fn eval(args: &[&str]) -> (i32, String, String) {
    let w = world();
    let mut all = vec!["eval", "--world", &w];
    all.extend_from_slice(args);
    polcheck(&all)
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let (_, out, err) = eval(&all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

/// Session Manager: `ssm:StartSession` on the instance
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-quickstart.html)
/// and the instance's outbound HTTPS to ssm and ssmmessages
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-prerequisites.html).
#[test]
fn ssm_needs_start_session_and_the_instances_https_out() {
    // app-1: alice's SessionToAppInstances, and 443 out through the NAT gateway.
    let (code, out, err) = eval(&["--principal", ALICE, "--ssm", "name:app-1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ALLOWED"), "{out}");
    assert!(out.contains("iam: ALLOWED ssm:StartSession on arn:aws:ec2:us-east-1:111122223333:instance/i-0app00000000000a1"), "{out}");
    assert!(
        out.contains("network ssmmessages (ssmmessages.us-east-1.amazonaws.com): ALLOWED"),
        "{out}"
    );
    assert!(out.contains("nat-gateway nat-0three0000000001"), "{out}");
    // The network half denies: batch's group lets nothing leave the VPC; IAM still allows.
    let v = json(&["--principal", ALICE, "--ssm", "name:batch"]);
    assert_eq!(v["outcome"], "denied");
    assert_eq!(v["iam"]["EvaluationResults"][0]["EvalDecision"], "allowed");
    assert_eq!(v["network"]["outcome"], "denied");
    let legs = v["network"]["legs"]
        .as_array()
        .expect("one leg per endpoint");
    assert_eq!(legs.len(), 2);
    for leg in legs {
        assert_eq!(leg["to"], "internet");
        assert_eq!(
            leg["verdict"]["blockers"][0]["kind"], "security-group",
            "{leg}"
        );
    }
    // The IAM half denies: bob may only describe; the network allows.
    let v = json(&["--principal", BOB, "--ssm", "i-0app00000000000a1"]);
    assert_eq!(v["outcome"], "denied");
    assert_eq!(
        v["iam"]["EvaluationResults"][0]["EvalDecision"],
        "implicitDeny"
    );
    assert_eq!(v["network"]["outcome"], "allowed");
}

/// An interface endpoint of the VPC with private DNS takes the service's name: the leg goes to
/// it, not the internet (https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html).
#[test]
fn ssm_goes_to_an_interface_endpoint_when_the_vpc_has_one() {
    let dir = std::env::temp_dir().join(format!("polcheck-ssm-vpce-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let extra = dir.join("vpce.json");
    std::fs::write(&extra, r#"{"VpcEndpoints": [{"VpcEndpointId": "vpce-0ssm0000000000001", "VpcEndpointType": "Interface",
        "VpcId": "vpc-0a1b2c3d4e5f60001", "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available",
        "SubnetIds": ["subnet-0app00000000000a1"], "Groups": [{"GroupId": "sg-0batch0000000001"}], "PrivateDnsEnabled": true,
        "DnsEntries": [{"DnsName": "vpce-0ssm0000000000001-abcd.ssm.us-east-1.vpce.amazonaws.com"}, {"DnsName": "ssm.us-east-1.amazonaws.com"}]}]}"#).unwrap();
    let w = world();
    let x = extra.to_string_lossy().into_owned();
    let (_, out, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--world",
        &x,
        "--principal",
        ALICE,
        "--ssm",
        "name:batch",
        "--format",
        "json",
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let legs = v["network"]["legs"].as_array().unwrap();
    assert_eq!(legs[0]["to"], "vpce:com.amazonaws.us-east-1.ssm");
    // batch reaches the endpoint inside the VPC (10.20.0.0/16), but the endpoint's group
    // (batch's own, which admits nothing) refuses it; ssmmessages still goes to the internet.
    assert_eq!(legs[0]["verdict"]["blockers"][0]["kind"], "security-group");
    assert_eq!(legs[1]["to"], "internet");
    std::fs::remove_dir_all(&dir).ok();
}

/// IAM database authentication: `rds-db:connect` on
/// `arn:aws:rds-db:REGION:ACCOUNT:dbuser:DbiResourceId/USER`
/// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html)
/// and TCP to the database's port from the client.
#[test]
fn db_connect_needs_rds_db_connect_for_the_user_and_the_port() {
    let (code, out, err) = eval(&[
        "--principal",
        ALICE,
        "--db-connect",
        "rds:orders",
        "--db-user",
        "app_user",
        "--from",
        "name:app-1",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("rds-db:connect on arn:aws:rds-db:us-east-1:111122223333:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0/app_user"), "{out}");
    assert!(
        out.contains("ALLOWED  name:app-1 -> rds:orders tcp port 5432"),
        "{out}"
    );
    // Another database user: IAM denies (the resource names app_user only).
    let (code, out, _) = eval(&[
        "--principal",
        ALICE,
        "--db-connect",
        "rds:orders",
        "--db-user",
        "admin",
        "--from",
        "name:app-1",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("iam rds-db:connect: implicit deny; network database: allowed"),
        "{out}"
    );
    // From batch: the network denies (the database's group admits the app group only).
    let (code, out, _) = eval(&[
        "--principal",
        ALICE,
        "--db-connect",
        "rds:orders",
        "--db-user",
        "app_user",
        "--from",
        "name:batch",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("iam rds-db:connect: allowed; network database: denied"),
        "{out}"
    );
    assert!(
        out.contains("blocked by security-group sg-0db0000000000001"),
        "{out}"
    );
    // Aurora: the cluster's resource id, not the instance's.
    let v = json(&[
        "--principal",
        APP_ROLE,
        "--db-connect",
        "rds:catalog",
        "--db-user",
        "app",
        "--from",
        "name:app-2",
    ]);
    assert_eq!(v["outcome"], "allowed", "{v}");
    assert_eq!(
        v["iam"]["EvaluationResults"][0]["EvalResourceName"],
        "arn:aws:rds-db:us-east-1:111122223333:dbuser:cluster-CATALOGCLUSTER0000000000/app"
    );
}

#[test]
fn db_connect_refuses_when_iam_authentication_is_disabled() {
    let dir = std::env::temp_dir().join(format!("polcheck-iamauth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = workspace().join("corpus/worlds/three-tier");
    for f in std::fs::read_dir(&src).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "json") {
            let mut text = std::fs::read_to_string(&f).unwrap();
            if f.ends_with("rds.json") {
                text = text.replacen(
                    "\"IAMDatabaseAuthenticationEnabled\": true",
                    "\"IAMDatabaseAuthenticationEnabled\": false",
                    1,
                );
            }
            std::fs::write(dir.join(f.file_name().unwrap()), text).unwrap();
        }
    }
    let w = dir.to_string_lossy().into_owned();
    let (code, out, _) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        ALICE,
        "--db-connect",
        "rds:orders",
        "--db-user",
        "app_user",
        "--from",
        "name:app-1",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("refused: database `orders` has IAMDatabaseAuthenticationEnabled false"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// EFS with IAM authorization: `elasticfilesystem:ClientMount` on the file system, allowed by
/// the identity policy or the file system policy
/// (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html), and NFS 2049
/// to the mount target in the client's zone.
#[test]
fn efs_mount_needs_client_mount_and_nfs_to_the_mount_target() {
    let v = json(&[
        "--principal",
        APP_ROLE,
        "--efs-mount",
        "fs-0shared000000001",
        "--from",
        "name:app-2",
    ]);
    assert_eq!(v["outcome"], "allowed", "{v}");
    assert_eq!(v["iam"]["EvaluationResults"][0]["EvalDecision"], "allowed");
    let hops = v["network"]["legs"][0]["verdict"]["hops"].to_string();
    assert!(
        hops.contains("eni-0efs00000000000b"),
        "the mount target of app-2's zone: {hops}"
    );
    // alice: neither her policies nor the file system policy grant ClientMount.
    let (code, out, _) = eval(&[
        "--principal",
        ALICE,
        "--efs-mount",
        "fs-0shared000000001",
        "--from",
        "name:app-1",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("iam elasticfilesystem:ClientMount: implicit deny; network nfs: allowed"),
        "{out}"
    );
    // The file system policy's condition: not through a mount target, no allow.
    let (code, out, _) = eval(&[
        "--principal",
        APP_ROLE,
        "--efs-mount",
        "fs-0shared000000001",
        "--from",
        "name:app-1",
        "--context",
        "elasticfilesystem:AccessedViaMountTarget=false",
    ]);
    assert_eq!(code, 1, "{out}");
    // batch: the mount target's group admits the app group only.
    let (code, out, _) = eval(&[
        "--principal",
        APP_ROLE,
        "--efs-mount",
        "fs-0shared000000001",
        "--from",
        "name:batch",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("allowed; network nfs: denied"), "{out}");
    assert!(
        out.contains("blocked by security-group sg-0efs000000000001"),
        "{out}"
    );
}

#[test]
fn efs_without_a_file_system_policy_in_the_world_is_unknown_not_denied() {
    // Without iam.json (so no file system policy): AWS's default policy would allow.
    let w = world();
    let files: Vec<String> = ["ec2.json", "efs.json"]
        .iter()
        .map(|f| format!("{w}/{f}"))
        .collect();
    let (code, out, _) = polcheck(&[
        "eval",
        "--world",
        &files[0],
        "--world",
        &files[1],
        "--principal",
        ALICE,
        "--efs-mount",
        "fs-0shared000000001",
        "--from",
        "name:app-1",
        "--allow-unknown-principal",
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("cannot decide: the world holds no file system policy"),
        "{out}"
    );
}

#[test]
fn worked_flags_say_what_they_need() {
    let (code, _, err) = eval(&["--ssm", "name:app-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--principal"), "{err}");
    let (code, _, err) = eval(&[
        "--principal",
        ALICE,
        "--db-connect",
        "rds:orders",
        "--from",
        "name:app-1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--db-user"), "{err}");
    let (code, _, err) = eval(&[
        "--principal",
        ALICE,
        "--db-connect",
        "rds:nope",
        "--db-user",
        "u",
        "--from",
        "name:app-1",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rds:orders"),
        "an unknown name lists the candidates: {err}"
    );
}
