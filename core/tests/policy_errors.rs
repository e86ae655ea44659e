//! Every policy error names the JSON path, the line:column and what is wrong.

#![expect(
    clippy::expect_used,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::policy::{Policy, PolicyError};

fn err(text: &str) -> PolicyError {
    Policy::parse(text).expect_err("the policy must be refused")
}

/// Asserts path, line, column and message of the error `text` gives.
fn check(text: &str, path: &str, line: u32, column: u32, message: &str) {
    let e = err(text);
    assert_eq!(e.location.path.to_string(), path, "{e}");
    assert_eq!(
        (e.location.position.line, e.location.position.column),
        (line, column),
        "{e}"
    );
    assert_eq!(e.kind.to_string(), message, "{e}");
}

#[test]
fn unknown_key() {
    check(
        "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resorce\": \"*\"}]}",
        "Statement[0].Resorce",
        2,
        51,
        "unknown key `Resorce` (expected one of `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource`, `Condition`)",
    );
    check(
        "{\"Statment\": []}",
        "Statment",
        1,
        2,
        "unknown key `Statment` (expected one of `Version`, `Id`, `Statement`)",
    );
}

#[test]
fn duplicate_key() {
    check(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Effect\": \"Deny\", \"Action\": \"*\"}}",
        "Statement.Effect",
        1,
        35,
        "duplicate key `Effect`",
    );
}

#[test]
fn action_and_not_action() {
    check(
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\",\n \"NotAction\": \"iam:*\", \"Resource\": \"*\"}]}",
        "Statement[0].NotAction",
        2,
        15,
        "`Action` and `NotAction` cannot both be present",
    );
}

#[test]
fn missing_effect_and_action() {
    check(
        "{\"Statement\": [{\"Action\": \"*\"}]}",
        "Statement[0]",
        1,
        16,
        "missing `Effect`",
    );
    check(
        "{\"Statement\": [{\"Effect\": \"Allow\"}]}",
        "Statement[0]",
        1,
        16,
        "missing `Action`",
    );
    check(
        "{\"Version\": \"2012-10-17\"}",
        "$",
        1,
        1,
        "missing `Statement`",
    );
}

#[test]
fn unknown_operator_with_suggestion() {
    check(
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n  \"Condition\": {\"StringEqualz\": {\"aws:username\": \"a\"}}}]}",
        "Statement[0].Condition.StringEqualz",
        2,
        17,
        "unknown condition operator `StringEqualz` (did you mean `StringEquals`?)",
    );
}

#[test]
fn unknown_qualifier() {
    check(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": {\"ForSomeValues:StringEquals\": {\"k\": \"a\"}}}}",
        "Statement.Condition.ForSomeValues:StringEquals",
        1,
        64,
        "unknown set qualifier `ForSomeValues` (expected `ForAnyValue` or `ForAllValues`)",
    );
}

#[test]
fn wrong_value_types() {
    check(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": 7}}",
        "Statement.Action",
        1,
        45,
        "expected a string or an array of strings, found a number",
    );
    check(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", true]}}",
        "Statement.Action[1]",
        1,
        62,
        "expected a string, found a boolean",
    );
    check(
        "{\"Statement\": \"x\"}",
        "Statement",
        1,
        15,
        "expected a statement object or an array of them, found a string",
    );
    check(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Condition\": {\"NumericLessThan\": {\"n\": \"ten\"}}}}",
        "Statement.Condition.NumericLessThan.n",
        1,
        89,
        "`ten` is not a valid numeric value for `NumericLessThan`",
    );
}

#[test]
fn unsupported_version_and_effect() {
    check(
        "{\"Version\": \"2012-10-18\", \"Statement\": []}",
        "Version",
        1,
        13,
        "unsupported version `2012-10-18` (expected `2012-10-17` or `2008-10-17`)",
    );
    check(
        "{\"Statement\": {\"Effect\": \"allow\", \"Action\": \"*\"}}",
        "Statement.Effect",
        1,
        26,
        "invalid effect `allow` (expected `Allow` or `Deny`)",
    );
}

#[test]
fn invalid_action_and_json() {
    check(
        "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3GetObject\"}}",
        "Statement.Action",
        1,
        45,
        "invalid action `s3GetObject` (expected `service:action` or `*`)",
    );
    let e = err("{\"Statement\": [}");
    assert_eq!(e.location.position.line, 1);
    assert!(e.kind.to_string().starts_with("invalid JSON"), "{e}");
}

#[test]
fn documents_in_strings_and_url_encoding() {
    let inner =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let as_string = serde_json::to_string(inner).unwrap();
    assert_eq!(Policy::parse(&as_string).unwrap().statements.len(), 1);
    let encoded: String =
        percent_encoding::utf8_percent_encode(inner, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    assert_eq!(Policy::parse(&encoded).unwrap().statements.len(), 1);
    // An error inside an embedded document names the outer position and the inner one.
    let bad = serde_json::to_string(r#"{"Statement":{"Effect":"Maybe","Action":"*"}}"#).unwrap();
    let e = err(&bad);
    assert_eq!(e.location.path.to_string(), "Statement.Effect");
    assert_eq!(e.location.inner.map(|p| p.column), Some(24));
}

#[test]
fn limits_are_enforced_with_clear_errors() {
    let pattern = "*a".repeat(300);
    let text = format!(
        r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":["*","arn:aws:s3:::{pattern}"]}}}}"#
    );
    let e = err(&text);
    assert_eq!(e.location.path.to_string(), "Statement.Resource[1]");
    assert_eq!(
        e.kind.to_string(),
        "more wildcards in one pattern than the limit of 256"
    );
    let many: Vec<String> = (0..10_001)
        .map(|_| r#"{"Effect":"Allow","Action":"*"}"#.to_string())
        .collect();
    let e = err(&format!(r#"{{"Statement":[{}]}}"#, many.join(",")));
    assert_eq!(
        e.kind.to_string(),
        "more statements in a policy than the limit of 10000"
    );
    let huge = format!(r#"{{"Id":"{}","Statement":[]}}"#, "x".repeat(1024 * 1024));
    assert_eq!(
        err(&huge).kind.to_string(),
        "more bytes in a policy document than the limit of 1048576"
    );
}
