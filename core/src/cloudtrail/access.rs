//! Unused access and least privilege, from what a replay saw callers do.
//!
//! For each caller of the world, the grants are the actions of its identity-based Allow
//! statements (patterns expanded through the catalogue) with each statement's resource
//! patterns, kept when the engine allows the action on the pattern itself
//! (`Engine::check`: boundaries, SCPs and explicit denies count; an Allow whose conditions
//! the bare request does not meet is kept and marked `conditional`). A grant is unused when
//! no successful event of the caller had its action, or had it on no resource the pattern
//! matches. This is what IAM Access Analyzer reports as unused permissions ("IAM Access
//! Analyzer unused access findings"), computed offline.
//!
//! The least-privilege policy allows exactly the (action, resource) pairs that succeeded,
//! grouping actions with the same resources into one statement; an action used on more than
//! [`super::replay::MAX_RESOURCES`] resources, or on more than [`MAX_LISTED`], takes the
//! resources' common prefix followed by `*`. It is verified by deciding every used pair
//! against it alone: [`Verification::denied`] counts the pairs it would deny (none, unless
//! the generation is wrong), like IAM Access Analyzer's policy generation from CloudTrail.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

use crate::catalogue::Catalogue;
use crate::context::Context;
use crate::decide::{Outcome, PolicyKind};
use crate::pattern::Glob;
use crate::policy::Effect;
use crate::request::Request;
use crate::Engine;

use super::replay::{principal_key, Usage};

/// Distinct resources an action lists before the policy generalizes them to a prefix.
pub const MAX_LISTED: usize = 20;

/// One grant never exercised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedGrant {
    /// The action.
    pub action: String,
    /// The statement's resource pattern.
    pub resource: String,
    /// `true` when the action was used, but never on this pattern.
    pub action_used: bool,
    /// `true` when the grant holds only under its statement's conditions.
    pub conditional: bool,
}

/// A caller's access: what it may do, what it did, and a policy for what it did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallerAccess {
    /// `aws:PrincipalArn` of the caller.
    pub principal: String,
    /// Distinct actions granted.
    pub granted_actions: usize,
    /// Distinct actions that succeeded in the window.
    pub used_actions: usize,
    /// Grants never exercised, by action then resource.
    pub unused: Vec<UnusedGrant>,
    /// The least-privilege policy for what was used (absent when nothing was, and for
    /// anonymous, service and root callers, whom identity-based policies do not govern).
    pub policy: Option<Value>,
    /// The policy decided against every used (action, resource).
    pub verification: Option<Verification>,
}

/// Every used (action, resource) decided against the generated policy alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Pairs decided.
    pub checked: usize,
    /// Pairs the policy would deny: flips to deny.
    pub denied: usize,
}

/// The access of every caller of `engine`'s world, against `usage` (by
/// [`principal_key`]). Callers outside the world that appear in `usage` get a policy and no
/// grants.
pub fn access_report(
    engine: &Engine,
    usage: &super::replay::TallyMap<String, Usage>,
) -> Vec<CallerAccess> {
    let mut callers: BTreeMap<String, Option<String>> = BTreeMap::new();
    if let Some(world) = engine.world() {
        for p in world.principals() {
            if let Ok(req) = Request::new(Some(&p), "sts:GetCallerIdentity", "*", Context::new()) {
                callers.insert(principal_key(req.principal()), Some(p));
            }
        }
    }
    for (who, u) in usage {
        callers
            .entry(who.clone())
            .or_insert_with(|| u.caller.clone());
    }
    callers
        .into_iter()
        .map(|(who, caller)| {
            let used = usage.get(&who);
            let grants = caller
                .as_deref()
                .map(|c| grants_of(engine, c))
                .unwrap_or_default();
            let unused = unused_grants(&grants, used);
            let granted_actions = grants.iter().map(|g| &g.0).collect::<BTreeSet<_>>().len();
            // Identity-based policies grant nothing to anonymous callers, services and root
            // users: they get no policy to generate.
            let governed = caller
                .as_deref()
                .and_then(|c| crate::principal::Principal::parse(Some(c)).ok())
                .is_some_and(|p| {
                    matches!(
                        p,
                        crate::principal::Principal::User { .. }
                            | crate::principal::Principal::AssumedRole { .. }
                            | crate::principal::Principal::FederatedUser { .. }
                    )
                });
            let (policy, verification) = match used {
                Some(u) if governed && !u.actions.is_empty() => {
                    let policy = least_privilege(u);
                    let verification = verify(&policy, u);
                    (Some(policy), verification)
                }
                _ => (None, None),
            };
            CallerAccess {
                principal: who,
                granted_actions,
                used_actions: used.map_or(0, |u| u.actions.len()),
                unused,
                policy,
                verification,
            }
        })
        .collect()
}

