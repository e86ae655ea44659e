//! Importing real-shaped exports: document encodings, managed policy versions, boundaries,
//! groups, tags, merging, broken references, warnings and located errors.

#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::decide::{decide, Decision, Outcome, PolicyKind};
use polcheck_core::world::{governing_resource, World, WorldError, WorldWarning};
use polcheck_core::Request;
use polcheck_core::{Context, ContextValue};

const ACCOUNT: &str = "111122223333";

fn load(files: &[(&str, &str)]) -> Result<(World, Vec<WorldWarning>), WorldError> {
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    World::load(&owned)
}

fn world(text: &str) -> World {
    let (w, warnings) = load(&[("iam.json", text)]).unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    w
}

fn ask(w: &World, principal: &str, action: &str, resource: &str, ctx: Context) -> Decision {
    let mut req = Request::new(Some(principal), action, resource, ctx).unwrap();
    w.prepare(&mut req);
    decide(&w.layers_for(&req), &req)
}

fn user(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

fn session(role: &str) -> String {
    format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1")
}

fn policy_names(d: &Decision) -> Vec<&str> {
    d.matched.iter().map(|m| &*m.policy).collect()
}

/// A URL-encoded policy, as the raw IAM API returns it.
fn url_encoded(doc: &str) -> String {
    doc.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const ESTATE: &str = r#"{
  "AccountId": "111122223333",
  "UserDetailList": [
    {"UserName": "alice", "UserId": "AIDAALICE", "Arn": "arn:aws:iam::111122223333:user/dev/alice",
     "Path": "/dev/", "CreateDate": "2020-01-01T00:00:00Z", "GroupList": ["Developers"],
     "UserPolicyList": [{"PolicyName": "Queues", "PolicyDocument":
       "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}]}"}],
     "AttachedManagedPolicies": [{"PolicyName": "Tagged", "PolicyArn": "arn:aws:iam::111122223333:policy/Tagged"}],
     "Tags": [{"Key": "team", "Value": "blue"}]},
    {"UserName": "bob", "UserId": "AIDABOB", "Arn": "arn:aws:iam::111122223333:user/bob",
     "GroupList": ["Developers"], "AttachedManagedPolicies": [],
     "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
       "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/LogsOnly"},
     "Tags": [{"Key": "team", "Value": "red"}]}
  ],
  "GroupDetailList": [
    {"GroupName": "Developers", "GroupId": "AGPADEV", "Arn": "arn:aws:iam::111122223333:group/Developers",
     "GroupPolicyList": [{"PolicyName": "Describe", "PolicyDocument":
       {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}}],
     "AttachedManagedPolicies": [{"PolicyName": "Logs", "PolicyArn": "arn:aws:iam::111122223333:policy/Logs"}]}
  ],
  "RoleDetailList": [
    {"RoleName": "AppRole", "RoleId": "AROAAPP", "Arn": "arn:aws:iam::111122223333:role/app/AppRole",
     "AssumeRolePolicyDocument": "URLTRUST",
     "RolePolicyList": [{"PolicyName": "Tables", "PolicyDocument": "URLTABLES"}],
     "AttachedManagedPolicies": [{"PolicyName": "Tagged", "PolicyArn": "arn:aws:iam::111122223333:policy/Tagged"}],
     "Tags": [{"Key": "team", "Value": "green"}],
     "RoleLastUsed": {"LastUsedDate": "2024-01-01T00:00:00Z", "Region": "us-east-1"},
     "InstanceProfileList": []}
  ],
  "Policies": [
    {"PolicyName": "Logs", "Arn": "arn:aws:iam::111122223333:policy/Logs", "DefaultVersionId": "v3",
     "PolicyVersionList": [
       {"VersionId": "v3", "IsDefaultVersion": true, "Document": "URLLOGS"},
       {"VersionId": "v2", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
       {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]},
    {"PolicyName": "LogsOnly", "Arn": "arn:aws:iam::111122223333:policy/LogsOnly",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
       {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:*", "sqs:*"], "Resource": "*"}]}}]},
    {"PolicyName": "Tagged", "Arn": "arn:aws:iam::111122223333:policy/Tagged",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
       {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
         "Resource": "arn:aws:dynamodb:*:111122223333:table/${aws:PrincipalTag/team}-*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]}}}]}}]}
  ]
}"#;

fn estate_text() -> String {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let tables = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"*"}]}"#;
    let logs = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#;
    ESTATE
        .replace("URLTRUST", &url_encoded(trust))
        .replace("URLTABLES", &url_encoded(tables))
        .replace("URLLOGS", &url_encoded(logs))
}

#[test]
fn string_and_url_encoded_documents_load() {
    let w = world(&estate_text());
    let d = ask(
        &w,
        &user("dev/alice"),
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:q",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(policy_names(&d), ["user inline alice/Queues"]);
    let d = ask(
        &w,
        &session("AppRole"),
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:111122223333:table/x",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(policy_names(&d), ["role inline AppRole/Tables"]);
}

#[test]
fn only_the_default_version_counts_and_groups_name_their_policies() {
    let w = world(&estate_text());
    let d = ask(
        &w,
        &user("alice"),
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:a",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(policy_names(&d), ["group Developers via managed Logs v3"]);
    let d = ask(
        &w,
        &user("alice"),
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        Context::new(),
    );
    assert_eq!(
        d.outcome,
        Outcome::ImplicitDeny,
        "v1 and v2 are not default"
    );
    let d = ask(
        &w,
        &user("bob"),
        "ec2:DescribeInstances",
        "*",
        Context::new(),
    );
    assert!(policy_names(&d).contains(&"group Developers via inline Describe"));
}

#[test]
fn boundary_limits_and_is_named() {
    let w = world(&estate_text());
    let d = ask(
        &w,
        &user("bob"),
        "ec2:DescribeInstances",
        "*",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(
        d.blocked_by.iter().copied().collect::<Vec<_>>(),
        [PolicyKind::Boundary]
    );
    let d = ask(
        &w,
        &user("bob"),
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:a",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert!(policy_names(&d).contains(&"boundary LogsOnly v1"));
}

#[test]
fn tags_feed_principal_tag_conditions_and_variables() {
    let w = world(&estate_text());
    let table = |t: &str| format!("arn:aws:dynamodb:us-east-1:111122223333:table/{t}-orders");
    let d = ask(
        &w,
        &user("alice"),
        "dynamodb:GetItem",
        &table("blue"),
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(policy_names(&d), ["user managed Tagged v1"]);
    let d = ask(
        &w,
        &user("alice"),
        "dynamodb:GetItem",
        &table("green"),
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    let d = ask(
        &w,
        &session("AppRole"),
        "dynamodb:GetItem",
        &table("green"),
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(policy_names(&d), ["role managed Tagged v1"]);
    // The request's own value wins over the world's.
    let mut ctx = Context::new();
    ctx.insert("aws:PrincipalTag/team", ContextValue::single("red"));
    let d = ask(&w, &user("alice"), "dynamodb:GetItem", &table("blue"), ctx);
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
}

#[test]
fn user_ids_come_from_the_export() {
    let w = world(&estate_text());
    let mut req = Request::new(
        Some(&session("AppRole")),
        "s3:GetObject",
        "*",
        Context::new(),
    )
    .unwrap();
    w.prepare(&mut req);
    assert_eq!(
        req.context().get("aws:userid").unwrap().values(),
        ["AROAAPP:s1"]
    );
    assert_eq!(
        req.context().get("aws:PrincipalTag/team").unwrap().values(),
        ["green"]
    );
    let mut req = Request::new(Some(&user("alice")), "s3:GetObject", "*", Context::new()).unwrap();
    w.prepare(&mut req);
    assert_eq!(
        req.context().get("aws:userid").unwrap().values(),
        ["AIDAALICE"]
    );
}

#[test]
fn trust_policy_governs_assume_role() {
    let w = world(&estate_text());
    let role = "arn:aws:iam::111122223333:role/app/AppRole";
    let d = ask(
        &w,
        "ec2.amazonaws.com",
        "sts:AssumeRole",
        role,
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert_eq!(policy_names(&d), ["trust policy of role AppRole"]);
    let d = ask(
        &w,
        "lambda.amazonaws.com",
        "sts:AssumeRole",
        role,
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    let layers = w.layers_for(
        &Request::new(Some(&user("alice")), "iam:GetRole", role, Context::new()).unwrap(),
    );
    assert!(
        layers.resource.is_none(),
        "the trust policy governs only sts: actions"
    );
}

#[test]
fn principals_lists_users_and_role_sessions() {
    let w = world(&estate_text());
    assert_eq!(
        w.principals(),
        [
            "arn:aws:iam::111122223333:user/dev/alice",
            "arn:aws:iam::111122223333:user/bob",
            "arn:aws:sts::111122223333:assumed-role/AppRole/polcheck",
        ]
    );
}

#[test]
fn unknown_keys_warn_with_the_file_and_network_keys_are_silent() {
    let text = r#"{"AccountId": "111122223333", "Vpcs": [], "SecurityGroups": [],
      "Usres": [], "ResourcePolicies": [{"ResourceArn": "arn:aws:s3:::b", "Polcy": 1, "Policy": {"Statement": []}}]}"#;
    let (_, warnings) = load(&[("estate/iam.json", text)]).unwrap();
    let messages: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        messages,
        [
            "estate/iam.json:2:7: Usres: unknown key `Usres` ignored",
            "estate/iam.json:2:75: ResourcePolicies[0].Polcy: unknown key `Polcy` ignored",
        ]
    );
}

#[test]
fn missing_group_is_an_error_at_the_reference() {
    let text = r#"{"UserDetailList": [
  {"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": ["Ops"]}]}"#;
    let e = load(&[("iam.json", text)]).unwrap_err();
    assert!(matches!(e, WorldError::UnknownGroup { .. }));
    assert_eq!(
        e.to_string(),
        "iam.json:2:86: UserDetailList[0].GroupList[0]: user `alice` is in group `Ops`, which no `GroupDetailList` defines"
    );
}

#[test]
fn missing_customer_managed_policy_is_an_error_aws_managed_a_warning() {
    let attach = |arn: &str| {
        format!(
            r#"{{"UserDetailList": [{{"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice",
               "AttachedManagedPolicies": [{{"PolicyName": "P", "PolicyArn": "{arn}"}}]}}]}}"#
        )
    };
    let e = load(&[("iam.json", &attach("arn:aws:iam::111122223333:policy/Gone"))]).unwrap_err();
    assert!(e.to_string().contains("UserDetailList[0].AttachedManagedPolicies[0]: managed policy `arn:aws:iam::111122223333:policy/Gone` is not in `Policies`"), "{e}");
    let (w, warnings) = load(&[(
        "iam.json",
        &attach("arn:aws:iam::aws:policy/ReadOnlyAccess"),
    )])
    .unwrap();
    assert!(
        matches!(&warnings[..], [WorldWarning::MissingAwsPolicy { arn, .. }] if arn == "arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    let d = ask(&w, &user("alice"), "s3:GetObject", "*", Context::new());
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
}

#[test]
fn missing_aws_managed_boundary_allows_nothing() {
    let text = r#"{"UserDetailList": [{"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice",
      "UserPolicyList": [{"PolicyName": "All", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
      "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::aws:policy/PowerUserAccess"}}]}"#;
    let (w, warnings) = load(&[("iam.json", text)]).unwrap();
    assert!(matches!(
        &warnings[..],
        [WorldWarning::MissingAwsBoundary { .. }]
    ));
    let d = ask(&w, &user("alice"), "s3:GetObject", "*", Context::new());
    assert_eq!(
        d.blocked_by.iter().copied().collect::<Vec<_>>(),
        [PolicyKind::Boundary]
    );
}

#[test]
fn bad_policy_reports_file_path_and_line_column() {
    let text = r#"{
  "UserDetailList": [
    {
      "UserName": "alice",
      "Arn": "arn:aws:iam::111122223333:user/alice",
      "UserPolicyList": [
        {
          "PolicyName": "Broken",
          "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}
        }
      ]
    }
  ]
}"#;
    let e = load(&[("iam.json", text)]).unwrap_err();
    assert!(matches!(e, WorldError::Policy { .. }));
    assert_eq!(
            e.to_string(),
            "iam.json:9:69: UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0]: missing `Effect`"
        );
    // Inside a string-encoded document, the embedded position is given too.
    let text = r#"{"RoleDetailList": [{"RoleName": "R", "Arn": "arn:aws:iam::111122223333:role/R",
  "AssumeRolePolicyDocument": "{\"Statement\": [{\"Effect\": \"Maybe\", \"Action\": \"sts:AssumeRole\"}]}"}]}"#;
    let e = load(&[("roles.json", text)]).unwrap_err().to_string();
    assert!(e.starts_with("roles.json:2:31: RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Effect (at 1:27 of the embedded document): invalid effect `Maybe`"), "{e}");
}

