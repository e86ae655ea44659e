//! The AWS decision flow over compiled layers (semantics.md sections 4 and 5).
//!
//! [`decide`] gathers the statements of every layer that apply to the request, then reads
//! the answer off them in AWS's order: an explicit deny anywhere wins; otherwise every allow
//! that the request needs must be there. Instead of stopping at the first missing allow, it
//! collects every one (the `blockedBy` of the test format), so a user can fix all of them at
//! once.
//!
//! [`decide_outcome`] is the fast path for batch work and benchmarks: the same flow over
//! [`LayerSummary`]s (each layer's search stops early, nothing is allocated), without the
//! explanation. Both read the answer with the same `outcome` function.

mod aws_json;
mod explain;
mod service;
mod unknown;

pub use aws_json::{aws_result, aws_results, InputIds};
pub use explain::{Decision, MatchedStatement, Omitted, Outcome, PolicyKind, StatementSummary};
pub use unknown::Missing;

use std::collections::BTreeSet;

use crate::compile::{LayerMatches, LayerSummary, PolicySet};
use crate::policy::Effect;
use crate::principal::{Principal, PrincipalMatch};
use crate::request::Request;
use service::ServiceRule;

/// Every compiled policy that can bear on one request.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// The caller's identity-based policies (user, its groups, or the role).
    pub identity: PolicySet,
    /// The resource's resource-based policy (bucket policy, trust policy, key policy...).
    pub resource: Option<PolicySet>,
    /// The caller's permissions boundary.
    pub boundary: Option<PolicySet>,
    /// The session policy (binds only sessions).
    pub session: Option<PolicySet>,
    /// SCPs of the caller's account, root level first; `None` outside an organization.
    pub scp: Option<Vec<PolicySet>>,
    /// RCPs of the resource's account, root level first; `None` outside an organization.
    pub rcp: Option<Vec<PolicySet>>,
    /// What the inputs lack that the decision needs (see [`Missing`]): when not empty, the
    /// answer is [`Outcome::Unknown`] unless a known policy denies explicitly.
    pub missing: Vec<Missing>,
}

impl Layers {
    /// Every policy set of the layers: identity, resource, boundary, session, then each SCP
    /// and RCP level.
    pub fn sets(&self) -> impl Iterator<Item = &PolicySet> {
        std::iter::once(&self.identity)
            .chain(self.resource.iter())
            .chain(self.boundary.iter())
            .chain(self.session.iter())
            .chain(self.scp.iter().flatten())
            .chain(self.rcp.iter().flatten())
    }

    /// Records that the decision needs something the inputs do not hold: the answer becomes
    /// [`Outcome::Unknown`] (naming `what`) unless a known policy denies explicitly.
    pub fn mark_missing(&mut self, what: Missing) {
        if !self.missing.contains(&what) {
            self.missing.push(what);
        }
    }
}

/// What each layer contributed to a request, with the condition keys its set read that the
/// request lacks (sorted; `PolicySet::missing_keys`).
struct Gathered {
    identity: Layer,
    resource: Layer,
    boundary: Layer,
    session: Layer,
    scp: Vec<Layer>,
    rcp: Vec<Layer>,
}

/// One layer's matches and missing keys.
#[derive(Default)]
struct Layer {
    matches: LayerMatches,
    keys: Vec<String>,
    /// The Allow search stopped at [`Detail::ALLOWS_SCAN`] candidates: more may apply.
    cut: bool,
}

/// What each layer contributed, reduced to what the flow reads. SCP and RCP levels are
/// folded: `allowed` when every level allows, `denied` when any level denies.
#[derive(Debug, Clone, Copy, Default)]
struct Summaries {
    identity: LayerSummary,
    resource: LayerSummary,
    boundary: LayerSummary,
    session: LayerSummary,
    scp: LayerSummary,
    rcp: LayerSummary,
}

