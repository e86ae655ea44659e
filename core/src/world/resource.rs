//! Which resource's policy governs an ARN, and what a resource policy is called.
//!
//! The service catalogue's owner rules decide
//! ([`crate::catalogue::Catalogue::resource_policy_owner`], over the always-embedded part of the
//! catalogue, [`crate::catalogue::Catalogue::owners`], so Cargo features never change it):
//! S3 objects and access-point objects, DynamoDB indexes and streams, Lambda versions and
//! aliases, API Gateway `execute-api` ARNs. Built-in rules for S3 objects and qualified Lambda
//! functions stand in if that data could not be read.

use crate::arn::Arn;

/// The ARN whose resource-based policy governs `arn`:
///
/// - an S3 object `arn:aws:s3:::bucket/key` is governed by its bucket `arn:aws:s3:::bucket`;
/// - a qualified Lambda function `arn:aws:lambda:REGION:ACCOUNT:function:name:alias` (or
///   `:version`) by the function `arn:aws:lambda:REGION:ACCOUNT:function:name`;
/// - a DynamoDB index or stream by its table, an `execute-api` ARN by its REST API;
/// - anything else by itself.
///
/// ```
/// use polcheck_core::world::governing_resource;
/// assert_eq!(governing_resource("arn:aws:s3:::logs/2024/a.gz"), "arn:aws:s3:::logs");
/// assert_eq!(
///     governing_resource("arn:aws:lambda:us-east-1:111122223333:function:api:live"),
///     "arn:aws:lambda:us-east-1:111122223333:function:api"
/// );
/// assert_eq!(governing_resource("arn:aws:sqs:us-east-1:111122223333:jobs"), "arn:aws:sqs:us-east-1:111122223333:jobs");
/// ```
pub fn governing_resource(arn: &str) -> String {
    if let Some(bucket) = s3_governing(arn) {
        return bucket.to_string();
    }
    if let Some(owner) = crate::catalogue::Catalogue::owners()
        .ok()
        .and_then(|c| c.resource_policy_owner(arn))
    {
        return owner;
    }
    builtin_owner(arn)
}

/// [`governing_resource`] of an S3 ARN without region and account, as a slice of it, `None`
/// for any other ARN. Such an ARN is a bucket or an object of one (the catalogue's other S3
/// types all have an account): the bucket governs, without matching every S3 format
/// (`s3_without_account_is_read_as_the_catalogue_reads_it`), and without copying the text.
pub(crate) fn s3_governing(arn: &str) -> Option<&str> {
    // Byte loops: on these short texts they beat `split_once`'s searcher.
    let after = arn.strip_prefix("arn:")?;
    let colon = after.bytes().position(|b| b == b':')?;
    if colon == 0 {
        return None;
    }
    let rest = after.get(colon + 1..)?.strip_prefix("s3:::")?;
    // The bucket ends at the first `/` and holds no `:`; a key, if any, is not empty.
    let mut bucket = rest.len();
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b':' => return None,
            b'/' => {
                if i + 1 == rest.len() {
                    return None;
                }
                bucket = i;
                break;
            }
            _ => {}
        }
    }
    if bucket == 0 {
        return None;
    }
    // The text up to the end of the bucket name: `arn:PARTITION:s3:::BUCKET`.
    arn.get(..arn.len() - rest.len() + bucket)
}

/// Every ARN whose `ResourcePolicies` entry governs a request on `arn`, most specific first:
/// [`governing_resource`], and for an API Gateway `execute-api` ARN
/// (`arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH`) also the API's own
/// `execute-api` ARN `arn:aws:execute-api:REGION:ACCOUNT:API-ID`, the form API Gateway's
/// documentation writes the policy's resources in (the REST API ARN
/// `arn:aws:apigateway:REGION::/restapis/API-ID` is the other).
///
/// ```
/// use polcheck_core::world::policy_holders;
/// let method = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/prod/GET/pets";
/// assert!(policy_holders(method).contains(&"arn:aws:execute-api:us-east-1:111122223333:a1b2c3".to_string()));
/// ```
pub fn policy_holders(arn: &str) -> Vec<String> {
    let mut out = vec![governing_resource(arn)];
    if let Some(api) = execute_api_holder(arn) {
        if !out.contains(&api) {
            out.push(api);
        }
    }
    out
}

/// `arn:aws:execute-api:REGION:ACCOUNT:API-ID` for an `execute-api` ARN below it.
fn execute_api_holder(arn: &str) -> Option<String> {
    let a = Arn::parse(arn)?;
    if a.service != "execute-api" {
        return None;
    }
    let (api, rest) = a.resource.split_once('/')?;
    let prefix = arn.strip_suffix(a.resource)?;
    (!api.is_empty() && !rest.is_empty()).then(|| format!("{prefix}{api}"))
}

/// Why no request can reach a `ResourcePolicies` entry held under `arn`, if none can: the
/// text is not an ARN (requests name ARNs: a bucket policy is held under
/// `arn:aws:s3:::BUCKET`, not `BUCKET`), or it is an S3 object ARN (S3 has bucket policies,
/// not object policies; requests on objects read their bucket's).
pub fn unreachable_holder(arn: &str) -> Option<String> {
    if arn == "*" {
        return Some("`*` is not a resource".into());
    }
    let Some(a) = Arn::parse(arn) else {
        return Some("it is not an ARN (requests name ARNs, such as `arn:aws:s3:::BUCKET`)".into());
    };
    if a.service == "s3" && a.account.is_empty() && a.resource.contains('/') {
        let bucket = governing_resource(arn);
        return Some(format!(
            "S3 has no object policies: requests on objects read the bucket policy, held under `{bucket}`"
        ));
    }
    None
}

