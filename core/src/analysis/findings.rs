//! External-access findings over a world, like Access Analyzer's: every resource policy and
//! role trust policy that lets in a caller from outside the trust zone (the resource's
//! account, or its organization), with the granting statement and a witness.
//!
//! A caller is outside the zone when it is anonymous, a principal of an account outside the
//! zone, the user of an identity provider other than an IAM SAML or OIDC provider of a zone
//! account (Amazon Cognito and the public providers federate users of every account), or an
//! AWS service not bound to the zone by `aws:SourceAccount`, `aws:SourceArn` or
//! `aws:SourceOwner`. Such a caller's keys take the values an outsider can have: the keys
//! naming an account (`aws:PrincipalAccount`, `aws:SourceAccount`, `aws:SourceOwner`,
//! `kms:CallerAccount`, `aws:PrincipalArn`, `aws:SourceArn`) any value but the zone's own
//! accounts, an ARN without an account (an S3 bucket's) being the zone's only when the world
//! holds that resource in a zone account; with the account as the zone, the organization keys
//! (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:SourceOrgID`, `aws:SourceOrgPaths`)
//! any value, since another account of the organization has its values; with the
//! organization, any value but its id and the paths under it ([`Zone::org_id`]), and UNKNOWN
//! ([`Unknown::OrganizationId`]) when its id is not known; the other keys of
//! `check::OUTSIDER_KEYS` are absent or a value no policy names. The value classes of those
//! keys are cut along the zone, so that each class is wholly inside or outside it. Each policy
//! is analysed alone: the account's SCPs and RCPs are not applied (Access Analyzer reports RCP
//! restrictions separately too); against a baseline, an SCP or RCP attachment added, removed
//! or changed since is UNKNOWN, named, since it may let in what it blocked.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::check::{shared_issuer, shared_issuer_values, OUTSIDER_KEYS};
use super::diff::{compare, Region, Verdict};
use super::partition::Restriction;
use super::to_json::policy_text;
use super::{AnalysisError, PolicyType, Unknown};
use crate::arn::Arn;
use crate::decide::Outcome;
use crate::engine::Engine;
use crate::pattern::lang::Lang;
use crate::policy::{Effect, Policy, Statement, Version};
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

/// The keys whose value is an account id: an outsider may have any value but the zone's own
/// accounts.
const ACCOUNT_ID_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:sourceaccount",
    "aws:sourceowner",
    "kms:calleraccount",
];

/// The keys whose value is an ARN: inside the zone when its account is a zone account, or,
/// for an ARN without an account (an S3 bucket's), when the world holds that resource in a
/// zone account; any other value is an outsider's.
const ARN_KEYS: &[&str] = &["aws:principalarn", "aws:sourcearn"];

/// The keys naming an organization: with the account as the zone, a caller of another account
/// of the organization has the organization's values, so they do not keep anyone out.
const ORG_ID_KEYS: &[&str] = &["aws:principalorgid", "aws:sourceorgid"];
const ORG_PATH_KEYS: &[&str] = &["aws:principalorgpaths", "aws:sourceorgpaths"];

/// Who is inside the trust zone of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// Account or organization.
    pub kind: TrustZone,
    /// The zone's accounts (the resource's account, or every account of its organization).
    pub accounts: BTreeSet<String>,
    /// The organization's id (`o-...`), when known; used with [`TrustZone::Organization`].
    pub org_id: Option<String>,
    /// ARNs without an account field (`arn:aws:s3:::bucket`) of resources the world holds in
    /// a zone account.
    pub resources: BTreeSet<String>,
    /// With [`TrustZone::Organization`]: the resource's account is in an organization (the
    /// world's, or the one `org_id` names), so the organization keys decide who is inside.
    pub in_organization: bool,
}

impl Zone {
    /// The organization keys that keep no outsider out: all of them with the account as the
    /// zone (or an account outside any organization), none otherwise.
    fn open_org_keys(&self) -> bool {
        self.kind == TrustZone::Account || !self.in_organization
    }

    /// `true` when a value of `key` (lowercased) is one only a caller inside the zone has.
    fn inside(&self, key: &str, value: &str) -> bool {
        if ACCOUNT_ID_KEYS.contains(&key) {
            return self.accounts.contains(value);
        }
        if ARN_KEYS.contains(&key) {
            return match Arn::parse(value) {
                Some(a) if a.account.is_empty() => self.resources.contains(value),
                Some(a) => self.accounts.contains(a.account),
                None => false,
            };
        }
        if self.open_org_keys() {
            return false;
        }
        let Some(org) = &self.org_id else {
            return false;
        };
        // Organization ids are lowercase (`o-` and 10 to 32 lowercase letters or digits,
        // AWS Organizations API Reference, `Organization.Id`); the comparison is exact, so a
        // value that differs in case only is an outsider's (reported, never hidden).
        let org = org.to_ascii_lowercase();
        if ORG_ID_KEYS.contains(&key) {
            return value == org;
        }
        if ORG_PATH_KEYS.contains(&key) {
            return value.starts_with(&format!("{org}/"));
        }
        false
    }