fn fold_levels(levels: impl Iterator<Item = LayerSummary>) -> LayerSummary {
    let mut out = LayerSummary {
        allowed: true,
        ..LayerSummary::default()
    };
    for l in levels {
        out.allowed &= l.allowed;
        out.denied |= l.denied;
    }
    out
}

/// Which organization layers bind the request's caller ([`Principal::scp_binds`],
/// [`Principal::rcp_binds`]): an SCP or RCP that does not bind the caller is not evaluated at
/// all, its denies included.
#[derive(Debug, Clone, Copy)]
struct Scope {
    scp: bool,
    rcp: bool,
}

impl Scope {
    fn of(layers: &Layers, p: &Principal) -> Scope {
        Scope {
            scp: layers.scp.is_some() && p.scp_binds(),
            rcp: layers.rcp.is_some() && p.rcp_binds(),
        }
    }
}

/// `true` when the caller is an IAM user or role with a permissions boundary: a resource
/// policy's Deny with `NotPrincipal` then applies to it whatever the element lists.
fn bounded(layers: &Layers, p: &Principal) -> bool {
    layers.boundary.is_some() && matches!(p, Principal::User { .. } | Principal::AssumedRole { .. })
}

/// How much of the matching statements an explanation lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Every deciding Deny; for each layer, at most [`Detail::ALLOWS_SHOWN`] allowing
    /// statements, and how many more applied, counted up to [`Detail::ALLOWS_COUNTED`] more
    /// ([`Decision::omitted`]: an exact count, or "at least" past the bound); missing context keys
    /// from at most [`Detail::KEY_SCAN`] candidate statements of each effect per set. The
    /// Allows are looked for among at most [`Detail::ALLOWS_SCAN`] candidate statements per
    /// set once one is found, so the count says "at least" when the search stopped there
    /// with candidates left. Costs what it shows, whatever the size of the policies.
    Bounded,
    /// Every statement that applied and every missing key: grows with the number of matching
    /// statements.
    All,
}

impl Detail {
    /// Allowing statements listed per layer by [`Detail::Bounded`].
    pub const ALLOWS_SHOWN: usize = 4;
    /// Allowing statements per layer that [`Detail::Bounded`] counts beyond those it lists
    /// (past them, the count says "at least").
    pub const ALLOWS_COUNTED: usize = 4;
    /// Candidate statements of each effect per set that [`Detail::Bounded`] reads for
    /// missing context keys.
    pub const KEY_SCAN: usize = 8;
    /// Candidate statements per set that [`Detail::Bounded`] tries for an allowing match
    /// once one has matched (before that, the search goes on until one does: a layer that
    /// allows always lists an allowing statement). At least
    /// `ALLOWS_SHOWN + ALLOWS_COUNTED`, so a set whose candidates all apply reaches the
    /// count's bound. (20 until session 10; 8 makes the explained answer of a 10,000-statement
    /// set cost 4.4 outcome-only answers instead of 6.9: benches/README.md.)
    pub const ALLOWS_SCAN: usize = 8;
}

/// Decides a request against its layers, with the explanation ([`Detail::Bounded`]).
pub fn decide(layers: &Layers, req: &Request) -> Decision {
    decide_with(layers, req, Detail::Bounded)
}

