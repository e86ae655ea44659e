// A generated estate for the access-path benchmarks: `users` users in 50 groups and `roles`
// roles, in the shape of `aws iam get-account-authorization-details`, with the trust and
// permissions that make a graph worth walking:
//
// - roles: 60% trusted by a service (EC2, Lambda, ECS tasks, CodeBuild), 39.5% by one user
//   (role `i` trusts user `i % users`), 0.5% by the whole account; each has an inline policy on
//   its own bucket, table and queue; every 20th may assume the next role (chains);
// - users: each may assume the roles of its team (`role/team-G-*`); every 100th may pass
//   service roles to Lambda and create and invoke functions; every 500th may create versions
//   of its group's managed policy; every role `svc-*` of a tenth of the services is admin.
//
// Included by `benches/benches/paths.rs` and `core/tests/paths_scale.rs`.

/// The export as JSON text (see the comment above).
pub fn paths_estate(users: usize, roles: usize) -> String {
    use serde_json::{json, Value};
    let acct = "111122223333";
    let services = [
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "codebuild.amazonaws.com",
    ];
    let groups: Vec<Value> = (0..50)
        .map(|g| {
            json!({"GroupName": format!("team-{g}"), "Arn": format!("arn:aws:iam::{acct}:group/team-{g}"),
                "GroupPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": format!("team-{g}"), "PolicyArn": format!("arn:aws:iam::{acct}:policy/team-{g}")}]})
        })
        .collect();
    let managed: Vec<Value> = (0..50)
        .map(|g| {
            json!({"PolicyName": format!("team-{g}"), "Arn": format!("arn:aws:iam::{acct}:policy/team-{g}"), "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::{acct}:role/team-{g}-*")},
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": format!("arn:aws:s3:::team-{g}*")}]}}]})
        })
        .collect();
    let user_list: Vec<Value> = (0..users)
        .map(|u| {
            let mut statements = vec![json!({"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"})];
            if u % 100 == 0 {
                statements.push(json!({"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}));
            }
            if u % 500 == 0 {
                statements.push(json!({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": format!("arn:aws:iam::{acct}:policy/team-{}", u % 50)}));
            }
            json!({"UserName": format!("user-{u}"), "UserId": format!("AIDA{u:012}"), "Arn": format!("arn:aws:iam::{acct}:user/user-{u}"),
                "GroupList": [format!("team-{}", u % 50)],
                "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
                "AttachedManagedPolicies": []})
        })
        .collect();
    let role_list: Vec<Value> = (0..roles)
        .map(|r| {
            let (name, trust) = match r % 200 {
                0 => (format!("team-{}-shared-{r}", r % 50), json!({"AWS": format!("arn:aws:iam::{acct}:root")})),
                k if k < 120 => (format!("svc-{r}"), json!({"Service": services[r % services.len()]})),
                _ => (format!("team-{}-role-{r}", r % 50), json!({"AWS": format!("arn:aws:iam::{acct}:user/user-{}", r % users.max(1))})),
            };
            let mut statements = vec![json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "sqs:SendMessage"],
                "Resource": [format!("arn:aws:s3:::bucket-{r}/*"), format!("arn:aws:dynamodb:us-east-1:{acct}:table/t-{r}"), format!("arn:aws:sqs:us-east-1:{acct}:q-{r}")]})];
            if r % 20 == 0 {
                statements.push(json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::{acct}:role/*-{}", r + 1)}));
            }
            if name.starts_with("svc-") && r % 40 == 1 {
                statements.push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
            }
            json!({"RoleName": name, "RoleId": format!("AROA{r:012}"), "Arn": format!("arn:aws:iam::{acct}:role/{name}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"}]},
                "RolePolicyList": [{"PolicyName": "own", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
                "AttachedManagedPolicies": []})
        })
        .collect();
    json!({"AccountId": acct, "UserDetailList": user_list, "GroupDetailList": groups, "RoleDetailList": role_list, "Policies": managed}).to_string()
}
