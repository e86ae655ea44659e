//! `validate` for CI (issue #16): every "Miss" of the issue as a finding, every finding in
//! one run, the policy types' grammar rules, the security findings, SARIF, and AWS-shaped
//! policies that must stay clean (`corpus/validate/managed-shapes/`).

use std::path::Path;

use polcheck_core::validate::{sarif, validate_text, Finding, Options, PolicyType};

fn check(text: &str, policy_type: Option<PolicyType>) -> Vec<Finding> {
    validate_text(
        text,
        &Options {
            policy_type,
            size_limit: None,
            account: None,
        },
    )
}

/// A document of the given statements (JSON objects), `Version` 2012-10-17.
fn doc(statements: &[&str]) -> String {
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}",
        statements.join(",\n")
    )
}

fn codes(found: &[Finding]) -> Vec<&'static str> {
    found.iter().map(|f| f.code).collect()
}

/// The findings with `code`, as `line:column path`.
fn at(found: &[Finding], code: &str) -> Vec<String> {
    found
        .iter()
        .filter(|f| f.code == code)
        .map(|f| format!("{} {}", f.location.position, f.location.path))
        .collect()
}

// ---- the issue's "Misses" ----------------------------------------------------------------

/// *Actions, resources, and condition keys for Amazon S3*: `ListBucket` takes `bucket`
/// (`arn:${Partition}:s3:::${BucketName}`); `b/*` names objects only.
#[test]
fn list_bucket_on_objects_is_a_mismatch() {
    let found = check(
        &doc(&[
            r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"}"#,
        ]),
        None,
    );
    assert_eq!(
        at(&found, "resource-mismatch"),
        ["2:60 Statement[0].Resource"]
    );
    let bucket = check(
        &doc(&[r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b*"}"#]),
        None,
    );
    assert_eq!(codes(&bucket), Vec::<&str>::new());
}

/// *IAM JSON policy elements: Resource*: "must be in ARN format or `*`".
#[test]
fn resource_must_be_an_arn() {
    let found = check(
        &doc(&[r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "s3"}"#]),
        None,
    );
    assert_eq!(
        at(&found, "resource-not-arn"),
        ["2:59 Statement[0].Resource"]
    );
    assert!(found.iter().all(Finding::is_refused));
}

/// *IAM JSON policy elements: Sid*: unique within the policy, ASCII letters and digits.
#[test]
fn duplicate_sids_and_sids_with_spaces() {
    let found = check(
        &doc(&[
            r#"{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
            r#"{"Sid": "Read", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}"#,
            r#"{"Sid": "Read all", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}"#,
        ]),
        None,
    );
    assert_eq!(at(&found, "duplicate-sid"), ["3:9 Statement[1].Sid"]);
    assert_eq!(at(&found, "invalid-sid"), ["4:9 Statement[2].Sid"]);
    let fix = found
        .iter()
        .find(|f| f.code == "invalid-sid")
        .and_then(|f| f.fix.clone());
    assert_eq!(fix.as_deref(), Some("rename it `Readall`"));
}

/// *IAM JSON policy elements: Resource*: a statement must hold `Resource` or `NotResource`
/// (trust policies excepted).
#[test]
fn statement_without_resource() {
    let found = check(
        &doc(&[r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#]),
        None,
    );
    assert_eq!(at(&found, "missing-resource"), ["2:1 Statement[0]"]);
}

#[test]
fn full_admin_and_passrole_on_star() {
    let found = check(
        &doc(&[
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#,
        ]),
        None,
    );
    assert_eq!(at(&found, "full-admin"), ["2:31 Statement[0].Action"]);
    assert_eq!(at(&found, "passrole-star"), ["3:59 Statement[1].Resource"]);
    assert!(found.iter().all(|f| f.fix.is_some()));
    // Denying is not granting.
    let deny = check(
        &doc(&[r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#]),
        None,
    );
    assert_eq!(codes(&deny), Vec::<&str>::new());
}

/// *IAM JSON policy elements: Principal*: not in identity-based policies; required in
/// resource-based ones.
#[test]
fn principal_in_identity_policy_and_missing_in_bucket_policy() {
    let with_principal = doc(&[
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    ]);
    let found = check(&with_principal, Some(PolicyType::Identity));
    assert_eq!(
        at(&found, "principal-not-allowed"),
        ["2:34 Statement[0].Principal"]
    );
    let bucket = doc(&[
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    ]);
    // Inferred as a resource policy from its first statement; `--policy-type resource` too.
    for ty in [None, Some(PolicyType::Resource)] {
        let found = check(&bucket, ty);
        assert_eq!(
            at(&found, "missing-principal"),
            ["3:1 Statement[1]"],
            "{ty:?}"
        );
    }
}

// ---- every finding in one run ---------------------------------------------------------

/// The issue's five-errors file: a bad date, a `/33` CIDR, `"yes"` for `Bool`, `"ten"` for a
/// number and a duplicate key, each with its place, and the catalogue finding after them.
#[test]
fn five_errors_in_one_run() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../cli/tests/fixtures/validate/five-errors.json"),
    )
    .unwrap_or_default();
    let found = check(&text, None);
    let refused: Vec<(&str, String)> = found
        .iter()
        .filter(|f| f.is_refused())
        .map(|f| (f.code, f.location.path.to_string()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "invalid-condition-value",
                "Statement[0].Condition.DateGreaterThan.aws:CurrentTime".to_string()
            ),
            (
                "invalid-condition-value",
                "Statement[0].Condition.IpAddress.aws:SourceIp".to_string()
            ),
            (
                "invalid-condition-value",
                "Statement[0].Condition.Bool.aws:SecureTransport".to_string()
            ),
            (
                "invalid-condition-value",
                "Statement[0].Condition.NumericLessThan.s3:max-keys".to_string()
            ),
            ("duplicate-key", "Statement[1].Action".to_string()),
        ]
    );
    // The rest of the document is still checked.
    assert!(codes(&found).contains(&"unknown-action"), "{found:#?}");
}

#[test]
fn an_unreadable_statement_leaves_the_others_checked() {
    let found = check(
        &doc(&[
            r#"{"Action": "s3:GetObject", "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}"#,
        ]),
        None,
    );
    assert_eq!(codes(&found), ["missing-element", "unknown-action"]);
    assert_eq!(at(&found, "missing-element"), ["2:1 Statement[0]"]);
}

// ---- policy types ---------------------------------------------------------------------

/// *IAM JSON policy elements: NotPrincipal*: "must be used with `Deny`"; not in identity
/// policies, trust policies, SCPs or RCPs.
#[test]
fn notprincipal_with_allow() {
    let text = doc(&[
        r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}"#,
    ]);
    let found = check(&text, Some(PolicyType::Resource));
    assert_eq!(codes(&found), ["notprincipal-with-allow"]);
    let trust = check(&text, Some(PolicyType::Trust));
    assert!(codes(&trust).contains(&"principal-not-allowed"));
}

/// *RCP syntax* (AWS Organizations User Guide): `Allow` only in `RCPFullAWSAccess`,
/// `Principal` `*`, no `NotAction`.
#[test]
fn rcp_rules() {
    let full = doc(&[r#"{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}"#]);
    let found = check(&full, Some(PolicyType::Rcp));
    assert!(
        !found.iter().any(|f| f.code.starts_with("rcp-")),
        "{found:#?}"
    );
    let bad = doc(&[
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "NotAction": "s3:GetObject", "Resource": "*"}"#,
    ]);
    let found = check(&bad, Some(PolicyType::Rcp));
    let mut rcp: Vec<&str> = codes(&found)
        .into_iter()
        .filter(|c| c.starts_with("rcp-"))
        .collect();
    rcp.sort();
    assert_eq!(
        rcp,
        ["rcp-allow", "rcp-notaction", "rcp-principal-not-star"]
    );
}

/// A role's trust policy names only the STS calls that act on the role: IAM answers
/// "AssumeRole policy may only specify STS AssumeRole actions" otherwise (AWS's answer quoted in
/// <https://github.com/hashicorp/terraform-provider-aws/issues/32872>, for `sts:TagSessions`);
/// `sts:TagSession` and `sts:SetSourceIdentity` belong there (IAM User Guide, *Passing session
/// tags in AWS STS*; *Monitor and control actions taken with assumed roles*).
#[test]
fn trust_policy_actions() {
    let ok = doc(&[
        r#"{"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}"#,
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:*"}"#,
        r#"{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWith*"}"#,
    ]);
    let found = check(&ok, Some(PolicyType::Trust));
    assert!(
        !codes(&found).contains(&"trust-action-not-allowed"),
        "{found:#?}"
    );
    let bad = doc(&[
        r#"{"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSessions", "s3:GetObject"]}"#,
    ]);
    let all = check(&bad, Some(PolicyType::Trust));
    // The misspelt action is also an `unknown-action` (with its own did-you-mean).
    assert!(codes(&all).contains(&"unknown-action"), "{all:#?}");
    let found: Vec<Finding> = all
        .into_iter()
        .filter(|f| f.code == "trust-action-not-allowed")
        .collect();
    let paths: Vec<String> = found.iter().map(|f| f.location.path.to_string()).collect();
    assert_eq!(paths, ["Statement[0].Action[1]", "Statement[0].Action[2]"]);
    let fixes: Vec<_> = found.iter().filter_map(|f| f.fix.clone()).collect();
    assert!(fixes[0].contains("`sts:TagSession`"), "{fixes:?}");
    assert!(fixes[1].contains("permissions policy"), "{fixes:?}");
    // The same actions in an identity policy are fine: the rule is the trust policy's.
    assert!(!codes(&check(&bad, Some(PolicyType::Resource))).contains(&"trust-action-not-allowed"));
}

/// Trust policies take no `Resource`; SCPs no `Principal`.
#[test]
fn trust_and_scp_elements() {
    let trust = doc(&[
        r#"{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}"#,
    ]);
    assert_eq!(
        codes(&check(&trust, Some(PolicyType::Trust))),
        ["resource-not-allowed"]
    );
    let clean_trust = doc(&[
        r#"{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
    ]);
    assert_eq!(codes(&check(&clean_trust, None)), Vec::<&str>::new());
    let scp = doc(&[r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#]);
    assert_eq!(
        codes(&check(&scp, Some(PolicyType::Scp))),
        ["principal-not-allowed"]
    );
}

/// *IAM and AWS STS quotas*: managed policies 6,144 characters, whitespace not counted;
/// SCPs 5,120 (*Quotas for AWS Organizations*).
#[test]
fn size_limits_by_type() {
    let actions: Vec<String> = (0..300).map(|i| format!("\"s3:Get{i:05}\"")).collect();
    let big = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Deny\", \"Action\": [{}], \"Resource\": \"*\"}}]}}",
        actions.join(", ")
    );
    // About 4,300 characters: under the 6,144 of an identity policy, over nothing else here.
    let identity = check(&big, Some(PolicyType::Identity));
    assert!(!codes(&identity).contains(&"policy-too-large"));
    let trust = check(&big, Some(PolicyType::Session));
    assert!(codes(&trust).contains(&"policy-too-large"));
    // Whitespace does not count.
    let spaced = big.replace(", ", ",                ");
    assert!(!codes(&check(&spaced, Some(PolicyType::Identity))).contains(&"policy-too-large"));
}

// ---- security findings ----------------------------------------------------------------

#[test]
fn privilege_escalation_sets() {
    let found = check(
        &doc(&[
            r#"{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}"#,
        ]),
        None,
    );
    let esc: Vec<&Finding> = found
        .iter()
        .filter(|f| f.code == "privilege-escalation")
        .collect();
    assert_eq!(esc.len(), 1, "{found:#?}");
    assert!(esc
        .iter()
        .all(|f| f.message.contains("`lambda:InvokeFunction`")));
    let single = check(
        &doc(&[r#"{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}"#]),
        None,
    );
    assert_eq!(codes(&single), ["privilege-escalation"]);
    let named = check(
        &doc(&[
            r#"{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::111122223333:policy/app"}"#,
        ]),
        None,
    );
    assert_eq!(codes(&named), Vec::<&str>::new());
}

#[test]
fn allow_with_not_elements() {
    let found = check(
        &doc(&[
            r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"}"#,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#,
        ]),
        None,
    );
    assert_eq!(codes(&found), ["allow-notaction", "allow-notresource"]);
}

#[test]
fn public_resource_policies() {
    let public = doc(&[
        r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    ]);
    assert_eq!(codes(&check(&public, None)), ["public-resource-policy"]);
    let narrowed = doc(&[
        r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}"#,
    ]);
    assert_eq!(codes(&check(&narrowed, None)), Vec::<&str>::new());
}

/// *The confused deputy problem* (IAM User Guide): a third party's account assumes the role
/// with an `sts:ExternalId` condition.
#[test]
fn cross_account_trust_needs_an_external_id() {
    let trust = doc(&[
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}"#,
    ]);
    assert_eq!(
        codes(&check(&trust, None)),
        ["cross-account-trust-without-external-id"]
    );
    let with_id = doc(&[
        r#"{"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}}"#,
    ]);
    assert_eq!(codes(&check(&with_id, None)), Vec::<&str>::new());
}

#[test]
fn deprecated_key_and_variables_without_version() {
    let found = check(
        &doc(&[
            r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ArnEquals": {"aws:ARN": "arn:aws:iam::1:role/x"}}}"#,
        ]),
        None,
    );
    assert!(
        codes(&found).contains(&"deprecated-global-key"),
        "{found:#?}"
    );
    let old = r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}}"#;
    assert_eq!(
        codes(&check(old, None)),
        ["policy-variables-without-version"]
    );
}

// ---- SARIF ----------------------------------------------------------------------------

#[test]
fn sarif_results_are_on_the_policy_line() {
    let found = check(
        &doc(&[
            r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"}"#,
        ]),
        None,
    );
    let log = sarif::log(&[("p.json".into(), found)], "1");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "resource-mismatch");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(60))
    );
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "resource-mismatch"
    );
}

