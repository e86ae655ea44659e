//! External-access findings over a world, like Access Analyzer's: every resource policy and
//! role trust policy that lets in a caller from outside the trust zone (the resource's
//! account, or its organization), with the granting statement and a witness.
//!
//! A caller is outside the zone when it is anonymous, a principal of an account outside the
//! zone, or an AWS service not bound to the zone by `aws:SourceAccount`, `aws:SourceArn` or
//! `aws:SourceOwner`. Such a caller's keys take the values an outsider can have: the keys
//! naming an account (`aws:PrincipalAccount`, `aws:SourceAccount`, `aws:SourceOwner`,
//! `kms:CallerAccount`, `aws:PrincipalArn`, `aws:SourceArn`) any value but the zone's own
//! accounts, so a condition naming another account is external access; with the account as
//! the zone, the organization keys (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
//! `aws:SourceOrgID`, `aws:SourceOrgPaths`) any value, since another account of the
//! organization has its values; the other keys of `check::OUTSIDER_KEYS` are absent or a value
//! no policy names. Each policy is analysed alone: the account's SCPs and RCPs are not applied
//! (Access Analyzer reports RCP restrictions separately too).

use std::collections::{BTreeSet, HashMap};

use super::check::OUTSIDER_KEYS;
use super::diff::{compare, Region, Verdict};
use super::partition::Restriction;
use super::to_json::policy_text;
use super::{AnalysisError, PolicyType, Unknown};
use crate::arn::Arn;
use crate::policy::{Statement, Version};
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

/// The keys whose value names an account (or an ARN in one): an outsider may have any value
/// but the zone's own accounts.
const ACCOUNT_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:sourceaccount",
    "aws:sourceowner",
    "kms:calleraccount",
    "aws:principalarn",
    "aws:sourcearn",
];

/// The keys naming an organization: with the account as the zone, a caller of another account
/// of the organization has the organization's values, so they do not keep anyone out.
const ORG_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

/// `true` when a value of an account key places the caller inside the zone: an account id of
/// the zone, or an ARN of one (an ARN without an account, such as an S3 bucket's, is read as
/// inside, since the export does not say whose it is).
fn inside_zone(zone: &BTreeSet<String>, value: &str) -> bool {
    match Arn::parse(value) {
        Some(a) => a.account.is_empty() || zone.contains(a.account),
        None => zone.contains(value),
    }
}

fn restriction(
    owner: &str,
    resource: &str,
    zone: BTreeSet<String>,
    kind: TrustZone,
) -> Restriction {
    let values_zone = zone.clone();
    let open: Vec<&'static str> = match kind {
        TrustZone::Account => ORG_KEYS.to_vec(),
        TrustZone::Organization => Vec::new(),
    };
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
            .filter(|(k, _)| !ACCOUNT_KEYS.contains(k) && !open.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
        inside_values: Some((
            ACCOUNT_KEYS.iter().chain(&open).copied().collect(),
            Box::new(move |key: &str, value: &str| {
                ACCOUNT_KEYS.contains(&key) && inside_zone(&values_zone, value)
            }),
        )),
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
    zone: (TrustZone, BTreeSet<String>),
) -> Result<super::Diff, AnalysisError> {
    let r = restriction(account, resource, zone.1, zone.0);
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
        let d = new_external_access(
            old.map(String::as_str),
            &text,
            kind,
            &arn,
            &account,
            (zone, z),
        )?;
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

/// Two statements that allow and deny the same, wherever and under whichever `Sid` they are
/// written.
fn same_statement(a: &Statement, b: &Statement) -> bool {
    a.effect == b.effect
        && a.principal == b.principal
        && a.action == b.action
        && a.resource == b.resource
        && a.conditions == b.conditions
}

/// The identity-based access of one user or role, as one document: the statements of all its
/// identity policies (inline, managed, groups') merged, each distinct statement once (a
/// repeated statement allows and denies nothing more).
struct IdentityDoc<'w> {
    version: Version,
    statements: Vec<&'w Statement>,
    /// The policies mix language versions and one of them writes `${`, which each version
    /// reads differently: no one document says the same.
    mixed_variables: bool,
}

