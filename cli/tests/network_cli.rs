//! The network half through the real binary: the network bullets of issue #15 (unknown
//! instead of deny, the internet as every public address, exposure agreeing with flows, a
//! world without network data).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/network")
        .join(name);
    p.display().to_string()
}

fn polcheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn flow(world: &str, from: &str, to: &str, port: &str) -> (i32, String, String) {
    polcheck(&[
        "eval", "--world", world, "--from", from, "--to", to, "--port", port,
    ])
}

#[test]
fn a_route_polcheck_does_not_follow_is_unknown_with_exit_3() {
    let w = fixture("internet-halves.json");
    let (code, out, err) = flow(&w, "i-0bastion", "192.0.2.7", "443");
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert!(
        out.contains("tgw-0unknown") && out.contains("does not follow"),
        "{out}"
    );
    assert!(!out.contains("DENIED"), "{out}");
}

#[test]
fn the_internet_is_every_public_address() {
    let w = fixture("internet-halves.json");
    let (code, out, err) = flow(&w, "internet", "i-0bastion", "22");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = flow(&w, "8.8.8.8", "i-0bastion", "22");
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = polcheck(&["exposure", "--world", &w]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("i-0bastion  54.0.0.10  subnet-pub  tcp 22\n"),
        "{out}"
    );
}

#[test]
fn exposure_and_flows_agree_on_a_narrow_reply_range() {
    let text = std::fs::read_to_string(fixture("internet-halves.json")).expect("fixture");
    let narrowed = text.replace(
        r#"{"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}"#,
        r#"{"RuleNumber": 100, "Egress": true, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1024, "To": 2000}}"#,
    );
    assert_ne!(text, narrowed);
    let dir = std::env::temp_dir().join(format!("polcheck-narrow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let w = dir.join("w.json");
    std::fs::write(&w, narrowed).expect("write");
    let w = w.display().to_string();
    let (code, out, _) = flow(&w, "internet", "i-0bastion", "22");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("blocked by nacl"), "{out}");
    let (code, out, _) = polcheck(&["exposure", "--world", &w]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("tcp 22"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exposure_without_network_data_is_a_warning_not_zero_exposed() {
    let iam = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/worlds/demo/iam.json");
    let (code, out, err) = polcheck(&["exposure", "--world", &iam.display().to_string()]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("warning: the world holds no network data"),
        "{err}"
    );
    assert!(!out.contains("0 "), "{out}");
}

#[test]
fn directories_are_read_recursively_by_region_and_account() {
    // An export tree as Batfish's AWS snapshots lay it out: account/region/*.json.
    let text = std::fs::read_to_string(fixture("internet-halves.json")).expect("fixture");
    let world: serde_json::Value = serde_json::from_str(&text).expect("json");
    let dir = std::env::temp_dir().join(format!("polcheck-tree-{}", std::process::id()));
    let region = dir.join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&region).expect("temp dir");
    if let Some(obj) = world.as_object() {
        for (key, value) in obj {
            let one = serde_json::json!({ key: value });
            std::fs::write(region.join(format!("{key}.json")), one.to_string()).expect("write");
        }
    }
    std::fs::write(dir.join("README.txt"), "not json").expect("write");
    let d = dir.display().to_string();
    let (code, out, err) = flow(&d, "internet", "i-0bastion", "22");
    assert_eq!(code, 0, "{out}{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_network_suites_of_the_corpus_pass() {
    for suite in [
        "network-demo.json",
        "network-nat-peering.json",
        "network-transit.json",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/suites")
            .join(suite);
        let (code, out, err) = polcheck(&["test", &path.display().to_string()]);
        assert_eq!(code, 0, "{suite}: {out}{err}");
        assert!(out.contains(" passed, 0 failed"), "{out}");
    }
}

#[test]
fn a_suite_can_expect_unknown() {
    let dir = std::env::temp_dir().join(format!("polcheck-unknown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let suite = serde_json::json!({
        "world": fixture("internet-halves.json"),
        "tests": [
            {"name": "through a transit gateway the world does not describe",
             "flow": {"from": "i-0bastion", "to": "192.0.2.7", "protocol": "tcp", "port": 443},
             "expect": "unknown"},
            {"name": "and it is not a deny",
             "flow": {"from": "i-0bastion", "to": "192.0.2.7", "protocol": "tcp", "port": 443},
             "expect": "denied"}
        ]
    });
    let path = dir.join("s.json");
    std::fs::write(&path, suite.to_string()).expect("write");
    let (code, out, err) = polcheck(&["test", &path.display().to_string()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(out.contains("expected denied, got unknown"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
