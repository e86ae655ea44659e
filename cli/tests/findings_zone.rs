//! `polcheck findings` and `polcheck check --no-public-access` on the callers and condition
//! values whose place inside or outside the trust zone is not read off an account id:
//! federated principals, organization ids, ARNs without an account; and `polcheck diff
//! --worlds` naming the policy each new access comes from. Run as the real binary; every
//! printed witness is decided again by `polcheck eval` against the policy alone.
//!
//! Sources: IAM User Guide, *IAM Access Analyzer findings* (the zone of trust) and *How IAM
//! Access Analyzer findings work*; the AWS CLI Command Reference, `aws accessanalyzer
//! get-finding` example (a role trusting `"Federated": "cognito-identity.amazonaws.com"` with
//! `cognito-identity.amazonaws.com:aud` set is an external-access finding with
//! `"isPublic": false`); AWS STS API Reference, `AssumeRoleWithWebIdentity` `RoleArn` (trust
//! policies of Cognito identity pools "must contain the `cognito-identity.amazonaws.com:aud`
//! condition key to restrict role assumption to users from your intended identity pools");
//! IAM User Guide, *AWS global condition context keys* (`aws:SourceArn`, `aws:SourceAccount`,
//! `aws:PrincipalOrgID`) and *The confused deputy problem*.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

/// A scratch directory of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("polcheck-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch dir");
        Scratch(d)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write");
        p.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn polcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// `polcheck eval` of a witness against a resource (or trust) policy alone, the caller's own
/// identity policies allowing everything: its exit code (0 allowed).
fn eval_resource(dir: &Scratch, policy: &Value, w: &Value) -> i32 {
    let pol = dir.write("policy-under-test.json", &policy.to_string());
    let all = dir.write("allow-all.json", ALLOW_ALL);
    let mut args: Vec<String> = vec![
        "eval".into(),
        "--resource-policy".into(),
        pol,
        "--policy".into(),
        all,
    ];
    match w.get("principal").and_then(Value::as_str) {
        Some(p) => {
            args.push("--principal".into());
            args.push(p.into());
        }
        None => args.push("--anonymous".into()),
    }
    for (flag, key) in [
        ("--action", "action"),
        ("--resource", "resource"),
        ("--resource-account", "resourceAccount"),
    ] {
        if let Some(v) = w.get(key).and_then(Value::as_str) {
            args.push(flag.into());
            args.push(v.into());
        }
    }
    if let Some(ctx) = w.get("context").and_then(Value::as_object) {
        for (k, v) in ctx {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            args.push("--context".into());
            args.push(format!("{k}={v}"));
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    code(&polcheck(&refs))
}

fn trust(statement: &str) -> Value {
    serde_json::from_str(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#
    ))
    .expect("policy")
}

fn role(name: &str, policy: &Value) -> Value {
    serde_json::json!({
        "RoleName": name,
        "RoleId": format!("AROA{}", name.to_uppercase()),
        "Arn": format!("arn:aws:iam::111122223333:role/{name}"),
        "AssumeRolePolicyDocument": policy,
        "RolePolicyList": [],
        "AttachedManagedPolicies": []
    })
}

/// Every finding's every witness is allowed by the policy it names, and its caller is not a
/// principal of `zone`.
fn assert_witnesses(dir: &Scratch, v: &Value, policies: &[(&str, &Value)], zone: &[&str]) {
    for f in v["findings"].as_array().expect("findings") {
        let resource = f["resource"].as_str().expect("resource");
        let (_, policy) = policies
            .iter()
            .find(|(r, _)| *r == resource)
            .unwrap_or_else(|| panic!("no policy for {resource}"));
        let access = f["access"].as_array().expect("access");
        assert!(!access.is_empty(), "{f}");
        for r in access {
            let w = &r["witness"];
            assert_eq!(
                eval_resource(dir, policy, w),
                0,
                "{resource}: {w} is allowed"
            );
            if let Some(p) = w["principal"].as_str() {
                assert!(
                    !zone.iter().any(|a| p.contains(&format!("::{a}:"))),
                    "{p} is inside the zone"
                );
            }
        }
    }
}

fn resources(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["resource"].as_str().map(str::to_string))
        .collect()
}