#[test]
fn shape_errors_are_located() {
    let e = load(&[("a.json", "[]")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a.json:1:1: $: expected an object, found an array"
    );
    let e = load(&[(
        "a.json",
        r#"{"UserDetailList": [{"Arn": "arn:aws:iam::111122223333:user/x"}]}"#,
    )])
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "a.json:1:21: UserDetailList[0]: missing `UserName`"
    );
    let e = load(&[(
        "a.json",
        r#"{"UserDetailList": [{"UserName": "x", "Arn": "arn:aws:s3:::x"}]}"#,
    )])
    .unwrap_err();
    assert!(matches!(e, WorldError::BadArn { .. }), "{e}");
    let e = load(&[("a.json", "{\n  \"AccountId\": ")]).unwrap_err();
    assert!(e.to_string().starts_with("a.json:2:"), "{e}");
    let two_defaults = r#"{"Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P",
      "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": []}},
                            {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": []}}]}]}"#;
    let e = load(&[("a.json", two_defaults)]).unwrap_err();
    assert!(
        matches!(e, WorldError::DefaultVersion { count: 2, .. }),
        "{e}"
    );
}

#[test]
fn files_merge_by_key() {
    let users = r#"{"AccountId": "111122223333", "UserDetailList": [{"UserName": "alice",
      "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": ["Ops"]}]}"#;
    let groups = r#"{"AccountId": "111122223333", "GroupDetailList": [{"GroupName": "Ops",
      "Arn": "arn:aws:iam::111122223333:group/Ops",
      "AttachedManagedPolicies": [{"PolicyName": "P", "PolicyArn": "arn:aws:iam::111122223333:policy/P"}]}]}"#;
    let policies = r#"{"Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P",
      "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]}],
      "UserDetailList": [{"UserName": "carol", "Arn": "arn:aws:iam::111122223333:user/carol"}]}"#;
    let (w, warnings) = load(&[
        ("users.json", users),
        ("groups.json", groups),
        ("policies.json", policies),
    ])
    .unwrap();
    assert!(warnings.is_empty());
    let d = ask(&w, &user("alice"), "s3:GetObject", "*", Context::new());
    assert_eq!(policy_names(&d), ["group Ops via managed P v1"]);
    assert_eq!(w.principals().len(), 2);

    let other = r#"{"AccountId": "444455556666"}"#;
    let e = load(&[("users.json", users), ("other.json", other)]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "other.json:1:15: AccountId: account `444455556666` disagrees with account `111122223333` given at users.json:1:15: AccountId"
    );
    let e = load(&[("a.json", users), ("b.json", users)]).unwrap_err();
    assert!(
        matches!(e, WorldError::Duplicate { what: "user", .. }),
        "{e}"
    );
}