impl IdentityDoc<'_> {
    fn same(&self, other: &IdentityDoc<'_>) -> bool {
        self.version == other.version
            && self.mixed_variables == other.mixed_variables
            && self.statements.len() == other.statements.len()
            && self
                .statements
                .iter()
                .zip(&other.statements)
                .all(|(a, b)| same_statement(a, b))
    }

    /// The document's text, `None` when the versions and variables mix.
    fn text(&self) -> Option<String> {
        (!self.mixed_variables)
            .then(|| super::to_json::statements_text(self.version, self.statements.iter().copied()))
    }
}

/// Every user's and role's [`IdentityDoc`], read from the world's entities as they are
/// (nothing is compiled or written out).
fn identity_docs(world: &World) -> Vec<(String, IdentityDoc<'_>)> {
    let mut out = Vec::new();
    for info in world.principal_infos() {
        let policies: Vec<&crate::compile::NamedPolicy> = info
            .policies
            .iter()
            .chain(info.groups.iter().flat_map(|g| g.policies.iter()))
            .collect();
        let version = policies
            .first()
            .map(|p| p.policy().version)
            .unwrap_or(Version::V2012_10_17);
        let mixed_variables = policies.iter().any(|p| p.policy().version != version)
            && policies
                .iter()
                .any(|p| policy_text(p.policy()).contains("${"));
        let mut statements: Vec<&Statement> = Vec::new();
        for s in policies.iter().flat_map(|p| p.policy().statements.iter()) {
            if !statements.iter().any(|t| same_statement(t, s)) {
                statements.push(s);
            }
        }
        out.push((
            info.caller,
            IdentityDoc {
                version,
                statements,
                mixed_variables,
            },
        ));
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
/// principal). Principals whose policies did not change are skipped without analysis; the
/// others are analysed on every core (`std::thread::available_parallelism`), in order.
pub fn diff_worlds(old: &World, new: &World) -> Result<Vec<PrincipalDiff>, AnalysisError> {
    let before: HashMap<String, IdentityDoc<'_>> = identity_docs(old).into_iter().collect();
    let changed: Vec<(String, Option<String>, Option<String>)> = identity_docs(new)
        .into_iter()
        .filter_map(|(caller, doc)| {
            let prior = before.get(&caller);
            if prior.is_some_and(|p| p.same(&doc)) {
                return None;
            }
            let prior = match prior {
                Some(p) => p.text(),
                None => Some(NOTHING.to_string()),
            };
            Some((caller, prior, doc.text()))
        })
        .collect();
    let diffs = parallel_map(&changed, |(_, a, b)| match (a, b) {
        (Some(a), Some(b)) => super::diff(a, b, PolicyType::Identity),
        _ => Ok(super::Diff {
            verdict: Verdict::Unknown(Unknown::TooComplex {
                what: "policies of both language versions with `${` text".into(),
            }),
            regions: Vec::new(),
            omitted: 0,
        }),
    });
    let mut out = Vec::new();
    for ((caller, _, _), d) in changed.into_iter().zip(diffs) {
        let d = d?;
        if d.verdict != Verdict::Pass {
            out.push(PrincipalDiff {
                principal: caller,
                diff: d,
            });
        }
    }
    Ok(out)
}

/// `f` of every item, in order, the items cut into one contiguous run per core. A run whose
/// thread cannot be started is done on the calling thread (as everything is on targets
/// without threads).
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Below a few dozen items a thread costs more than it saves.
    let threads = cores.min(items.len() / 32).max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let run = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let started: Vec<Result<std::thread::ScopedJoinHandle<'_, Vec<R>>, &[T]>> = items
            .chunks(run)
            .map(|chunk| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || chunk.iter().map(f).collect())
                    .map_err(|_| chunk)
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for s in started {
            match s {
                Ok(handle) => match handle.join() {
                    Ok(v) => out.extend(v),
                    Err(panicked) => std::panic::resume_unwind(panicked),
                },
                Err(chunk) => out.extend(chunk.iter().map(f)),
            }
        }
        out
    })
}
