use super::*;
use crate::context::ContextValue;
use crate::policy::Policy;

/// Evaluates `"op": {"k": values}` against a context holding `k` (or not).
fn eval(op: &str, values: &str, request: Option<ContextValue>) -> bool {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{{"{op}":{{"k":{values}}}}}}}}}"#
    );
    let p = Policy::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let c = {
        let c = &p.statements[0].conditions[0];
        CompiledCondition::new(c.operator, &c.key, &c.values, p.version.has_variables())
    };
    let mut ctx = Context::new();
    if let Some(v) = request {
        ctx.insert("K", v);
    }
    c.evaluate(&ctx)
}

fn one(v: &str) -> Option<ContextValue> {
    Some(ContextValue::single(v))
}

fn many(v: &[&str]) -> Option<ContextValue> {
    Some(ContextValue::Multi(
        v.iter().map(|s| s.to_string()).collect(),
    ))
}

#[test]
fn string_operators() {
    assert!(eval("StringEquals", r#"["a","b"]"#, one("b")));
    assert!(!eval("StringEquals", r#""a""#, one("A")));
    assert!(eval("StringEqualsIgnoreCase", r#""a""#, one("A")));
    assert!(!eval("StringNotEqualsIgnoreCase", r#""a""#, one("A")));
    assert!(eval("StringNotEquals", r#"["a","b"]"#, one("c")));
    assert!(eval("StringLike", r#""a*z""#, one("abcz")));
    assert!(!eval("StringLike", r#""a*z""#, one("Abcz")));
    assert!(eval("StringNotLike", r#""a*""#, one("b")));
}

#[test]
fn missing_keys() {
    assert!(!eval("StringEquals", r#""a""#, None));
    assert!(eval("StringNotEquals", r#""a""#, None));
    assert!(eval("StringEqualsIfExists", r#""a""#, None));
    assert!(!eval("StringEqualsIfExists", r#""a""#, one("b")));
    assert!(eval("NumericLessThanIfExists", "5", None));
    assert!(eval("Null", r#""true""#, None));
    assert!(!eval("Null", r#""true""#, one("x")));
    assert!(eval("Null", "false", one("x")));
}

#[test]
fn numeric_and_date_comparisons() {
    assert!(eval("NumericLessThan", "10", one("9.99")));
    assert!(!eval("NumericLessThan", "10", one("10")));
    assert!(eval("NumericLessThanEquals", "10", one("10.0")));
    assert!(eval("NumericGreaterThan", "-1", one("0")));
    assert!(eval("NumericGreaterThanEquals", "1.5", one("1.5")));
    assert!(eval("NumericNotEquals", r#"[1, 2]"#, one("3")));
    assert!(!eval("NumericEquals", "1", one("one")));
    assert!(
        !eval("NumericNotEquals", "1", one("one")),
        "unreadable never satisfies"
    );
    assert!(eval(
        "DateGreaterThan",
        r#""2020-01-01T00:00:00Z""#,
        one("2021-06-01")
    ));
    assert!(eval(
        "DateEquals",
        r#""2020-01-01T00:00:00Z""#,
        one("1577836800")
    ));
    assert!(eval(
        "DateNotEquals",
        r#""2020-01-01T00:00:00Z""#,
        one("1577836801")
    ));
    assert!(eval(
        "DateLessThanEquals",
        r#""2020-01-01""#,
        one("2020-01-01T00:00:00Z")
    ));
    assert!(eval(
        "DateGreaterThanEquals",
        r#""2020-01-01""#,
        one("2020-01-01T00:00:00Z")
    ));
}

#[test]
fn bool_binary_ip_arn() {
    assert!(eval("Bool", "true", one("TRUE")));
    assert!(!eval("Bool", r#""true""#, one("yes")));
    assert!(eval("BinaryEquals", r#""aGVsbG8=""#, one("aGVsbG8=")));
    assert!(!eval("BinaryEquals", r#""aGVsbG8=""#, one("aGVsbG9=")));
    assert!(eval("IpAddress", r#""2001:db8::/32""#, one("2001:db8::7")));
    assert!(!eval("IpAddress", r#""10.0.0.0/8""#, one("2001:db8::7")));
    assert!(eval(
        "NotIpAddress",
        r#"["10.0.0.0/8","192.0.2.1"]"#,
        one("192.0.2.2")
    ));
    assert!(!eval(
        "NotIpAddress",
        r#"["10.0.0.0/8","192.0.2.1"]"#,
        one("192.0.2.1")
    ));
    assert!(eval(
        "ArnLike",
        r#""arn:aws:s3:::b*""#,
        one("arn:aws:s3:::bucket")
    ));
    assert!(eval(
        "ArnEquals",
        r#""arn:aws:iam::*:role/x""#,
        one("arn:aws:iam::1:role/x")
    ));
    assert!(eval(
        "ArnNotLike",
        r#""arn:aws:s3:::b*""#,
        one("arn:aws:s3:::c")
    ));
    assert!(eval("ArnNotEquals", r#""arn:aws:s3:::b""#, None));
}

#[test]
fn set_qualifiers() {
    let allowed = r#"["a","b"]"#;
    assert!(eval(
        "ForAllValues:StringEquals",
        allowed,
        many(&["a", "b"])
    ));
    assert!(!eval(
        "ForAllValues:StringEquals",
        allowed,
        many(&["a", "c"])
    ));
    assert!(eval("ForAllValues:StringEquals", allowed, many(&[])));
    assert!(eval("ForAllValues:StringEquals", allowed, None));
    assert!(eval("ForAnyValue:StringEquals", allowed, many(&["c", "a"])));
    assert!(!eval("ForAnyValue:StringEquals", allowed, many(&[])));
    assert!(!eval("ForAnyValue:StringEquals", allowed, None));
    assert!(eval("ForAnyValue:StringEqualsIfExists", allowed, None));
    // With a negated operator each value must match none of the policy values.
    assert!(eval(
        "ForAllValues:StringNotEquals",
        allowed,
        many(&["c", "d"])
    ));
    assert!(!eval(
        "ForAllValues:StringNotEquals",
        allowed,
        many(&["c", "a"])
    ));
    assert!(eval(
        "ForAnyValue:StringNotEquals",
        allowed,
        many(&["c", "a"])
    ));
    // Without a qualifier: any value for positive, none for negated.
    assert!(eval("StringEquals", allowed, many(&["c", "a"])));
    assert!(!eval("StringNotEquals", allowed, many(&["c", "a"])));
}

#[test]
fn variables_in_values() {
    let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"StringNotEquals":{"k":"${aws:username}"}}}}"#;
    let p = Policy::parse(text).unwrap();
    let c = {
        let c = &p.statements[0].conditions[0];
        CompiledCondition::new(c.operator, &c.key, &c.values, p.version.has_variables())
    };
    let mut ctx = Context::new();
    ctx.insert("k", ContextValue::single("alice"));
    assert!(
        c.evaluate(&ctx),
        "an unresolvable variable makes a negated condition true"
    );
    ctx.insert("aws:username", ContextValue::single("alice"));
    assert!(!c.evaluate(&ctx));
}

/// A single value's typed reading is kept in its context (read once), and a context that
/// inserts the key again, or a copy that does, reads the new value: the cache follows the
/// value, never the key.
#[test]
fn typed_readings_follow_the_value_not_the_key() {
    let compile = |op: &str, v: &str| {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{{"{op}":{{"k":"{v}"}}}}}}}}"#
        );
        let p = Policy::parse(&text).unwrap();
        let c = &p.statements[0].conditions[0];
        CompiledCondition::new(c.operator, &c.key, &c.values, false)
    };
    let before = compile("DateLessThan", "2027-01-01T00:00:00Z");
    let inside = compile("IpAddress", "192.0.2.0/24");
    let mut ctx = Context::new();
    ctx.insert("k", ContextValue::single("2026-06-01T12:00:00Z"));
    assert!(before.evaluate(&ctx));
    assert!(before.evaluate(&ctx), "read from the cache");
    let mut later = ctx.clone();
    later.insert("k", ContextValue::single("2028-06-01T12:00:00Z"));
    assert!(
        !before.evaluate(&later),
        "a copy that inserts again reads the new value"
    );
    assert!(before.evaluate(&ctx), "the original keeps its value");
    // One key read as two types: each reading is its own.
    ctx.insert("k", ContextValue::single("192.0.2.7"));
    assert!(inside.evaluate(&ctx));
    assert!(!before.evaluate(&ctx), "an address is not a date");
    ctx.insert("k", ContextValue::single("198.51.100.1"));
    assert!(!inside.evaluate(&ctx));
    // From a base context, too.
    let mut base = Context::new();
    base.insert("k", ContextValue::single("192.0.2.9"));
    let on_base = Context::new().with_base(std::sync::Arc::new(base));
    assert!(inside.evaluate(&on_base));
    assert!(inside.evaluate(&on_base));
}
