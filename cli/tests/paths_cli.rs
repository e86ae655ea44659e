//! `polcheck paths`, `polcheck escalation` and `eval --transitive` through the real binary,
//! on the bundled demo estate and the escalation worlds.

mod common;

use common::{polcheck, workspace};

#[test]
fn escalation_on_the_demo_finds_dave_and_exits_1() {
    let (code, out, err) = polcheck(&["escalation", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v["Escalations"].as_array().unwrap();
    let dave = list
        .iter()
        .find(|e| e["Principal"] == "arn:aws:iam::111122223333:user/dave")
        .expect("dave escalates");
    assert_eq!(
        dave["Methods"],
        serde_json::json!(["assume-role", "passrole-codebuild"])
    );
    assert!(list
        .iter()
        .all(|e| e["Principal"] != "arn:aws:iam::111122223333:user/alice"));
}

#[test]
fn escalation_exits_0_when_every_path_is_closed() {
    // A world without principals: nobody escalates.
    let world = workspace().join("corpus/worlds/demo/network.json");
    let (code, out, err) = polcheck(&["escalation", "--world", world.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 of 0 principals can escalate"), "{out}");
}

#[test]
fn paths_prints_each_hop_with_its_statements_and_conditions() {
    let (code, out, _) = polcheck(&["paths", "--from", "dave", "--to", "admin"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("--assume-role--> becomes arn:aws:iam::111122223333:role/OpsRole"),
        "{out}"
    );
    assert!(
        out.contains("allowed by `PassBuildRole` in role inline OpsRole/RunBuilds"),
        "{out}"
    );
    let (code, out, _) = polcheck(&[
        "paths",
        "--from",
        "arn:aws:iam::444455556666:role/ci-runner",
        "--to",
        "DeployRole",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[conditional]") && out.contains("when sts:ExternalId=demo-ci"),
        "{out}"
    );
    let (code, _, _) = polcheck(&["paths", "--from", "alice", "--to", "admin"]);
    assert_eq!(code, 1);
    let (code, _, err) = polcheck(&["paths", "--from", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("--from `nobody`"), "{err}");
}

#[test]
fn all_paths_and_json() {
    let world = workspace().join("corpus/worlds/escalation/attach-role-policy.json");
    let (code, out, _) = polcheck(&[
        "paths",
        "--world",
        world.to_str().unwrap(),
        "--from",
        "open-user",
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hop = &v["Paths"][0]["hops"][0];
    assert_eq!(hop["method"], "attach-role-policy");
    assert_eq!(hop["elevates"], true);
    assert_eq!(hop["then"][0]["method"], "assume-role");
}

#[test]
fn eval_transitive_lists_principals_through_paths() {
    let (code, out, _) = polcheck(&[
        "eval",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::demo-public-site/index.html",
        "--transitive",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("user/dave  --assume-role--> arn:aws:iam::111122223333:role/OpsRole --passrole-codebuild-->"), "{out}");
    assert!(out.contains("role/DeployRole  (directly)"), "{out}");
    // Without --transitive, dave is not among who can.
    let (_, plain, _) = polcheck(&[
        "eval",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::demo-public-site/index.html",
    ]);
    assert!(!plain.contains("user/dave"), "{plain}");
}
