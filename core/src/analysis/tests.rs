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
        (policy(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"${aws:username}"}}}"#), "policy variable"),
        (policy(&(0..40).map(|i| format!(r#"{{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{{"StringEquals":{{"k{i}":"v"}}}}}}"#)).collect::<Vec<_>>().join(",")), "too many combinations in the condition keys"),
        // Twelve resource patterns `arn:aws:s3:::*a*b*`, `...*c*d*`, ... over distinct letters:
        // their product automaton has over 3^12 = 531,441 states, past the 500,000 allowed.
        (policy(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":{}}}"#, serde_json::json!((0..12u8).map(|i| format!("arn:aws:s3:::*{}*{}*", char::from(b'a' + 2 * i), char::from(b'b' + 2 * i))).collect::<Vec<_>>()))), "too many combinations in the resources"),
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
              "ResourcePolicies": [{{"ResourceArn": "arn:aws:s3:::data", "AccountId": "111122223333", "Policy": {bucket_policy}}}]}}"#
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
    let d = findings_against(Some(&before), &after, TrustZone::Account, None).unwrap();
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

#[test]
fn two_worlds_with_both_language_versions_and_variables_are_unknown() {
    use crate::world::World;
    // One role with a 2008-10-17 inline policy writing `${` and a 2012-10-17 one: merged into
    // one document, one of the two readings of `${aws:username}` would be lost.
    let world = |action: &str| {
        let text = format!(
            r#"{{"RoleDetailList": [{{"RoleName": "app", "RoleId": "AROA1", "Arn": "arn:aws:iam::111122223333:role/app",
              "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": []}},
              "RolePolicyList": [
                {{"PolicyName": "old", "PolicyDocument": {{"Version": "2008-10-17",
                  "Statement": {{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${{aws:username}}"}}}}}},
                {{"PolicyName": "new", "PolicyDocument": {{"Version": "2012-10-17",
                  "Statement": {{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}}}}}],
              "AttachedManagedPolicies": []}}]}}"#
        );
        World::load(&[("w.json".to_string(), text)]).unwrap().0
    };
    let d = findings::diff_worlds(&world("sqs:SendMessage"), &world("sqs:*")).unwrap();
    assert_eq!(d.len(), 1);
    match &d[0].diff.verdict {
        Verdict::Unknown(u) => assert!(u.to_string().contains("both language versions"), "{u}"),
        v => panic!("expected UNKNOWN, got {v:?}"),
    }
}

/// Every region of a finding: its witness is allowed by the reference evaluator under the
/// policy, and its caller is outside the zone.
fn assert_findings_real(f: &findings::Findings, world: &crate::world::World, zone: &[&str]) {
    for x in &f.findings {
        let text = world
            .resource_policy_infos()
            .into_iter()
            .find(|r| r.arn == x.resource)
            .map(|r| policy_text(r.policy.policy()))
            .or_else(|| {
                world
                    .principal_infos()
                    .into_iter()
                    .find(|p| p.arn == x.resource)
                    .and_then(|p| p.trust.map(|t| policy_text(t.policy())))
            })
            .unwrap();
        let p = crate::policy::Policy::parse(&text).unwrap();
        for r in &x.regions {
            let req = r.witness.request().unwrap();
            let (o, _) = reference::decide(&reference_inputs(x.kind, &p), &req);
            assert_eq!(o, Outcome::Allowed, "{} must be allowed", r.witness);
            if let Some(caller) = &r.witness.principal {
                assert!(
                    !zone.iter().any(|a| caller.contains(&format!("::{a}:"))),
                    "{caller} is inside the zone"
                );
            }
        }
    }
}

/// A world of one bucket in 111122223333 with this policy, in an organization of two accounts.
fn bucket_world(statement: &str) -> crate::world::World {
    let text = format!(
        r#"{{"RoleDetailList": [], "Organization": {{"Accounts": {{"111122223333": ["r-root"], "444455556666": ["r-root"]}}}},
          "ResourcePolicies": [{{"ResourceArn": "arn:aws:s3:::data", "AccountId": "111122223333",
            "Policy": {{"Version": "2012-10-17", "Statement": [{statement}]}}}}]}}"#
    );
    crate::world::World::load(&[("w.json".to_string(), text)])
        .unwrap()
        .0
}

#[test]
fn findings_read_accounts_named_in_conditions() {
    use findings::{findings, TrustZone};
    // Everyone, limited by a condition to one other account: that account has access.
    let other = bucket_world(
        r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "555566667777"}}}"#,
    );
    let f = findings(&other, TrustZone::Account).unwrap();
    assert_eq!(f.findings.len(), 1, "{f:?}");
    assert_findings_real(&f, &other, &["111122223333"]);
    assert!(f.findings[0].regions.iter().any(|r| r
        .witness
        .context
        .iter()
        .any(|(k, v)| k == "aws:PrincipalAccount" && v.values() == ["555566667777"])));
    // Limited to the zone's own account (by account, or by an ARN in it): no finding.
    for condition in [
        r#"{"StringEquals": {"aws:PrincipalAccount": "111122223333"}}"#,
        r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}"#,
    ] {
        let own = bucket_world(&format!(
            r#"{{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*", "Condition": {condition}}}"#
        ));
        let f = findings(&own, TrustZone::Account).unwrap();
        assert!(f.findings.is_empty(), "{condition}: {f:?}");
    }
    // A service bound to another account by aws:SourceAccount acts for that account.
    let service = bucket_world(
        r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "555566667777"}}}"#,
    );
    let f = findings(&service, TrustZone::Account).unwrap();
    assert_eq!(f.findings.len(), 1, "{f:?}");
    assert_findings_real(&f, &service, &["111122223333"]);
}

