//! The layers of a request, compiled once per caller, resource and account and cached.
//!
//! Callers' sets are kept by the caller's place in the world (one slot each, filled on first
//! use, read without a lock afterwards); resource policies and organization levels by their
//! holder's ARN or account in maps bounded to [`MAX_ENTRIES`]; prepared callers
//! ([`World::prepared_caller`]) by the caller's ARN, bounded the same way.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, OnceLock, RwLock};

use crate::arn::Arn;
use crate::compile::{NamedPolicy, PolicySet};
use crate::decide::{Layers, Missing};
use crate::hash::Fx;
use crate::principal::Principal;
use crate::request::{Caller, Request};

use super::{EntityId, OrgPolicy, World};

/// Entries each map of the cache holds at most; past it the map starts again empty (the
/// sets themselves live on in the requests that hold them). Far above the callers,
/// resource policies and accounts of a real estate, so a world is compiled once.
const MAX_ENTRIES: usize = 1 << 16;

/// A caller's compiled identity policies and boundary.
#[derive(Debug)]
pub(crate) struct CallerSets {
    /// Identity-based policies: inline, managed, then each group's.
    pub(crate) identity: PolicySet,
    /// The permissions boundary.
    pub(crate) boundary: Option<PolicySet>,
}

/// An organization's compiled levels by account (`None`: the account is outside it).
type LevelsByAccount = RwLock<HashMap<String, Option<Arc<Vec<PolicySet>>>, Fx>>;

/// Compiled sets, built on first use. Readers share the locks: after the first requests
/// every lookup is a read.
#[derive(Default)]
pub(super) struct Cache {
    /// One slot per user, then one per role (sized on first use).
    callers: OnceLock<Box<[OnceLock<Arc<CallerSets>>]>>,
    resources: RwLock<HashMap<String, Arc<PolicySet>, Fx>>,
    scps: LevelsByAccount,
    rcps: LevelsByAccount,
    prepared: RwLock<HashMap<String, Option<Caller>, Fx>>,
    /// The services of the ARNs `ResourcePolicies` entries are held under.
    holder_services: OnceLock<HashSet<String, Fx>>,
}

/// The cached value for `key`, built by `build` on a miss. The lock is not held while
/// building (two threads may both build; the second insert wins, harmlessly). A poisoned
/// lock still holds a consistent map (only whole values are inserted), so it is used as is.
fn cached<
    K: Hash + Eq + std::borrow::Borrow<Q>,
    Q: Hash + Eq + ?Sized + ToOwned<Owned = K>,
    V: Clone,
    S: BuildHasher,
>(
    map: &RwLock<HashMap<K, V, S>>,
    key: &Q,
    build: impl FnOnce() -> V,
) -> V {
    if let Some(v) = map.read().unwrap_or_else(|e| e.into_inner()).get(key) {
        return v.clone();
    }
    let v = build();
    let mut map = map.write().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(key.to_owned(), v.clone());
    v
}

impl Cache {
    /// The world's keys for a caller, prepared by `build` once per caller ARN.
    pub(super) fn prepared_caller(
        &self,
        caller: &Caller,
        build: impl FnOnce(&Caller) -> Option<Caller>,
    ) -> Option<Caller> {
        let arn = match caller.principal() {
            Principal::User { arn, .. } | Principal::AssumedRole { arn, .. } => arn.as_str(),
            // The world knows nothing more of other callers (`World::request_context`).
            _ => return None,
        };
        cached(&self.prepared, arn, || build(caller))
    }
}

/// The policy that governs a request's resource ([`World::governing_policy`]).
enum Governing<'w> {
    /// A `ResourcePolicies` entry, compiled once in the entry.
    Held(&'w super::ResourcePolicy),
    /// A role's trust policy, cached by `key` (`trust ROLE-ARN`).
    Trust {
        key: String,
        policy: &'w NamedPolicy,
    },
}

/// The parts of a request's layers that depend on its caller only: what an engine keeps per
/// caller ([`World::caller_layers`]).
#[derive(Debug, Clone, Default)]
pub struct CallerLayers {
    /// The caller's identity-based policies.
    pub identity: PolicySet,
    /// The caller's permissions boundary.
    pub boundary: Option<PolicySet>,
    /// The SCP levels of the caller's account (`None` outside the organization, for the
    /// management account and for service-linked roles).
    pub scp: Option<Arc<Vec<PolicySet>>>,
    /// Whether the caller is a service-linked role (RCPs do not bind it either).
    pub service_linked: bool,
}

/// The parts of a request's layers that depend on its resource.
#[derive(Debug, Clone, Default)]
pub struct ResourceLayers {
    /// The resource's resource-based policy.
    pub resource: Option<Arc<PolicySet>>,
    /// The RCP levels of the resource's account.
    pub rcp: Option<Arc<Vec<PolicySet>>>,
    /// What the world lacks that the decision needs.
    pub missing: Option<Missing>,
}