/// (action, resource pattern, conditional) granted to `caller`.
fn grants_of(engine: &Engine, caller: &str) -> Vec<(String, String, bool)> {
    let (Some(world), Ok(cat)) = (engine.world(), Catalogue::get()) else {
        return Vec::new();
    };
    let Ok(probe) = Request::new(Some(caller), "sts:GetCallerIdentity", "*", Context::new()) else {
        return Vec::new();
    };
    let layers = world.layers_for(&probe);
    let mut out = BTreeSet::new();
    for named in layers.identity.policies() {
        for st in &named.policy().statements {
            if st.effect != Effect::Allow || st.action.negated {
                continue;
            }
            let resources: Vec<String> = match &st.resource {
                Some(r) if !r.negated => r.patterns.clone(),
                _ => vec!["*".to_string()],
            };
            for pattern in &st.action.patterns {
                for action in cat.expand_actions(pattern) {
                    let name = action.full_name();
                    for resource in &resources {
                        let Ok(req) = Request::new(Some(caller), &name, resource, Context::new())
                        else {
                            continue;
                        };
                        let (outcome, blocked) = engine.check(&req);
                        let conditional = !st.conditions.is_empty();
                        let granted = outcome == Outcome::Allowed
                            || (conditional
                                && outcome == Outcome::ImplicitDeny
                                && blocked.iter().all(|k| *k == PolicyKind::Identity));
                        if granted {
                            out.insert((
                                name.clone(),
                                resource.clone(),
                                outcome != Outcome::Allowed,
                            ));
                        }
                    }
                }
            }
        }
    }
    // A pair granted both with and without conditions is granted.
    let mut best: BTreeMap<(String, String), bool> = BTreeMap::new();
    for (a, r, c) in out {
        let e = best.entry((a, r)).or_insert(c);
        *e &= c;
    }
    best.into_iter().map(|((a, r), c)| (a, r, c)).collect()
}

fn unused_grants(grants: &[(String, String, bool)], used: Option<&Usage>) -> Vec<UnusedGrant> {
    grants
        .iter()
        .filter_map(|(action, pattern, conditional)| {
            let seen = used.and_then(|u| {
                u.actions
                    .iter()
                    .find(|(a, _)| a.eq_ignore_ascii_case(action))
                    .map(|(_, r)| r)
            });
            let glob = Glob::parse(pattern);
            let exercised = seen.is_some_and(|(resources, more)| {
                *more || resources.iter().any(|r| glob.is_match(r))
            });
            (!exercised).then(|| UnusedGrant {
                action: action.clone(),
                resource: pattern.clone(),
                action_used: seen.is_some(),
                conditional: *conditional,
            })
        })
        .collect()
}

