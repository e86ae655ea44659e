//! Callers: who makes a request, the context keys that follow from it, and how a
//! `Principal` / `NotPrincipal` element of a resource-based policy names it.
//!
//! ```
//! use polcheck_core::principal::Principal;
//! let p = Principal::parse(Some("arn:aws:sts::111122223333:assumed-role/Reader/job-7")).unwrap();
//! assert_eq!(p.account(), Some("111122223333"));
//! assert_eq!(p.principal_arn().as_deref(), Some("arn:aws:iam::111122223333:role/Reader"));
//! ```

use crate::arn::Arn;
use crate::context::{Context, ContextValue};
use crate::policy::{PrincipalClause, PrincipalKind};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Principal {
    /// No credentials at all.
    Anonymous,
    /// A caller of the resource's account that is not named: what `aws iam
    /// simulate-custom-policy` simulates when no `CallerArn` is given. The identity policies,
    /// boundary and SCPs given apply to it; it carries no `aws:PrincipalArn`, `aws:username`
    /// or other key that would need its name (a condition on them reads the key as missing),
    /// and a resource policy names it only through `"*"`.
    Unnamed,
    /// The account's root user.
    Root {
        /// The account id.
        account: String,
    },
    /// An IAM user.
    User {
        /// The account id.
        account: String,
        /// The user's ARN (with its path).
        arn: String,
        /// The user name.
        name: String,
    },
    /// A session of an IAM role (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    AssumedRole {
        /// The account id.
        account: String,
        /// The session ARN.
        arn: String,
        /// The role's name.
        role: String,
        /// The session name.
        session: String,
    },
    /// A federated user (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
    FederatedUser {
        /// The account id.
        account: String,
        /// The ARN.
        arn: String,
        /// The name.
        name: String,
    },
    /// An AWS service (`lambda.amazonaws.com`).
    Service {
        /// The service principal name.
        name: String,
    },
    /// A user of an identity provider, before it holds AWS credentials: the caller of
    /// `sts:AssumeRoleWithWebIdentity` and `sts:AssumeRoleWithSAML`, which "do not require
    /// AWS security credentials" (AWS STS API Reference). A trust policy names it with
    /// `"Principal": {"Federated": PROVIDER}`; PROVIDER is an IAM OIDC or SAML provider ARN
    /// (`arn:aws:iam::ACCOUNT:oidc-provider/HOST`, `arn:aws:iam::ACCOUNT:saml-provider/NAME`)
    /// or a public provider's name (`cognito-identity.amazonaws.com`, `accounts.google.com`,
    /// `graph.facebook.com`, `www.amazon.com`), written `federated:NAME` as a caller.
    IdentityProvider {
        /// The provider as a trust policy's `Federated` names it.
        provider: String,
    },
}

/// A caller ARN polcheck cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrincipalError {
    /// Not an IAM or STS ARN, a service principal or an account id.
    #[error("`{0}` is not a caller: expected a user, assumed-role, federated-user or root ARN, an account id, a service principal such as `lambda.amazonaws.com`, or an identity provider (`arn:aws:iam::ACCOUNT:oidc-provider/HOST`, `...:saml-provider/NAME`, `federated:accounts.google.com`)")]
    Unrecognized(String),
}

/// How a `Principal` element names a caller; the stronger, the less else is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum PrincipalMatch {
    /// Names the caller's account: the account must still allow through identity policies.
    Account,
    /// Names the role of a session: no identity allow needed, boundary and session policy apply.
    Role,
    /// Names the caller itself (user, session, federated user, service) or everyone (`*`).
    Caller,
}

