//! The analysis against the engine and the reference evaluator: every witness is real, PASS
//! hides nothing on sampled requests, and every UNKNOWN construct is named.
// The tests name actions as the catalogue spells them (`s3:DeleteBucket`), which needs the
// embedded catalogue.
#![cfg(feature = "catalogue")]

use super::*;
use crate::decide::Outcome;
use crate::reference;

fn policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// Every witness of a FAIL is allowed under NEW and not under OLD, by the reference
/// evaluator too.
pub(crate) fn assert_witnesses_real(old: &str, new: &str, kind: PolicyType, d: &Diff) {
    let po = crate::policy::Policy::parse(old).unwrap();
    let pn = crate::policy::Policy::parse(new).unwrap();
    for r in &d.regions {
        let req = r.witness.request().unwrap();
        let (o, _) = reference::decide(&reference_inputs(kind, &po), &req);
        let (n, _) = reference::decide(&reference_inputs(kind, &pn), &req);
        assert_eq!(n, Outcome::Allowed, "NEW must allow {}", r.witness);
        assert_ne!(o, Outcome::Allowed, "OLD must deny {}", r.witness);
    }
}

fn run(old: &str, new: &str, kind: PolicyType) -> Diff {
    let d = diff(old, new, kind).unwrap();
    assert_witnesses_real(old, new, kind, &d);
    d
}

#[test]
fn wider_action_is_new_access_narrower_is_not() {
    let old = policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#);
    let new = policy(r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}"#);
    let d = run(&old, &new, PolicyType::Identity);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(d.regions[0].actions[0].contains("s3:get*"));
    assert_ne!(d.regions[0].witness.action.to_lowercase(), "s3:getobject");
    assert_eq!(run(&new, &old, PolicyType::Identity).verdict, Verdict::Pass);
    assert_eq!(run(&old, &old, PolicyType::Identity).verdict, Verdict::Pass);
}

#[test]
fn removing_a_deny_is_new_access() {
    let new = policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    let old = policy(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"},
           {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}"#,
    );
    let d = run(&old, &new, PolicyType::Identity);
    assert_eq!(d.verdict, Verdict::Fail);
    assert_eq!(d.regions.len(), 1);
    assert_eq!(d.regions[0].witness.action, "s3:DeleteBucket");
    assert_eq!(
        removed(&old, &new, PolicyType::Identity).unwrap().verdict,
        Verdict::Pass
    );
}

#[test]
fn conditions_are_regions() {
    let old = policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
    );
    let new = policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}"#,
    );
    let d = run(&old, &new, PolicyType::Identity);
    assert_eq!(d.verdict, Verdict::Fail);
    for r in &d.regions {
        let ip = &r.witness.context[0].1.values()[0];
        assert!(ip.starts_with("192.0.2."), "{ip}");
    }
    // Equivalent ways of writing the same condition.
    let a = policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}"#,
    );
    let b = policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"9.99999"}}}"#,
    );
    assert_eq!(run(&b, &a, PolicyType::Identity).verdict, Verdict::Fail);
    assert_eq!(run(&a, &b, PolicyType::Identity).verdict, Verdict::Pass);
}

#[test]
fn not_action_and_not_resource() {
    let old = policy(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#);
    let new =
        policy(r#"{"Effect":"Allow","Action":"*","NotResource":"arn:aws:iam::*:role/admin"}"#);
    let d = run(&old, &new, PolicyType::Identity);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(d
        .regions
        .iter()
        .all(|r| r.witness.action.to_lowercase().starts_with("iam:")));
    let d = run(&new, &old, PolicyType::Identity);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(d
        .regions
        .iter()
        .any(|r| r.witness.resource == "arn:aws:iam::*:role/admin"
            || r.witness.resource.contains(":role/admin")));
}

#[test]
fn resource_policy_principals() {
    let old = policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let new = policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let d = run(&old, &new, PolicyType::Resource);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(d
        .regions
        .iter()
        .all(|r| r.principals.iter().all(|p| p.contains("111122223333"))));
    assert_eq!(run(&new, &old, PolicyType::Resource).verdict, Verdict::Pass);
}

#[test]
fn multivalued_keys() {
    // Only a request carrying both values tells these apart.
    let old = policy(
        r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}}"#,
    );
    let new = policy(
        r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}}"#,
    );
    let d = run(&old, &new, PolicyType::Identity);
    assert_eq!(d.verdict, Verdict::Fail);
    assert!(d
        .regions
        .iter()
        .all(|r| r.witness.context[0].1.values().len() >= 2));
}

