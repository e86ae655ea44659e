//! The resource of an event: from `resources[]` when CloudTrail lists one the action takes,
//! else from the request parameters of the common services, else `*` for actions that take
//! no resource. An action that takes a resource polcheck cannot name is not guessed.
//!
//! | service | parameters | ARN |
//! | --- | --- | --- |
//! | S3 | `bucketName`, `key` | `arn:aws:s3:::BUCKET` or `arn:aws:s3:::BUCKET/KEY` (by the action's resource type) |
//! | DynamoDB | `tableName` | `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME` |
//! | Lambda | `functionName` (name or ARN) | `arn:aws:lambda:REGION:ACCOUNT:function:NAME` |
//! | KMS | `keyId` (ARN, key id or `alias/NAME`) | `arn:aws:kms:REGION:ACCOUNT:key/ID` or `...:alias/NAME` |
//! | SNS | `topicArn`, `targetArn` | as given |
//! | SQS | `queueUrl` (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`), `queueName` | `arn:aws:sqs:REGION:ACCOUNT:NAME` |
//! | IAM | `userName`, `roleName`, `groupName`, `instanceProfileName`, `policyArn` | `arn:aws:iam::ACCOUNT:user/NAME`... |
//! | STS | `roleArn` | as given |
//! | Secrets Manager | `secretId` when it is an ARN | as given |
//! | CloudWatch Logs | `logGroupName`, `logStreamName` | `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:log-stream:STREAM]` |
//!
//! ARN formats: each service's "Resource types defined by ..." table in the Service
//! Authorization Reference.

use crate::catalogue::Catalogue;

use super::record::Record;

/// The resource of a request, and its owner when CloudTrail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The resource ARN, or `*`.
    pub arn: String,
    /// The owning account from `resources[].accountId`, when given.
    pub account: Option<String>,
}

/// Why no resource could be named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TargetError {
    /// The action takes a resource; neither `resources[]` nor the parameters name it.
    Unnamed,
}

/// Names the resource of `action` (`service:Name`, as [`super::action_of`] returns it) in
/// `record`; `account` is the caller's or recipient's account, for ARNs that carry one.
pub fn target_of(record: &Record<'_>, action: &str, account: &str) -> Result<Target, TargetError> {
    let (service, name) = action.split_once(':').unwrap_or((action, ""));
    let cat = Catalogue::get().ok();
    let mut takes =
        |arn: &str| cat.is_some_and(|c| !c.resource_types_for_arn(service, name, arn).is_empty());
    target_with(
        record,
        service,
        star_allowed(service, name),
        account,
        &mut takes,
        &mut Candidates::default(),
    )
}

/// Whether `service:name` may be decided on `*`: it takes no resource type, or only
/// optional ones (`Resource: *` allowed), or the catalogue does not know it.
pub(crate) fn star_allowed(service: &str, name: &str) -> bool {
    let action = Catalogue::get().ok().and_then(|c| c.action(service, name));
    let takes_none = action.is_none_or(|a| a.resource_types().next().is_none());
    let all_optional = action.is_some_and(|a| a.resource_types().all(|(_, required)| !required));
    takes_none || all_optional
}

/// [`target_of`] with the catalogue's "does the action take this ARN" given as `takes` (the
/// replay remembers its answers by ARN shape) and [`star_allowed`]'s answer as `star`; the
/// candidate ARNs are written into `scratch`, kept from one record to the next.
pub(crate) fn target_with(
    record: &Record<'_>,
    service: &str,
    star: bool,
    account: &str,
    takes: &mut dyn FnMut(&str) -> bool,
    scratch: &mut Candidates,
) -> Result<Target, TargetError> {
    // S3 lists the object without an account and the bucket with one: the owner is the
    // first account the list gives.
    let owner = record.resources.iter().find_map(|r| r.account_id.get());
    // CloudTrail's own list first: the entry whose type the action takes.
    for r in &record.resources {
        if let Some(arn) = r.arn.get() {
            if takes(arn) {
                return Ok(Target {
                    arn: arn.to_string(),
                    account: r.account_id.get().or(owner).map(str::to_string),
                });
            }
        }
    }
    let region = record.aws_region.get().unwrap_or("us-east-1");
    from_parameters(record, service, region, account, scratch);
    if let Some(arn) = scratch.iter().find(|arn| takes(arn)) {
        return Ok(Target {
            arn: arn.to_string(),
            account: owner.map(str::to_string),
        });
    }
    if star {
        return Ok(Target {
            arn: "*".to_string(),
            account: owner.map(str::to_string),
        });
    }
    Err(TargetError::Unnamed)
}

