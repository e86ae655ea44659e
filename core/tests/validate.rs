//! `polcheck_core::validate`: one test per finding code (code, path, line:column, message),
//! the documents around them, and clean runs over the corpus and the conformance suites.

#![expect(
    clippy::panic,
    clippy::unwrap_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use std::path::{Path, PathBuf};

use polcheck_core::json::{self, Json, JsonPath, LineIndex};
use polcheck_core::suite::Suite;
use polcheck_core::validate::{
    validate_json, validate_policy_json, validate_policy_text, Finding, Options, PolicyType,
    Severity,
};

/// A policy whose only statement's members are `body` (given as whole lines); the body
/// starts on line 4, indented by four spaces.
fn policy(body: &[&str]) -> String {
    let lines: Vec<String> = body.iter().map(|l| format!("    {l}")).collect();
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\n{}\n  }}]\n}}\n",
        lines.join(",\n")
    )
}

fn findings(body: &[&str]) -> Vec<Finding> {
    validate_policy_text(&policy(body)).unwrap_or_else(|e| panic!("policy does not parse: {e}"))
}

/// The only finding, checked against code, path, `line:column` and message.
fn only(body: &[&str], code: &str, path: &str, at: &str, message: &str) -> Finding {
    let found = findings(body);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found.into_iter().next().unwrap();
    assert_eq!(f.code, code);
    assert_eq!(f.location.path.to_string(), path);
    assert_eq!(f.location.position.to_string(), at);
    assert_eq!(f.message, message);
    f
}

#[test]
fn unknown_service() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "lamda:InvokeFunction""#,
            r#""Resource": "*""#,
        ],
        "unknown-service",
        "Statement[0].Action",
        "5:15",
        "unknown service `lamda` in `lamda:InvokeFunction`",
    );
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.suggestion.as_deref(), Some("lambda:InvokeFunction"));
}

#[test]
fn unknown_action() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": ["s3:GetObject", "s3:GetObjekt"]"#,
            r#""Resource": "*""#,
        ],
        "unknown-action",
        "Statement[0].Action[1]",
        "5:32",
        "unknown action `s3:GetObjekt`",
    );
    assert_eq!(f.suggestion.as_deref(), Some("s3:GetObject"));
    assert_eq!(
        f.to_string(),
        "5:32: error[unknown-action]: unknown action `s3:GetObjekt` (did you mean `s3:GetObject`?)"
    );
}

#[test]
fn action_matches_nothing() {
    only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "s3:Gett*""#,
            r#""Resource": "*""#,
        ],
        "action-matches-nothing",
        "Statement[0].Action",
        "5:15",
        "`s3:Gett*` matches no action",
    );
}

#[test]
fn resource_mismatch() {
    only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "s3:ListBucket""#,
            r#""Resource": "arn:aws:s3:::bucket/key""#,
        ],
        "resource-mismatch",
        "Statement[0].Resource",
        "6:17",
        "resource `arn:aws:s3:::bucket/key` fits none of the resource types of the statement's \
         actions (they take `accesspoint`, `bucket`)",
    );
}

#[test]
fn resource_check_is_lenient_where_it_must_be() {
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::*"),
        ("s3:GetObject", "arn:aws:s3:::bucket/*"),
        (
            "[\"s3:ListBucket\", \"s3:GetObject\"]",
            "arn:aws:s3:::bucket/key",
        ),
        ("s3:ListBucket", "arn:aws:s3:::${aws:username}"),
        (
            "ec2:DescribeInstances",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
        ),
        ("ec2:StartInstances", "arn:aws:ec2:*:*:instance/*"),
        ("s3:*", "arn:aws:s3:::bucket"),
    ] {
        let action = if action.starts_with('[') {
            action.to_string()
        } else {
            format!("\"{action}\"")
        };
        let found = findings(&[
            r#""Effect": "Allow""#,
            &format!(r#""Action": {action}"#),
            &format!(r#""Resource": "{resource}""#),
        ]);
        assert!(found.is_empty(), "{action} on {resource}: {found:#?}");
    }
}

#[test]
fn unknown_condition_key() {
    only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "s3:GetObject""#,
            r#""Resource": "*""#,
            r#""Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}"#,
        ],
        "unknown-condition-key",
        "Statement[0].Condition.StringEquals.ec2:InstanceType",
        "7:36",
        "condition key `ec2:InstanceType` is not a global key and none of the statement's \
         actions can carry it",
    );
}

#[test]
fn misspelt_condition_key_gets_a_suggestion() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "s3:ListBucket""#,
            r#""Resource": "*""#,
            r#""Condition": {"StringLike": {"s3:prefx": "home/*"}}"#,
        ],
        "unknown-condition-key",
        "Statement[0].Condition.StringLike.s3:prefx",
        "7:34",
        "condition key `s3:prefx` is not a global key and none of the statement's actions can \
         carry it",
    );
    assert_eq!(f.suggestion.as_deref(), Some("s3:prefix"));
}