#[test]
fn unknown_constructs_are_named() {
    let plain = policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    let cases = [
        (policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}"#), "policy variable"),
        (policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${aws:username}"}}}"#), "policy variable"),
        (policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":"1"},"NumericEquals":{"k":"1"}}}"#), "different types"),
        (policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b","c","d","e","f","g"]}}}"#), "multivalued"),
        (policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"k":"É"}}}"#), "non-ASCII"),
        (policy(&(0..40).map(|i| format!(r#"{{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{{"StringEquals":{{"k{i}":"v"}}}}}}"#)).collect::<Vec<_>>().join(",")), "too many combinations"),
    ];
    for (p, what) in cases {
        let d = diff(&plain, &p, PolicyType::Identity).unwrap();
        match d.verdict {
            Verdict::Unknown(u) => assert!(u.to_string().contains(what), "{u} lacks {what}"),
            v => panic!("{what}: expected UNKNOWN, got {v:?}"),
        }
    }
}

#[test]
fn not_granted_and_public() {
    let p = policy(
        r#"{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}"#,
    );
    let d = check_not_granted(&p, PolicyType::Identity, &["s3:PutObject".into()], &[]).unwrap();
    assert_eq!(d.verdict, Verdict::Fail);
    assert_eq!(d.regions[0].witness.action, "s3:PutObject");
    let d = check_not_granted(&p, PolicyType::Identity, &["s3:DeleteObject".into()], &[]).unwrap();
    assert_eq!(d.verdict, Verdict::Pass);
    let d = check_not_granted(
        &p,
        PolicyType::Identity,
        &["s3:PutObject".into()],
        &["arn:aws:s3:::other/*".into()],
    )
    .unwrap();
    assert_eq!(d.verdict, Verdict::Pass);

    let public = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let d = check_no_public_access(&public, PolicyType::Resource).unwrap();
    assert_eq!(d.verdict, Verdict::Fail);
    let org = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}"#,
    );
    assert_eq!(
        check_no_public_access(&org, PolicyType::Resource)
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    let named = policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/JohnDoe"},"Action":"s3:GetObject"}"#,
    );
    assert_eq!(
        check_no_public_access(&named, PolicyType::Resource)
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    let secure = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#,
    );
    assert_eq!(
        check_no_public_access(&secure, PolicyType::Resource)
            .unwrap()
            .verdict,
        Verdict::Fail
    );
}

#[test]
fn world_findings_and_world_diff() {
    use crate::world::World;
    use findings::{findings, findings_against, TrustZone};
    let world = |bucket_policy: &str| {
        let text = format!(
            r#"{{"RoleDetailList": [{{"RoleName": "ci", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/ci",
              "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::444455556666:root"}}, "Action": "sts:AssumeRole"}},
                {{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole",
                  "Condition": {{"StringEquals": {{"aws:SourceAccount": "111122223333"}}}}}}]}},
              "RolePolicyList": [], "AttachedManagedPolicies": []}}],
              "ResourcePolicies": [{{"ResourceArn": "arn:aws:s3:::data", "Account": "111122223333", "Policy": {bucket_policy}}}]}}"#
        );
        World::load(&[("w.json".to_string(), text)]).unwrap().0
    };
    let private = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}}"#;
    let public = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}}"#;
    let before = world(private);
    let f = findings(&before, TrustZone::Account).unwrap();
    // The trust policy lets account 444455556666 in; the service is bound to the account.
    assert_eq!(f.findings.len(), 1, "{f:?}");
    assert_eq!(f.findings[0].resource, "arn:aws:iam::111122223333:role/ci");
    assert!(f.findings[0]
        .regions
        .iter()
        .all(|r| r.principals.iter().all(|p| p.contains("444455556666"))));
    let after = world(public);
    let d = findings_against(Some(&before), &after, TrustZone::Account).unwrap();
    assert_eq!(d.findings.len(), 1);
    assert_eq!(d.findings[0].resource, "arn:aws:s3:::data");
    assert!(d.findings[0]
        .regions
        .iter()
        .any(|r| r.witness.principal.is_none()));
}

#[test]
fn two_worlds_identity_diff() {
    use crate::world::World;
    let world = |action: &str| {
        let text = format!(
            r#"{{"RoleDetailList": [{{"RoleName": "app", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/app",
              "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": []}},
              "RolePolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"Version": "2012-10-17",
                "Statement": {{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}}}}}],
              "AttachedManagedPolicies": []}}]}}"#
        );
        World::load(&[("w.json".to_string(), text)]).unwrap().0
    };
    let (a, b) = (world("s3:GetObject"), world("s3:*"));
    assert!(findings::diff_worlds(&a, &a).unwrap().is_empty());
    let d = findings::diff_worlds(&a, &b).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].diff.verdict, Verdict::Fail);
    assert!(findings::diff_worlds(&b, &a).unwrap().is_empty());
}
