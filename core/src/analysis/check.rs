//! Checks of one policy, as differences against a policy written for the question:
//!
//! - [`check_not_granted`] (like Access Analyzer's `CheckAccessNotGranted`): the policy is
//!   compared with one that allows everything but the listed actions on the listed
//!   resources; what the policy allows beyond it is exactly the access it grants among them.
//! - [`check_no_public_access`] (like `CheckNoPublicAccess`): the policy is compared with one
//!   that allows nothing, counting only callers outside every account the policy names
//!   (anonymous callers and principals of an unnamed account) and, for the keys that
//!   restrict who calls from where, only the values such a caller has: absent, or a value no
//!   policy names (see [`OUTSIDER_KEYS`]).

use std::collections::HashMap;

use serde_json::json;

use super::diff::{compare, Diff};
use super::partition::Restriction;
use super::{AnalysisError, PolicyType};

/// The condition keys that restrict a statement to known callers, networks or sources, and
/// the value an outsider has for each. A statement that requires a named value of one of
/// them is not public. Sources: the Amazon S3 User Guide's definition of a public bucket
/// policy (*Blocking public access to your Amazon S3 storage*, "The meaning of public", also
/// in the S3 API's `PublicAccessBlockConfiguration`: a policy is not public when it limits
/// access to a set of CIDRs with `aws:SourceIp`, or to a fixed principal, `aws:SourceArn`,
/// `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`,
/// `s3:x-amz-server-side-encryption-aws-kms-key-id` or `aws:userid` outside `AROLEID:*`), and
/// the IAM User Guide's *IAM Access Analyzer filter keys*, whose `condition.*` keys are the
/// ones Access Analyzer reads as restricting an external principal (`aws:PrincipalArn`,
/// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceOrgID`, `aws:SourceOrgPaths`,
/// and the `aws:Source*` keys above).
pub const OUTSIDER_KEYS: &[(&str, &str)] = &[
    ("aws:principalaccount", "{fresh}"),
    (
        "aws:principalarn",
        "arn:aws:iam::{fresh}:role/polcheck-outsider",
    ),
    ("aws:principalorgid", "o-polcheckoutsider"),
    ("aws:principalorgpaths", "o-polcheckoutsider/r-0000/"),
    (
        "aws:principalservicename",
        "polcheck-outsider.amazonaws.com",
    ),
    ("aws:userid", "AROAPOLCHECKOUTSIDER:polcheck"),
    ("aws:sourceaccount", "{fresh}"),
    ("aws:sourceowner", "{fresh}"),
    ("aws:sourcearn", "arn:aws:s3:::polcheck-outsider"),
    ("aws:sourceorgid", "o-polcheckoutsider"),
    ("aws:sourceorgpaths", "o-polcheckoutsider/r-0000/"),
    ("aws:sourcevpc", "vpc-0polcheckoutsider"),
    ("aws:sourcevpce", "vpce-0polcheckoutsider"),
    ("aws:sourceip", "0.0.0.0"),
    ("kms:calleraccount", "{fresh}"),
    (
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "arn:aws:kms:us-east-1:{fresh}:key/polcheck-outsider",
    ),
];

/// The keys that restrict which users of a public identity provider may assume a role: the
/// audience (the Amazon Cognito identity pool, the Google, Facebook or Login with Amazon
/// application) and the user (IAM User Guide, *Available keys for AWS web identity
/// federation*). A trust policy that lets `"Federated": "cognito-identity.amazonaws.com"`
/// assume a role without `cognito-identity.amazonaws.com:aud` lets in the users of every
/// identity pool of every account (the AWS STS API Reference, `AssumeRoleWithWebIdentity`:
/// such trust policies "must contain the `cognito-identity.amazonaws.com:aud` condition key to
/// restrict role assumption to users from your intended identity pools"); with it, Access
/// Analyzer still reports the access as external but not public (`isPublic: false` in the AWS
/// CLI's `accessanalyzer get-finding` example).
pub const FEDERATED_KEYS: &[(&str, &str)] = &[
    (
        "cognito-identity.amazonaws.com:aud",
        "us-east-1:00000000-0000-0000-0000-polcheckoutsd",
    ),
    (
        "cognito-identity.amazonaws.com:sub",
        "us-east-1:00000000-0000-0000-0000-polcheckoutsd",
    ),
    ("accounts.google.com:aud", "polcheck-outsider.apps.example"),
    ("accounts.google.com:oaud", "polcheck-outsider.apps.example"),
    ("accounts.google.com:sub", "polcheck-outsider"),
    ("graph.facebook.com:app_id", "polcheck-outsider"),
    ("graph.facebook.com:id", "polcheck-outsider"),
    ("www.amazon.com:app_id", "polcheck-outsider"),
    ("www.amazon.com:user_id", "polcheck-outsider"),
];