    /// The languages that cut `key`'s value classes along [`Zone::inside`].
    fn cuts(&self, key: &str) -> Vec<Lang> {
        let mut out = Vec::new();
        if ACCOUNT_ID_KEYS.contains(&key) {
            out.extend(self.accounts.iter().map(|a| Lang::literal(a)));
        } else if ARN_KEYS.contains(&key) {
            for a in &self.accounts {
                if let Ok(l) = super::values::arn_lang(&format!("arn:*:*:*:{a}:*"), false) {
                    out.push(l);
                }
            }
            out.extend(self.resources.iter().map(|r| Lang::literal(r)));
        } else if !self.open_org_keys() {
            if let Some(org) = &self.org_id {
                let lower = org.to_ascii_lowercase();
                if ORG_ID_KEYS.contains(&key) {
                    out.push(Lang::literal(&lower));
                } else if ORG_PATH_KEYS.contains(&key) {
                    out.push(Lang::glob(&format!("{lower}/*")));
                }
            }
        }
        out
    }

    /// The first organization key a policy's conditions read when the zone is an
    /// organization whose id is not known: no value of it can be placed inside or outside.
    fn undecided_org_key(&self, policy: &crate::policy::Policy) -> Option<String> {
        if self.open_org_keys() || self.org_id.is_some() {
            return None;
        }
        policy
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .find(|c| {
                let k = c.key.to_ascii_lowercase();
                ORG_ID_KEYS.contains(&k.as_str()) || ORG_PATH_KEYS.contains(&k.as_str())
            })
            .map(|c| c.key.clone())
    }
}

fn restriction(owner: &str, resource: &str, zone: &Zone) -> Restriction {
    let mut filtered: Vec<&'static str> = ACCOUNT_ID_KEYS.iter().chain(ARN_KEYS).copied().collect();
    if zone.open_org_keys() || zone.org_id.is_some() {
        filtered.extend(ORG_ID_KEYS.iter().chain(ORG_PATH_KEYS));
    }
    let cuts = filtered
        .iter()
        .map(|k| (k.to_string(), zone.cuts(k)))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let accounts = zone.accounts.clone();
    let values_zone = zone.clone();
    Restriction {
        principals: Some(Box::new(
            move |p: &Option<String>, _fresh: &str| match Principal::parse(p.as_deref()) {
                Ok(Principal::Anonymous) | Ok(Principal::Service { .. }) => true,
                // The users of an identity provider: outside unless the provider is an IAM
                // SAML or OIDC provider of a zone account (Amazon Cognito and the public
                // providers are named by name, and federate users of every account).
                // A provider that issues tokens to every customer (GitHub Actions) is
                // outside whoever holds it: the trust policy's subject key decides.
                Ok(Principal::IdentityProvider { provider }) => match Arn::parse(&provider) {
                    Some(a) => !accounts.contains(a.account) || shared_issuer(&provider),
                    None => true,
                },
                Ok(other) => other.account().is_some_and(|a| !accounts.contains(a)),
                Err(_) => false,
            },
        )),
        outsider_values: OUTSIDER_KEYS
            .iter()
            .filter(|(k, _)| !filtered.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain(shared_issuer_values())
            .collect::<HashMap<_, _>>(),
        inside_values: Some((
            filtered,
            Box::new(move |key: &str, value: &str| values_zone.inside(key, value)),
        )),
        cuts,
        owner: Some(owner.to_string()),
        resource: Some(resource.to_string()),
    }
}

/// The trust zone of a resource of `account` in `world`; `org_id` (when given) overrides the
/// world's `Organization.Id`.
pub fn zone_of(world: &World, account: &str, kind: TrustZone, org_id: Option<&str>) -> Zone {
    let org = world.organization_account_ids();
    let org_id = org_id
        .map(str::to_string)
        .or_else(|| world.organization_id().map(str::to_string));
    let member = org.contains(&account);
    // Without the organization's accounts, an organization id given says which organization
    // the account is in; with them, the account is in it or not.
    let in_organization = member || (org.is_empty() && org_id.is_some());
    let accounts: BTreeSet<String> = match kind {
        TrustZone::Organization if member => org.into_iter().map(str::to_string).collect(),
        _ => [account.to_string()].into(),
    };
    let home = world.account().map(str::to_string);
    let resources = world
        .resource_policy_infos()
        .into_iter()
        .filter(|r| Arn::parse(r.arn).is_some_and(|a| a.account.is_empty()))
        .filter(|r| {
            r.account
                .map(str::to_string)
                .or_else(|| home.clone())
                .is_some_and(|a| accounts.contains(&a))
        })
        .map(|r| r.arn.to_string())
        .collect();
    Zone {
        kind,
        accounts,
        org_id,
        resources,
        in_organization: kind == TrustZone::Organization && in_organization,
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
    zone: &Zone,
) -> Result<super::Diff, AnalysisError> {
    for (which, text) in [("OLD", old), ("NEW", Some(new))] {
        let Some(text) = text else { continue };
        let policy = super::diff::parse(which, text)?;
        if let Some(key) = zone.undecided_org_key(&policy) {
            return Ok(super::Diff {
                verdict: Verdict::Unknown(Unknown::OrganizationId { key }),
                regions: Vec::new(),
                omitted: 0,
            });
        }
    }
    let r = restriction(account, resource, zone);
    compare(old.unwrap_or(NOTHING), new, kind, &r, "NEW")
}

/// Every resource policy and trust policy of the world that grants access outside the zone.
pub fn findings(world: &World, zone: TrustZone) -> Result<Findings, AnalysisError> {
    findings_against(None, world, zone, None)
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
            r.policy.name.to_string(),
            policy_text(r.policy.policy()),
            account,
        ));
    }
    for p in world.principal_infos() {
        if let Some(t) = p.trust {
            out.push((
                p.arn.to_string(),
                PolicyType::Trust,
                t.name.to_string(),
                policy_text(t.policy()),
                p.account.to_string(),
            ));
        }
    }
    out
}

