//! External-access findings over a world, like Access Analyzer's: every resource policy and
//! role trust policy that lets in a caller from outside the trust zone (the resource's
//! account, or its organization), with the granting statement and a witness.
//!
//! A caller is outside the zone when it is anonymous, a principal of an account outside the
//! zone, or an AWS service not bound to the zone by `aws:SourceAccount`, `aws:SourceArn` or
//! `aws:SourceOwner` (the keys of `check::OUTSIDER_KEYS` take the values such a
//! caller has: absent, or a value no policy names). Each policy is analysed alone: the
//! account's SCPs and RCPs are not applied (Access Analyzer reports RCP restrictions
//! separately too).

use std::collections::{BTreeSet, HashMap};

use super::check::OUTSIDER_KEYS;
use super::diff::{compare, Region, Verdict};
use super::partition::Restriction;
use super::to_json::policy_text;
use super::{AnalysisError, PolicyType, Unknown};
use crate::arn::Arn;
use crate::principal::Principal;
use crate::world::World;

/// Which accounts are inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustZone {
    /// The resource's own account.
    Account,
    /// Every account of the resource's organization (the account alone outside one).
    Organization,
}

/// One policy granting access outside the zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The resource (bucket, queue, key, role...).
    pub resource: String,
    /// `resource` or `trust`.
    pub kind: PolicyType,
    /// The policy's name as explanations print it.
    pub policy: String,
    /// The external access, region by region, each with a confirmed witness.
    pub regions: Vec<Region>,
}

/// What [`findings`] found, and the policies it could not decide.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Policies granting external access.
    pub findings: Vec<Finding>,
    /// (resource, construct) for policies whose answer is UNKNOWN.
    pub unknown: Vec<(String, Unknown)>,
}

const NOTHING: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

fn restriction(owner: &str, resource: &str, zone: BTreeSet<String>) -> Restriction {
    Restriction {
        principals: Some(Box::new(
            move |p: &Option<String>, _fresh: &str| match Principal::parse(p.as_deref()) {
                Ok(Principal::Anonymous) | Ok(Principal::Service { .. }) => true,
                Ok(other) => other.account().is_some_and(|a| !zone.contains(a)),
                Err(_) => false,
            },
        )),
        outsider_values: OUTSIDER_KEYS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
        owner: Some(owner.to_string()),
        resource: Some(resource.to_string()),
    }
}

fn zone_of(world: &World, account: &str, zone: TrustZone) -> BTreeSet<String> {
    let org = world.organization_account_ids();
    match zone {
        TrustZone::Organization if org.contains(&account) => {
            org.into_iter().map(str::to_string).collect()
        }
        _ => [account.to_string()].into(),
    }
}

/// New external access of `resource` (in `account`) between two versions of its policy
/// (`old` is [`None`] for a new resource: then every external access).
pub fn new_external_access(
    old: Option<&str>,
    new: &str,
    kind: PolicyType,
    resource: &str,
    account: &str,
    zone: BTreeSet<String>,
) -> Result<super::Diff, AnalysisError> {
    let r = restriction(account, resource, zone);
    compare(old.unwrap_or(NOTHING), new, kind, &r, "NEW")
}

/// Every resource policy and trust policy of the world that grants access outside the zone.
pub fn findings(world: &World, zone: TrustZone) -> Result<Findings, AnalysisError> {
    findings_against(None, world, zone)
}

/// The policies of `world` (with their text) and the account each resource is in.
fn policies(world: &World) -> Vec<(String, PolicyType, String, String, String)> {
    let mut out = Vec::new();
    let home = world.account().map(str::to_string);
    for r in world.resource_policy_infos() {
        let account = r
            .account
            .map(str::to_string)
            .or_else(|| {
                Arn::parse(r.arn)
                    .map(|a| a.account.to_string())
                    .filter(|a| !a.is_empty())
            })
            .or_else(|| home.clone())
            .unwrap_or_default();
        out.push((
            r.arn.to_string(),
            PolicyType::Resource,
            r.policy.name.clone(),
            policy_text(r.policy.policy()),
            account,
        ));
    }
    for p in world.principal_infos() {
        if let Some(t) = p.trust {
            out.push((
                p.arn.to_string(),
                PolicyType::Trust,
                t.name.clone(),
                policy_text(t.policy()),
                p.account.to_string(),
            ));
        }
    }
    out
}

