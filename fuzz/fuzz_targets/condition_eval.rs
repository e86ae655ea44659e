//! A generated condition (operator, qualifier, `IfExists`, key, values) parsed as part of a
//! policy, compiled and evaluated against a generated context. Besides "no panic", checks two
//! laws of semantics.md section 2 that hold whatever the values:
//! - on a missing key, `...IfExists` and `ForAllValues:` are true, `ForAnyValue:` is false,
//!   a plain negated operator is true and a plain positive one false;
//! - for the string operators without variables on a single-valued key, an operator and its
//!   negation disagree.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use polcheck_core::condition::{CompiledCondition, Operator, SetQualifier};
use polcheck_core::{Context, ContextValue};
use polcheck_core::policy::Policy;

const KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalTag/team",
    "aws:TagKeys",
    "s3:prefix",
    "aws:SourceArn",
    "n",
    "b",
];
const VALUES: &[&str] = &[
    "",
    "*",
    "?",
    "a*",
    "*a*a*b",
    "true",
    "false",
    "TRUE",
    "10",
    "-3.5",
    "1e3",
    "0x10",
    "99999999999999999999999999999999",
    "192.0.2.0/24",
    "192.0.2.5",
    "::1/128",
    "2001:db8::/32",
    "10.0.0.0/33",
    "2024-01-01T00:00:00Z",
    "2024-02-30",
    "1700000000",
    "-62135596800",
    "arn:aws:s3:::b/*",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:*",
    "arn:*:s3:::*",
    "${aws:username}",
    "${aws:PrincipalTag/team, 'x'}",
    "${*}",
    "${",
    "aGVsbG8=",
    "!!",
    "blue",
    "Blue",
];

#[derive(Debug, Arbitrary)]
enum Text {
    Known(u8),
    Free(String),
}

impl Text {
    fn get(&self) -> String {
        match self {
            Text::Known(i) => VALUES[*i as usize % VALUES.len()].to_string(),
            Text::Free(s) => s.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    operator: u8,
    qualifier: u8,
    if_exists: bool,
    key: u8,
    version2012: bool,
    values: Vec<Text>,
    list: bool,
    context: Vec<(u8, Vec<Text>, bool)>,
}

fuzz_target!(|input: Input| {
    let op = Operator::ALL[input.operator as usize % Operator::ALL.len()];
    let qualifier = match input.qualifier % 3 {
        0 => "",
        1 => "ForAnyValue:",
        _ => "ForAllValues:",
    };
    let name = format!(
        "{qualifier}{}{}",
        op.name(),
        if input.if_exists { "IfExists" } else { "" }
    );
    let key = KEYS[input.key as usize % KEYS.len()];
    let values: Vec<String> = input.values.iter().take(8).map(Text::get).collect();
    let value = match (input.list, values.as_slice()) {
        (false, [one]) => serde_json::json!(one),
        _ => serde_json::json!(values),
    };
    let doc = serde_json::json!({
        "Version": if input.version2012 { "2012-10-17" } else { "2008-10-17" },
        "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {name.clone(): {key: value.clone()}}}
    });
    let Ok(policy) = Policy::parse(&doc.to_string()) else {
        return;
    };
    let cond = &policy.statements[0].conditions[0];
    let compiled = CompiledCondition::new(cond.operator, &cond.key, &cond.values, policy.version.has_variables());

    let mut ctx = Context::new();
    for (k, vs, multi) in input.context.iter().take(4) {
        let k = KEYS[*k as usize % KEYS.len()];
        let vs: Vec<String> = vs.iter().take(4).map(Text::get).collect();
        let v = match (multi, vs.first()) {
            (false, Some(v)) => ContextValue::single(v.clone()),
            _ => ContextValue::Multi(vs),
        };
        ctx.insert(k, v);
    }
    let result = compiled.evaluate(&ctx);

    let present = ctx.get(key).is_some();
    let co = compiled.operator();
    if !present && co.operator != Operator::Null {
        let expected = co.if_exists
            || match co.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => co.operator.is_negated(),
            };
        assert_eq!(result, expected, "missing key: {name} {doc}");
    }

    // An operator against its negation, on one string value without variables.
    let negation = match op {
        Operator::StringEquals => Some("StringNotEquals"),
        Operator::StringEqualsIgnoreCase => Some("StringNotEqualsIgnoreCase"),
        Operator::StringLike => Some("StringNotLike"),
        _ => None,
    };
    let single = matches!(ctx.get(key), Some(ContextValue::Single(_)));
    let variables = values.iter().any(|v| v.contains('$'));
    if let (Some(neg), true, false, "") = (negation, single, variables, qualifier) {
        let neg_name = format!("{neg}{}", if input.if_exists { "IfExists" } else { "" });
        let neg_doc = serde_json::json!({
            "Version": if input.version2012 { "2012-10-17" } else { "2008-10-17" },
            "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {neg_name: {key: value}}}
        });
        if let Ok(p) = Policy::parse(&neg_doc.to_string()) {
            let c = CompiledCondition::new(p.statements[0].conditions[0].operator, &p.statements[0].conditions[0].key, &p.statements[0].conditions[0].values, p.version.has_variables());
            assert_ne!(
                result,
                c.evaluate(&ctx),
                "{doc} vs its negation, context {ctx:?}"
            );
        }
    }
});
