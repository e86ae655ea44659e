//! From `eventSource` + `eventName` to the IAM action that authorized the call.
//!
//! Most API operations are authorized by the action of the same name in the service whose
//! prefix is the first label of `eventSource` (`kms.amazonaws.com` + `Decrypt` →
//! `kms:Decrypt`); the catalogue confirms each one. The exceptions are listed here, each from
//! the service's own documentation of the permissions its operations need:
//!
//! | eventSource | differs how | source |
//! | --- | --- | --- |
//! | `monitoring` | prefix `cloudwatch` | CloudWatch API Reference, "Amazon CloudWatch permissions reference" |
//! | `email` | prefix `ses` | Amazon SES Developer Guide, "Actions defined by Amazon SES" |
//! | `lambda` | names carry an API version (`GetFunction20150331v2`); `Invoke` is `lambda:InvokeFunction` | Lambda Developer Guide, "Logging Lambda API calls using CloudTrail" |
//! | `s3` | `ListObjects`/`ListObjectsV2`/`HeadBucket` → `s3:ListBucket`, `HeadObject`/`SelectObjectContent` → `s3:GetObject`, `ListBuckets` → `s3:ListAllMyBuckets`, multipart and copy operations → `s3:PutObject`, `DeleteObjects` → `s3:DeleteObject`, `GetObject` of a version → `s3:GetObjectVersion`, bucket configuration calls named `...Bucket...` → `...Configuration` | Amazon S3 User Guide, "Required permissions for Amazon S3 API operations" |
//! | `sts` | `GetCallerIdentity` needs no permission | AWS STS API Reference, GetCallerIdentity ("No permissions are required") |
//! | `signin` | console sign-in events are not API calls | CloudTrail User Guide, "AWS Management Console sign-in events" |
//!
//! Anything else the catalogue does not know is [`ActionError::Unknown`], counted by the
//! replay, never guessed.

use crate::catalogue::Catalogue;

/// Why an event has no IAM action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ActionError {
    /// `eventSource` or `eventName` is missing.
    Missing,
    /// The operation needs no IAM permission (`sts:GetCallerIdentity`).
    NoPermission,
    /// A service or operation the catalogue does not list.
    Unknown,
}

