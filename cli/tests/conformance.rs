//! The real binary over the suites: conformance suites from `shared/` and our own.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn polcheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn iam_conformance_suites_pass() {
    let dir = workspace().join("../shared/conformance/iam");
    let files = [
        "basics",
        "not-elements",
        "conditions",
        "set-operators",
        "variables",
        "layers",
        "principals",
    ];
    let paths: Vec<String> = files
        .iter()
        .map(|f| dir.join(format!("{f}.json")).display().to_string())
        .collect();
    let args: Vec<&str> = std::iter::once("test")
        .chain(paths.iter().map(String::as_str))
        .collect();
    let (code, out, err) = polcheck(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.trim_end().ends_with("75 passed, 0 failed"), "{out}");
}

#[test]
fn a_failing_test_is_reported_with_its_reason() {
    let dir = tempdir("fail");
    let suite = dir.join("s.json");
    std::fs::write(
        &suite,
        r#"{"policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]},
        "tests":[{"name":"wrong on purpose","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*"},"expect":"implicitDeny","blockedBy":["identity"]},
                 {"name":"right","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"ec2:RunInstances","resource":"*"},"expect":"implicitDeny","blockedBy":["identity"]}]}"#,
    )
    .unwrap();
    let (code, out, _) = polcheck(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("wrong on purpose: expected implicitDeny, got allowed"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("1 passed, 1 failed"), "{out}");
}

#[test]
fn an_unreadable_suite_names_file_path_and_position() {
    let dir = tempdir("bad");
    let suite = dir.join("bad.json");
    std::fs::write(&suite, "{\"tests\": [{\"name\": \"x\", \"request\": {\"action\": \"s3:GetObject\"},\n  \"expect\": \"allowed\", \"policies\": {\"identity\": [{\"Statement\": {\"Effect\": \"Alow\", \"Action\": \"*\"}}]}}]}").unwrap();
    let (code, out, err) = polcheck(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.json:2:"), "{err}");
    assert!(
        err.contains("tests[0].policies.identity[0].Statement.Effect: invalid effect `Alow`"),
        "{err}"
    );
    assert!(out.contains("0 passed, 1 failed"), "{out}");
}

#[test]
fn eval_json_has_the_aws_shape_and_exit_codes() {
    let (code, out, _) = polcheck(&[
        "eval",
        "--policy",
        "corpus/policies/developer.json",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/a.zip",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(r["EvalActionName"], "s3:GetObject");
    assert_eq!(
        r["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    assert_eq!(r["MatchedStatements"][0]["StartPosition"]["Line"], 5);
    let (code, out, _) = polcheck(&[
        "eval",
        "--policy",
        "corpus/policies/developer.json",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/releases/1.zip",
        "--context",
        "aws:MultiFactorAuthPresent=false",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("EXPLICIT DENY") && out.contains("NoReleasesWithoutMfa"),
        "{out}"
    );
    let (code, _, err) = polcheck(&["eval", "--policy", "nope.json", "--action", "s3:GetObject"]);
    assert_eq!(code, 2);
    assert!(err.contains("nope.json: cannot read"), "{err}");
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("polcheck-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