impl World {
    /// Every compiled policy that bears on `req` (see the module docs for what each layer
    /// holds). There is no session policy in a world: `session` is `None`.
    pub fn layers_for(&self, req: &Request) -> Layers {
        let caller = self.caller_layers(req.principal());
        let resource = self.resource_layers(req, caller.service_linked);
        Layers {
            identity: caller.identity,
            boundary: caller.boundary,
            resource: resource.resource.map(|s| (*s).clone()),
            session: None,
            scp: caller.scp.map(|l| (*l).clone()),
            rcp: resource.rcp.map(|l| (*l).clone()),
            missing: resource.missing.into_iter().collect(),
        }
    }

    /// The caller's half of [`World::layers_for`]: its identity policies and boundary, and
    /// its account's SCP levels. Compiled on first use, then shared.
    pub fn caller_layers(&self, p: &Principal) -> CallerLayers {
        let entity = self.entity_id(p);
        let sets = entity.and_then(|id| self.caller_sets(id));
        // SCPs and RCPs do not restrict service-linked roles (AWS Organizations User Guide,
        // "SCP effects on permissions", "Resource control policies").
        let service_linked = entity
            .and_then(|id| self.entity(id))
            .is_some_and(|e| e.is_service_linked());
        CallerLayers {
            identity: sets
                .as_ref()
                .map(|c| c.identity.clone())
                .unwrap_or_default(),
            boundary: sets.as_ref().and_then(|c| c.boundary.clone()),
            scp: p
                .account()
                .filter(|_| !service_linked)
                .and_then(|a| self.org_levels(a, false)),
            service_linked,
        }
    }

    /// The resource's half of [`World::layers_for`]: its resource-based policy, its
    /// account's RCP levels (none when `service_linked`: RCPs do not bind service-linked
    /// roles), and what the world lacks for it.
    pub fn resource_layers(&self, req: &Request, service_linked: bool) -> ResourceLayers {
        let rcp = if service_linked || self.organization.accounts.is_empty() {
            None
        } else {
            let account = req
                .resource_account()
                .map(Cow::Borrowed)
                .or_else(|| {
                    self.resource_account_of(req.resource(), req.resource_arn().as_ref())
                        .map(Cow::Owned)
                })
                .or_else(|| req.effective_resource_account().map(Cow::Borrowed));
            account.and_then(|a| self.org_levels(&a, true))
        };
        ResourceLayers {
            resource: self.resource_set(req),
            rcp,
            missing: self
                .missing_trust_policy(req)
                .or_else(|| self.missing_key_policy(req)),
        }
    }

