//! Service-side rules: what AWS itself decides about a request whatever the policies say.
//!
//! These are the `service` layer of a decision ([`super::PolicyKind::Service`]). A rule either
//! needs no permission at all (the request is allowed, explicit denies included), or refuses
//! the request (an implicit deny naming `service`; an explicit deny in a policy still reads as
//! `explicitDeny`, as it would in AWS). Each rule names its AWS page:
//!
//! | rule | AWS page |
//! | --- | --- |
//! | `sts:GetCallerIdentity` needs no permission and cannot be denied | AWS STS API Reference, *GetCallerIdentity* |
//! | AWS managed policies (`arn:aws:iam::aws:policy/...`) cannot be created, changed, tagged or deleted | IAM User Guide, *AWS managed policies* |
//! | roles under `/aws-reserved/sso.amazonaws.com/` are changed only by IAM Identity Center | IAM Identity Center User Guide, *Permission sets* ("IAM roles created by IAM Identity Center") |
//! | KMS aliases beginning with `alias/aws/` are reserved for AWS managed keys | AWS KMS Developer Guide, *Aliases* / *CreateAlias* |
//! | a KMS key is used from another account only by the operations on AWS's cross-account list | AWS KMS Developer Guide, *Allowing users in other accounts to use a KMS key* |

use crate::principal::Principal;
use crate::request::Request;

/// What a service-side rule decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceRule {
    /// The action needs no permission: allowed whatever the policies say.
    NoPermissionNeeded(&'static str),
    /// AWS refuses the request whatever the policies allow.
    Refused(&'static str),
}

impl ServiceRule {
    /// Why, in one line, for explanations.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            ServiceRule::NoPermissionNeeded(r) | ServiceRule::Refused(r) => r,
        }
    }
}

/// The `iam:` actions that change or delete a managed policy.
const MANAGED_POLICY_CHANGES: &[&str] = &[
    "createpolicy",
    "createpolicyversion",
    "deletepolicy",
    "deletepolicyversion",
    "setdefaultpolicyversion",
    "tagpolicy",
    "untagpolicy",
];

/// The `iam:` actions that create, change, pass or delete a role.
const ROLE_CHANGES: &[&str] = &[
    "attachrolepolicy",
    "createrole",
    "createservicelinkedrole",
    "deleterole",
    "deleterolepermissionsboundary",
    "deleterolepolicy",
    "deleteservicelinkedrole",
    "detachrolepolicy",
    "passrole",
    "putrolepermissionsboundary",
    "putrolepolicy",
    "tagrole",
    "untagrole",
    "updateassumerolepolicy",
    "updaterole",
    "updateroledescription",
];

/// The `kms:` actions that change aliases.
const ALIAS_CHANGES: &[&str] = &["createalias", "deletealias", "updatealias"];

/// The operations AWS KMS allows on a key of another account ("Allowing users in other
/// accounts to use a KMS key"); permissions for any other operation have no effect there.
const KMS_CROSS_ACCOUNT: &[&str] = &[
    "creategrant",
    "decrypt",
    "derivesharedsecret",
    "describekey",
    "encrypt",
    "generatedatakey",
    "generatedatakeypair",
    "generatedatakeypairwithoutplaintext",
    "generatedatakeywithoutplaintext",
    "generatemac",
    "getpublickey",
    "listgrants",
    "reencryptfrom",
    "reencryptto",
    "retiregrant",
    "revokegrant",
    "sign",
    "verify",
    "verifymac",
];

/// The service-side rule that decides `req`, if any.
pub(crate) fn rule(req: &Request) -> Option<ServiceRule> {
    let (service, name) = req.action().split_once(':')?;
    // Every rule below is of STS, IAM or KMS: other actions need no lowercased copies.
    if !["sts", "iam", "kms"]
        .iter()
        .any(|s| service.eq_ignore_ascii_case(s))
    {
        return None;
    }
    let service = service.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let p = req.principal();
    if service == "sts" && name == "getcalleridentity" && p.account().is_some() {
        return Some(ServiceRule::NoPermissionNeeded(
            "sts:GetCallerIdentity needs no permission and cannot be denied",
        ));
    }
    // AWS services act on their own reserved resources; the rules bind customers' callers.
    if matches!(p, Principal::Service { .. }) {
        return None;
    }
    let arn = req.resource_arn()?;
    let is = |list: &[&str]| list.contains(&name.as_str());
    match (service.as_str(), arn.service) {
        ("iam", "iam")
            if arn.account == "aws"
                && arn.resource.starts_with("policy/")
                && is(MANAGED_POLICY_CHANGES) =>
        {
            Some(ServiceRule::Refused(
                "AWS managed policies cannot be created, changed or deleted",
            ))
        }
        ("iam", "iam")
            if arn
                .resource
                .starts_with("role/aws-reserved/sso.amazonaws.com/")
                && is(ROLE_CHANGES) =>
        {
            Some(ServiceRule::Refused(
                "roles under /aws-reserved/sso.amazonaws.com/ are managed by IAM Identity Center only",
            ))
        }
        ("kms", "kms") if arn.resource.starts_with("alias/aws/") && is(ALIAS_CHANGES) => {
            Some(ServiceRule::Refused(
                "aliases beginning with alias/aws/ are reserved for AWS managed keys",
            ))
        }
        ("kms", "kms")
            if arn.resource.starts_with("key/")
                && p.account().is_some()
                && p.account() != req.effective_resource_account()
                && !is(KMS_CROSS_ACCOUNT) =>
        {
            Some(ServiceRule::Refused(
                "this KMS operation cannot be used on a key of another account",
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;

    fn req(p: &str, action: &str, resource: &str) -> Request {
        let Ok(r) = Request::new(Some(p), action, resource, Context::new()) else {
            panic!("bad request");
        };
        r
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
    const KEY: &str = "arn:aws:kms:us-east-1:444455556666:key/k1";

    #[test]
    fn rules() {
        assert!(matches!(
            rule(&req(ALICE, "STS:getCallerIdentity", "*")),
            Some(ServiceRule::NoPermissionNeeded(_))
        ));
        assert!(matches!(
            rule(&req(
                ALICE,
                "iam:CreatePolicyVersion",
                "arn:aws:iam::aws:policy/ReadOnlyAccess"
            )),
            Some(ServiceRule::Refused(_))
        ));
        assert_eq!(
            rule(&req(
                ALICE,
                "iam:CreatePolicyVersion",
                "arn:aws:iam::111122223333:policy/Mine"
            )),
            None
        );
        assert!(rule(&req(ALICE, "kms:ScheduleKeyDeletion", KEY)).is_some());
        assert_eq!(rule(&req(ALICE, "kms:Decrypt", KEY)), None);
        assert_eq!(
            rule(&req(
                "arn:aws:iam::444455556666:user/owner",
                "kms:ScheduleKeyDeletion",
                KEY
            )),
            None
        );
    }
}