/// Candidate ARNs of one record, written into strings kept from one record to the next
/// (most records name one or two; building each afresh was most of naming the resource).
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    arns: Vec<String>,
    used: usize,
}

impl Candidates {
    fn clear(&mut self) {
        self.used = 0;
    }

    /// Adds the candidate written as `parts`, one after another.
    fn push(&mut self, parts: &[&str]) {
        if self.arns.len() == self.used {
            self.arns.push(String::new());
        }
        if let Some(s) = self.arns.get_mut(self.used) {
            s.clear();
            for p in parts {
                s.push_str(p);
            }
        }
        self.used += 1;
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.arns.iter().take(self.used).map(String::as_str)
    }
}

/// Candidate ARNs from the request parameters, most specific first, into `out`.
fn from_parameters(
    record: &Record<'_>,
    service: &str,
    region: &str,
    account: &str,
    out: &mut Candidates,
) {
    let p = &record.request_parameters;
    out.clear();
    let arn_or = |given: &str, out: &mut Candidates, parts: &[&str]| {
        if given.starts_with("arn:") {
            out.push(&[given]);
        } else {
            out.push(parts);
        }
    };
    match service {
        "s3" => {
            if let Some(bucket) = p.bucket_name.get() {
                if let Some(key) = p.key.get() {
                    out.push(&["arn:aws:s3:::", bucket, "/", key]);
                }
                out.push(&["arn:aws:s3:::", bucket]);
            }
        }
        "dynamodb" => {
            if let Some(t) = p.table_name.get() {
                arn_or(
                    t,
                    out,
                    &["arn:aws:dynamodb:", region, ":", account, ":table/", t],
                );
            }
        }
        "lambda" => {
            if let Some(f) = p.function_name.get() {
                arn_or(
                    f,
                    out,
                    &["arn:aws:lambda:", region, ":", account, ":function:", f],
                );
            }
        }
        "kms" => {
            if let Some(k) = p.key_id.get() {
                if k.starts_with("alias/") {
                    out.push(&["arn:aws:kms:", region, ":", account, ":", k]);
                } else {
                    arn_or(k, out, &["arn:aws:kms:", region, ":", account, ":key/", k]);
                }
            }
        }
        "sns" => {
            for arn in [p.topic_arn.get(), p.target_arn.get()]
                .into_iter()
                .flatten()
            {
                out.push(&[arn]);
            }
        }
        "sqs" => {
            if let Some((region, account, name)) = p.queue_url.get().and_then(queue_parts) {
                out.push(&["arn:aws:sqs:", region, ":", account, ":", name]);
            }
            if let Some(q) = p.queue_name.get() {
                out.push(&["arn:aws:sqs:", region, ":", account, ":", q]);
            }
        }
        "iam" => {
            if let Some(arn) = p.policy_arn.get() {
                out.push(&[arn]);
            }
            let named = [
                ("user", p.user_name.get()),
                ("role", p.role_name.get()),
                ("group", p.group_name.get()),
                ("instance-profile", p.instance_profile_name.get()),
            ];
            for (kind, name) in named {
                if let Some(n) = name {
                    out.push(&["arn:aws:iam::", account, ":", kind, "/", n]);
                }
            }
        }
        "sts" => {
            if let Some(arn) = p.role_arn.get() {
                out.push(&[arn]);
            }
        }
        "secretsmanager" => {
            if let Some(arn) = p.secret_id.get().filter(|s| s.starts_with("arn:")) {
                out.push(&[arn]);
            }
        }
        "logs" => {
            if let Some(g) = p.log_group_name.get() {
                let group = ["arn:aws:logs:", region, ":", account, ":log-group:", g];
                if let Some(s) = p.log_stream_name.get() {
                    out.push(&[
                        "arn:aws:logs:",
                        region,
                        ":",
                        account,
                        ":log-group:",
                        g,
                        ":log-stream:",
                        s,
                    ]);
                }
                out.push(&group);
            }
        }
        _ => {}
    }
}