    /// A role of the world that is assumed but has no trust policy in the export: AWS always
    /// has one, so the decision cannot be read without it.
    fn missing_trust_policy(&self, req: &Request) -> Option<Missing> {
        if !crate::decide::resource_policy_required(req) {
            return None;
        }
        let arn = req.resource_arn()?;
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
        let arn = req.resource_arn()?;
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

    fn caller_sets(&self, id: EntityId) -> Option<Arc<CallerSets>> {
        let slots = self.cache.callers.get_or_init(|| {
            (0..self.users.len() + self.roles.len())
                .map(|_| OnceLock::new())
                .collect()
        });
        let slot = match id {
            EntityId::User(i) => slots.get(i)?,
            EntityId::Role(i) => slots.get(self.users.len() + i)?,
        };
        let e = self.entity(id)?;
        Some(Arc::clone(slot.get_or_init(|| {
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
        })))
    }

    /// The resource-based policy governing the request's resource, if the world has one.
    fn resource_set(&self, req: &Request) -> Option<Arc<PolicySet>> {
        match self.governing_policy(req)? {
            Governing::Held(p) => {
                Some(Arc::clone(p.compiled.get_or_init(|| {
                    Arc::new(PolicySet::compile(vec![p.policy.clone()]))
                })))
            }
            Governing::Trust { key, policy } => {
                Some(cached(&self.cache.resources, key.as_str(), || {
                    Arc::new(PolicySet::compile(vec![policy.clone()]))
                }))
            }
        }
    }

    /// The governing policy: a `ResourcePolicies` entry, or the trust policy of the role an
    /// `sts:` action asks about.
    fn governing_policy(&self, req: &Request) -> Option<Governing<'_>> {
        let r = req.resource();
        let arn = req.resource_arn();
        if let Some(p) = self.held_policy(r, arn.as_ref()) {
            return Some(Governing::Held(p));
        }
        let sts = req
            .action()
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case("sts:"));
        let arn = arn?;
        let role = arn.resource.strip_prefix("role/")?;
        if arn.service != "iam" || !sts {
            return None;
        }
        let name = role.rsplit('/').next().unwrap_or(role);
        let role = self.role(arn.account, name)?;
        Some(Governing::Trust {
            key: format!("trust {}", role.arn),
            policy: role.trust.as_ref()?,
        })
    }

    /// Whether a `ResourcePolicies` entry may govern `arn` (split; `None` when it is not an
    /// ARN): one is held under an ARN of its service, or (an `execute-api` ARN, governed by
    /// its REST API) of `apigateway`. Saves working out the governing resource, the costly
    /// part, for the resources of services the world holds no policy for.
    pub(super) fn may_hold_policy_for(&self, arn: Option<&Arn<'_>>) -> bool {
        if self.resources.is_empty() {
            return false;
        }
        let services = self.cache.holder_services.get_or_init(|| {
            self.resources
                .keys()
                .filter_map(|k| Arn::parse(k).map(|a| a.service.to_string()))
                .collect()
        });
        match arn {
            Some(a) => {
                services.contains(a.service)
                    || (a.service == "execute-api" && services.contains("apigateway"))
            }
            // Not an ARN: only an entry held under the same text can match.
            None => true,
        }
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
        cached(map, account, || {
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
                        .map(|p: &OrgPolicy| {
                            NamedPolicy::shared(
                                format!("{kind} {} at {level}", p.name),
                                Arc::clone(&p.policy),
                            )
                        })
                        .collect();
                    Some(PolicySet::compile(attached))
                })
                .collect();
            Some(Arc::new(levels))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::policy_holders;
    use super::*;

    /// The governing entry found by [`World::held_policy`] (service prefilter, S3 bucket
    /// slice) is the one the plain lookup finds (the ARN itself, then every holder), the
    /// resource account follows it, and an entry's policy is compiled once.
    #[test]
    fn the_held_policy_is_the_one_the_plain_lookup_finds() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": "*", "Action": "*", "Resource": "*"}]}"#;
        let held = [
            ("arn:aws:s3:::b", Some("444455556666")),
            ("arn:aws:s3:::b/special", None),
            ("arn:aws-cn:s3:::c", None),
            ("arn:aws:lambda:us-east-1:111122223333:function:f", None),
            ("arn:aws:execute-api:us-east-1:111122223333:api1", None),
            ("arn:aws:sqs:us-east-1:111122223333:q", None),
            ("bucket-without-arn", None),
        ];
        let entries: Vec<String> = held
            .iter()
            .map(|(arn, account)| {
                let account = account
                    .map(|a| format!(r#""AccountId": "{a}", "#))
                    .unwrap_or_default();
                format!(r#"{{"ResourceArn": "{arn}", {account}"Policy": {policy}}}"#)
            })
            .collect();
        let text = format!(
            r#"{{"AccountId": "111122223333", "ResourcePolicies": [{}]}}"#,
            entries.join(",")
        );
        let (world, _) = World::load(&[("w.json".into(), text)]).unwrap();
        let asked = [
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b/special",
            "arn:aws:s3:::b/special/more",
            "arn:aws:s3:::b/",
            "arn:aws:s3:::bb/k",
            "arn:aws:s3:::b:x/k",
            "arn:aws-cn:s3:::c/k",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/b",
            "arn:aws:lambda:us-east-1:111122223333:function:f:live",
            "arn:aws:lambda:us-east-1:111122223333:function:g",
            "arn:aws:execute-api:us-east-1:111122223333:api1/prod/GET/x",
            "arn:aws:sqs:us-east-1:111122223333:q",
            "arn:aws:sns:us-east-1:111122223333:q",
            "bucket-without-arn",
            "*",
        ];
        for arn in asked {
            let plain = world.resources.get(arn).or_else(|| {
                policy_holders(arn)
                    .iter()
                    .find_map(|h| world.resources.get(h.as_str()))
            });
            let found = world.held_policy(arn, Arn::parse(arn).as_ref());
            assert_eq!(
                found.map(|p| p as *const _),
                plain.map(|p| p as *const _),
                "{arn}"
            );
            let account = match Arn::parse(arn).filter(|a| !a.account.is_empty()) {
                Some(a) => Some(a.account.to_string()),
                None => plain.map(|p| {
                    p.account
                        .clone()
                        .unwrap_or_else(|| "111122223333".to_string())
                }),
            };
            assert_eq!(world.resource_account(arn), account, "{arn}");
            if arn != "*" && arn != "bucket-without-arn" {
                let req = Request::new(None, "s3:GetObject", arn, Default::default()).unwrap();
                let (a, b) = (world.resource_set(&req), world.resource_set(&req));
                assert_eq!(a.is_some(), plain.is_some(), "{arn}");
                if let (Some(a), Some(b)) = (a, b) {
                    assert!(Arc::ptr_eq(&a, &b), "{arn}: compiled twice");
                }
            }
        }
    }
}