const ORG: &str = r#"{
  "AccountId": "111122223333",
  "UserDetailList": [{"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice",
    "UserPolicyList": [{"PolicyName": "All", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}],
  "ResourcePolicies": [{"ResourceArn": "arn:aws:s3:::shared", "AccountId": "999988887777",
    "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}}],
  "Organization": {
    "Accounts": {"111122223333": ["r-root", "ou-work"], "999988887777": ["r-root"]},
    "ServiceControlPolicies": [
      {"Name": "FullAWSAccess", "Targets": ["r-root"], "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
      {"Name": "NoEcr", "Targets": ["ou-work"], "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "ecr:*", "Resource": "*"}]}}
    ],
    "ResourceControlPolicies": [
      {"Name": "RCPFullAWSAccess", "Targets": ["r-root", "999988887777"], "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}},
      {"Name": "OrgOnly", "Targets": ["999988887777"], "Policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ["111122223333", "999988887777"]}}}]}}
    ]
  }
}"#;

#[test]
fn scp_levels_follow_the_account_path() {
    let (w, warnings) = load(&[("org.json", ORG)]).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let d = ask(
        &w,
        &user("alice"),
        "ecr:GetAuthorizationToken",
        "*",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(
        d.blocked_by.iter().copied().collect::<Vec<_>>(),
        [PolicyKind::Scp]
    );
    let d = ask(&w, &user("alice"), "sqs:SendMessage", "*", Context::new());
    assert_eq!(d.outcome, Outcome::Allowed);
    assert!(policy_names(&d).contains(&"SCP NoEcr at ou-work"));
    assert!(policy_names(&d).contains(&"SCP FullAWSAccess at r-root"));
    let req = Request::new(Some(&user("alice")), "sqs:SendMessage", "*", Context::new()).unwrap();
    assert_eq!(
        w.layers_for(&req).scp.map(|l| l.len()),
        Some(2),
        "the account level has none: left out"
    );
    let outsider = Request::new(
        Some("arn:aws:iam::444455556666:user/x"),
        "s3:GetObject",
        "*",
        Context::new(),
    )
    .unwrap();
    assert!(w.layers_for(&outsider).scp.is_none());
}

#[test]
fn rcps_and_owner_of_the_resource_account() {
    let (w, _) = load(&[("org.json", ORG)]).unwrap();
    assert_eq!(
        w.resource_account("arn:aws:s3:::shared/a.txt").as_deref(),
        Some("999988887777")
    );
    assert_eq!(
        w.resource_account("arn:aws:sqs:us-east-1:123456789012:q")
            .as_deref(),
        Some("123456789012")
    );
    assert_eq!(w.resource_account("arn:aws:s3:::unknown"), None);
    let d = ask(
        &w,
        &user("alice"),
        "s3:GetObject",
        "arn:aws:s3:::shared/a.txt",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed, "{:?}", d.matched);
    assert!(policy_names(&d).contains(&"bucket policy of shared"));
    let req = Request::new(
        Some(&user("alice")),
        "s3:GetObject",
        "arn:aws:s3:::shared/a.txt",
        Context::new(),
    )
    .unwrap();
    let rcp = w.layers_for(&req).rcp.unwrap();
    assert_eq!(rcp.len(), 2);
    let names: Vec<&str> = rcp[1].policies().map(|p| &*p.name).collect();
    assert_eq!(
        names,
        [
            "RCP RCPFullAWSAccess at 999988887777",
            "RCP OrgOnly at 999988887777"
        ]
    );
    let outsider = "arn:aws:iam::444455556666:user/x";
    let d = ask(
        &w,
        outsider,
        "s3:GetObject",
        "arn:aws:s3:::shared/a.txt",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    assert!(d.blocked_by.contains(&PolicyKind::Rcp));
}

#[test]
fn governing_resources() {
    assert_eq!(governing_resource("arn:aws:s3:::b/a/b/c"), "arn:aws:s3:::b");
    assert_eq!(
        governing_resource("arn:aws:lambda:eu-west-1:111122223333:function:f:7"),
        "arn:aws:lambda:eu-west-1:111122223333:function:f"
    );
    assert_eq!(
        governing_resource("arn:aws:kms:eu-west-1:111122223333:key/1234"),
        "arn:aws:kms:eu-west-1:111122223333:key/1234"
    );
}

#[test]
fn world_is_send_and_sync_and_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<World>();
    let w = world(&estate_text());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let d = ask(&w, &user("alice"), "sqs:SendMessage", "*", Context::new());
                assert_eq!(d.outcome, Outcome::Allowed);
            });
        }
    });
}

#[test]
fn ten_thousand_roles_load_linearly() {
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    for i in 0..10_000 {
        roles.push(format!(
            r#"{{"RoleName": "r{i}", "RoleId": "AROA{i}", "Arn": "arn:aws:iam::111122223333:role/r{i}",
  "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
  "RolePolicyList": [{{"PolicyName": "own", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b{i}/*"}}]}}}}],
  "AttachedManagedPolicies": [{{"PolicyName": "p{i}", "PolicyArn": "arn:aws:iam::111122223333:policy/p{i}"}}]}}"#
        ));
        policies.push(format!(
            r#"{{"PolicyName": "p{i}", "Arn": "arn:aws:iam::111122223333:policy/p{i}", "PolicyVersionList": [{{"VersionId": "v1", "IsDefaultVersion": true,
  "Document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}}]}}}}]}}"#
        ));
    }
    let text = format!(
        r#"{{"RoleDetailList": [{}], "Policies": [{}]}}"#,
        roles.join(","),
        policies.join(",")
    );
    let start = std::time::Instant::now();
    let w = world(&text);
    let elapsed = start.elapsed();
    assert_eq!(w.principals().len(), 10_000);
    // Generous: a quadratic load takes minutes here; a linear one well under this even unoptimised.
    assert!(elapsed.as_secs() < 60, "{elapsed:?}");
    let d = ask(
        &w,
        &session("r9999"),
        "s3:GetObject",
        "arn:aws:s3:::b9999/k",
        Context::new(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
}