impl Principal {
    /// Reads a caller: `None` is anonymous.
    pub fn parse(text: Option<&str>) -> Result<Principal, PrincipalError> {
        let Some(text) = text else {
            return Ok(Principal::Anonymous);
        };
        let bad = || PrincipalError::Unrecognized(text.to_string());
        if let Some(name) = text.strip_prefix("federated:") {
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(bad());
            }
            return Ok(Principal::IdentityProvider {
                provider: name.to_string(),
            });
        }
        if is_account_id(text) {
            return Ok(Principal::Root {
                account: text.into(),
            });
        }
        let Some(arn) = Arn::parse(text) else {
            if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
                return Ok(Principal::Service { name: text.into() });
            }
            return Err(bad());
        };
        let account = arn.account.to_string();
        if !is_account_id(&account) {
            return Err(bad());
        }
        let (kind, rest) = arn.resource.split_once('/').unwrap_or((arn.resource, ""));
        match (arn.service, kind) {
            ("iam", "oidc-provider" | "saml-provider") if !rest.is_empty() => {
                Ok(Principal::IdentityProvider {
                    provider: text.into(),
                })
            }
            ("iam", "root") if rest.is_empty() => Ok(Principal::Root { account }),
            ("iam", "user") if !rest.is_empty() => Ok(Principal::User {
                account,
                arn: text.into(),
                name: rest.rsplit('/').next().unwrap_or(rest).into(),
            }),
            // A role ARN as a caller stands for a session of that role.
            ("iam", "role") if !rest.is_empty() => Ok(Principal::AssumedRole {
                role: rest.rsplit('/').next().unwrap_or(rest).into(),
                session: String::new(),
                arn: text.into(),
                account,
            }),
            ("sts", "assumed-role") => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                    Ok(Principal::AssumedRole {
                        account,
                        arn: text.into(),
                        role: role.into(),
                        session: session.into(),
                    })
                }
                _ => Err(bad()),
            },
            ("sts", "federated-user") if !rest.is_empty() => Ok(Principal::FederatedUser {
                account,
                arn: text.into(),
                name: rest.into(),
            }),
            _ => Err(bad()),
        }
    }

    /// The caller's account; none for anonymous callers and services.
    pub fn account(&self) -> Option<&str> {
        match self {
            Principal::Root { account }
            | Principal::User { account, .. }
            | Principal::AssumedRole { account, .. }
            | Principal::FederatedUser { account, .. } => Some(account),
            Principal::Anonymous
            | Principal::Unnamed
            | Principal::Service { .. }
            | Principal::IdentityProvider { .. } => None,
        }
    }

    /// `true` for the unnamed caller of `simulate-custom-policy` ([`Principal::Unnamed`]),
    /// which belongs to the resource's account whatever that is.
    pub fn is_unnamed(&self) -> bool {
        matches!(self, Principal::Unnamed)
    }

    /// `true` for role sessions and federated users, the callers a session policy binds.
    pub fn is_session(&self) -> bool {
        matches!(
            self,
            Principal::AssumedRole { .. } | Principal::FederatedUser { .. }
        )
    }

    /// `true` for a service-linked role: a role ARN whose path starts with
    /// `/aws-service-role/`, or a session of a role named `AWSServiceRoleFor...` (the name AWS
    /// gives every service-linked role; a session ARN does not carry the role's path).
    pub fn is_service_linked_role(&self) -> bool {
        let Principal::AssumedRole { arn, role, .. } = self else {
            return false;
        };
        let by_path = Arn::parse(arn).is_some_and(|a| {
            a.service == "iam" && a.resource.starts_with("role/aws-service-role/")
        });
        by_path || role.starts_with("AWSServiceRoleFor")
    }

    /// Whether SCPs bind this caller: IAM users, roles (their sessions) and federated users of
    /// an account, and the account's root user; never anonymous callers, AWS service
    /// principals or service-linked roles (AWS Organizations User Guide, "SCP effects on
    /// permissions").
    pub fn scp_binds(&self) -> bool {
        (self.account().is_some() || self.is_unnamed()) && !self.is_service_linked_role()
    }

    /// Whether RCPs bind this caller: every caller but AWS service principals and
    /// service-linked roles (AWS Organizations User Guide, "Resource control policies"), so
    /// an identity provider's users too.
    pub fn rcp_binds(&self) -> bool {
        !matches!(self, Principal::Service { .. }) && !self.is_service_linked_role()
    }

    /// `aws:PrincipalArn`: the user, the role (not the session), the federated user or root.
    pub fn principal_arn(&self) -> Option<String> {
        match self {
            Principal::Root { account } => Some(format!("arn:aws:iam::{account}:root")),
            Principal::User { arn, .. } | Principal::FederatedUser { arn, .. } => Some(arn.clone()),
            Principal::AssumedRole { account, role, .. } => {
                Some(format!("arn:aws:iam::{account}:role/{role}"))
            }
            Principal::Anonymous
            | Principal::Unnamed
            | Principal::Service { .. }
            | Principal::IdentityProvider { .. } => None,
        }
    }

    /// `aws:PrincipalType` (empty when the request carries none).
    pub fn principal_type(&self) -> &'static str {
        match self {
            Principal::Anonymous => "Anonymous",
            // A user or a role session: which one is not said.
            Principal::Unnamed => "",
            Principal::Root { .. } => "Account",
            Principal::User { .. } => "User",
            Principal::AssumedRole { .. } => "AssumedRole",
            Principal::FederatedUser { .. } => "FederatedUser",
            Principal::Service { .. } => "Service",
            // The call is made without AWS credentials; no principal type is documented for it.
            Principal::IdentityProvider { .. } => "",
        }
    }

    /// Adds the keys every request of this caller carries, unless the request sets them:
    /// `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username` (IAM
    /// users) and `aws:userid` when known.
    pub fn add_derived_keys(&self, ctx: &mut Context, user_id: Option<&str>) {
        if let Some(arn) = self.principal_arn() {
            ctx.insert_default("aws:PrincipalArn", ContextValue::Single(arn));
        }
        if let Some(account) = self.account() {
            ctx.insert_default("aws:PrincipalAccount", ContextValue::single(account));
        }
        if let Principal::Service { name } = self {
            ctx.insert_default(
                "aws:PrincipalServiceName",
                ContextValue::single(name.as_str()),
            );
        }
        if !self.principal_type().is_empty() {
            ctx.insert_default(
                "aws:PrincipalType",
                ContextValue::single(self.principal_type()),
            );
        }
        let is_service = matches!(self, Principal::Service { .. });
        ctx.insert_default(
            "aws:PrincipalIsAWSService",
            ContextValue::single(if is_service { "true" } else { "false" }),
        );
        if let Principal::User { name, .. } = self {
            ctx.insert_default("aws:username", ContextValue::single(name.as_str()));
        }
        let user_id = match (self, user_id) {
            (_, Some(id)) => Some(id.to_string()),
            (Principal::Root { account }, None) => Some(account.clone()),
            _ => None,
        };
        if let Some(id) = user_id {
            ctx.insert_default("aws:userid", ContextValue::Single(id));
        }
    }

    /// How strongly a `Principal` element names this caller, if at all. With `NotPrincipal`,
    /// the statement applies unless every identity the caller carries is listed (its account,
    /// then its user, or its role and session), and then counts as naming the caller.
    pub fn matched_by(&self, clause: &PrincipalClause) -> Option<PrincipalMatch> {
        if clause.negated {
            if clause.everyone {
                return None;
            }
            let ids = self.identities();
            let all_listed = !ids.is_empty()
                && ids
                    .iter()
                    .all(|id| clause.entries.iter().any(|(k, v)| id.is_named_by(*k, v)));
            return (!all_listed).then_some(PrincipalMatch::Caller);
        }
        if clause.everyone {
            return Some(PrincipalMatch::Caller);
        }
        clause
            .entries
            .iter()
            .filter_map(|(k, v)| self.named_by(*k, v))
            .max()
    }

    fn named_by(&self, kind: PrincipalKind, value: &str) -> Option<PrincipalMatch> {
        self.identities()
            .iter()
            .filter(|id| id.is_named_by(kind, value))
            .map(|id| id.strength)
            .max()
    }

    /// Every identity the caller carries, weakest first.
    fn identities(&self) -> Vec<Identity<'_>> {
        let account = |a: &str| Identity {
            what: IdentityKind::Account(a.to_string()),
            strength: PrincipalMatch::Account,
        };
        let exact = |s: &str, kind| Identity {
            what: IdentityKind::Exact(kind, s.to_string()),
            strength: PrincipalMatch::Caller,
        };
        match self {
            Principal::Anonymous | Principal::Unnamed => Vec::new(),
            Principal::Root { account: a } => vec![account(a)],
            Principal::User {
                account: a, arn, ..
            }
            | Principal::FederatedUser {
                account: a, arn, ..
            } => {
                vec![account(a), exact(arn, PrincipalKind::Aws)]
            }
            Principal::AssumedRole {
                account: a,
                arn,
                role,
                session,
            } => {
                let mut ids = vec![
                    account(a),
                    Identity {
                        what: IdentityKind::Role {
                            account: a.as_str(),
                            role: role.as_str(),
                        },
                        strength: PrincipalMatch::Role,
                    },
                ];
                if !session.is_empty() {
                    ids.push(exact(arn, PrincipalKind::Aws));
                }
                ids
            }
            Principal::Service { name } => vec![exact(name, PrincipalKind::Service)],
            Principal::IdentityProvider { provider } => {
                vec![exact(provider, PrincipalKind::Federated)]
            }
        }
    }
}

