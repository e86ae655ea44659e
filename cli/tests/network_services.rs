//! Services as flow ends, the combined IAM + network question and exposure of services, through
//! the real binary on `corpus/worlds/three-tier`.

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

fn ssh(principal: &str, from: &str) -> (i32, String, String) {
    let w = world();
    polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        principal,
        "--ssh",
        "name:bastion",
        "--from",
        from,
        "--context",
        "ec2:osuser=ec2-user",
    ])
}

#[test]
fn alice_may_ssh_to_the_bastion_from_the_office_only() {
    // Both halves allow: EC2 Instance Connect's SendSSHPublicKey on the bastion (her inline
    // policy), and TCP 22 from 203.0.113.0/24 (the bastion's group).
    let (code, out, err) = ssh(ALICE, "203.0.113.5");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ALLOWED"), "{out}");
    assert!(
        out.contains("instance/i-0bastion000000001") && out.contains("PushKeyToBastion"),
        "{out}"
    );
    // The network half blocks from elsewhere; the IAM half still allows, and says so.
    let (code, out, _) = ssh(ALICE, "8.8.8.8");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("ec2-instance-connect:SendSSHPublicKey: allowed; network: denied"),
        "{out}"
    );
    assert!(
        out.contains("blocked by security-group sg-0bastion00000001"),
        "{out}"
    );
}

#[test]
fn bob_is_refused_by_iam_even_where_the_network_allows() {
    let (code, out, _) = ssh(BOB, "203.0.113.5");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("implicit deny; network: allowed"), "{out}");
    // JSON: one document with both halves.
    let w = world();
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        BOB,
        "--ssh",
        "i-0bastion000000001",
        "--from",
        "203.0.113.5",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["outcome"], "denied");
    assert_eq!(v["network"]["outcome"], "allowed");
    assert_eq!(
        v["iam"]["EvaluationResults"][0]["EvalDecision"],
        "implicitDeny"
    );
}

#[test]
fn a_flow_with_a_principal_needs_an_action() {
    let w = world();
    let (code, _, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        ALICE,
        "--from",
        "203.0.113.5",
        "--to",
        "i-0bastion000000001",
        "--port",
        "22",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--action"), "{err}");
}

#[test]
fn an_unknown_service_lists_the_candidates() {
    let w = world();
    let (code, _, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--from",
        "internet",
        "--to",
        "rds:orderz",
        "--port",
        "5432",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("rds:orders"), "{err}");
}

#[test]
fn exposure_names_the_load_balancer_and_nothing_else() {
    let w = world();
    let (code, out, err) = polcheck(&["exposure", "--world", &w]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| !l.contains("interface-protocol pairs"))
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("lb:web (") && l.ends_with("tcp 80,443")),
        "{out}"
    );
}