#[test]
fn operator_type_mismatch() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "s3:GetObject""#,
            r#""Resource": "*""#,
            r#""Condition": {"NumericEquals": {"aws:username": "5"}}"#,
        ],
        "operator-type-mismatch",
        "Statement[0].Condition.NumericEquals.aws:username",
        "7:37",
        "`NumericEquals` compares numbers but condition key `aws:username` is of type `String`",
    );
    assert_eq!(f.suggestion.as_deref(), Some("StringEquals"));
    for (op, key, value) in [
        ("IpAddress", "aws:username", "10.0.0.0/8"),
        ("DateGreaterThan", "aws:SourceIp", "2020-01-01T00:00:00Z"),
        ("Bool", "aws:CurrentTime", "true"),
    ] {
        let found = findings(&[
            r#""Effect": "Allow""#,
            r#""Action": "s3:GetObject""#,
            r#""Resource": "*""#,
            &format!(r#""Condition": {{"{op}": {{"{key}": "{value}"}}}}"#),
        ]);
        assert_eq!(
            found.iter().map(|f| f.code).collect::<Vec<_>>(),
            ["operator-type-mismatch"],
            "{op} {key}"
        );
    }
}

#[test]
fn string_operators_fit_arn_keys() {
    let found = findings(&[
        r#""Effect": "Allow""#,
        r#""Action": "s3:GetObject""#,
        r#""Resource": "*""#,
        r#""Condition": {"StringLike": {"aws:SourceArn": "arn:aws:sns:*"}, "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}, "Null": {"aws:TagKeys": "true"}}"#,
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn set_operator_on_single_valued_key() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "s3:GetObject""#,
            r#""Resource": "*""#,
            r#""Condition": {"ForAllValues:StringEquals": {"aws:username": "alice"}}"#,
        ],
        "set-operator-on-single-valued-key",
        "Statement[0].Condition.ForAllValues:StringEquals.aws:username",
        "7:49",
        "`ForAllValues:StringEquals` is a set operator but condition key `aws:username` is \
         single-valued (`String`)",
    );
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.suggestion.as_deref(), Some("StringEquals"));
}

#[test]
fn multivalued_key_without_qualifier() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""Action": "ec2:CreateTags""#,
            r#""Resource": "*""#,
            r#""Condition": {"StringEquals": {"aws:TagKeys": "Team"}}"#,
        ],
        "multivalued-key-without-qualifier",
        "Statement[0].Condition.StringEquals.aws:TagKeys",
        "7:36",
        "condition key `aws:TagKeys` is multivalued (`ArrayOfString`) but `StringEquals` has no \
         `ForAnyValue:` or `ForAllValues:` qualifier",
    );
    assert_eq!(f.severity, Severity::Warning);
}

#[test]
fn allow_notaction_star_resource() {
    let f = only(
        &[
            r#""Effect": "Allow""#,
            r#""NotAction": "iam:*""#,
            r#""Resource": "*""#,
        ],
        "allow-notaction-star-resource",
        "Statement[0].NotAction",
        "5:18",
        "`Allow` with `NotAction` and `Resource` `*` grants every other action of every service \
         on every resource",
    );
    assert_eq!(f.severity, Severity::Warning);
    let deny = findings(&[
        r#""Effect": "Deny""#,
        r#""NotAction": "iam:*""#,
        r#""Resource": "*""#,
    ]);
    assert!(deny.is_empty());
}

#[test]
fn grammar_errors_are_the_err() {
    let e = validate_policy_text(
        "{\"Version\": \"2012-10-17\",\n \"Statement\": {\"Efect\": \"Allow\"}}",
    )
    .unwrap_err();
    assert_eq!(e.location.position.to_string(), "2:16");
}

#[test]
fn findings_serialize_as_json() {
    let found = findings(&[
        r#""Effect": "Allow""#,
        r#""Action": "s3:GetObjekt""#,
        r#""Resource": "*""#,
    ]);
    let v = serde_json::to_value(&found).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"code": "unknown-action", "severity": "error",
            "path": "Statement[0].Action", "line": 5, "column": 15,
            "message": "unknown action `s3:GetObjekt`", "suggestion": "s3:GetObject",
            "fix": null, "refused": false}])
    );
}

