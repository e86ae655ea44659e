//! The layers of a request, compiled once per caller, resource and account and cached.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use crate::arn::Arn;
use crate::compile::{NamedPolicy, PolicySet};
use crate::decide::{Layers, Missing};
use crate::principal::Principal;
use crate::request::Request;

use super::{policy_holders, OrgPolicy, World};

/// Entries each map of the cache holds at most; past it the map starts again empty (the
/// sets themselves live on in the requests that hold them). Far above the callers,
/// resource policies and accounts of a real estate, so a world is compiled once.
const MAX_ENTRIES: usize = 1 << 16;

/// A caller's compiled identity policies and boundary.
pub(super) struct CallerSets {
    identity: PolicySet,
    boundary: Option<PolicySet>,
}

/// Compiled sets, built on first use. Keys are small strings; values are shared. Readers
/// share the lock: after the first requests every lookup is a read.
#[derive(Default)]
pub(super) struct Cache {
    callers: RwLock<HashMap<String, Arc<CallerSets>>>,
    resources: RwLock<HashMap<String, Arc<PolicySet>>>,
    scps: RwLock<HashMap<String, Option<Arc<Vec<PolicySet>>>>>,
    rcps: RwLock<HashMap<String, Option<Arc<Vec<PolicySet>>>>>,
}

/// The cached value for `key`, built by `build` on a miss. The lock is not held while
/// building (two threads may both build; the second insert wins, harmlessly). A poisoned
/// lock still holds a consistent map (only whole values are inserted), so it is used as is.
fn cached<K: Hash + Eq, V: Clone>(
    map: &RwLock<HashMap<K, V>>,
    key: K,
    build: impl FnOnce() -> V,
) -> V {
    if let Some(v) = map.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return v.clone();
    }
    let v = build();
    let mut map = map.write().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(key, v.clone());
    v
}

impl World {
    /// Every compiled policy that bears on `req` (see the module docs for what each layer
    /// holds). There is no session policy in a world: `session` is `None`.
    pub fn layers_for(&self, req: &Request) -> Layers {
        let caller = self.caller_sets(req.principal());
        // SCPs and RCPs do not restrict service-linked roles (AWS Organizations User Guide,
        // "SCP effects on permissions", "Resource control policies").
        let service_linked = self
            .entity_of(req.principal())
            .is_some_and(|e| e.is_service_linked());
        let resource_account = req
            .resource_account()
            .map(str::to_string)
            .or_else(|| self.resource_account(req.resource()))
            .or_else(|| req.effective_resource_account().map(str::to_string));
        Layers {
            identity: caller
                .as_ref()
                .map(|c| c.identity.clone())
                .unwrap_or_default(),
            boundary: caller.as_ref().and_then(|c| c.boundary.clone()),
            resource: self.resource_set(req).map(|s| (*s).clone()),
            session: None,
            scp: req
                .principal()
                .account()
                .filter(|_| !service_linked)
                .and_then(|a| self.org_levels(a, false))
                .map(|l| (*l).clone()),
            rcp: resource_account
                .filter(|_| !service_linked)
                .and_then(|a| self.org_levels(&a, true))
                .map(|l| (*l).clone()),
            missing: self
                .missing_trust_policy(req)
                .or_else(|| self.missing_key_policy(req))
                .into_iter()
                .collect(),
        }
    }

    /// A role of the world that is assumed but has no trust policy in the export: AWS always
    /// has one, so the decision cannot be read without it.
    fn missing_trust_policy(&self, req: &Request) -> Option<Missing> {
        if !crate::decide::resource_policy_required(req) {
            return None;
        }
        let arn = Arn::parse(req.resource())?;
        let role = arn.resource.strip_prefix("role/")?;
        let name = role.rsplit('/').next().unwrap_or(role);
        let role = self.role(arn.account, name)?;
        match role.trust {
            Some(_) => None,
            None => Some(Missing::resource_policy("trust policy", &role.arn)),
        }
    }