/// Decides a request against its layers, with as much explanation as `detail` asks. The
/// outcome is read first, from each set's summary (as [`decide_outcome`] reads it); the
/// explanation then gathers only what it lists. With [`Detail::Bounded`], a set whose summary
/// found no applying Deny is not searched for Denies again (only its first
/// [`Detail::KEY_SCAN`] Deny candidates are read, for missing keys), nor one with no
/// applying Allow for Allows; and the Allow search of a set stops after
/// [`Detail::ALLOWS_SCAN`] candidates once it has found one.
pub fn decide_with(layers: &Layers, req: &Request, detail: Detail) -> Decision {
    let (allow_limit, key_budget, scan) = match detail {
        Detail::Bounded => (
            Detail::ALLOWS_SHOWN + Detail::ALLOWS_COUNTED,
            Detail::KEY_SCAN,
            Detail::ALLOWS_SCAN,
        ),
        Detail::All => (usize::MAX, usize::MAX, usize::MAX),
    };
    let all = detail == Detail::All;
    req.with_action_key(|action| {
        let ctx = req.context();
        let scope = Scope::of(layers, req.principal());
        let sum =
            |set: &PolicySet, p: Option<&Principal>| set.summarize(action, req.resource(), p, ctx);
        let opt_sum =
            |set: &Option<PolicySet>, p| set.as_ref().map(|s| sum(s, p)).unwrap_or_default();
        let level_sums = |sets: &Option<Vec<PolicySet>>, binds: bool| {
            sets.iter()
                .filter(|_| binds)
                .flatten()
                .map(|s| sum(s, None))
                .collect::<Vec<_>>()
        };
        let scp_sums = level_sums(&layers.scp, scope.scp);
        let rcp_sums = level_sums(&layers.rcp, scope.rcp);
        let s = Summaries {
            identity: sum(&layers.identity, None),
            resource: resource_summary(layers, req, action),
            boundary: opt_sum(&layers.boundary, None),
            session: opt_sum(&layers.session, None),
            scp: fold_levels(scp_sums.iter().copied()),
            rcp: fold_levels(rcp_sums.iter().copied()),
        };
        let (outcome, blocked_by) = outcome(layers, req, &s, scope);
        let gather = |set: &PolicySet, p: Option<&Principal>, summary: LayerSummary| {
            let mut keys = Vec::new();
            // A set whose summary found no applying Deny (or Allow) has none: its walk only
            // reads the missing keys. `allowed` is not computed when `denied`.
            let deny_limit = if all || summary.denied { usize::MAX } else { 0 };
            let allow_limit = if all || summary.denied || summary.allowed {
                allow_limit
            } else {
                0
            };
            let mut one = |effect, limit, scan| {
                set.matching_and_keys_within(
                    action,
                    req.resource(),
                    p,
                    ctx,
                    effect,
                    limit,
                    key_budget,
                    scan,
                    &mut keys,
                )
            };
            // Denies first: the keys' spelling is the first met, as `missing_keys` reads.
            // Every Deny that applies is listed: no bound on the candidates tried.
            let (denies, _) = one(Effect::Deny, deny_limit, usize::MAX);
            let (allows, cut) = one(Effect::Allow, allow_limit, scan);
            keys.sort();
            Layer {
                matches: LayerMatches { allows, denies },
                keys,
                cut,
            }
        };
        let opt = |set: &Option<PolicySet>, p, summary| {
            set.as_ref()
                .map(|s| gather(s, p, summary))
                .unwrap_or_default()
        };
        let levels = |sets: &Option<Vec<PolicySet>>, binds: bool, sums: &[LayerSummary]| {
            sets.iter()
                .filter(|_| binds)
                .flatten()
                .zip(sums.iter().copied())
                .map(|(set, summary)| gather(set, None, summary))
                .collect::<Vec<_>>()
        };
        let mut resource = opt(&layers.resource, Some(req.principal()), s.resource);
        if let (true, Some(set)) = (bounded(layers, req.principal()), &layers.resource) {
            if all || s.resource.denied {
                let resource = &mut resource.matches;
                resource
                    .denies
                    .extend(set.not_principal_denies(action, req.resource(), ctx));
                resource.denies.sort_by_key(|m| m.statement);
                resource.denies.dedup_by_key(|m| m.statement);
            }
        }
        let g = Gathered {
            identity: gather(&layers.identity, None, s.identity),
            resource,
            boundary: opt(&layers.boundary, None, s.boundary),
            session: opt(&layers.session, None, s.session),
            scp: levels(&layers.scp, scope.scp, &scp_sums),
            rcp: levels(&layers.rcp, scope.rcp, &rcp_sums),
        };
        let shown = explain::Shown {
            allows: match detail {
                Detail::Bounded => Detail::ALLOWS_SHOWN,
                Detail::All => usize::MAX,
            },
            counted: allow_limit,
        };
        let mut d = explain::build(layers, req, &g.explained(), outcome, blocked_by, shown);
        if !scope.scp {
            d.allowed_by_organizations = None;
        }
        if let Some(rule) = service::rule(req) {
            if outcome == Outcome::Allowed {
                d.allowed_by.insert(PolicyKind::Service);
            }
            d.service_rule = Some(rule.reason().to_string());
        }
        d
    })
}