/// The external access `world` grants that `baseline` did not (every external access when
/// `baseline` is `None`): the diff of two worlds, before and after a deploy. `org_id`: the
/// organization's id when the world's `Organization.Id` does not say it (it overrides it).
pub fn findings_against(
    baseline: Option<&World>,
    world: &World,
    zone: TrustZone,
    org_id: Option<&str>,
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
    // The policies are analysed alone, but an RCP (or SCP) removed or loosened between the
    // worlds can let in what it blocked: not analysed, so UNKNOWN rather than PASS.
    if let Some(b) = baseline {
        for (label, what) in org_policy_changes(b, world) {
            out.unknown.push((
                label,
                Unknown::Unmodelled {
                    what: format!("{what} (findings --baseline does not analyse SCPs or RCPs)"),
                },
            ));
        }
    }
    for (arn, kind, name, text, account) in policies(world) {
        let old = before.get(&(arn.clone(), kind));
        if old == Some(&text) {
            continue;
        }
        let z = zone_of(world, &account, zone, org_id);
        let d = new_external_access(old.map(String::as_str), &text, kind, &arn, &account, &z)?;
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

/// The SCP and RCP attachments that differ between `old` and `new` in a way that may grant
/// access, as (`SCP "NAME" at TARGET`, what happened to it): removed, added, or its document
/// changed. Documents are compared by their text. A change that can only take access away is
/// left out, by the rule of the AWS Organizations User Guide (*SCP evaluation*): at each
/// level some attached policy must allow, and any Deny denies. So these only restrict:
/// an attachment added whose statements all deny; one removed whose statements all allow
/// while its target keeps another policy of its kind (the level's allow shrinks, it does not
/// vanish); a document changed that keeps every Deny statement and allows nothing its old
/// Allow statements did not (each new Allow is one of the old ones).
fn org_policy_changes(old: &World, new: &World) -> Vec<(String, String)> {
    type Key = (String, String, String);
    fn infos(w: &World) -> BTreeMap<Key, (String, &Policy)> {
        w.org_policy_infos()
            .into_iter()
            .map(|o| {
                let key = (o.kind.to_string(), o.target.to_string(), o.name.to_string());
                (key, (policy_text(o.policy), o.policy))
            })
            .collect()
    }
    let (before, after) = (infos(old), infos(new));
    let all = |p: &Policy, effect: Effect| p.statements.iter().all(|s| s.effect == effect);
    let keeps_target =
        |(kind, target, _): &Key| after.keys().any(|(k, t, _)| k == kind && t == target);
    let narrows = |a: &Policy, b: &Policy| {
        fn of(p: &Policy, effect: Effect) -> Vec<&Statement> {
            p.statements.iter().filter(|s| s.effect == effect).collect()
        }
        let (old_allow, old_deny, new_allow, new_deny) = (
            of(a, Effect::Allow),
            of(a, Effect::Deny),
            of(b, Effect::Allow),
            of(b, Effect::Deny),
        );
        a.version == b.version
            && new_allow
                .iter()
                .all(|n| old_allow.iter().any(|o| same_statement(o, n)))
            && old_deny
                .iter()
                .all(|o| new_deny.iter().any(|n| same_statement(o, n)))
    };
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let what = match (before.get(key), after.get(key)) {
                (Some((_, a)), None) if all(a, Effect::Allow) && keeps_target(key) => return None,
                (Some(_), None) => "removed",
                (None, Some((_, b))) if all(b, Effect::Deny) => return None,
                (None, Some(_)) => "added",
                (Some((ta, a)), Some((tb, b))) if ta != tb && !narrows(a, b) => "changed",
                _ => return None,
            };
            let (kind, target, name) = key;
            let label = format!("{kind} \"{name}\" at {target}");
            Some((label.clone(), format!("{label} {what}")))
        })
        .collect()
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
    /// Where each statement comes from: `policy "NAME" statement I (Sid "S", line L)`, its
    /// policy's name as explanations print it, its place and line in that policy.
    sources: Vec<String>,
    /// The policies mix language versions and one of them writes `${`, which each version
    /// reads differently: no one document says the same.
    mixed_variables: bool,
    /// The permissions boundary's text, when one is set.
    boundary: Option<String>,
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
        let mut sources = Vec::new();
        for p in &policies {
            for (i, s) in p.policy().statements.iter().enumerate() {
                if !statements.iter().any(|t| same_statement(t, s)) {
                    statements.push(s);
                    let sid = s
                        .sid
                        .as_deref()
                        .map(|x| format!("Sid \"{x}\", "))
                        .unwrap_or_default();
                    sources.push(format!(
                        "policy \"{}\" statement {i} ({sid}line {})",
                        p.name, s.start.line
                    ));
                }
            }
        }
        out.push((
            info.caller,
            IdentityDoc {
                version,
                statements,
                sources,
                mixed_variables,
                boundary: info.boundary.map(|b| policy_text(b.policy())),
            },
        ));
    }
    out
}