struct Identity<'a> {
    what: IdentityKind<'a>,
    strength: PrincipalMatch,
}

enum IdentityKind<'a> {
    Account(String),
    Role { account: &'a str, role: &'a str },
    Exact(PrincipalKind, String),
}

impl Identity<'_> {
    fn is_named_by(&self, kind: PrincipalKind, value: &str) -> bool {
        match &self.what {
            IdentityKind::Account(a) => {
                kind == PrincipalKind::Aws
                    && (value == a || value == format!("arn:aws:iam::{a}:root"))
            }
            IdentityKind::Role { account, role } => {
                kind == PrincipalKind::Aws
                    && Arn::parse(value).is_some_and(|arn| {
                        arn.service == "iam"
                            && arn.account == *account
                            && arn
                                .resource
                                .strip_prefix("role/")
                                .is_some_and(|path| path.rsplit('/').next() == Some(role))
                    })
            }
            IdentityKind::Exact(k, v) => {
                *k == kind
                    && if kind == PrincipalKind::Service
                        || (kind == PrincipalKind::Federated && !v.starts_with("arn:"))
                    {
                        v.eq_ignore_ascii_case(value)
                    } else {
                        v == value
                    }
            }
        }
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(negated: bool, entries: &[&str]) -> PrincipalClause {
        PrincipalClause {
            negated,
            everyone: false,
            entries: entries
                .iter()
                .map(|e| (PrincipalKind::Aws, e.to_string()))
                .collect(),
        }
    }

    const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/Reader/job-7";

    /// IAM JSON policy elements, *Principal*: `"Federated"` names a web identity or SAML
    /// provider; the IAM User Guide's federation pages name an IAM provider by its ARN and a
    /// public provider (Amazon Cognito, Google, Facebook, Login with Amazon) by its name.
    #[test]
    fn identity_provider_callers() {
        let gh = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
        let p = Principal::parse(Some(gh)).unwrap();
        assert_eq!(
            p,
            Principal::IdentityProvider {
                provider: gh.into()
            }
        );
        let federated = |v: &str| PrincipalClause {
            negated: false,
            everyone: false,
            entries: vec![(PrincipalKind::Federated, v.to_string())],
        };
        assert_eq!(p.matched_by(&federated(gh)), Some(PrincipalMatch::Caller));
        // The provider's account is not the provider, under either key.
        assert_eq!(p.matched_by(&clause(false, &["111122223333"])), None);
        assert_eq!(p.matched_by(&federated("111122223333")), None);
        // No AWS credentials: no account, no SCP; RCPs bind every caller but services.
        assert_eq!(p.account(), None);
        assert!(!p.scp_binds() && p.rcp_binds());
        let saml = Principal::parse(Some("arn:aws:iam::111122223333:saml-provider/Okta")).unwrap();
        assert!(matches!(saml, Principal::IdentityProvider { .. }));
        let cognito = Principal::parse(Some("federated:cognito-identity.amazonaws.com")).unwrap();
        assert_eq!(
            cognito.matched_by(&federated("Cognito-Identity.amazonaws.com")),
            Some(PrincipalMatch::Caller)
        );
        // Without the prefix the name is the Cognito service principal, not the provider.
        assert!(matches!(
            Principal::parse(Some("cognito-identity.amazonaws.com")),
            Ok(Principal::Service { .. })
        ));
        assert!(Principal::parse(Some("federated:")).is_err());
        assert!(Principal::parse(Some("arn:aws:iam::111122223333:oidc-provider/")).is_err());
    }

    #[test]
    fn strengths() {
        let s = Principal::parse(Some(SESSION)).unwrap();
        assert_eq!(
            s.matched_by(&clause(false, &["111122223333"])),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            s.matched_by(&clause(
                false,
                &["arn:aws:iam::111122223333:role/team/Reader"]
            )),
            Some(PrincipalMatch::Role)
        );
        assert_eq!(
            s.matched_by(&clause(false, &[SESSION])),
            Some(PrincipalMatch::Caller)
        );
        assert_eq!(s.matched_by(&clause(false, &["444455556666"])), None);
    }

    #[test]
    fn not_principal_needs_every_identity_listed() {
        let u = Principal::parse(Some("arn:aws:iam::111122223333:user/alice")).unwrap();
        let only_user = clause(true, &["arn:aws:iam::111122223333:user/alice"]);
        assert!(
            u.matched_by(&only_user).is_some(),
            "listing the user alone still denies"
        );
        let both = clause(
            true,
            &[
                "arn:aws:iam::111122223333:root",
                "arn:aws:iam::111122223333:user/alice",
            ],
        );
        assert!(u.matched_by(&both).is_none());
        let s = Principal::parse(Some(SESSION)).unwrap();
        let role_and_account = clause(
            true,
            &["111122223333", "arn:aws:iam::111122223333:role/Reader"],
        );
        assert!(
            s.matched_by(&role_and_account).is_some(),
            "the session itself is not listed"
        );
    }

    #[test]
    fn parses_callers() {
        assert!(matches!(Principal::parse(None), Ok(Principal::Anonymous)));
        assert!(matches!(
            Principal::parse(Some("s3.amazonaws.com")),
            Ok(Principal::Service { .. })
        ));
        assert!(matches!(
            Principal::parse(Some("111122223333")),
            Ok(Principal::Root { .. })
        ));
        assert!(Principal::parse(Some("arn:aws:s3:::bucket")).is_err());
        assert!(Principal::parse(Some("bob")).is_err());
    }

    #[test]
    fn derived_keys_do_not_override_the_request() {
        let u = Principal::parse(Some("arn:aws:iam::111122223333:user/dev/alice")).unwrap();
        let mut ctx = Context::new();
        ctx.insert("aws:username", ContextValue::single("mallory"));
        u.add_derived_keys(&mut ctx, Some("AIDAALICE"));
        assert_eq!(ctx.get("aws:username").unwrap().values(), ["mallory"]);
        assert_eq!(ctx.get("aws:userid").unwrap().values(), ["AIDAALICE"]);
        assert_eq!(ctx.get("aws:principaltype").unwrap().values(), ["User"]);
    }
}