/// The external access `world` grants that `baseline` did not (every external access when
/// `baseline` is `None`): the diff of two worlds, before and after a deploy.
pub fn findings_against(
    baseline: Option<&World>,
    world: &World,
    zone: TrustZone,
) -> Result<Findings, AnalysisError> {
    let before: HashMap<(String, PolicyType), String> = baseline
        .map(|b| {
            policies(b)
                .into_iter()
                .map(|(arn, kind, _, text, _)| ((arn, kind), text))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Findings::default();
    for (arn, kind, name, text, account) in policies(world) {
        let old = before.get(&(arn.clone(), kind));
        if old == Some(&text) {
            continue;
        }
        let z = zone_of(world, &account, zone);
        let d = new_external_access(old.map(String::as_str), &text, kind, &arn, &account, z)?;
        match d.verdict {
            Verdict::Fail => out.findings.push(Finding {
                resource: arn,
                kind,
                policy: name,
                regions: d.regions,
            }),
            Verdict::Unknown(u) => out.unknown.push((arn, u)),
            Verdict::Pass => {}
        }
    }
    Ok(out)
}

/// The identity-based access of every user and role, as one document: the statements of
/// all its identity policies (inline, managed, groups') merged. `None` when the policies mix
/// language versions and one of them writes `${`, which each version reads differently.
fn identity_texts(world: &World) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for caller in world.principals() {
        let Ok(req) = crate::Request::new(
            Some(&caller),
            "polcheck:Witness",
            "*",
            crate::Context::new(),
        ) else {
            continue;
        };
        let layers = world.layers_for(&req);
        let policies: Vec<&crate::compile::NamedPolicy> = layers.identity.policies().collect();
        let versions: BTreeSet<String> = policies
            .iter()
            .map(|p| format!("{:?}", p.policy().version))
            .collect();
        let version = policies
            .first()
            .map(|p| p.policy().version)
            .unwrap_or(crate::policy::Version::V2012_10_17);
        let mixed_variables = versions.len() > 1
            && policies
                .iter()
                .any(|p| policy_text(p.policy()).contains("${"));
        let text = (!mixed_variables).then(|| {
            super::to_json::statements_text(
                version,
                policies.iter().flat_map(|p| p.policy().statements.iter()),
            )
        });
        out.push((caller, text));
    }
    out
}

/// One principal's identity-based access gained between two worlds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalDiff {
    /// The caller (a user ARN, or a role's representative session).
    pub principal: String,
    /// What it gained.
    pub diff: super::Diff,
}

/// The diff of two worlds' identity-based access: for every user and role of `new`, what its
/// identity policies together allow that they did not in `old` (everything, for a new
/// principal). Principals whose policies did not change are skipped without analysis.
pub fn diff_worlds(old: &World, new: &World) -> Result<Vec<PrincipalDiff>, AnalysisError> {
    let before: HashMap<String, Option<String>> = identity_texts(old).into_iter().collect();
    let mut out = Vec::new();
    for (caller, text) in identity_texts(new) {
        let prior = before.get(&caller);
        if prior == Some(&text) {
            continue;
        }
        let d = match (
            prior.cloned().unwrap_or_else(|| Some(NOTHING.to_string())),
            text,
        ) {
            (Some(a), Some(b)) => super::diff(&a, &b, PolicyType::Identity)?,
            _ => super::Diff {
                verdict: Verdict::Unknown(Unknown::TooComplex {
                    what: "policies of both language versions with `${` text".into(),
                }),
                regions: Vec::new(),
                omitted: 0,
            },
        };
        if d.verdict != Verdict::Pass {
            out.push(PrincipalDiff {
                principal: caller,
                diff: d,
            });
        }
    }
    Ok(out)
}