/// The resource policy's summary; for a caller with a permissions boundary, a Deny with
/// `NotPrincipal` that applies whatever the element lists denies too.
fn resource_summary(layers: &Layers, req: &Request, action: &str) -> LayerSummary {
    let ctx = req.context();
    let Some(set) = &layers.resource else {
        return LayerSummary::default();
    };
    let resource = set.summarize(action, req.resource(), Some(req.principal()), ctx);
    if bounded(layers, req.principal())
        && !resource.denied
        && !set
            .not_principal_denies(action, req.resource(), ctx)
            .is_empty()
    {
        return LayerSummary {
            denied: true,
            ..LayerSummary::default()
        };
    }
    resource
}

/// Decides a request without building the explanation: the outcome and `blockedBy` of
/// [`decide`], faster (see [`PolicySet::summarize`]). Use it for batch evaluation.
pub fn decide_outcome(layers: &Layers, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
    req.with_action_key(|action| {
        let ctx = req.context();
        let scope = Scope::of(layers, req.principal());
        let sum =
            |set: &PolicySet, p: Option<&Principal>| set.summarize(action, req.resource(), p, ctx);
        let opt = |set: &Option<PolicySet>, p| set.as_ref().map(|s| sum(s, p)).unwrap_or_default();
        let levels = |sets: &Option<Vec<PolicySet>>, binds: bool| {
            fold_levels(
                sets.iter()
                    .filter(|_| binds)
                    .flatten()
                    .map(|s| sum(s, None)),
            )
        };
        let s = Summaries {
            identity: sum(&layers.identity, None),
            resource: resource_summary(layers, req, action),
            boundary: opt(&layers.boundary, None),
            session: opt(&layers.session, None),
            scp: levels(&layers.scp, scope.scp),
            rcp: levels(&layers.rcp, scope.rcp),
        };
        outcome(layers, req, &s, scope)
    })
}