/// Gap: `Federated` principals were never counted as outsiders. An Amazon Cognito identity
/// pool lets in users of every pool unless `cognito-identity.amazonaws.com:aud` names one
/// (public), and even then Access Analyzer reports the access as external, not public; an
/// IAM SAML or OIDC provider of another account is outside the account; one of the zone's own
/// account is inside it.
#[test]
fn federated_principals_are_outsiders_unless_the_zone_owns_the_provider() {
    let dir = Scratch::new("findings-federated");
    let cognito_open = trust(
        r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#,
    );
    let cognito_pool = trust(
        r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:12345678-1234-1234-1234-123456789012"}}}"#,
    );
    let own_oidc = trust(
        r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:example/app:ref:refs/heads/main"}}}"#,
    );
    let other_saml = trust(
        r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::999988887777:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}"#,
    );
    let world = serde_json::json!({
        "AccountId": "111122223333",
        "RoleDetailList": [
            role("CognitoOpen", &cognito_open),
            role("CognitoPool", &cognito_pool),
            role("OwnOidc", &own_oidc),
            role("OtherSaml", &other_saml),
        ]
    });
    let w = dir.write("world.json", &world.to_string());
    let o = polcheck(&["findings", "--world", &w, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let arn = |n: &str| format!("arn:aws:iam::111122223333:role/{n}");
    let found = resources(&v);
    for (name, expected) in [
        ("CognitoOpen", true),
        ("CognitoPool", true),
        ("OwnOidc", false),
        ("OtherSaml", true),
    ] {
        assert_eq!(found.contains(&arn(name)), expected, "{name}: {v}");
    }
    let (a, b, c, d) = (
        arn("CognitoOpen"),
        arn("CognitoPool"),
        arn("OwnOidc"),
        arn("OtherSaml"),
    );
    let policies = [
        (a.as_str(), &cognito_open),
        (b.as_str(), &cognito_pool),
        (c.as_str(), &own_oidc),
        (d.as_str(), &other_saml),
    ];
    assert_witnesses(&dir, &v, &policies, &["111122223333"]);
    // The witnesses are the providers' users.
    let callers: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["access"].as_array().unwrap().clone())
        .filter_map(|r| r["witness"]["principal"].as_str().map(str::to_string))
        .collect();
    assert!(callers.contains(&"federated:cognito-identity.amazonaws.com".to_string()));
    assert!(callers.contains(&"arn:aws:iam::999988887777:saml-provider/Okta".to_string()));

    // `check --no-public-access`: the open pool is public, the restricted one is not.
    let open = dir.write("cognito-open.json", &cognito_open.to_string());
    let o = polcheck(&[
        "check",
        &open,
        "--no-public-access",
        "--kind",
        "trust",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    let access = v["publicAccess"].as_array().expect("publicAccess");
    assert!(access.iter().any(|r| r["witness"]["principal"]
        == "federated:cognito-identity.amazonaws.com"
        && r["witness"]["action"] == "sts:AssumeRoleWithWebIdentity"));
    for r in access {
        assert_eq!(eval_resource(&dir, &cognito_open, &r["witness"]), 0, "{r}");
    }
    let pool = dir.write("cognito-pool.json", &cognito_pool.to_string());
    let o = polcheck(&["check", &pool, "--no-public-access", "--kind", "trust"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
}

fn bucket_world(dir: &Scratch, organization: &str, policy: &Value) -> String {
    let world = format!(
        r#"{{"AccountId": "111122223333", "RoleDetailList": [], {organization}
             "ResourcePolicies": [{{"ResourceArn": "arn:aws:s3:::data", "AccountId": "111122223333", "Policy": {policy}}}]}}"#
    );
    dir.write("world.json", &world)
}

const ORG_ACCOUNTS: &str =
    r#""Accounts": {"111122223333": ["r-ab12"], "444455556666": ["r-ab12", "ou-ab12-11111111"]}"#;

/// Gap: with the organization as the zone, any organization id a condition named was read as
/// the zone's own. Now the id comes from the world's `Organization.Id` or `--org-id`; without
/// either, the policy is UNKNOWN; a different organization's id is a finding.
#[test]
fn the_organization_id_decides_org_conditions() {
    let dir = Scratch::new("findings-org");
    let policy = trust(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
            "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcd123456"}}}"#,
    );
    let zone = ["111122223333", "444455556666"];
    let policies = [("arn:aws:s3:::data", &policy)];
    // No id anywhere: neither inside nor outside.
    let w = bucket_world(
        &dir,
        &format!(r#""Organization": {{{ORG_ACCOUNTS}}},"#),
        &policy,
    );
    let o = polcheck(&[
        "findings",
        "--world",
        &w,
        "--trust-zone",
        "org",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert!(v["findings"].as_array().unwrap().is_empty());
    let unknown = v["unknown"][0]["unknown"].as_str().unwrap_or_default();
    assert!(
        unknown.contains("aws:PrincipalOrgID") && unknown.contains("--org-id"),
        "{unknown}"
    );
    // Given by the flag: the zone's own organization lets no one else in ...
    let o = polcheck(&[
        "findings",
        "--world",
        &w,
        "--trust-zone",
        "org",
        "--org-id",
        "o-abcd123456",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    // ... another organization does, and the witness carries its id.
    let o = polcheck(&[
        "findings",
        "--world",
        &w,
        "--trust-zone",
        "org",
        "--org-id",
        "o-zzzz999999",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_witnesses(&dir, &v, &policies, &zone);
    assert!(v["findings"][0]["access"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["witness"]["context"]["aws:PrincipalOrgID"] == "o-abcd123456"));
    // An id that is not one is bad input.
    let o = polcheck(&[
        "findings",
        "--world",
        &w,
        "--trust-zone",
        "org",
        "--org-id",
        "abc",
    ]);
    assert_eq!(code(&o), 2);
    // Given by the world (`Organization.Id`, as `describe-organization` prints it).
    let with = |id: &str| {
        bucket_world(
            &dir,
            &format!(r#""Organization": {{"Id": "{id}", {ORG_ACCOUNTS}}},"#),
            &policy,
        )
    };
    let w = with("o-abcd123456");
    let o = polcheck(&["findings", "--world", &w, "--trust-zone", "org"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    // The flag and the world disagreeing is bad input, not a choice.
    let o = polcheck(&[
        "findings",
        "--world",
        &w,
        "--trust-zone",
        "org",
        "--org-id",
        "o-zzzz999999",
    ]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    // With the account as the zone, the organization lets other accounts in whatever its id.
    let o = polcheck(&["findings", "--world", &w, "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_witnesses(&dir, &json(&o), &policies, &["111122223333"]);
    // Organization paths: a path under the zone's organization is inside, under another not.
    let paths = trust(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
            "Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abcd123456/r-ab12/*"}}}"#,
    );
    let w = bucket_world(
        &dir,
        &format!(r#""Organization": {{"Id": "o-abcd123456", {ORG_ACCOUNTS}}},"#),
        &paths,
    );
    let o = polcheck(&["findings", "--world", &w, "--trust-zone", "org"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    let w = bucket_world(
        &dir,
        &format!(r#""Organization": {{"Id": "o-zzzz999999", {ORG_ACCOUNTS}}},"#),
        &paths,
    );
    let o = polcheck(&[
        "findings",
        "--world",
        &w,
        "--trust-zone",
        "org",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    assert_witnesses(&dir, &json(&o), &[("arn:aws:s3:::data", &paths)], &zone);
}

/// Gap: an `aws:SourceArn` without an account field (an S3 bucket's) was read as inside the
/// zone. It is inside only when the world holds that bucket in a zone account.
#[test]
fn source_arns_without_an_account_are_inside_only_when_the_world_holds_them() {
    let dir = Scratch::new("findings-sourcearn");
    let queue = trust(
        r#"{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:events",
            "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::uploads"}}}"#,
    );
    let bucket = trust(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::uploads"}"#,
    );
    let world = |with_bucket: bool| {
        let mut list = vec![serde_json::json!({
            "ResourceArn": "arn:aws:sqs:us-east-1:111122223333:events",
            "AccountId": "111122223333",
            "Policy": queue,
        })];
        if with_bucket {
            list.push(serde_json::json!({
                "ResourceArn": "arn:aws:s3:::uploads",
                "AccountId": "111122223333",
                "Policy": bucket,
            }));
        }
        let w = serde_json::json!({"AccountId": "111122223333", "RoleDetailList": [], "ResourcePolicies": list});
        dir.write("world.json", &w.to_string())
    };
    // Whose bucket `uploads` is, the export does not say: the service may act for anyone's.
    let w = world(false);
    let o = polcheck(&["findings", "--world", &w, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    let q = "arn:aws:sqs:us-east-1:111122223333:events";
    assert_eq!(resources(&v), [q]);
    assert_witnesses(&dir, &v, &[(q, &queue)], &["111122223333"]);
    assert!(v["findings"][0]["access"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["witness"]["principal"] == "s3.amazonaws.com"
            && r["witness"]["context"]["aws:SourceArn"] == "arn:aws:s3:::uploads"));
    // The world holds the bucket in the account: the source is inside.
    let w = world(true);
    let o = polcheck(&["findings", "--world", &w]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
}

fn user_world(dir: &Scratch, name: &str, managed: &[(&str, &str)]) -> String {
    user_world_bounded(dir, name, managed, None)
}

/// Alice with these managed policies (name, action), and a boundary (name, action) when given.
fn user_world_bounded(
    dir: &Scratch,
    name: &str,
    managed: &[(&str, &str)],
    boundary: Option<(&str, &str)>,
) -> String {
    let mut policies: Vec<Value> = managed
        .iter()
        .map(|(n, action)| {
            serde_json::json!({
                "PolicyName": n,
                "Arn": format!("arn:aws:iam::111122223333:policy/{n}"),
                "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
                    {"Version": "2012-10-17", "Statement": [{"Sid": format!("{n}Sid"), "Effect": "Allow", "Action": action, "Resource": "*"}]}}]
            })
        })
        .collect();
    let attached: Vec<Value> = managed
        .iter()
        .map(|(n, _)| serde_json::json!({"PolicyName": n, "PolicyArn": format!("arn:aws:iam::111122223333:policy/{n}")}))
        .collect();
    let mut user = serde_json::json!({"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/alice",
        "GroupList": [], "UserPolicyList": [], "AttachedManagedPolicies": attached});
    if let Some((n, action)) = boundary {
        let arn = format!("arn:aws:iam::111122223333:policy/{n}");
        user["PermissionsBoundary"] =
            serde_json::json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn});
        policies.push(serde_json::json!({
            "PolicyName": n, "Arn": arn, "DefaultVersionId": "v1",
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}}]
        }));
    }
    let w = serde_json::json!({
        "AccountId": "111122223333",
        "UserDetailList": [user],
        "Policies": policies,
    });
    dir.write(name, &w.to_string())
}

/// Gap: `diff --worlds` named the statements of the merged document it analyses
/// (`NEW statement 1`); it now names the world and the policy each comes from.
#[test]
fn world_diff_names_the_policy_of_each_new_access() {
    let dir = Scratch::new("diff-worlds-names");
    let old = user_world(&dir, "old.json", &[("Reader", "s3:GetObject")]);
    let new = user_world(
        &dir,
        "new.json",
        &[("Reader", "s3:GetObject"), ("Writer", "s3:PutObject")],
    );
    let o = polcheck(&["diff", "--worlds", &old, &new, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let regions = v["principals"][0]["diff"]["newAccess"]
        .as_array()
        .expect("regions");
    assert!(!regions.is_empty());
    for r in regions {
        let statements: Vec<&str> = r["statements"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        // The policy's name as `eval` explanations print it (`user alice managed Writer v1`).
        assert_eq!(statements.len(), 1, "{r}");
        let s = statements[0];
        assert!(
            s.starts_with(&format!("NEW (world {new}) policy \""))
                && s.contains("Writer")
                && !s.contains("Reader")
                && s.ends_with("\" statement 0 (Sid \"WriterSid\", line 1)"),
            "{s}"
        );
        assert_eq!(
            r["witness"]["action"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("s3:putobject")
        );
    }
    let text = polcheck(&["diff", "--worlds", &old, &new]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("Sid \"WriterSid\""), "{out}");
    assert!(Path::new(&new).exists());
}

/// Gap: `diff --worlds` compared identity policies only, so a permissions boundary removed or
/// widened (the same identity policies now allowing more) was a silent PASS. It is UNKNOWN
/// now, naming the boundary; a boundary added only takes access away and stays PASS.
#[test]
fn world_diff_does_not_pass_a_boundary_it_does_not_analyse() {
    let dir = Scratch::new("diff-worlds-boundary");
    let admin = [("Admin", "*")];
    let bounded = user_world_bounded(&dir, "bounded.json", &admin, Some(("OnlyS3", "s3:*")));
    let wider = user_world_bounded(&dir, "wider.json", &admin, Some(("OnlyS3", "*")));
    let free = user_world(&dir, "free.json", &admin);
    for new in [&wider, &free] {
        let o = polcheck(&["diff", "--worlds", &bounded, new, "--format", "json"]);
        assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
        let v = json(&o);
        assert_eq!(v["result"], "UNKNOWN");
        let why = v["principals"][0]["diff"]["unknown"]
            .as_str()
            .unwrap_or_default();
        assert!(why.contains("permissions boundary"), "{why}");
        // The access the boundary held back is real: the evaluator allows it under NEW only.
        let ask = |world: &str| {
            code(&polcheck(&[
                "eval",
                "--world",
                world,
                "--principal",
                "arn:aws:iam::111122223333:user/alice",
                "--action",
                "ec2:RunInstances",
                "--resource",
                "*",
            ]))
        };
        assert_eq!((ask(&bounded), ask(new)), (1, 0));
    }
    // Adding a boundary gains nothing.
    let o = polcheck(&["diff", "--worlds", &free, &bounded]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
}

/// Alice (allowed everything) in an account of an organization whose root holds
/// `FullAWSAccess`, the account also holding these SCPs (name, denied action) and RCPs.
fn org_world(dir: &Scratch, name: &str, scps: &[(&str, &str)], rcps: &[(&str, &str)]) -> String {
    let text = std::fs::read_to_string(user_world(dir, name, &[("Admin", "*")])).expect("read");
    let mut w: Value = serde_json::from_str(&text).expect("json");
    let deny = |list: &[(&str, &str)]| -> Vec<Value> {
        list.iter()
            .map(|(n, action)| {
                serde_json::json!({"Name": n, "Targets": ["111122223333"], "Policy":
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}})
            })
            .collect()
    };
    let mut scp_list = vec![
        serde_json::json!({"Name": "FullAWSAccess", "Targets": ["r-root"], "Policy":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}),
    ];
    scp_list.extend(deny(scps));
    w["Organization"] = serde_json::json!({
        "Accounts": {"111122223333": ["r-root"]},
        "ServiceControlPolicies": scp_list,
        "ResourceControlPolicies": deny(rcps),
    });
    dir.write(name, &w.to_string())
}

/// Gap: `diff --worlds` and `findings --baseline` compared identity (or resource and trust)
/// policies only, so an SCP or RCP removed or loosened between the worlds, the same policies
/// now allowing more, was a silent PASS. Each such change is UNKNOWN now, naming the SCP or
/// RCP and its target; identical SCPs and RCPs change nothing. AWS Organizations User Guide,
/// *Service control policies (SCPs)*: an SCP's deny applies to the member account's users and
/// roles whatever their identity policies allow; *Resource control policies (RCPs)*.
#[test]
fn world_diff_and_baseline_do_not_pass_an_scp_or_rcp_change() {
    let dir = Scratch::new("diff-worlds-scp");
    let guarded = org_world(&dir, "guarded.json", &[("DenyEc2", "ec2:*")], &[]);
    let same = org_world(&dir, "same.json", &[("DenyEc2", "ec2:*")], &[]);
    let open = org_world(&dir, "open.json", &[], &[]);
    let o = polcheck(&["diff", "--worlds", &guarded, &open, "--format", "json"]);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_eq!(v["result"], "UNKNOWN");
    assert_eq!(
        v["principals"][0]["principal"],
        "SCP \"DenyEc2\" at 111122223333"
    );
    let why = v["principals"][0]["diff"]["unknown"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("DenyEc2") && why.contains("removed"), "{why}");
    // The access the SCP held back is real: the evaluator allows it under the new world only.
    let ask = |world: &str| {
        code(&polcheck(&[
            "eval",
            "--world",
            world,
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "ec2:RunInstances",
            "--resource",
            "*",
        ]))
    };
    assert_eq!((ask(&guarded), ask(&open)), (1, 0));
    let text = polcheck(&["diff", "--worlds", &guarded, &open]);
    assert_eq!(code(&text), 3);
    assert!(String::from_utf8_lossy(&text.stdout).contains("SCP \"DenyEc2\" at 111122223333"));
    // The same SCPs in both worlds: compared as before.
    let o = polcheck(&["diff", "--worlds", &guarded, &same]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));

    // findings --baseline: an RCP changed is UNKNOWN, named; the same RCPs pass.
    let rcp_old = org_world(&dir, "rcp-old.json", &[], &[("DenyS3", "s3:*")]);
    let rcp_new = org_world(&dir, "rcp-new.json", &[], &[("DenyS3", "s3:GetObject")]);
    let rcp_same = org_world(&dir, "rcp-same.json", &[], &[("DenyS3", "s3:*")]);
    let f = |base: &str, world: &str| {
        polcheck(&[
            "findings",
            "--world",
            world,
            "--baseline",
            base,
            "--format",
            "json",
        ])
    };
    let o = f(&rcp_old, &rcp_new);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_eq!(
        v["unknown"][0]["resource"],
        "RCP \"DenyS3\" at 111122223333"
    );
    let why = v["unknown"][0]["unknown"].as_str().unwrap_or_default();
    assert!(why.contains("changed"), "{why}");
    assert_eq!(code(&f(&rcp_old, &rcp_same)), 0);
    // And an SCP removed.
    let o = f(&guarded, &open);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        json(&o)["unknown"][0]["resource"],
        "SCP \"DenyEc2\" at 111122223333"
    );
}

/// An SCP or RCP change that can only take access away is not UNKNOWN: AWS Organizations
/// User Guide, *SCP evaluation* ("at every level ... an explicit Allow ... at least one SCP
/// attached", and an explicit Deny anywhere denies): an attached policy that only denies, a
/// document that keeps its Deny statements and allows nothing new, or an allowing policy
/// removed from a level that keeps another can only remove access. What may grant access
/// (an allowing policy attached, a Deny loosened, a level's last policy removed) stays
/// UNKNOWN, named.
#[test]
fn world_diff_passes_an_scp_change_that_only_restricts() {
    let dir = Scratch::new("diff-worlds-scp-restrict");
    let open = org_world(&dir, "open.json", &[], &[]);
    let guarded = org_world(&dir, "guarded.json", &[("DenyEc2", "ec2:*")], &[]);
    let diff = |a: &str, b: &str| polcheck(&["diff", "--worlds", a, b, "--format", "json"]);
    // A Deny-only SCP attached: PASS (the reverse, tested above, is UNKNOWN).
    let o = diff(&open, &guarded);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(json(&o)["result"], "PASS");

    let edit = |name: &str, f: &dyn Fn(&mut Value)| {
        let mut w: Value =
            serde_json::from_str(&std::fs::read_to_string(&guarded).expect("read")).expect("json");
        f(&mut w);
        dir.write(name, &w.to_string())
    };
    let scps = |w: &mut Value| -> Vec<Value> {
        w["Organization"]["ServiceControlPolicies"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    // The Deny document grows a second Deny: PASS.
    let more_deny = edit("more-deny.json", &|w| {
        let mut list = scps(w);
        list[1]["Policy"]["Statement"]
            .as_array_mut()
            .expect("statements")
            .push(serde_json::json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}));
        w["Organization"]["ServiceControlPolicies"] = Value::Array(list);
    });
    let o = diff(&guarded, &more_deny);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    // An allowing SCP attached to the account: UNKNOWN, named (a level's allow may grow).
    let allow_added = edit("allow-added.json", &|w| {
        let mut list = scps(w);
        list.push(serde_json::json!({"Name": "AllowAll", "Targets": ["111122223333"], "Policy":
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}));
        w["Organization"]["ServiceControlPolicies"] = Value::Array(list);
    });
    let o = diff(&guarded, &allow_added);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_eq!(
        v["principals"][0]["principal"],
        "SCP \"AllowAll\" at 111122223333"
    );
    assert!(v["principals"][0]["diff"]["unknown"]
        .as_str()
        .unwrap_or_default()
        .contains("added"));
    // ... and removed again while FullAWSAccess stays at the root level: PASS.
    let o = diff(&allow_added, &guarded);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    // The root level's only SCP removed: UNKNOWN.
    let no_root = edit("no-root.json", &|w| {
        let list: Vec<Value> = scps(w).into_iter().skip(1).collect();
        w["Organization"]["ServiceControlPolicies"] = Value::Array(list);
    });
    let o = diff(&guarded, &no_root);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        json(&o)["principals"][0]["principal"],
        "SCP \"FullAWSAccess\" at r-root"
    );
}

/// Gap: a role trusting the account's own GitHub Actions OIDC provider without
/// `token.actions.githubusercontent.com:sub` counted as inside the zone. GitHub issues that
/// provider's tokens to the workflows of every repository, so such a trust lets in anyone's
/// workflow; IAM recommends testing the `sub` key in the trust policy of any role that trusts
/// GitHub's provider, as it limits which GitHub actions can assume the role (IAM User Guide,
/// *Create a role for OpenID Connect federation*, "Configuring a role for GitHub OIDC identity
/// provider", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html).
/// `findings` reports it, and `check --no-public-access` calls it public; with `sub` pinned to
/// the owner's repository it stays inside; the witness is a request the evaluator allows.
#[test]
fn a_github_provider_trusted_without_a_subject_is_outside() {
    let dir = Scratch::new("findings-github-sub");
    let provider = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    let aud_only = trust(&format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}}}}"#
    ));
    let any_repo = trust(&format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{{"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:*"}}}}}}"#
    ));
    let pinned = trust(&format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}},
                          "StringLike":{{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}}}}"#
    ));
    let world = serde_json::json!({
        "AccountId": "111122223333",
        "RoleDetailList": [
            role("AudOnly", &aud_only),
            role("AnyRepo", &any_repo),
            role("Pinned", &pinned),
        ]
    });
    let w = dir.write("world.json", &world.to_string());
    let o = polcheck(&["findings", "--world", &w, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let found = resources(&v);
    let arn = |n: &str| format!("arn:aws:iam::111122223333:role/{n}");
    for (name, expected) in [("AudOnly", true), ("AnyRepo", true), ("Pinned", false)] {
        assert_eq!(found.contains(&arn(name)), expected, "{name}: {v}");
    }
    let (a, b) = (arn("AudOnly"), arn("AnyRepo"));
    assert_witnesses(
        &dir,
        &v,
        &[(a.as_str(), &aud_only), (b.as_str(), &any_repo)],
        &[],
    );

    for (policy, public) in [(&aud_only, true), (&any_repo, true), (&pinned, false)] {
        let p = dir.write("trust.json", &policy.to_string());
        let o = polcheck(&["check", "--no-public-access", &p, "--kind", "trust"]);
        assert_eq!(
            code(&o),
            if public { 1 } else { 0 },
            "{policy}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

/// Gap: `diff --worlds` reported the access a user's identity policies gained even where the
/// new world's permissions boundary or an SCP still denies it (IAM User Guide, *Permissions
/// boundaries for IAM entities*: the effective permissions are the intersection of the
/// identity-based policy and the boundary; AWS Organizations User Guide, *SCP evaluation*).
/// Each region's witness is now asked of the whole worlds as the principal: a witness the new
/// world denies is not new access, and a principal with no confirmed region is UNKNOWN
/// naming what decided, never a FAIL the evaluator would contradict.
#[test]
fn world_diff_rechecks_each_witness_against_the_whole_new_world() {
    let dir = Scratch::new("diff-worlds-recheck");
    let sqs = |name: &str, boundary: Option<(&str, &str)>| {
        user_world_bounded(&dir, name, &[("Sqs", "sqs:*")], boundary)
    };
    let grown = |name: &str, boundary: Option<(&str, &str)>| {
        user_world_bounded(&dir, name, &[("Sqs", "sqs:*"), ("S3", "s3:*")], boundary)
    };
    let diff = |a: &str, b: &str| polcheck(&["diff", "--worlds", a, b, "--format", "json"]);
    // The boundary allows only SQS: the S3 grant gains nothing.
    let old = sqs("old.json", Some(("OnlySqs", "sqs:*")));
    let new = grown("new.json", Some(("OnlySqs", "sqs:*")));
    let o = diff(&old, &new);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    let why = v["principals"][0]["diff"]["unknown"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("the new world's boundary"), "{v}");
    // The evaluator agrees: alice is denied s3 under the new world.
    let ask = |world: &str| {
        code(&polcheck(&[
            "eval",
            "--world",
            world,
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::b/k",
        ]))
    };
    assert_eq!(ask(&new), 1);
    // A boundary that allows S3 too: FAIL, with a witness the new world allows.
    let old = sqs("old-wide.json", Some(("Wide", "*")));
    let new = grown("new-wide.json", Some(("Wide", "*")));
    let o = diff(&old, &new);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let v = json(&o);
    assert_eq!(v["result"], "FAIL");
    assert!(
        v["principals"][0]["diff"]["newAccess"][0]["witness"]["action"]
            .as_str()
            .unwrap_or_default()
            .starts_with("s3:")
    );
    assert_eq!(ask(&new), 0);
    // An SCP of the new world that denies S3 (the same SCPs in both worlds): not a FAIL.
    let deny_s3 = |src: &str, name: &str| {
        let mut w: Value =
            serde_json::from_str(&std::fs::read_to_string(src).expect("read")).expect("json");
        w["Organization"] = serde_json::json!({"Accounts": {"111122223333": ["r-root"]},
            "ServiceControlPolicies": [
                {"Name": "FullAWSAccess", "Targets": ["r-root"], "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                {"Name": "DenyS3", "Targets": ["111122223333"], "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}}]});
        dir.write(name, &w.to_string())
    };
    let old = deny_s3(&sqs("o.json", None), "old-scp.json");
    let new = deny_s3(&grown("n.json", None), "new-scp.json");
    let o = diff(&old, &new);
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
    let why = json(&o)["principals"][0]["diff"]["unknown"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(why.contains("the new world's scp"), "{why}");
    assert_eq!(ask(&new), 1);
}