/// The policy that allows exactly what `usage` records (see the module docs).
pub fn least_privilege(usage: &Usage) -> Value {
    let mut by_resources: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (action, (resources, more)) in &usage.actions {
        let listed: Vec<String> = if *more || resources.len() > MAX_LISTED {
            vec![format!("{}*", common_prefix(resources))]
        } else {
            resources.iter().cloned().collect()
        };
        by_resources.entry(listed).or_default().push(action.clone());
    }
    let statements: Vec<Value> = by_resources
        .into_iter()
        .enumerate()
        .map(|(i, (resources, actions))| {
            json!({
                "Sid": format!("Used{}", i + 1),
                "Effect": "Allow",
                "Action": actions,
                "Resource": resources,
            })
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn common_prefix(items: &BTreeSet<String>) -> String {
    let mut it = items.iter();
    let Some(first) = it.next() else {
        return String::new();
    };
    let mut len = first.len();
    for s in it {
        len = first
            .bytes()
            .zip(s.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    let mut prefix = first.get(..len).unwrap_or_default().to_string();
    // Patterns are text: escape nothing, but never end inside a multi-byte character.
    while !first.is_char_boundary(prefix.len()) {
        prefix.pop();
    }
    prefix
}

/// Decides every used (action, resource) against `policy` alone.
fn verify(policy: &Value, usage: &Usage) -> Option<Verification> {
    let caller = usage.caller.as_deref();
    let engine = Engine::builder()
        .identity_policy("least-privilege", &policy.to_string())
        .ok()?
        .build()
        .ok()?;
    let mut v = Verification {
        checked: 0,
        denied: 0,
    };
    for (action, (resources, _)) in &usage.actions {
        for r in resources {
            let Ok(req) = Request::new(caller, action, r, Context::new()) else {
                continue;
            };
            v.checked += 1;
            if engine.check(&req).0 != Outcome::Allowed {
                v.denied += 1;
            }
        }
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(pairs: &[(&str, &str)]) -> Usage {
        let mut u = Usage {
            caller: Some("arn:aws:iam::111122223333:user/alice".into()),
            ..Usage::default()
        };
        for (a, r) in pairs {
            u.actions
                .entry((*a).to_string())
                .or_default()
                .0
                .insert((*r).to_string());
        }
        u
    }

    #[test]
    fn least_privilege_groups_actions_and_allows_every_used_pair() {
        let u = usage(&[
            ("s3:GetObject", "arn:aws:s3:::b/x"),
            ("s3:PutObject", "arn:aws:s3:::b/x"),
            (
                "dynamodb:GetItem",
                "arn:aws:dynamodb:us-east-1:111122223333:table/t",
            ),
        ]);
        let p = least_privilege(&u);
        let statements = p["Statement"].as_array().cloned().unwrap_or_default();
        assert_eq!(statements.len(), 2);
        assert!(statements.iter().any(|s| s["Action"]
            == serde_json::json!(["s3:GetObject", "s3:PutObject"])
            && s["Resource"] == serde_json::json!(["arn:aws:s3:::b/x"])));
        assert_eq!(
            verify(&p, &u),
            Some(Verification {
                checked: 3,
                denied: 0
            })
        );
        // The generated policy allows nothing else.
        let other = usage(&[("s3:DeleteObject", "arn:aws:s3:::b/x")]);
        assert_eq!(
            verify(&p, &other),
            Some(Verification {
                checked: 1,
                denied: 1
            })
        );
    }

    #[test]
    fn many_resources_become_their_prefix() {
        let keys: Vec<String> = (0..(MAX_LISTED + 5))
            .map(|i| format!("arn:aws:s3:::b/logs/{i}.gz"))
            .collect();
        let pairs: Vec<(&str, &str)> = keys.iter().map(|k| ("s3:GetObject", k.as_str())).collect();
        let u = usage(&pairs);
        let p = least_privilege(&u);
        assert_eq!(
            p["Statement"][0]["Resource"],
            serde_json::json!(["arn:aws:s3:::b/logs/*"])
        );
        assert_eq!(
            verify(&p, &u),
            Some(Verification {
                checked: MAX_LISTED + 5,
                denied: 0
            })
        );
    }
}