    /// A KMS key the world has no key policy for: every key has one, and "unless the key
    /// policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key"
    /// (AWS KMS Developer Guide, "Key policies in AWS KMS"), so the decision cannot be read
    /// without it.
    fn missing_key_policy(&self, req: &Request) -> Option<Missing> {
        let arn = Arn::parse(req.resource())?;
        let kms_action = req
            .action()
            .get(..4)
            .is_some_and(|a| a.eq_ignore_ascii_case("kms:"));
        if arn.service != "kms" || !arn.resource.starts_with("key/") || !kms_action {
            return None;
        }
        match self.governing_policy(req) {
            Some(_) => None,
            None => Some(Missing::resource_policy("key policy", req.resource())),
        }
    }

    fn caller_sets(&self, p: &Principal) -> Option<Arc<CallerSets>> {
        let e = self.entity_of(p)?;
        let key = format!(
            "{}/{}",
            if matches!(p, Principal::User { .. }) {
                "user"
            } else {
                "role"
            },
            e.arn
        );
        Some(cached(&self.cache.callers, key, || {
            let group_policies = e
                .groups
                .iter()
                .filter_map(|&g| self.groups.get(g))
                .flat_map(|g| g.policies.iter().cloned());
            let identity = e.policies.iter().cloned().chain(group_policies).collect();
            Arc::new(CallerSets {
                identity: PolicySet::compile(identity),
                boundary: e.boundary.clone().map(|b| PolicySet::compile(vec![b])),
            })
        }))
    }

    /// The resource-based policy governing the request's resource, if the world has one.
    fn resource_set(&self, req: &Request) -> Option<Arc<PolicySet>> {
        let (key, policy) = self.governing_policy(req)?;
        Some(cached(&self.cache.resources, key, || {
            Arc::new(PolicySet::compile(vec![policy.clone()]))
        }))
    }

    /// The governing policy with its cache key (the `ResourceArn`, or `trust ROLE-ARN`).
    fn governing_policy(&self, req: &Request) -> Option<(String, &NamedPolicy)> {
        let r = req.resource();
        if let Some(p) = self.resources.get(r) {
            return Some((r.to_string(), &p.policy));
        }
        for owner in policy_holders(r) {
            if let Some(p) = self.resources.get(&owner) {
                return Some((owner, &p.policy));
            }
        }
        let arn = Arn::parse(r)?;
        let role = arn.resource.strip_prefix("role/")?;
        let sts = req
            .action()
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case("sts:"));
        if arn.service != "iam" || !sts {
            return None;
        }
        let name = role.rsplit('/').next().unwrap_or(role);
        let role = self.role(arn.account, name)?;
        Some((format!("trust {}", role.arn), role.trust.as_ref()?))
    }

    /// The SCP (or RCP) levels of an account, root first; `None` outside the organization
    /// and for the management account, which SCPs and RCPs do not restrict.
    fn org_levels(&self, account: &str, rcp: bool) -> Option<Arc<Vec<PolicySet>>> {
        let org = &self.organization;
        if org.management.as_deref() == Some(account) {
            return None;
        }
        let map = if rcp {
            &self.cache.rcps
        } else {
            &self.cache.scps
        };
        cached(map, account.to_string(), || {
            let path = org.accounts.get(account)?;
            let (policies, targets, kind) = if rcp {
                (&org.rcps, &org.rcp_targets, "RCP")
            } else {
                (&org.scps, &org.scp_targets, "SCP")
            };
            let last_is_account = path.last().is_some_and(|l| l == account);
            let levels = path
                .iter()
                .map(String::as_str)
                .chain((!last_is_account).then_some(account))
                .filter_map(|level| {
                    let attached: Vec<NamedPolicy> = targets
                        .get(level)?
                        .iter()
                        .filter_map(|&i| policies.get(i))
                        .map(|p: &OrgPolicy| NamedPolicy {
                            name: format!("{kind} {} at {level}", p.name),
                            policy: Arc::clone(&p.policy),
                        })
                        .collect();
                    Some(PolicySet::compile(attached))
                })
                .collect();
            Some(Arc::new(levels))
        })
    }
}