/// One principal's identity-based access gained between two worlds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalDiff {
    /// The caller (a user ARN, or a role's representative session), or `SCP "NAME" at
    /// TARGET` (`RCP ...`) for an SCP or RCP attachment that differs between the worlds.
    pub principal: String,
    /// What it gained.
    pub diff: super::Diff,
}

/// The diff of two worlds' identity-based access: for every user and role of `new`, what its
/// identity policies together allow that they did not in `old` (everything, for a new
/// principal). Principals whose policies did not change are skipped without analysis; the
/// others are analysed on every core (`std::thread::available_parallelism`), in order. Each
/// SCP or RCP attachment added, removed or changed between the worlds is one UNKNOWN entry,
/// first: those are not analysed.
pub fn diff_worlds(old: &World, new: &World) -> Result<Vec<PrincipalDiff>, AnalysisError> {
    diff_worlds_labelled(old, new, "NEW")
}

/// [`diff_worlds`], each responsible statement named `LABEL policy "NAME" statement I (Sid
/// "S", line L)`: `label` says which world (`NEW (world new/)`), NAME is the policy's name as
/// explanations print it (`managed arn:aws:iam::...:policy/P`, `user inline alice/P`,
/// `group dev via inline P`), I and L its place and line in that policy.
pub fn diff_worlds_labelled(
    old: &World,
    new: &World,
    label: &str,
) -> Result<Vec<PrincipalDiff>, AnalysisError> {
    let before: HashMap<String, IdentityDoc<'_>> = identity_docs(old).into_iter().collect();
    /// The caller, the texts before and after (`None` when they mix versions and variables),
    /// where each statement comes from, and whether its boundary was removed or changed.
    type Changed = (String, Option<String>, Option<String>, Vec<String>, bool);
    let changed: Vec<Changed> = identity_docs(new)
        .into_iter()
        .filter_map(|(caller, doc)| {
            let prior = before.get(&caller);
            // A boundary removed or rewritten may let the same identity policies allow more;
            // the analysis compares identity policies only, so it says so (UNKNOWN) rather
            // than PASS. A boundary added where none was only takes access away.
            let boundary_widened =
                prior.is_some_and(|p| p.boundary.is_some() && p.boundary != doc.boundary);
            if boundary_widened {
                return Some((caller, None, None, Vec::new(), true));
            }
            if prior.is_some_and(|p| p.same(&doc)) {
                return None;
            }
            let prior = match prior {
                Some(p) => p.text(),
                None => Some(NOTHING.to_string()),
            };
            let text = doc.text();
            Some((caller, prior, text, doc.sources, false))
        })
        .collect();
    let diffs = parallel_map(&changed, |(_, a, b, names, boundary)| {
        match (a, b) {
        _ if *boundary => Ok(super::Diff {
            verdict: Verdict::Unknown(Unknown::Unmodelled {
                what: "a permissions boundary removed or changed (diff --worlds compares identity policies)".into(),
            }),
            regions: Vec::new(),
            omitted: 0,
        }),
        (Some(a), Some(b)) => super::diff::compare_named(
            a,
            b,
            PolicyType::Identity,
            &Restriction::default(),
            label,
            names,
        ),
        _ => Ok(super::Diff {
            verdict: Verdict::Unknown(Unknown::TooComplex {
                what: "policies of both language versions with `${` text".into(),
            }),
            regions: Vec::new(),
            omitted: 0,
        }),
    }
    });
    let mut out = Vec::new();
    // An SCP or RCP removed or rewritten may let the same identity policies allow more; the
    // analysis compares identity policies only, so each such change is UNKNOWN, named,
    // rather than PASS. (Any change, even one only taking access away: kept simple.)
    for (label, what) in org_policy_changes(old, new) {
        out.push(PrincipalDiff {
            principal: label,
            diff: super::Diff {
                verdict: Verdict::Unknown(Unknown::Unmodelled {
                    what: format!("{what} (diff --worlds compares identity policies)"),
                }),
                regions: Vec::new(),
                omitted: 0,
            },
        });
    }
    for ((caller, ..), d) in changed.into_iter().zip(diffs) {
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

/// [`diff_worlds_labelled`] of two engines' worlds, each region's witness then asked of the
/// whole of each world as its principal (identity policies, boundary, session, SCPs, RCPs,
/// resource policies): a region stays new access only if the whole new world allows its
/// witness and the whole old world does not. A principal all of whose regions fail that is
/// UNKNOWN, naming what decided the witnesses (the boundary or an SCP of the new world
/// blocking the access its identity policies gained, say): the witness is one request of the
/// region, so the rest of it is not shown blocked, but neither is it shown allowed.
pub fn diff_world_engines(
    old: &Engine,
    new: &Engine,
    label: &str,
) -> Result<Vec<PrincipalDiff>, AnalysisError> {
    let (Some(o), Some(n)) = (old.world(), new.world()) else {
        return Ok(Vec::new());
    };
    let mut out = diff_worlds_labelled(o, n, label)?;
    for p in &mut out {
        if p.diff.verdict != Verdict::Fail {
            continue;
        }
        let mut blocked: BTreeSet<String> = BTreeSet::new();
        p.diff.regions.retain(|region| {
            let w = &region.witness;
            let mut ctx = crate::Context::new();
            for (k, v) in &w.context {
                ctx.insert(k, v.clone());
            }
            let ask = |engine: &Engine| {
                let caller = engine.caller(Some(&p.principal)).ok()?;
                let req = engine
                    .request(&caller, &w.action, &w.resource, ctx.clone(), None)
                    .ok()?;
                Some(engine.check(&req))
            };
            let (Some((now, kinds)), Some((before, _))) = (ask(new), ask(old)) else {
                blocked.insert(format!("a witness `{}` the engine refuses", w.action));
                return false;
            };
            match (now, before) {
                (Outcome::Allowed, Outcome::Allowed) => {
                    blocked
                        .insert("the old world's other policies (it allowed the witness)".into());
                    false
                }
                (Outcome::Allowed, _) => true,
                _ => {
                    blocked.extend(
                        kinds
                            .iter()
                            .map(|k| format!("the new world's {}", k.as_str())),
                    );
                    false
                }
            }
        });
        if p.diff.regions.is_empty() {
            let by: Vec<String> = blocked.into_iter().collect();
            p.diff.verdict = Verdict::Unknown(Unknown::Unmodelled {
                what: format!(
                    "the identity policies gain access, but every witness is decided otherwise by {} (asked of the whole worlds as {}); the regions' other requests were not checked",
                    by.join(", "),
                    p.principal
                ),
            });
            p.diff.omitted = 0;
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
