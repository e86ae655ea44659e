//! The kinds of policy `validate` knows, with each one's size quota.
//!
//! Quotas are from *IAM and AWS STS quotas, name requirements, and character limits* (IAM
//! User Guide: managed policy 6,144 characters, role trust policy 2,048 by default, session
//! policies 2,048, inline policies of a user 2,048 / group 5,120 / role 10,240; whitespace is
//! not counted), *Quotas and service limits for AWS Organizations* (SCP and RCP 5,120
//! characters) and *Bucket policies for Amazon S3* (20 KB).

use std::fmt;
use std::str::FromStr;

/// A kind of policy: which elements it takes and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyType {
    /// Attached to a user, group or role (managed or inline): no `Principal`.
    Identity,
    /// Attached to a resource (a bucket, a queue, a key): `Principal` required.
    Resource,
    /// A role's trust policy: `Principal` required, no `Resource`, `sts:` actions.
    Trust,
    /// A permissions boundary: the grammar of an identity policy.
    Boundary,
    /// A service control policy of AWS Organizations: no `Principal`.
    Scp,
    /// A resource control policy: `Principal` `*`, `Deny` only, no `NotAction`.
    Rcp,
    /// A session policy passed to `AssumeRole`: the grammar of an identity policy.
    Session,
}

impl PolicyType {
    /// Every type, in the order `--policy-type` lists them.
    pub const ALL: [PolicyType; 7] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Trust,
        PolicyType::Boundary,
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::Session,
    ];

    /// The name used on the command line: `identity`, `resource`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::Trust => "trust",
            PolicyType::Boundary => "boundary",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::Session => "session",
        }
    }

    /// Whether statements of this type name no `Principal` (the caller is whoever the policy
    /// is attached to).
    pub fn forbids_principal(self) -> bool {
        matches!(
            self,
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp
        )
    }

    /// Whether each statement must name a `Principal`.
    pub fn requires_principal(self) -> bool {
        matches!(
            self,
            PolicyType::Resource | PolicyType::Trust | PolicyType::Rcp
        )
    }

    /// The largest document AWS stores, in characters without whitespace (S3's 20 KB for
    /// resource policies, the largest of the services').
    pub fn size_limit(self) -> usize {
        match self {
            PolicyType::Identity | PolicyType::Boundary => 6_144,
            PolicyType::Resource => 20 * 1024,
            PolicyType::Trust | PolicyType::Session => 2_048,
            PolicyType::Scp | PolicyType::Rcp => 5_120,
        }
    }
}

impl PolicyType {
    /// The type a document most likely is when nothing says: with a `Principal` or
    /// `NotPrincipal` in some statement, a trust policy when those statements' actions are
    /// all `sts:` actions, else a resource policy; otherwise an identity policy.
    pub fn infer(policy: &crate::policy::Policy) -> PolicyType {
        let with_principal: Vec<_> = policy
            .statements
            .iter()
            .filter(|s| s.principal.is_some())
            .collect();
        if with_principal.is_empty() {
            return PolicyType::Identity;
        }
        let sts_only = with_principal.iter().all(|s| {
            !s.action.negated
                && s.action
                    .patterns
                    .iter()
                    .all(|a| a.to_ascii_lowercase().starts_with("sts:"))
        });
        if sts_only && with_principal.iter().all(|s| s.resource.is_none()) {
            PolicyType::Trust
        } else {
            PolicyType::Resource
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`PolicyType::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown policy type `{0}` (expected identity, resource, trust, boundary, scp, rcp or session)"
)]
pub struct UnknownPolicyType(pub String);

impl FromStr for PolicyType {
    type Err = UnknownPolicyType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PolicyType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPolicyType(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in PolicyType::ALL {
            assert_eq!(t.as_str().parse::<PolicyType>(), Ok(t));
        }
        assert!("bucket".parse::<PolicyType>().is_err());
        assert!(PolicyType::Scp.forbids_principal() && !PolicyType::Scp.requires_principal());
        assert!(PolicyType::Trust.requires_principal());
    }
}