#[test]
fn embedded_policies_point_into_the_outer_file() {
    let outer = "{\"policies\": [\n  {\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"}},\n  \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\",\\n\\\"Action\\\": \\\"s3:Gett*\\\", \\\"Resource\\\": \\\"*\\\"}}\"\n]}";
    let doc = json::parse(outer).unwrap();
    let items = doc.root.get("policies").and_then(Json::as_array).unwrap();
    let base = JsonPath::root().key("policies");
    let a = validate_policy_json(&items[0], doc.line_index(), &base.index(0)).unwrap();
    assert_eq!(
        a[0].location.path.to_string(),
        "policies[0].Statement.Action"
    );
    assert_eq!(a[0].location.position.to_string(), "2:47");
    let b = validate_policy_json(&items[1], doc.line_index(), &base.index(1)).unwrap();
    assert_eq!(b[0].code, "action-matches-nothing");
    assert_eq!(
        b[0].location.path.to_string(),
        "policies[1].Statement.Action"
    );
    assert_eq!(b[0].location.position.to_string(), "3:3");
    assert_eq!(
        b[0].location.inner.map(|p| p.to_string()).as_deref(),
        Some("2:11")
    );
}

// ---- clean runs -------------------------------------------------------------------------

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn describe(file: &Path, found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .map(|f| {
            format!(
                "{}:{} ({}): {}[{}]: {}",
                file.display(),
                f.location.position,
                f.location.path,
                f.severity,
                f.code,
                f.message
            )
        })
        .collect()
}

#[test]
fn corpus_policies_are_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/policies");
    let mut problems = Vec::new();
    for file in json_files(&dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let found =
            validate_policy_text(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        problems.extend(describe(&file, &found));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Validates the policies of one `policies` object of a suite (suite-level or a test's).
fn suite_policies(node: &Json, path: &JsonPath, lines: &LineIndex, out: &mut Vec<Finding>) {
    for m in node.members().unwrap_or_default() {
        let p = path.key(&m.key);
        let options = Options {
            policy_type: m.key.parse::<PolicyType>().ok(),
            size_limit: None,
            account: None,
        };
        let mut one = |n: &Json, p: JsonPath| {
            validate_policy_json(n, lines, &p).unwrap_or_else(|e| panic!("{p}: {e}"));
            out.extend(validate_json(n, lines, &p, &options));
        };
        match m.key.as_str() {
            "identity" => {
                for (i, n) in m.value.as_array().unwrap_or_default().iter().enumerate() {
                    one(n, p.index(i));
                }
            }
            "scp" | "rcp" => {
                for (i, level) in m.value.as_array().unwrap_or_default().iter().enumerate() {
                    for (j, n) in level.as_array().unwrap_or_default().iter().enumerate() {
                        one(n, p.index(i).index(j));
                    }
                }
            }
            _ => one(&m.value, p),
        }
    }
}

#[test]
fn conformance_policies_are_clean() {
    let dir = std::env::var_os("POLCHECK_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/conformance/iam"));
    if !dir.is_dir() {
        eprintln!("skipped: no conformance suites at {}", dir.display());
        return;
    }
    let mut problems = Vec::new();
    let mut policies = 0;
    for file in json_files(&dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        Suite::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let doc = json::parse(&text).unwrap();
        let mut found = Vec::new();
        if let Some(p) = doc.root.get("policies") {
            suite_policies(
                p,
                &JsonPath::root().key("policies"),
                doc.line_index(),
                &mut found,
            );
        }
        for (i, t) in doc
            .root
            .get("tests")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(p) = t.get("policies") {
                let path = JsonPath::root().key("tests").index(i).key("policies");
                suite_policies(p, &path, doc.line_index(), &mut found);
            }
        }
        policies += 1;
        problems.extend(describe(&file, &found));
    }
    assert!(policies > 0);
    // Findings the suites mean to have: they test what such policies do. Anything else is a
    // catalogue gap or a validator bug.
    let expected = [
        "not-elements.json:10:26 (policies.identity[0].Statement[0].NotAction): \
         warning[allow-notaction-star-resource]",
        // These two test that `${...}` is literal text under `2008-10-17`.
        "variables.json:129:15 (tests[8].policies.identity[0].Statement[0]): \
         warning[policy-variables-without-version]",
        "variables.json:152:15 (tests[9].policies.identity[0].Statement[0]): \
         warning[policy-variables-without-version]",
    ];
    problems.retain(|p| !expected.iter().any(|e| p.contains(e)));
    // The suites test what wide grants do: their security findings are true and expected.
    problems.retain(|p| !SECURITY.iter().any(|c| p.contains(&format!("[{c}]"))));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The security codes: true findings on purpose-built test policies.
const SECURITY: &[&str] = &[
    "full-admin",
    "passrole-star",
    "privilege-escalation",
    "allow-notaction",
    "allow-notresource",
    "public-resource-policy",
    "cross-account-trust-without-external-id",
];