/// Reads the decision off what each layer matched.
fn outcome(
    layers: &Layers,
    req: &Request,
    s: &Summaries,
    scope: Scope,
) -> (Outcome, BTreeSet<PolicyKind>) {
    use PolicyKind::*;
    let rule = service::rule(req);
    if let Some(ServiceRule::NoPermissionNeeded(_)) = rule {
        return (Outcome::Allowed, BTreeSet::new());
    }
    let p = req.principal();
    let mut denied = BTreeSet::new();
    for (kind, m) in [
        (Identity, &s.identity),
        (Resource, &s.resource),
        (Boundary, &s.boundary),
        (Session, &s.session),
        (Scp, &s.scp),
        (Rcp, &s.rcp),
    ] {
        if m.denied {
            denied.insert(kind);
        }
    }
    if !denied.is_empty() {
        return (Outcome::ExplicitDeny, denied);
    }
    let mut missing = BTreeSet::new();
    if let Some(ServiceRule::Refused(_)) = rule {
        // AWS refuses whatever the missing inputs would say.
        missing.insert(Service);
        return (Outcome::ImplicitDeny, missing);
    }
    // What the inputs lack could allow or deny: only an explicit deny is certain without it.
    if !layers.missing.is_empty() {
        return (Outcome::Unknown, BTreeSet::new());
    }
    if scope.rcp && !s.rcp.allowed {
        missing.insert(Rcp);
    }
    if scope.scp && !s.scp.allowed {
        missing.insert(Scp);
    }
    let grant = s.resource.grant;
    // Resources AWS itself owns (account `aws`: AWS managed policies) are read like the
    // caller's own: an identity policy is enough, no resource policy is looked for.
    // The unnamed caller of `simulate-custom-policy` is of the resource's account.
    let same_account = p.is_unnamed()
        || (p.account().is_some()
            && (p.account() == req.effective_resource_account()
                || req.effective_resource_account() == Some("aws")));
    let identity_allows = s.identity.allowed;
    // A trust or key policy must allow even in its own account, when it is known: without a
    // resource policy among the inputs (as in `simulate-custom-policy`), it is not modelled.
    let needs_resource_policy =
        !same_account || (layers.resource.is_some() && resource_policy_required(req));
    match p {
        // Callers without an account (anonymous, a service, an identity provider's user)
        // have no identity policies: only a resource policy naming them can allow.
        Principal::Anonymous | Principal::Service { .. } | Principal::IdentityProvider { .. } => {
            if grant != Some(PrincipalMatch::Caller) {
                missing.insert(Resource);
            }
        }
        Principal::Root { .. } => {
            if needs_resource_policy && grant.is_none() {
                missing.insert(Resource);
            }
        }
        _ => {
            if needs_resource_policy && grant.is_none() {
                missing.insert(Resource);
            }
            let shortcut = same_account && grant.is_some_and(|m| m > PrincipalMatch::Account);
            if !shortcut && !identity_allows {
                missing.insert(Identity);
            }
            // A grant naming the caller itself ends the evaluation in the same account; one
            // naming its role still meets the boundary and the session policy. A role's trust
            // policy never ends it: the caller's boundary must allow `sts:AssumeRole` too.
            if !(same_account && grant == Some(PrincipalMatch::Caller) && !is_role_trust(req)) {
                if layers.boundary.is_some() && !s.boundary.allowed {
                    missing.insert(Boundary);
                }
                // A federated user's session always has a session policy: without one it has
                // no permissions (GetFederationToken).
                let session_needed =
                    layers.session.is_some() || matches!(p, Principal::FederatedUser { .. });
                if p.is_session() && session_needed && !s.session.allowed {
                    missing.insert(Session);
                }
            }
        }
    }
    if missing.is_empty() {
        (Outcome::Allowed, missing)
    } else {
        (Outcome::ImplicitDeny, missing)
    }
}

/// An `sts:AssumeRole*` request on a role: the resource policy is the role's trust policy.
pub fn is_role_trust(req: &Request) -> bool {
    let assume = req
        .action()
        .get(..14)
        .is_some_and(|a| a.eq_ignore_ascii_case("sts:assumerole"));
    assume
        && req
            .resource_arn()
            .is_some_and(|arn| arn.service == "iam" && arn.resource.starts_with("role/"))
}

/// Role trust policies and KMS key policies must allow even in the resource's own account.
pub fn resource_policy_required(req: &Request) -> bool {
    is_role_trust(req)
        || req
            .resource_arn()
            .is_some_and(|arn| arn.service == "kms" && arn.resource.starts_with("key/"))
}

impl Gathered {
    /// Every layer's matches with its kind and level, for the explanation.
    fn explained(&self) -> Vec<explain::Gathered<'_>> {
        use PolicyKind::*;
        [
            (Identity, &self.identity),
            (Resource, &self.resource),
            (Boundary, &self.boundary),
            (Session, &self.session),
        ]
        .into_iter()
        .map(|(k, l)| (k, None, l))
        .chain(self.scp.iter().enumerate().map(|(i, l)| (Scp, Some(i), l)))
        .chain(self.rcp.iter().enumerate().map(|(i, l)| (Rcp, Some(i), l)))
        .map(|(kind, level, l)| explain::Gathered {
            kind,
            level,
            matches: &l.matches,
            keys: &l.keys,
            cut: l.cut,
        })
        .collect()
    }
}
