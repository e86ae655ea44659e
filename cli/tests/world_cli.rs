//! The real binary against worlds: the bundled demo estate, who-can, flows, exposure and
//! `validate --world`.

mod common;

use common::{polcheck, workspace};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

#[test]
fn the_demo_world_is_built_in_and_names_policy_sources() {
    let (code, out, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/releases/v1.zip",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("EXPLICIT DENY"), "{out}");
    assert!(out.contains("bucket policy of demo-artifacts"), "{out}");
}

#[test]
fn who_can_lists_allowed_principals_with_their_grants() {
    let (code, out, _) = polcheck(&[
        "eval",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::demo-artifacts/build.zip",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(ALICE) && out.contains("group Developers via managed DevAccess v2"),
        "{out}"
    );
    assert!(!out.contains("role/AppRole"), "{out}");
}

#[test]
fn actions_a_principal_may_perform() {
    let (code, out, _) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--resource",
        "arn:aws:s3:::demo-artifacts/x",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = v["AllowedActions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"s3:GetObject"), "{actions:?}");
    assert!(!actions.contains(&"s3:DeleteBucket"), "{actions:?}");
}

#[test]
fn flows_report_every_blocker() {
    let (code, out, _) = polcheck(&[
        "eval",
        "--from",
        "internet",
        "--to",
        "i-0db001a2b3c4d5e6f",
        "--port",
        "5432",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = v["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    for k in ["public-ip", "nacl", "security-group", "route"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    let (code, out, _) = polcheck(&[
        "eval",
        "--from",
        "192.0.2.15",
        "--to",
        "i-0bastion1a2b3c4d5",
        "--port",
        "22",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("ALLOWED"), "{out}");
}

#[test]
fn exposure_of_the_demo_world() {
    let (code, out, _) = polcheck(&["exposure"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("i-0web01a2b3c4d5e6f") && out.contains("tcp 80,443"),
        "{out}"
    );
    assert!(!out.contains("i-0db001a2b3c4d5e6f"), "{out}");
}

#[test]
fn validate_checks_every_policy_of_a_world() {
    let demo = workspace().join("corpus/worlds/demo");
    let (code, out, err) = polcheck(&["validate", "--world", demo.to_str().unwrap()]);
    // The demo estate holds admin roles (the escalation paths of README) and a public
    // website bucket on purpose: those are true findings, warnings only, and nothing else is
    // reported (no grammar error, no catalogue finding). Warnings count: exit 1.
    assert_eq!(code, 1, "{out}{err}");
    let all = format!("{out}{err}");
    let mut found: Vec<&str> = all
        .lines()
        .filter_map(|l| l.split("warning[").nth(1)?.split(']').next())
        .collect();
    found.sort_unstable();
    found.dedup();
    assert_eq!(
        found,
        ["full-admin", "public-resource-policy"],
        "{out}{err}"
    );
    assert!(!all.contains("error["), "{all}");
    let bad = std::env::temp_dir().join(format!("polcheck-world-{}.json", std::process::id()));
    std::fs::write(&bad, r#"{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::111122223333:user/a",
  "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}}}]}]}"#).unwrap();
    let (code, out, _) = polcheck(&["validate", "--world", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(":2:") && out.contains("unknown-action") && out.contains("s3:GetObject"),
        "{out}"
    );
}

#[test]
fn a_broken_world_names_file_path_and_position() {
    let bad = std::env::temp_dir().join(format!("polcheck-broken-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        "{\"Vpcs\": [{\"VpcId\": \"vpc-1\", \"CidrBlock\": \"10.0.0.0/33\"}]}",
    )
    .unwrap();
    let (code, _, err) = polcheck(&["exposure", "--world", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("Vpcs[0].CidrBlock") && err.contains("1:"),
        "{err}"
    );
}

#[test]
fn batch_requests_stream_one_result_per_line_in_order() {
    let input = std::env::temp_dir().join(format!("polcheck-batch-{}.ndjson", std::process::id()));
    let mut text = String::new();
    for i in 0..300 {
        // An action that takes objects: the question is checked before it is answered.
        let action = if i % 3 == 0 {
            "s3:DeleteObject"
        } else {
            "s3:GetObject"
        };
        text.push_str(&format!("{{\"principal\":\"{ALICE}\",\"action\":\"{action}\",\"resource\":\"arn:aws:s3:::demo-artifacts/k{i}\"}}\n"));
    }
    text.push_str("{\"action\": 5}\n");
    std::fs::write(&input, text).unwrap();
    let (code, out, _) = polcheck(&["eval", "--requests", input.to_str().unwrap()]);
    assert_eq!(code, 2, "a bad line makes the exit code 2");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 301);
    for (i, v) in lines.iter().take(300).enumerate() {
        assert_eq!(v["Line"], i + 1);
        assert_eq!(
            v["EvalResourceName"],
            format!("arn:aws:s3:::demo-artifacts/k{i}")
        );
        let want = if i % 3 == 0 {
            "implicitDeny"
        } else {
            "allowed"
        };
        assert_eq!(v["EvalDecision"], want, "line {}", i + 1);
    }
    assert!(
        lines[300]["Error"].as_str().unwrap().contains("action"),
        "{}",
        lines[300]
    );
}

// ---- positions: statements of a world are placed in their file: `at FILE:LINE:COL`, and for
// a policy stored as a JSON string (as IAM's API returns policies), the string's place in the
// file and the statement's place inside its text (issue #15: "positions of world policies print
// as `at 168:15` with no file").

const RELEASE: &str = "arn:aws:s3:::demo-artifacts/releases/v1.zip";

#[test]
fn a_world_statement_names_its_file() {
    let (code, out, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        RELEASE,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("`ArtifactsReadWrite`"))
        .unwrap_or_default();
    assert!(
        line.ends_with(" at corpus/worlds/demo/iam.json:241:15"),
        "{out}"
    );
}

#[test]
fn a_policy_held_as_a_json_string_names_the_string_and_the_place_inside_it() {
    // The bucket policy of `demo-artifacts` is a JSON string in the export; its second
    // statement refuses uploads to releases/ by anyone but the deploy role.
    let (code, out, err) = polcheck(&[
        "eval",
        "--principal",
        ALICE,
        "--action",
        "s3:PutObject",
        "--resource",
        RELEASE,
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("`ReleasesOnlyFromDeploy`"))
        .unwrap_or_default();
    assert!(
        line.contains(" at corpus/worlds/demo/iam.json:368:")
            && line.contains("(the policy is a JSON string there; the statement is at 1:"),
        "{out}"
    );
}
