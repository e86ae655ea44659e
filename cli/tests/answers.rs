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
        // The suggestion is an ARN of the type `s3:GetObject` takes (an object).
        assert!(
            err.contains("(did you mean `arn:aws:s3:::demo-artifacts/releases/v1.zip`?)"),
            "{err}"
        );
    }
    // No suggestion where none is of a type the action takes (a bucket for GetObject), or
    // where the format needs a region and an account polcheck would have to guess.
    for (action, bad) in [
        ("s3:GetObject", "arn:aws:s3:demo-artifacts"),
        ("ec2:StartInstances", "i-0123"),
    ] {
        let (code, out, err) = polcheck(&[
            "eval",
            "--policy",
            &p,
            "--action",
            action,
            "--resource",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}: {out}{err}");
        assert!(
            err.contains("is neither") && !err.contains("did you mean"),
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

/// A misspelt caller fails its test with a did-you-mean, as a misspelt action does (a
/// suite with a world must not pass a typo as a deny); the rest of the suite still runs.
#[test]
fn a_misspelt_principal_in_a_suite_fails_its_test() {
    let suite = r#"{"world": {"UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}]},
      "tests": [
        {"name": "misspelt caller", "request": {"principal": "arn:aws:iam::111122223333:user/alicee", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"},
        {"name": "fine", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"}
      ]}"#;
    let s = file("suite-principal-typos", "suite.json", suite);
    let (code, out, err) = polcheck(&["test", &s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(
        out.contains("FAIL ") && out.contains(": misspelt caller: expected implicitDeny, got an error: the world holds no principal `arn:aws:iam::111122223333:user/alicee` (did you mean `arn:aws:iam::111122223333:user/alice`?)"),
        "{out}"
    );
    assert!(out.contains(r#""accept": ["unknownPrincipal"]"#), "{out}");

    let (_, out, _) = polcheck(&["test", "--format", "junit", &s]);
    assert!(out.contains("the world holds no principal"), "{out}");
}

/// A caller the world does not hold on purpose (another account's) is accepted by the test's
/// `"accept": ["unknownPrincipal"]` or by `--allow-unknown-principal` for the run, as
/// `eval --allow-unknown-principal` accepts it; an unknown `accept` value is a located error.
#[test]
fn a_suite_accepts_an_external_caller_on_purpose() {
    let world = r#"{"UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}]}"#;
    let test = r#"{"name": "external", "request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, "expect": "implicitDeny"}"#;
    let plain = file(
        "suite-external",
        "plain.json",
        &format!(r#"{{"world": {world}, "tests": [{test}]}}"#),
    );
    let (code, out, err) = polcheck(&["test", &plain]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("the world holds no principal `arn:aws:iam::444455556666:user/bob`"),
        "{out}"
    );
    let (code, out, err) = polcheck(&["test", "--allow-unknown-principal", &plain]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");

    let accepted = test.replacen(
        r#""request""#,
        r#""accept": ["unknownPrincipal"], "request""#,
        1,
    );
    let with_accept = file(
        "suite-external",
        "accepted.json",
        &format!(r#"{{"world": {world}, "tests": [{accepted}]}}"#),
    );
    let (code, out, err) = polcheck(&["test", &with_accept]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");

    let bad = test.replacen(
        r#""request""#,
        r#""accept": ["unknownPrincipals"], "request""#,
        1,
    );
    let bad = file(
        "suite-external",
        "bad.json",
        &format!(r#"{{"world": {world}, "tests": [{bad}]}}"#),
    );
    let (code, out, err) = polcheck(&["test", &bad]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("tests[0].accept[0]")
            && err.contains("unknown `accept` value `unknownPrincipals`"),
        "{err}"
    );
}

/// Every account has a root user, so the root of an account of the world's organization (its
/// management account too) is a caller the world holds though the IAM export is another
/// account's; an account outside the organization is not.
#[test]
fn an_organization_accounts_root_is_a_known_caller() {
    let suite = r#"{"world": {
        "UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}],
        "Organization": {"MasterAccountId": "999988887777", "Accounts": {"111122223333": ["r-root"], "222233334444": ["r-root"]}}},
      "tests": [
        {"name": "management root", "request": {"principal": "arn:aws:iam::999988887777:root", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"},
        {"name": "member root", "request": {"principal": "arn:aws:iam::222233334444:root", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"},
        {"name": "outsider root", "request": {"principal": "arn:aws:iam::777788889999:root", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"}
      ]}"#;
    let s = file("suite-org-roots", "suite.json", suite);
    let (code, out, err) = polcheck(&["test", &s]);
    assert_eq!(code, 1, "{out}{err}");
    for held in ["999988887777", "222233334444"] {
        assert!(
            !out.contains(&format!("holds no principal `arn:aws:iam::{held}:root`")),
            "{out}"
        );
    }
    assert!(
        out.contains(": outsider root: expected implicitDeny, got an error: the world holds no principal `arn:aws:iam::777788889999:root`"),
        "{out}"
    );
}

/// A wrongly typed context value in a suite is a warning, and `--strict` fails the test: the
/// shared suites give such values on purpose (`ec2:VolumeSize` = `big` in conditions.json, to
/// show a numeric operator does not match a non-number), so it cannot fail by default.
#[test]
fn a_wrongly_typed_value_in_a_suite_warns_and_strict_fails_it() {
    let suite = r#"{"world": {"UserDetailList": [{"UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice"}]},
      "tests": [
        {"name": "typed value", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*", "context": {"aws:SecureTransport": "flase"}}, "expect": "implicitDeny"},
        {"name": "fine", "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}, "expect": "implicitDeny"}
      ]}"#;
    let s = file("suite-typed-values", "suite.json", suite);
    let (code, out, err) = polcheck(&["test", &s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("warn ")
            && out.contains(
                ": typed value: context key `aws:SecureTransport`: `flase` is not a Bool value"
            ),
        "{out}"
    );
    assert!(
        out.contains("(1 tests ask what `eval` would refuse"),
        "{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.starts_with("warn ") && l.contains(": fine:")),
        "{out}"
    );

    let (code, out, err) = polcheck(&["test", "--strict", &s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(
        out.contains("FAIL ") && out.contains("(refused by --strict)"),
        "{out}"
    );

    let (_, out, _) = polcheck(&["test", "--format", "json", &s]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["warned"], 1, "{out}");
    assert_eq!(
        v["suites"][0]["tests"][1]["warnings"],
        serde_json::json!([])
    );
    let (_, out, _) = polcheck(&["test", "--format", "junit", &s]);
    assert!(
        out.contains("<system-err>warning: context key `aws:SecureTransport`"),
        "{out}"
    );
}

const S3_READ: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#;

/// AWS: `simulate-custom-policy` simulates the policies for a caller it need not name;
/// "CallerArn is required if you include a ResourcePolicy so that the policy's Principal
/// element has a value to use in evaluating the policy"
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html).
#[test]
fn no_principal_is_an_unnamed_caller_and_anonymous_is_asked_for() {
    let p = file("unnamed", "s3read.json", S3_READ);
    let base = [
        "eval",
        "--policy",
        &p,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ];
    let (code, out, err) = polcheck(&base);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ALLOWED") && out.contains("unnamed caller"),
        "{out}"
    );
    let mut anon = base.to_vec();
    anon.push("--anonymous");
    let (code, out, _) = polcheck(&anon);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("IMPLICIT DENY") && out.contains("no allow from: resource"),
        "{out}"
    );
    assert!(
        out.contains("identity policies do not apply to this caller"),
        "{out}"
    );
    // A resource policy without a caller: AWS needs the caller, so does polcheck.
    let mut rp = base.to_vec();
    rp.extend(["--resource-policy", &p]);
    let (code, out, err) = polcheck(&rp);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--resource-policy needs a caller") && err.contains("--anonymous"),
        "{err}"
    );
    // An unnamed caller carries no `aws:username`: a policy that reads it sees it missing.
    let by_name = file(
        "unnamed",
        "home.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::b/${aws:username}/*"}}"#,
    );
    let (code, out, _) = polcheck(&[
        "eval",
        "--policy",
        &by_name,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/alice/k",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["EvaluationResults"][0]["EvalDecision"], "implicitDeny",
        "{v}"
    );
}

/// IAM refuses a statement without `Resource` in an identity-based policy (IAM User Guide,
/// "IAM JSON policy elements: Resource": "you must include either a Resource or a
/// NotResource element" in identity-based policies,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
/// never read as `*`.
#[test]
fn a_statement_without_resource_is_an_error_not_a_star() {
    let p = file(
        "nores",
        "nores.json",
        "{\"Version\": \"2012-10-17\",\n \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\"}}",
    );
    let (code, out, err) = polcheck(&[
        "eval",
        "--policy",
        &p,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("ALLOWED"), "{out}");
    assert!(
        err.contains("nores.json:2:15: Statement[0]") && err.contains("no `Resource`"),
        "{err}"
    );
    // A trust policy has none, and needs none.
    let trust = file(
        "nores",
        "trust.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
          "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}}}"#,
    );
    let (code, out, err) = polcheck(&[
        "eval",
        "--resource-policy",
        &trust,
        "--principal",
        ALICE,
        "--action",
        "sts:AssumeRole",
        "--resource",
        DEPLOYER,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // The same in a suite's identity policy: the suite fails with the place.
    let suite = file(
        "nores",
        "suite.json",
        r#"{"policies": {"identity": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject"}}]},
  "tests": [{"name": "t", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
    "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, "expect": "allowed"}]}"#,
    );
    let (code, out, err) = polcheck(&["test", &suite]);
    assert_eq!(code, 1, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("policies.identity[0].Statement[0]") && all.contains("no `Resource`"),
        "{all}"
    );
}

/// AWS reads a missing key as absent (the request is decided without it); the answer says
/// what the key would change. `MissingContextValues` keeps AWS's shape.
#[test]
fn a_deny_that_depends_on_a_missing_key_says_what_would_allow() {
    let p = file(
        "ifkey",
        "mfa.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
          "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}"#,
    );
    let args = [
        "eval",
        "--policy",
        &p,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ];
    let (code, out, _) = polcheck(&args);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("IMPLICIT DENY  s3:GetObject on arn:aws:s3:::b/k  (allowed if aws:MultiFactorAuthPresent is true)"),
        "{out}"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (_, out, _) = polcheck(&json_args);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    assert_eq!(
        r["MissingContextValues"][0], "aws:MultiFactorAuthPresent",
        "{r}"
    );
    assert_eq!(r["polcheck"]["ifContext"][0]["value"], "true", "{r}");
    assert_eq!(r["polcheck"]["ifContext"][0]["outcome"], "allowed", "{r}");
    // With the key given, nothing is conditional.
    let mut given = args.to_vec();
    given.extend(["--context", "aws:MultiFactorAuthPresent=false"]);
    let (code, out, _) = polcheck(&given);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("allowed if"), "{out}");
}

/// A role trusted by a service and by another account; a user with an ARN polcheck does not
/// read as a caller (`arn:aws:iam::aws:user/...`); a bucket readable with MFA only.
const WHO_WORLD: &str = r#"{"UserDetailList": [
  {"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice",
   "UserPolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17",
     "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}]},
  {"UserName": "carol", "UserId": "AIDACAROL", "Arn": "arn:aws:iam::111122223333:user/carol",
   "UserPolicyList": [{"PolicyName": "mfa", "PolicyDocument": {"Version": "2012-10-17",
     "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}}]},
  {"UserName": "odd", "UserId": "AIDAODD", "Arn": "arn:aws:iam::aws:user/odd"}],
 "RoleDetailList": [{"RoleName": "Ec2Role", "RoleId": "AROAEC2", "Arn": "arn:aws:iam::111122223333:role/Ec2Role",
   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
     {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
     {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/ci"}, "Action": "sts:AssumeRole",
      "Condition": {"StringEquals": {"sts:ExternalId": "x-1"}}}]}}]}"#;

#[test]
fn who_can_lists_services_other_accounts_and_conditional_callers() {
    let w = file("who", "w.json", WHO_WORLD);
    let role = "arn:aws:iam::111122223333:role/Ec2Role";
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--action",
        "sts:AssumeRole",
        "--resource",
        role,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ec2.amazonaws.com  (allowed by trust policy of role Ec2Role)"),
        "{out}"
    );
    assert!(
        out.contains("arn:aws:sts::444455556666:assumed-role/ci/polcheck  (of another account: the resource's policy allows (allowed if sts:ExternalId is x-1)"),
        "{out}"
    );
    assert!(
        out.contains("1 allowed, 0 allowed only with a condition key, 1 of other accounts"),
        "{out}"
    );
    // The unusual ARN is skipped with a warning naming it, not an error for every query.
    // It names the file, line and JSON path of the user in the export, with a caret.
    assert!(
        err.contains("w.json:9:3: UserDetailList[2]: `arn:aws:iam::aws:user/odd` is not a caller")
            && err.contains("who can skips it"),
        "{err}"
    );
    assert!(err.contains(" --> ") && err.contains("  |   ^"), "{err}");
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["AllowedPrincipals"][0]["Principal"], ALICE, "{v}");
    let c = &v["ConditionalPrincipals"][0];
    assert_eq!(
        c["Principal"], "arn:aws:iam::111122223333:user/carol",
        "{v}"
    );
    assert_eq!(
        c["IfContext"][0]["key"], "aws:MultiFactorAuthPresent",
        "{v}"
    );
    assert!(
        v["Summary"][0]["Summary"]
            .as_str()
            .unwrap()
            .starts_with("1 allowed, 1 allowed only with a condition key"),
        "{v}"
    );
}

/// AWS's documented `simulate-custom-policy` example, field by field (AWS CLI Command
/// Reference, `aws iam simulate-custom-policy`, first example,
/// https://docs.aws.amazon.com/cli/latest/reference/iam/simulate-custom-policy.html; the
/// shape: https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html).
#[test]
fn json_matches_aws_documented_simulate_custom_policy_example() {
    let p = file(
        "awsjson",
        "p.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#,
    );
    let (code, out, err) = polcheck(&[
        "eval",
        "--policy",
        &p,
        "--action",
        "dynamodb:CreateBackup",
        "--context",
        "aws:CurrentTime=2019-04-25T11:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // polcheck's own object aside, the entry is AWS's output exactly.
    v["EvaluationResults"][0]
        .as_object_mut()
        .unwrap()
        .remove("polcheck");
    let aws = serde_json::json!({"EvaluationResults": [{
        "EvalActionName": "dynamodb:CreateBackup",
        "EvalResourceName": "*",
        "EvalDecision": "allowed",
        "MatchedStatements": [{
            "SourcePolicyId": "PolicyInputList.1",
            "StartPosition": {"Line": 1, "Column": 38},
            "EndPosition": {"Line": 1, "Column": 167}
        }],
        "MissingContextValues": []
    }]});
    assert_eq!(v, aws);
}

/// `SourcePolicyType` from AWS's list (user, group, role, aws-managed, user-managed,
/// resource, none: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html);
/// on an explicit deny only the Deny is listed ("the deny statement is the only entry
/// included in the result"); repeated `--resource` gives one entry per action with the most
/// restrictive decision and `ResourceSpecificResults`
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ResourceSpecificResult.html).
#[test]
fn json_names_policies_as_aws_and_lists_each_resource() {
    let w = file(
        "awsjson",
        "w.json",
        r#"{"UserDetailList": [{"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice",
  "GroupList": ["devs"],
  "UserPolicyList": [{"PolicyName": "ReadAll", "PolicyDocument": {"Version": "2012-10-17",
     "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}]}],
 "GroupDetailList": [{"GroupName": "devs", "GroupId": "AGPADEVS", "Arn": "arn:aws:iam::111122223333:group/devs",
  "GroupPolicyList": [{"PolicyName": "NoSecrets", "PolicyDocument": {"Version": "2012-10-17",
     "Statement": {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"}}}]}]}"#,
    );
    let (code, out, err) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/ok",
        "--resource",
        "arn:aws:s3:::b/secret/k",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["EvaluationResults"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{v}");
    let r = &results[0];
    assert_eq!(r["EvalDecision"], "explicitDeny", "{r}");
    let top = r["MatchedStatements"].as_array().unwrap();
    assert_eq!(top.len(), 1, "only the deny: {r}");
    assert_eq!(top[0]["SourcePolicyId"], "NoSecrets");
    assert_eq!(top[0]["SourcePolicyType"], "group");
    let per = r["ResourceSpecificResults"].as_array().unwrap();
    assert_eq!(per.len(), 2, "{r}");
    assert_eq!(per[0]["EvalResourceName"], "arn:aws:s3:::b/ok");
    assert_eq!(per[0]["EvalResourceDecision"], "allowed");
    assert_eq!(per[0]["MatchedStatements"][0]["SourcePolicyId"], "ReadAll");
    assert_eq!(per[0]["MatchedStatements"][0]["SourcePolicyType"], "user");
    assert_eq!(per[1]["EvalResourceDecision"], "explicitDeny");
    // Same account with a resource ARN: present and empty, as AWS documents.
    assert_eq!(per[0]["EvalDecisionDetails"], serde_json::json!({}));
    // Text: one answer per resource.
    let (_, text, _) = polcheck(&[
        "eval",
        "--world",
        &w,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/ok",
        "--resource",
        "arn:aws:s3:::b/secret/k",
    ]);
    assert!(
        text.contains("ALLOWED  s3:GetObject on arn:aws:s3:::b/ok"),
        "{text}"
    );
    assert!(
        text.contains("EXPLICIT DENY  s3:GetObject on arn:aws:s3:::b/secret/k"),
        "{text}"
    );
}

/// Errors like rustc's: the message, then `--> file:line:col`, the source line and a caret
/// under the token, from every command that reads the file (here eval and test).
#[test]
fn located_errors_show_the_line_and_a_caret() {
    let p = file(
        "caret",
        "typo.json",
        "{\"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resorce\": \"*\"}]}\n",
    );
    let (code, _, err) = polcheck(&["eval", "--policy", &p, "--action", "s3:GetObject"]);
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("error: ")
            && lines[0].contains("typo.json:3:51: Statement[0].Resorce"),
        "{err}"
    );
    assert_eq!(lines[1], format!(" --> {p}:3:51"), "{err}");
    assert_eq!(
        lines[3],
        "3 |     {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resorce\": \"*\"}]}",
        "{err}"
    );
    assert_eq!(
        lines[4],
        format!("  | {}^^^^^^^^^", " ".repeat(50)),
        "{err}"
    );
    let s = file(
        "caret",
        "suite.json",
        "{\"tests\": [{\"name\": \"x\", \"expect\": \"allowed\", \"reqest\": {}}]}",
    );
    let (code, _, err) = polcheck(&["test", &s]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(" --> {s}:1:47")) && err.contains("^^^^^^^^"),
        "{err}"
    );
}

/// A suite with a passing test, a test whose `blockedBy` lists a subset of the blockers on
/// purpose (`"blockedByMatch": "subset"`), and one whose subset is wrong.
const SUBSET_SUITE: &str = r#"{"policies": {
    "identity": [{"Version": "2012-10-17", "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
      {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"}]}],
    "boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
      {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"}]}},
  "tests": [
    {"name": "reads a report", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:GetObject", "resource": "arn:aws:s3:::b/report"}, "expect": "allowed"},
    {"name": "secret: identity among the deniers", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:GetObject", "resource": "arn:aws:s3:::b/secret/k"}, "expect": "explicitDeny",
      "blockedBy": ["identity"], "blockedByMatch": "subset"},
    {"name": "secret: scp among the deniers", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:GetObject", "resource": "arn:aws:s3:::b/secret/k"}, "expect": "explicitDeny",
      "blockedBy": ["scp"], "blockedByMatch": "subset"}]}"#;

/// `polcheck test` reports like `cargo test -v` / `opa test -v`: a line per test with the
/// deciding statement, a name filter, JSON and JUnit XML; `blockedBy` as a subset only when
/// the test says so (policy-tests.md: `blockedBy` lists the kinds that decided, all of them).
#[test]
fn test_command_verbose_filter_json_junit_and_subset_blocked_by() {
    let s = file("testcmd", "suite.json", SUBSET_SUITE);
    let (code, out, err) = polcheck(&["test", "-v", &s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(": reads a report (allowed; deciding: Allow `Read` in policies.identity[0]"),
        "{out}"
    );
    assert!(
        out.contains("ok   ")
            && out.contains(
                "secret: identity among the deniers (explicitDeny, blocked by boundary, identity"
            ),
        "{out}"
    );
    assert!(
        out.contains("FAIL") && out.contains("secret: scp among the deniers: expected explicitDeny blocked by at least [scp], got blocked by [boundary, identity]; deciding: Deny `NoSecrets`"),
        "{out}"
    );
    assert!(out.ends_with("2 passed, 1 failed\n"), "{out}");
    // Without the subset option the same `blockedBy` fails: the spec's exact set.
    let exact = SUBSET_SUITE.replace(r#", "blockedByMatch": "subset""#, "");
    let e = file("testcmd", "exact.json", &exact);
    let (code, out, _) = polcheck(&["test", &e]);
    assert_eq!(code, 1, "{out}");
    assert!(out.ends_with("1 passed, 2 failed\n"), "{out}");
    // The filter.
    let (code, out, _) = polcheck(&["test", "--filter", "report", &s]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("(2 tests filtered out)") && out.ends_with("1 passed, 0 failed\n"),
        "{out}"
    );
    // JSON.
    let (_, out, _) = polcheck(&["test", "--format", "json", &s]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(2), Some(1)),
        "{v}"
    );
    let t = &v["suites"][0]["tests"][2];
    assert_eq!(t["passed"], false);
    assert_eq!(t["got"], "explicitDeny");
    assert_eq!(t["blockedBy"], serde_json::json!(["boundary", "identity"]));
    // JUnit: a testsuite per file, a testcase per test, the failure with its message.
    let (_, out, _) = polcheck(&["test", "--format", "junit", &s]);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"polcheck\" tests=\"3\" failures=\"1\" errors=\"0\">"), "{out}");
    assert_eq!(out.matches("<testcase ").count(), 3, "{out}");
    assert_eq!(
        out.matches("<failure message=\"expected explicitDeny blocked by at least [scp]")
            .count(),
        1,
        "{out}"
    );
    // An unreadable suite is an error element, the rest still reported.
    let bad = file("testcmd", "bad.json", "{\"tests\": [");
    let (code, out, _) = polcheck(&["test", "--format", "junit", &bad, &s]);
    assert_eq!(code, 1);
    assert!(
        out.contains("errors=\"1\"")
            && out.contains("<error message=")
            && out.contains("tests=\"3\""),
        "{out}"
    );
}

/// `EvalDecisionDetails` "is populated for only cross-account simulations ... If the
/// simulation evaluates policies within the same account and includes a resource ARN, then
/// the parameter is present but the response is empty. If ... all resources (*), then the
/// parameter is not returned"
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html).
#[test]
fn eval_decision_details_as_aws_documents() {
    let p = file("details", "p.json", S3_READ);
    let bucket = file(
        "details",
        "bucket.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "444455556666"},
          "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#,
    );
    let ask = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--policy",
            &p,
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (_, out, _) = polcheck(&args);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["EvaluationResults"][0].clone()
    };
    let r = ask(&["--resource", "*"]);
    assert!(r.get("EvalDecisionDetails").is_none(), "{r}");
    let r = ask(&["--resource", "arn:aws:s3:::b/k"]);
    assert_eq!(r["EvalDecisionDetails"], serde_json::json!({}), "{r}");
    // Alice's account 111122223333, the bucket's 444455556666, whose policy names another account.
    let r = ask(&[
        "--resource",
        "arn:aws:s3:::b/k",
        "--resource-account",
        "444455556666",
        "--resource-policy",
        &bucket,
    ]);
    assert_eq!(r["EvalDecision"], "implicitDeny", "{r}");
    assert_eq!(
        r["EvalDecisionDetails"],
        serde_json::json!({"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}),
        "{r}"
    );
}

/// A public bucket policy (`"Principal": "*"`) lists everyone among who can, asked as an
/// anonymous caller (the demo world's `demo-public-site`).
#[test]
fn who_can_lists_everyone_for_a_public_bucket() {
    let (code, out, err) = polcheck(&[
        "eval",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::demo-public-site/index.html",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("* (everyone, anonymous callers included)  (allowed by bucket policy of demo-public-site)"),
        "{out}"
    );
}