/// `https://sqs.us-east-1.amazonaws.com/111122223333/orders` → (`us-east-1`, `111122223333`,
/// `orders`): the parts of `arn:aws:sqs:us-east-1:111122223333:orders`.
fn queue_parts(url: &str) -> Option<(&str, &str, &str)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    Some((region, account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Record<'_> {
        serde_json::from_str(json).unwrap()
    }

    // Amazon S3 User Guide, "Amazon S3 CloudTrail events": data events name the bucket and
    // key in requestParameters; the object ARN is arn:aws:s3:::BUCKET/KEY.
    #[test]
    fn s3_object_and_bucket_by_action() {
        let r = record(
            r#"{"awsRegion": "us-east-1", "requestParameters": {"bucketName": "b", "key": "k/1.csv"}}"#,
        );
        assert_eq!(
            target_of(&r, "s3:GetObject", "1").unwrap().arn,
            "arn:aws:s3:::b/k/1.csv"
        );
        assert_eq!(
            target_of(&r, "s3:ListBucket", "1").unwrap().arn,
            "arn:aws:s3:::b"
        );
    }

    #[test]
    fn resources_list_comes_first_with_its_owner() {
        let r = record(
            r#"{"resources": [{"ARN": "arn:aws:s3:::b", "accountId": "444455556666", "type": "AWS::S3::Bucket"},
            {"ARN": "arn:aws:s3:::b/x", "type": "AWS::S3::Object"}]}"#,
        );
        let t = target_of(&r, "s3:GetObject", "1").unwrap();
        assert_eq!(t.arn, "arn:aws:s3:::b/x");
        assert_eq!(t.account.as_deref(), Some("444455556666"));
    }

    // Service Authorization Reference: table, function, queue, key ARN formats.
    #[test]
    fn common_services_from_parameters() {
        let cases = [
            (
                r#"{"awsRegion": "eu-west-1", "requestParameters": {"tableName": "orders"}}"#,
                "dynamodb:GetItem",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
            ),
            (
                r#"{"awsRegion": "eu-west-1", "requestParameters": {"functionName": "f"}}"#,
                "lambda:InvokeFunction",
                "arn:aws:lambda:eu-west-1:111122223333:function:f",
            ),
            (
                r#"{"awsRegion": "eu-west-1", "requestParameters": {"queueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/q"}}"#,
                "sqs:SendMessage",
                "arn:aws:sqs:eu-west-1:111122223333:q",
            ),
            (
                r#"{"awsRegion": "eu-west-1", "requestParameters": {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}}"#,
                "kms:Decrypt",
                "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            (
                r#"{"requestParameters": {"topicArn": "arn:aws:sns:us-east-1:111122223333:t"}}"#,
                "sns:Publish",
                "arn:aws:sns:us-east-1:111122223333:t",
            ),
            (
                r#"{"requestParameters": {"userName": "bob"}}"#,
                "iam:CreateAccessKey",
                "arn:aws:iam::111122223333:user/bob",
            ),
            (
                r#"{"awsRegion": "us-east-1", "requestParameters": {"logGroupName": "/dev/app", "logStreamName": "s"}}"#,
                "logs:PutLogEvents",
                "arn:aws:logs:us-east-1:111122223333:log-group:/dev/app:log-stream:s",
            ),
        ];
        for (json, action, want) in cases {
            assert_eq!(
                target_of(&record(json), action, "111122223333")
                    .unwrap()
                    .arn,
                want,
                "{action}"
            );
        }
    }

    #[test]
    fn no_resource_actions_take_star_and_others_are_not_guessed() {
        let r = record("{}");
        assert_eq!(target_of(&r, "s3:ListAllMyBuckets", "1").unwrap().arn, "*");
        assert_eq!(
            target_of(&r, "dynamodb:GetItem", "1"),
            Err(TargetError::Unnamed)
        );
    }
}