/// The rules for the two commonest cases, used when the catalogue cannot be read.
fn builtin_owner(arn: &str) -> String {
    let Some(a) = Arn::parse(arn) else {
        return arn.to_string();
    };
    let Some(prefix) = arn.strip_suffix(a.resource) else {
        return arn.to_string();
    };
    match a.service {
        "s3" if a.account.is_empty() => match a.resource.split_once('/') {
            Some((bucket, _)) => format!("{prefix}{bucket}"),
            None => arn.to_string(),
        },
        "lambda" => {
            let mut parts = a.resource.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("function"), Some(name), Some(_)) => format!("{prefix}function:{name}"),
                _ => arn.to_string(),
            }
        }
        _ => arn.to_string(),
    }
}

/// The bucket name of an S3 bucket ARN.
fn bucket_name(arn: &str) -> Option<&str> {
    let a = Arn::parse(arn)?;
    (a.service == "s3" && a.account.is_empty() && !a.resource.contains('/')).then_some(a.resource)
}

/// The name explanations give a `ResourcePolicies` entry: `bucket policy of NAME`,
/// `key policy of ARN` for KMS keys, `resource policy of ARN` otherwise.
pub fn resource_policy_name(arn: &str) -> String {
    if let Some(bucket) = bucket_name(arn) {
        return format!("bucket policy of {bucket}");
    }
    match Arn::parse(arn) {
        Some(a) if a.service == "kms" => format!("key policy of {arn}"),
        _ => format!("resource policy of {arn}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_without_account_is_read_as_the_catalogue_reads_it() {
        let Ok(cat) = crate::catalogue::Catalogue::owners() else {
            return;
        };
        for arn in [
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b/k/x:y",
            "arn:aws-cn:s3:::logs/2024/a.gz",
            "arn:aws:s3:::b/",
            "arn:aws:s3:::/k",
            "arn:aws:s3:::b:x/k",
            "arn::s3:::b/k",
        ] {
            let slow = cat
                .resource_policy_owner(arn)
                .unwrap_or_else(|| builtin_owner(arn));
            assert_eq!(governing_resource(arn), slow, "{arn}");
            if let Some(bucket) = s3_governing(arn) {
                assert_eq!(bucket, builtin_owner(arn), "{arn}");
            }
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            resource_policy_name("arn:aws:s3:::site"),
            "bucket policy of site"
        );
        assert_eq!(
            resource_policy_name("arn:aws:sns:us-east-1:111122223333:t"),
            "resource policy of arn:aws:sns:us-east-1:111122223333:t"
        );
    }

    #[test]
    fn holders_and_unreachable_policies() {
        let method = "arn:aws:execute-api:us-east-1:111122223333:api1/prod/GET/x";
        assert!(policy_holders(method)
            .contains(&"arn:aws:execute-api:us-east-1:111122223333:api1".to_string()));
        assert_eq!(unreachable_holder("arn:aws:s3:::bucket"), None);
        assert_eq!(
            unreachable_holder("arn:aws:execute-api:us-east-1:111122223333:api1"),
            None
        );
        assert!(unreachable_holder("bucket").is_some());
        assert!(unreachable_holder("arn:aws:s3:::bucket/key").is_some());
    }

    #[test]
    fn a_world_warns_about_a_policy_no_request_reaches() {
        let text = r#"{"ResourcePolicies": [{"ResourceArn": "my-bucket", "Policy": {"Statement": []}}],
            "Organization": {"MasterAccountId": "999988887777", "FeatureSet": "ALL"}}"#;
        let Ok((_, warnings)) = super::super::World::load(&[("w.json".into(), text.into())]) else {
            panic!("world did not load");
        };
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings
                .first()
                .is_some_and(|w| w.to_string().contains("no request reaches")),
            "{warnings:?}"
        );
    }

    #[test]
    fn unqualified_and_odd_arns_govern_themselves() {
        let f = "arn:aws:lambda:us-east-1:111122223333:function:api";
        assert_eq!(governing_resource(f), f);
        assert_eq!(governing_resource("*"), "*");
        assert_eq!(
            governing_resource("arn:aws:s3:::bucket"),
            "arn:aws:s3:::bucket"
        );
    }

    /// The byte loops of [`s3_governing`] read ARNs as the `split_once` form they replaced.
    #[test]
    fn s3_governing_reads_as_the_split_form() {
        fn split_form(arn: &str) -> Option<&str> {
            let rest = arn
                .strip_prefix("arn:")
                .and_then(|r| r.split_once(':'))
                .filter(|(partition, _)| !partition.is_empty())
                .and_then(|(_, r)| r.strip_prefix("s3:::"))?;
            let (bucket, key) = match rest.split_once('/') {
                Some((b, k)) => (b, Some(k)),
                None => (rest, None),
            };
            if bucket.is_empty() || bucket.contains(':') || key.is_some_and(str::is_empty) {
                return None;
            }
            arn.get(..arn.len() - rest.len() + bucket.len())
        }
        for arn in [
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b/k/x:y",
            "arn:aws:s3:::b/",
            "arn:aws:s3:::/k",
            "arn:aws:s3:::b:x/k",
            "arn:aws:s3:::b/k:x",
            "arn::s3:::b/k",
            "arn:aws:s3:::",
            "arn:aws:s3::b/k",
            "arn:aws-cn:s3:::é/ü",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/a",
            "arn:aws:s3",
            "arn:",
            "*",
        ] {
            assert_eq!(s3_governing(arn), split_form(arn), "{arn}");
        }
    }
}
