//! No silent wrong answers (issue #15), through the real binary: the fourth answer
//! `unknown` (exit 3), questions checked before they are answered (exit 2 with a
//! did-you-mean), no principal as in `simulate-custom-policy`, complete who-can, AWS's JSON.

mod common;

use common::polcheck;
use std::path::PathBuf;

/// A file in a directory of this test's own.
fn file(test: &str, name: &str, text: &str) -> String {
    let d = std::env::temp_dir().join(format!("polcheck-answers-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p: PathBuf = d.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A world whose role `Deployer` has an identity policy but no trust policy in the export.
const NO_TRUST_WORLD: &str = r#"{
  "UserDetailList": [{"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice",
    "UserPolicyList": [{"PolicyName": "assume", "PolicyDocument": {"Version": "2012-10-17",
      "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}}]}],
  "RoleDetailList": [{"RoleName": "Deployer", "RoleId": "AROADEPLOYER", "Arn": "arn:aws:iam::111122223333:role/Deployer"}]
}"#;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const DEPLOYER: &str = "arn:aws:iam::111122223333:role/Deployer";

#[test]
fn a_trust_policy_the_world_lacks_is_unknown_with_exit_3() {
    let w = file("unknown", "w.json", NO_TRUST_WORLD);
    let args = [
        "eval",
        "--world",
        &w,
        "--principal",
        ALICE,
        "--action",
        "sts:AssumeRole",
        "--resource",
        DEPLOYER,
    ];
    let (code, out, err) = polcheck(&args);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("UNKNOWN"), "{out}");
    assert!(
        out.contains("the world has no trust policy for `arn:aws:iam::111122223333:role/Deployer`"),
        "{out}"
    );
    // AWS's JSON keeps AWS's three values; the unknown is in polcheck's own object.
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (code, out, _) = polcheck(&json_args);
    assert_eq!(code, 3, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "implicitDeny", "{r}");
    assert_eq!(r["polcheck"]["decision"], "unknown", "{r}");
    assert!(
        r["polcheck"]["unknown"][0]
            .as_str()
            .unwrap()
            .contains("trust policy"),
        "{r}"
    );
}

#[test]
fn an_explicit_deny_is_certain_even_when_something_is_missing() {
    let world = NO_TRUST_WORLD.replace(
        r#""Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#,
        r#""Statement": {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}"#,
    );
    let w = file("certain-deny", "w.json", &world);
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        ALICE,
        "--action",
        "sts:AssumeRole",
        "--resource",
        DEPLOYER,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("EXPLICIT DENY"), "{out}");
}

#[test]
fn suites_can_expect_unknown() {
    let suite = format!(
        r#"{{"world": {NO_TRUST_WORLD}, "tests": [
          {{"name": "unknown as expected", "request": {{"principal": "{ALICE}", "action": "sts:AssumeRole", "resource": "{DEPLOYER}"}}, "expect": "unknown"}},
          {{"name": "not a deny", "request": {{"principal": "{ALICE}", "action": "sts:AssumeRole", "resource": "{DEPLOYER}"}}, "expect": "implicitDeny"}}
        ]}}"#
    );
    let s = file("suite-unknown", "suite.json", &suite);
    let (code, out, err) = polcheck(&["test", &s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(
        out.contains("not a deny: expected implicitDeny, got unknown"),
        "{out}"
    );
}

#[test]
fn batch_lines_can_be_unknown_with_exit_3() {
    let w = file("batch-unknown", "w.json", NO_TRUST_WORLD);
    let line = format!(
        r#"{{"principal": "{ALICE}", "action": "sts:AssumeRole", "resource": "{DEPLOYER}"}}"#
    );
    let r = file("batch-unknown", "r.ndjson", &format!("{line}\n"));
    let (code, out, err) = polcheck(&["eval", "--world", &w, "--requests", &r]);
    assert_eq!(code, 3, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["polcheck"]["decision"], "unknown", "{v}");
}

const S3READ: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;

#[test]
fn a_malformed_request_is_the_same_error_from_flags_and_batch_lines() {
    let p = file("request-error", "p.json", S3READ);
    let (code, _, err) = polcheck(&["eval", "--policy", &p, "--action", "GetObject"]);
    assert_eq!(code, 2, "{err}");
    let message = "action `GetObject` is not `service:Action`";
    assert!(err.contains(&format!("--action: {message}")), "{err}");
    let lines = file(
        "request-error",
        "r.ndjson",
        "{\"principal\": \"arn:aws:iam::111122223333:user/a\", \"action\": \"s3:GetObject\"}\n{\"action\": \"GetObject\"}\n{\"action\": \"s3:GetObject\", \"resource\": \"demo-artifacts/releases/v1.zip\"}\n",
    );
    let (code, out, _) = polcheck(&["eval", "--policy", &p, "--requests", &lines]);
    assert_eq!(code, 2, "{out}");
    let v: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[1]["Line"], 2, "{out}");
    assert!(v[1]["Error"].as_str().unwrap().contains(message), "{out}");
    assert!(
        v[2]["Error"]
            .as_str()
            .unwrap()
            .contains("is neither `*` nor an ARN"),
        "{out}"
    );
}

#[test]
fn a_resource_that_is_not_an_arn_is_an_error() {
    let p = file("resource-error", "p.json", S3READ);
    for bad in [
        "arn:aws:s3::demo-artifacts/releases/v1.zip",
        "demo-artifacts/releases/v1.zip",
    ] {
        let (code, out, err) = polcheck(&[
            "eval",
            "--policy",
            &p,
            "--action",
            "s3:GetObject",
            "--resource",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}: {out}{err}");
        assert!(
            err.contains(&format!("--resource: resource `{bad}` is neither")),
            "{err}"
        );
    }
}

#[test]
fn typos_are_errors_with_a_did_you_mean_not_denies() {
    let (code, _, err) = polcheck(&[
        "eval",
        "--principal",
        "arn:aws:iam::111122223333:user/alicee",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/releases/v1.zip",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--principal: the world holds no principal `arn:aws:iam::111122223333:user/alicee` (did you mean `arn:aws:iam::111122223333:user/alice`?)"), "{err}");
    let (code, _, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "s3:GetObjekt",
        "--resource",
        "arn:aws:s3:::demo-artifacts/releases/v1.zip",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--action: unknown action `s3:GetObjekt` (did you mean `s3:GetObject`?)"),
        "{err}"
    );
    // On purpose: an external caller and an action newer than the catalogue.
    let (code, out, err) = polcheck(&[
        "eval",
        "--principal",
        "arn:aws:iam::444455556666:user/x",
        "--allow-unknown-principal",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/releases/v1.zip",
    ]);
    assert_ne!(code, 2, "{out}{err}");
    let p = file("typos", "p.json", S3READ);
    let (code, out, err) = polcheck(&[
        "eval",
        "--policy",
        &p,
        "--principal",
        ALICE,
        "--action",
        "s3:BrandNewThing",
        "--allow-unknown-action",
    ]);
    assert_eq!(code, 1, "{out}{err}");
}

#[test]
fn context_values_are_checked_against_the_key_type() {
    let p = file("context-type", "p.json", S3READ);
    let (code, out, err) = polcheck(&[
        "eval",
        "--policy",
        &p,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--context",
        "aws:SecureTransport=flase",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--context: context key `aws:SecureTransport`: `flase` is not a Bool value"),
        "{err}"
    );
}

#[test]
fn a_misspelt_action_fails_its_test_and_the_rest_still_run() {
    let suite = r#"{"world": {"UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}]},
      "tests": [
        {"name": "misspelt action too", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:ListBukket", "resource": "*"}, "expect": "implicitDeny"},
        {"name": "misspelt action", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObjekt", "resource": "*"}, "expect": "implicitDeny"},
        {"name": "fine", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"}
      ]}"#;
    let s = file("suite-typos", "suite.json", suite);
    let (code, out, err) = polcheck(&["test", &s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 2 failed"), "{out}");
    assert!(out.contains("did you mean `s3:ListBucket`?"), "{out}");
    assert!(out.contains("did you mean `s3:GetObject`?"), "{out}");
}
