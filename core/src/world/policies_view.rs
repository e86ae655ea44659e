//! Read-only views of the world's resource policies and organization, for analyses that
//! walk every policy (`analysis::findings`). Deciding stays with the engine.

use crate::compile::NamedPolicy;
use crate::policy::Policy;

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

/// One attachment of an SCP or RCP to a target (the organization's root, an OU or an account).
#[derive(Debug, Clone, Copy)]
pub struct OrgPolicyInfo<'a> {
    /// `"SCP"` or `"RCP"`.
    pub kind: &'static str,
    /// The target it is attached to (`r-...`, `ou-...` or an account id).
    pub target: &'a str,
    /// The policy's `Name`.
    pub name: &'a str,
    /// Its document.
    pub policy: &'a Policy,
}

impl World {
    /// Every attachment of an SCP or RCP, sorted by kind, target and name.
    pub fn org_policy_infos(&self) -> Vec<OrgPolicyInfo<'_>> {
        let org = &self.organization;
        let mut out: Vec<OrgPolicyInfo<'_>> = [
            ("SCP", &org.scps, &org.scp_targets),
            ("RCP", &org.rcps, &org.rcp_targets),
        ]
        .into_iter()
        .flat_map(|(kind, policies, targets)| {
            targets.iter().flat_map(move |(target, indexes)| {
                indexes
                    .iter()
                    .filter_map(|&i| policies.get(i))
                    .map(move |p| OrgPolicyInfo {
                        kind,
                        target,
                        name: &p.name,
                        policy: &p.policy,
                    })
            })
        })
        .collect();
        out.sort_by_key(|o| (o.kind, o.target, o.name));
        out
    }

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