/// `(eventSource first label, eventName)` → action, for the operations whose action has
/// another name (see the module docs).
const RENAMED: &[(&str, &str, &str)] = &[
    ("lambda", "Invoke", "lambda:InvokeFunction"),
    ("lambda", "InvokeAsync", "lambda:InvokeAsync"),
    ("s3", "ListObjects", "s3:ListBucket"),
    ("s3", "ListObjectsV2", "s3:ListBucket"),
    ("s3", "HeadBucket", "s3:ListBucket"),
    ("s3", "ListObjectVersions", "s3:ListBucketVersions"),
    (
        "s3",
        "ListMultipartUploads",
        "s3:ListBucketMultipartUploads",
    ),
    ("s3", "ListParts", "s3:ListMultipartUploadParts"),
    ("s3", "HeadObject", "s3:GetObject"),
    ("s3", "SelectObjectContent", "s3:GetObject"),
    ("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ("s3", "CopyObject", "s3:PutObject"),
    ("s3", "UploadPart", "s3:PutObject"),
    ("s3", "UploadPartCopy", "s3:PutObject"),
    ("s3", "CreateMultipartUpload", "s3:PutObject"),
    ("s3", "CompleteMultipartUpload", "s3:PutObject"),
    ("s3", "AbortMultipartUpload", "s3:AbortMultipartUpload"),
    ("s3", "DeleteObjects", "s3:DeleteObject"),
    ("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    ("s3", "PutBucketEncryption", "s3:PutEncryptionConfiguration"),
    (
        "s3",
        "DeleteBucketEncryption",
        "s3:PutEncryptionConfiguration",
    ),
    ("s3", "GetBucketLifecycle", "s3:GetLifecycleConfiguration"),
    (
        "s3",
        "GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
    ),
    ("s3", "PutBucketLifecycle", "s3:PutLifecycleConfiguration"),
    (
        "s3",
        "PutBucketLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
    ),
    (
        "s3",
        "DeleteBucketLifecycle",
        "s3:PutLifecycleConfiguration",
    ),
    (
        "s3",
        "GetBucketReplication",
        "s3:GetReplicationConfiguration",
    ),
    (
        "s3",
        "PutBucketReplication",
        "s3:PutReplicationConfiguration",
    ),
    (
        "s3",
        "DeleteBucketReplication",
        "s3:PutReplicationConfiguration",
    ),
    (
        "s3",
        "GetBucketPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ),
    (
        "s3",
        "DeleteBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
    ),
    ("s3", "DeleteBucketCors", "s3:PutBucketCORS"),
    ("s3", "DeleteBucketTagging", "s3:PutBucketTagging"),
    ("s3", "DeleteBucketWebsite", "s3:DeleteBucketWebsite"),
    (
        "s3",
        "GetBucketNotificationConfiguration",
        "s3:GetBucketNotification",
    ),
    (
        "s3",
        "PutBucketNotificationConfiguration",
        "s3:PutBucketNotification",
    ),
    ("s3", "DeleteObjectTagging", "s3:DeleteObjectTagging"),
];

/// Event sources whose IAM prefix is not their first label.
const PREFIXES: &[(&str, &str)] = &[("monitoring", "cloudwatch"), ("email", "ses")];

/// The IAM action of an event, as the catalogue spells it.
///
/// ```
/// use polcheck_core::cloudtrail::action_of;
/// assert_eq!(action_of("s3.amazonaws.com", "ListObjectsV2").as_deref(), Ok("s3:ListBucket"));
/// assert_eq!(action_of("lambda.amazonaws.com", "GetFunction20150331v2").as_deref(), Ok("lambda:GetFunction"));
/// assert_eq!(action_of("monitoring.amazonaws.com", "PutMetricData").as_deref(), Ok("cloudwatch:PutMetricData"));
/// ```
pub fn action_of(source: &str, name: &str) -> Result<String, ActionError> {
    if source.is_empty() || name.is_empty() {
        return Err(ActionError::Missing);
    }
    let label = source.split('.').next().unwrap_or(source);
    if label == "sts" && name == "GetCallerIdentity" {
        return Err(ActionError::NoPermission);
    }
    if let Some((_, _, action)) = RENAMED.iter().find(|(s, n, _)| *s == label && *n == name) {
        return Ok((*action).to_string());
    }
    let prefix = PREFIXES
        .iter()
        .find(|(s, _)| *s == label)
        .map_or(label, |(_, p)| *p);
    let name = if prefix == "lambda" {
        strip_api_version(name)
    } else {
        name
    };
    let cat = Catalogue::get().map_err(|_| ActionError::Unknown)?;
    match cat.action(prefix, name) {
        Some(a) => Ok(a.full_name()),
        None => Err(ActionError::Unknown),
    }
}

/// `GetFunction20150331v2` → `GetFunction`: Lambda's event names end with the API version.
fn strip_api_version(name: &str) -> &str {
    let base = match name.rfind('v') {
        Some(i)
            if i > 8
                && name
                    .get(i + 1..)
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) =>
        {
            name.get(..i).unwrap_or(name)
        }
        _ => name,
    };
    let digits = base.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 8 {
        base.get(..base.len() - 8).unwrap_or(name)
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Amazon S3 User Guide, "Required permissions for Amazon S3 API operations": ListObjectsV2
    // needs s3:ListBucket, HeadObject needs s3:GetObject, CopyObject needs s3:PutObject.
    #[test]
    fn s3_operations_take_their_documented_permission() {
        for (name, want) in [
            ("GetObject", "s3:GetObject"),
            ("ListObjectsV2", "s3:ListBucket"),
            ("HeadObject", "s3:GetObject"),
            ("CopyObject", "s3:PutObject"),
            ("ListBuckets", "s3:ListAllMyBuckets"),
            ("GetBucketCors", "s3:GetBucketCORS"),
        ] {
            assert_eq!(
                action_of("s3.amazonaws.com", name).as_deref(),
                Ok(want),
                "{name}"
            );
        }
    }

    // Lambda Developer Guide, "Logging AWS Lambda API calls using AWS CloudTrail": event names
    // carry the API version, e.g. UpdateFunctionCode20150331v2.
    #[test]
    fn lambda_versions_are_stripped() {
        assert_eq!(
            action_of("lambda.amazonaws.com", "UpdateFunctionCode20150331v2").as_deref(),
            Ok("lambda:UpdateFunctionCode")
        );
        assert_eq!(
            action_of("lambda.amazonaws.com", "CreateFunction20150331").as_deref(),
            Ok("lambda:CreateFunction")
        );
        assert_eq!(
            action_of("lambda.amazonaws.com", "Invoke").as_deref(),
            Ok("lambda:InvokeFunction")
        );
    }

    #[test]
    fn unknown_and_permissionless_operations_are_named() {
        assert_eq!(
            action_of("sts.amazonaws.com", "GetCallerIdentity"),
            Err(ActionError::NoPermission)
        );
        assert_eq!(
            action_of("nosuch.amazonaws.com", "Thing"),
            Err(ActionError::Unknown)
        );
        assert_eq!(
            action_of("signin.amazonaws.com", "ConsoleLogin"),
            Err(ActionError::Unknown)
        );
        assert_eq!(action_of("", "GetObject"), Err(ActionError::Missing));
        assert_eq!(
            action_of("kms.amazonaws.com", "decrypt").as_deref(),
            Ok("kms:Decrypt")
        );
    }
}