// ---- AWS-shaped policies stay clean ----------------------------------------------------

/// One policy per false-positive class of the issue (`corpus/validate/managed-shapes/`,
/// written for this test in the shapes of AWS managed policies): none of them gets a
/// catalogue finding.
#[test]
fn managed_shapes_have_no_false_positive() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/validate/managed-shapes");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(files.len() >= 6, "{}", dir.display());
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for finding in check(&text, None) {
            problems.push(format!("{}: {finding}", f.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// IAM User Guide, "IAM JSON policy elements: Principal" and "Access to AWS accounts owned by
/// third parties" (the confused deputy): an external id matters for another account, not for
/// a principal of the role's own account.
#[test]
fn trust_without_external_id_is_flagged_only_for_another_account() {
    let trust = doc(&[r#"{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/dave"}}"#]);
    let with_account = |account: Option<&str>| {
        validate_text(
            &trust,
            &Options {
                policy_type: Some(PolicyType::Trust),
                size_limit: None,
                account: account.map(str::to_string),
            },
        )
    };
    let code = "cross-account-trust-without-external-id";
    assert!(!codes(&with_account(Some("111122223333"))).contains(&code));
    assert!(codes(&with_account(Some("444455556666"))).contains(&code));
    assert!(codes(&with_account(None)).contains(&code));
}

/// IAM JSON policy element reference, "Sid": letters and digits in IAM policies; a KMS key
/// policy's default statement is `"Sid": "Enable IAM User Permissions"` (AWS KMS Developer
/// Guide, "Default key policy"), so resource policies are not held to IAM's rule.
#[test]
fn sid_with_spaces_is_flagged_in_identity_policies_only() {
    let text = doc(
        &[r#"{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#],
    );
    assert!(!codes(&check(&text, Some(PolicyType::Resource))).contains(&"invalid-sid"));
    let identity = doc(&[
        r#"{"Sid": "Read all", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    ]);
    assert!(codes(&check(&identity, Some(PolicyType::Identity))).contains(&"invalid-sid"));
}