/// The IAM OIDC providers whose tokens every customer of the issuer can get, with the key
/// that names which of them a trust policy lets in and a value no zone owns. GitHub Actions
/// issues `token.actions.githubusercontent.com` tokens to the workflows of every repository,
/// so a role trusting the provider lets in any repository's workflow unless the trust policy
/// tests `token.actions.githubusercontent.com:sub` (IAM User Guide, *Create a role for OpenID
/// Connect federation*, "Configuring a role for GitHub OIDC identity provider": IAM recommends
/// evaluating that key in the trust policy of any role that trusts GitHub's identity
/// provider, as it limits which GitHub actions can assume the role,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html). Such
/// a provider's users are outsiders even when the provider is the zone's own; the value below
/// stands for a repository nobody in the zone owns.
pub const SHARED_ISSUER_KEYS: &[(&str, &str, &str)] = &[(
    "oidc-provider/token.actions.githubusercontent.com",
    "token.actions.githubusercontent.com:sub",
    "repo:polcheck-outsider/outsider:ref:refs/heads/main",
)];

/// Whether `provider` (an identity provider's ARN) is one of [`SHARED_ISSUER_KEYS`].
pub(crate) fn shared_issuer(provider: &str) -> bool {
    SHARED_ISSUER_KEYS
        .iter()
        .any(|(resource, ..)| provider.ends_with(&format!(":{resource}")))
}

/// The outsider value of each key of [`SHARED_ISSUER_KEYS`].
pub(crate) fn shared_issuer_values() -> impl Iterator<Item = (String, String)> {
    SHARED_ISSUER_KEYS
        .iter()
        .map(|(_, key, value)| (key.to_string(), value.to_string()))
}

fn quoted_list(items: &[String]) -> String {
    json!(items).to_string()
}

/// Does the policy grant any of `actions` (patterns allowed) on any of `resources` (every
/// resource when empty)? FAIL lists what it grants among them, with witnesses.
pub fn check_not_granted(
    policy: &str,
    kind: PolicyType,
    actions: &[String],
    resources: &[String],
) -> Result<Diff, AnalysisError> {
    let principal = if kind.has_principals() {
        r#""Principal":"*","#
    } else {
        ""
    };
    let resource_list = if resources.is_empty() {
        r#""*""#.to_string()
    } else {
        quoted_list(resources)
    };
    let reference = format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow",{principal}"Action":"*","Resource":"*"}},
            {{"Effect":"Deny",{principal}"Action":{},"Resource":{resource_list}}}]}}"#,
        quoted_list(actions)
    );
    compare(&reference, policy, kind, &Restriction::default(), "NEW")
}

/// Can the resource policy grant access to the public? FAIL lists the public access, with
/// witnesses (an anonymous caller, or a caller of an account the policy does not name).
pub fn check_no_public_access(policy: &str, kind: PolicyType) -> Result<Diff, AnalysisError> {
    let nothing = r#"{"Version":"2012-10-17","Statement":[]}"#;
    let restriction = Restriction {
        // Anonymous callers, principals of an account no policy names, and the users of
        // a public identity provider (`federated:NAME`: Amazon Cognito, Google, Facebook,
        // Login with Amazon, or one no policy names). An IAM SAML or OIDC provider is named
        // by its ARN, in a named account, as a named account is: not the public, unless it
        // issues tokens to everyone (GitHub Actions: `SHARED_ISSUER_KEYS`).
        principals: Some(Box::new(|p: &Option<String>, fresh: &str| match p {
            None => true,
            Some(arn) => {
                arn.starts_with("federated:")
                    || arn.contains(&format!("::{fresh}:"))
                    || shared_issuer(arn)
            }
        })),
        outsider_values: OUTSIDER_KEYS
            .iter()
            .chain(FEDERATED_KEYS)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain(shared_issuer_values())
            .collect::<HashMap<_, _>>(),
        ..Restriction::default()
    };
    compare(nothing, policy, kind, &restriction, "NEW")
}
