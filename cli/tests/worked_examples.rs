//! The worked examples of README's "IAM and network in one question": `--ssh`, `--ssm`,
//! `--db-connect` and `--efs-mount`, through the real binary on the bundled demo world
//! (`corpus/worlds/demo`, README's commands) and on `corpus/worlds/three-tier`. Each asserts
//! both halves, and a case where each half alone denies.

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
    // app-1: alice's SessionToAppInstances, and 443 out through the NAT gateway; but the
    // three-tier export gives app-1 no instance profile, so the SSM Agent's own permissions
    // cannot be checked: unknown, naming what is missing.
    let (code, out, err) = eval(&["--principal", ALICE, "--ssm", "name:app-1"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert!(out.contains("; agent: unknown;"), "{out}");
    assert!(
        out.contains("agent: UNKNOWN: instance `i-0app00000000000a1` has no IamInstanceProfile"),
        "{out}"
    );
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

// ---- The demo world (the bundled one, no --world): README's worked examples. ----

const ERIN: &str = "arn:aws:iam::111122223333:user/erin";
const APP_INSTANCE_ROLE: &str = "arn:aws:iam::111122223333:role/AppInstanceRole";

fn demo(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    polcheck(&all)
}

/// A copy of the demo world with `edit` applied to `ops.json`, in a scratch directory.
fn demo_edited(tag: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("polcheck-demo-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = workspace().join("corpus/worlds/demo");
    for f in ["iam.json", "network.json", "ops.json"] {
        let mut text = std::fs::read_to_string(src.join(f)).unwrap();
        if f == "ops.json" {
            text = edit(text);
        }
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

/// EC2 Instance Connect: `ec2-instance-connect:SendSSHPublicKey` on the instance, with the
/// `ec2:osuser` condition key
/// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-connect-configure-IAM-role.html),
/// and TCP 22 from the client (the bastion admits the `office` prefix list).
#[test]
fn demo_ssh_through_instance_connect() {
    let ssh = |from: &str, user: &str| {
        let ctx = format!("ec2:osuser={user}");
        demo(&[
            "--principal",
            ERIN,
            "--ssh",
            "name:bastion",
            "--from",
            from,
            "--context",
            &ctx,
        ])
    };
    let (code, out, err) = ssh("192.0.2.10", "ec2-user");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("iam: ALLOWED ec2-instance-connect:SendSSHPublicKey on arn:aws:ec2:us-east-1:111122223333:instance/i-0bastion1a2b3c4d5"), "{out}");
    assert!(
        out.contains("Allow statement `SshToBastion` in user inline erin/OpsAccess"),
        "{out}"
    );
    // Another OS user: IAM denies; the network still allows.
    let (code, out, _) = ssh("192.0.2.10", "root");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("implicit deny; network: allowed"), "{out}");
    // From outside the office: the network denies; IAM still allows.
    let (code, out, _) = ssh("203.0.113.5", "ec2-user");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("allowed; network: denied"), "{out}");
}

/// Session Manager on the demo's app instance: erin's `ssm:StartSession`, the instance role's
/// SSM Agent permissions and its HTTPS out through the NAT gateway. The prerequisites page
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-prerequisites.html)
/// asks for an instance profile with `AmazonSSMManagedInstanceCore`'s permissions
/// (`ssm:UpdateInstanceInformation`, `ssmmessages:CreateControlChannel`, `CreateDataChannel`,
/// `OpenControlChannel`, `OpenDataChannel`) and for outbound HTTPS to the endpoints.
#[test]
fn demo_ssm_checks_the_instance_role_and_its_endpoints() {
    let (code, out, err) = demo(&["--principal", ERIN, "--ssm", "name:app"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("(iam ssm:StartSession: allowed; agent: allowed; network ssm"),
        "{out}"
    );
    assert!(out.contains("agent arn:aws:sts::111122223333:assumed-role/AppInstanceRole/i-0app01a2b3c4d5e6f: ALLOWED ssm:UpdateInstanceInformation"), "{out}");
    for a in [
        "CreateControlChannel",
        "CreateDataChannel",
        "OpenControlChannel",
        "OpenDataChannel",
    ] {
        assert!(
            out.contains(&format!("ALLOWED ssmmessages:{a} on *")),
            "{a}: {out}"
        );
    }
    assert!(out.contains("nat-gateway nat-0d3m0a1b2c3d4e5f6"), "{out}");
    // alice has no StartSession: IAM denies.
    let (code, out, _) = demo(&[
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--ssm",
        "name:app",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("iam ssm:StartSession: implicit deny; agent: allowed"),
        "{out}"
    );
    // The instance role without the agent's channel permissions: denied by that half alone.
    let dir = demo_edited("agent", |t| {
        t.replace(
            "\"ssmmessages:OpenDataChannel\"",
            "\"ssmmessages:ListTagsForResource\"",
        )
        .replace("\"ssmmessages:OpenDataChannel\",", "")
    });
    let w = dir.to_string_lossy().into_owned();
    let v: serde_json::Value = {
        let (_, out, err) = polcheck(&[
            "eval",
            "--world",
            &w,
            "--principal",
            ERIN,
            "--ssm",
            "name:app",
            "--format",
            "json",
        ]);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    };
    assert_eq!(v["outcome"], "denied", "{v}");
    assert_eq!(v["iam"]["EvaluationResults"][0]["EvalDecision"], "allowed");
    assert_eq!(v["network"]["outcome"], "allowed");
    let agent = v["agent"]["EvaluationResults"].as_array().unwrap();
    let denied: Vec<&str> = agent
        .iter()
        .filter(|r| r["EvalDecision"] != "allowed")
        .map(|r| r["EvalActionName"].as_str().unwrap())
        .collect();
    assert_eq!(denied, ["ssmmessages:OpenDataChannel"], "{v}");
    std::fs::remove_dir_all(&dir).ok();
    // The instance profile held by no role of the world: unknown, naming it.
    let dir = demo_edited("profile", |t| {
        t.replace("instance-profile/app\"", "instance-profile/other\"")
    });
    let w = dir.to_string_lossy().into_owned();
    let (code, out, _) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        ERIN,
        "--ssm",
        "name:app",
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("agent: UNKNOWN: the world holds no role with instance profile `arn:aws:iam::111122223333:instance-profile/app`"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

/// IAM database authentication on the demo's `demo-orders`: erin may connect as `app_user`
/// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html).
#[test]
fn demo_db_connect() {
    let (code, out, err) = demo(&[
        "--principal",
        ERIN,
        "--db-connect",
        "rds:demo-orders",
        "--db-user",
        "app_user",
        "--from",
        "name:app",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("rds-db:connect on arn:aws:rds-db:us-east-1:111122223333:dbuser:db-DEMOORDERS0000000000000000/app_user"), "{out}");
    let (code, out, _) = demo(&[
        "--principal",
        ERIN,
        "--db-connect",
        "rds:demo-orders",
        "--db-user",
        "admin",
        "--from",
        "name:app",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("iam rds-db:connect: implicit deny; network database: allowed"),
        "{out}"
    );
    // From the web server: the database subnets' ACL admits 5432 from the app subnets only.
    let (code, out, _) = demo(&[
        "--principal",
        ERIN,
        "--db-connect",
        "rds:demo-orders",
        "--db-user",
        "app_user",
        "--from",
        "name:web",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("iam rds-db:connect: allowed; network database: denied"),
        "{out}"
    );
}

/// EFS with IAM authorization on the demo's file system: the app instance's role mounts it
/// through a mount target (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
#[test]
fn demo_efs_mount() {
    let (code, out, err) = demo(&[
        "--principal",
        APP_INSTANCE_ROLE,
        "--efs-mount",
        "fs-0demo1a2b3c4d5e6",
        "--from",
        "name:app",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "Allow statement `MountThroughMountTargets` in role inline AppInstanceRole/MountShared"
        ),
        "{out}"
    );
    // Not through a mount target: the statement's condition fails. The demo world holds no
    // file system policy, so a missing allow is unknown (AWS's default policy allows).
    let (code, out, _) = demo(&[
        "--principal",
        APP_INSTANCE_ROLE,
        "--efs-mount",
        "fs-0demo1a2b3c4d5e6",
        "--from",
        "name:app",
        "--context",
        "elasticfilesystem:AccessedViaMountTarget=false",
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("cannot decide: the world holds no file system policy"),
        "{out}"
    );
    // From the web server: the mount target's group admits the app group only.
    let (code, out, _) = demo(&[
        "--principal",
        APP_INSTANCE_ROLE,
        "--efs-mount",
        "fs-0demo1a2b3c4d5e6",
        "--from",
        "name:web",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("allowed; network nfs: denied"), "{out}");
}