#[test]
fn trust_zone_account_or_organization() {
    use findings::{findings, TrustZone};
    // The other account of the organization, named as a principal.
    let named = bucket_world(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}"#,
    );
    let f = findings(&named, TrustZone::Account).unwrap();
    assert_eq!(f.findings.len(), 1, "{f:?}");
    assert_findings_real(&f, &named, &["111122223333"]);
    assert!(findings(&named, TrustZone::Organization)
        .unwrap()
        .findings
        .is_empty());
    // An account outside the organization is outside both zones.
    let outside = bucket_world(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::555566667777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}"#,
    );
    for zone in [TrustZone::Account, TrustZone::Organization] {
        let f = findings(&outside, zone).unwrap();
        assert_eq!(f.findings.len(), 1, "{zone:?}: {f:?}");
        assert_findings_real(&f, &outside, &["111122223333", "444455556666"]);
    }
    // Everyone in an organization: other accounts of it are outside the account; for the
    // organization, the world's `Organization.Id` says whether it is the zone's (without
    // it: UNKNOWN, never a guess).
    let org = bucket_world(
        r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}"#,
    );
    let f = findings(&org, TrustZone::Account).unwrap();
    assert_eq!(f.findings.len(), 1, "{f:?}");
    assert_findings_real(&f, &org, &["111122223333"]);
    assert!(f.findings[0].regions.iter().all(|r| r
        .conditions
        .iter()
        .any(|c| c.contains("aws:PrincipalOrgID") && c.ends_with(" holds"))));
    let f = findings(&org, TrustZone::Organization).unwrap();
    assert!(f.findings.is_empty(), "{f:?}");
    assert!(
        matches!(&f.unknown[..], [(_, Unknown::OrganizationId { key })] if key == "aws:PrincipalOrgID"),
        "{f:?}"
    );
    let with_id = |id: &str| {
        let text = format!(
            r#"{{"Organization": {{"Id": "{id}", "Accounts": {{"111122223333": ["r-root"], "444455556666": ["r-root"]}}}},
              "ResourcePolicies": [{{"ResourceArn": "arn:aws:s3:::data", "AccountId": "111122223333",
                "Policy": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*",
                  "Condition": {{"StringEquals": {{"aws:PrincipalOrgID": "o-abc123"}}}}}}]}}}}]}}"#
        );
        crate::world::World::load(&[("w.json".to_string(), text)])
            .unwrap()
            .0
    };
    let own = with_id("o-abc123");
    let f = findings(&own, TrustZone::Organization).unwrap();
    assert!(f.findings.is_empty() && f.unknown.is_empty(), "{f:?}");
    let another = with_id("o-zzz999");
    let f = findings(&another, TrustZone::Organization).unwrap();
    assert_eq!(f.findings.len(), 1, "{f:?}");
    assert_findings_real(&f, &another, &["111122223333", "444455556666"]);
}

#[test]
fn federated_and_canonical_principals() {
    let empty = policy("");
    // A trust policy that starts trusting an identity provider grants new access.
    let oidc = policy(
        r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#,
    );
    let d = run(&empty, &oidc, PolicyType::Trust);
    assert_eq!(d.verdict, Verdict::Fail);
    assert_eq!(
        d.regions[0].witness.principal.as_deref(),
        Some("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    );
    let google = policy(
        r#"{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#,
    );
    let d = run(&oidc, &google, PolicyType::Trust);
    assert_eq!(d.verdict, Verdict::Fail);
    assert_eq!(
        d.regions[0].witness.principal.as_deref(),
        Some("federated:accounts.google.com")
    );
    assert_eq!(run(&oidc, &oidc, PolicyType::Trust).verdict, Verdict::Pass);
    // S3 canonical user ids are not callers the engine models.
    let canonical = policy(
        r#"{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    match diff(&empty, &canonical, PolicyType::Resource)
        .unwrap()
        .verdict
    {
        Verdict::Unknown(u) => assert!(u.to_string().contains("CanonicalUser"), "{u}"),
        v => panic!("expected UNKNOWN, got {v:?}"),
    }
}
