//! Read-only views of the world's resource policies and organization, for analyses that
//! walk every policy (`analysis::findings`). Deciding stays with the engine.

use crate::compile::NamedPolicy;

use super::World;

/// A resource-based policy of the world.
#[derive(Debug, Clone, Copy)]
pub struct ResourcePolicyInfo<'a> {
    /// The resource ARN the policy is attached to.
    pub arn: &'a str,
    /// The owning account, when the export says it.
    pub account: Option<&'a str>,
    /// The policy.
    pub policy: &'a NamedPolicy,
}

impl World {
    /// Every resource policy (bucket, queue, key...), sorted by ARN.
    pub fn resource_policy_infos(&self) -> Vec<ResourcePolicyInfo<'_>> {
        let mut out: Vec<ResourcePolicyInfo<'_>> = self
            .resources
            .iter()
            .map(|(arn, r)| ResourcePolicyInfo {
                arn,
                account: r.account.as_deref(),
                policy: &r.policy,
            })
            .collect();
        out.sort_by_key(|r| r.arn);
        out
    }

    /// The accounts of the organization, sorted (empty without one).
    pub fn organization_account_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .organization
            .accounts
            .keys()
            .map(String::as_str)
            .collect();
        out.sort_unstable();
        out
    }

    /// The organization's id (`Organization.Id`, `o-...`), when the export gives it.
    pub fn organization_id(&self) -> Option<&str> {
        self.organization.id.as_deref()
    }
}
