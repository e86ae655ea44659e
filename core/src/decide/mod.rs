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
mod unknown;

pub use aws_json::aws_result;
pub use explain::{Decision, MatchedStatement, Outcome, PolicyKind};
pub use unknown::Missing;

use std::collections::BTreeSet;

use crate::arn::Arn;
use crate::compile::{LayerMatches, LayerSummary, PolicySet};
use crate::principal::{Principal, PrincipalMatch};
use crate::request::Request;

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
    /// Records that the decision needs something the inputs do not hold: the answer becomes
    /// [`Outcome::Unknown`] (naming `what`) unless a known policy denies explicitly.
    pub fn mark_missing(&mut self, what: Missing) {
        if !self.missing.contains(&what) {
            self.missing.push(what);
        }
    }
}

/// What each layer contributed to a request.
struct Gathered {
    identity: LayerMatches,
    resource: LayerMatches,
    boundary: LayerMatches,
    session: LayerMatches,
    scp: Vec<LayerMatches>,
    rcp: Vec<LayerMatches>,
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

/// Decides a request against its layers, with the explanation.
pub fn decide(layers: &Layers, req: &Request) -> Decision {
    req.with_action_key(|action| {
        let ctx = req.context();
        let eval =
            |set: &PolicySet, p: Option<&Principal>| set.evaluate(action, req.resource(), p, ctx);
        let opt = |set: &Option<PolicySet>, p| set.as_ref().map(|s| eval(s, p)).unwrap_or_default();
        let levels = |sets: &Option<Vec<PolicySet>>| {
            sets.iter()
                .flatten()
                .map(|s| eval(s, None))
                .collect::<Vec<_>>()
        };
        let g = Gathered {
            identity: eval(&layers.identity, None),
            resource: opt(&layers.resource, Some(req.principal())),
            boundary: opt(&layers.boundary, None),
            session: opt(&layers.session, None),
            scp: levels(&layers.scp),
            rcp: levels(&layers.rcp),
        };
        let (outcome, blocked_by) = outcome(layers, req, &g.summaries());
        explain::build(layers, req, &g.explained(), outcome, blocked_by, action)
    })
}

/// Decides a request without building the explanation: the outcome and `blockedBy` of
/// [`decide`], faster (see [`PolicySet::summarize`]). Use it for batch evaluation.
pub fn decide_outcome(layers: &Layers, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
    req.with_action_key(|action| {
        let ctx = req.context();
        let sum =
            |set: &PolicySet, p: Option<&Principal>| set.summarize(action, req.resource(), p, ctx);
        let opt = |set: &Option<PolicySet>, p| set.as_ref().map(|s| sum(s, p)).unwrap_or_default();
        let levels = |sets: &Option<Vec<PolicySet>>| {
            fold_levels(sets.iter().flatten().map(|s| sum(s, None)))
        };
        let s = Summaries {
            identity: sum(&layers.identity, None),
            resource: opt(&layers.resource, Some(req.principal())),
            boundary: opt(&layers.boundary, None),
            session: opt(&layers.session, None),
            scp: levels(&layers.scp),
            rcp: levels(&layers.rcp),
        };
        outcome(layers, req, &s)
    })
}

/// Reads the decision off what each layer matched.
fn outcome(layers: &Layers, req: &Request, s: &Summaries) -> (Outcome, BTreeSet<PolicyKind>) {
    use PolicyKind::*;
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
    // What the inputs lack could allow or deny: only an explicit deny is certain without it.
    if !layers.missing.is_empty() {
        return (Outcome::Unknown, BTreeSet::new());
    }
    let mut missing = BTreeSet::new();
    // RCPs bind every caller but AWS service principals; SCPs bind the account's own callers.
    if layers.rcp.is_some() && !matches!(p, Principal::Service { .. }) && !s.rcp.allowed {
        missing.insert(Rcp);
    }
    if layers.scp.is_some() && p.account().is_some() && !s.scp.allowed {
        missing.insert(Scp);
    }
    let grant = s.resource.grant;
    let same_account = p.account().is_some() && p.account() == req.effective_resource_account();
    let identity_allows = s.identity.allowed;
    // A trust or key policy must allow even in its own account, when it is known: without a
    // resource policy among the inputs (as in `simulate-custom-policy`), it is not modelled.
    let needs_resource_policy =
        !same_account || (layers.resource.is_some() && resource_policy_required(req));
    match p {
        Principal::Anonymous | Principal::Service { .. } => {
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
            // naming its role still meets the boundary and the session policy.
            if !(same_account && grant == Some(PrincipalMatch::Caller)) {
                if layers.boundary.is_some() && !s.boundary.allowed {
                    missing.insert(Boundary);
                }
                if p.is_session() && layers.session.is_some() && !s.session.allowed {
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

/// Role trust policies and KMS key policies must allow even in the resource's own account.
pub fn resource_policy_required(req: &Request) -> bool {
    let Some(arn) = Arn::parse(req.resource()) else {
        return false;
    };
    let assume = req
        .action()
        .get(..14)
        .is_some_and(|a| a.eq_ignore_ascii_case("sts:assumerole"));
    (assume && arn.service == "iam" && arn.resource.starts_with("role/"))
        || (arn.service == "kms" && arn.resource.starts_with("key/"))
}

impl Gathered {
    fn summaries(&self) -> Summaries {
        Summaries {
            identity: self.identity.summary(),
            resource: self.resource.summary(),
            boundary: self.boundary.summary(),
            session: self.session.summary(),
            scp: fold_levels(self.scp.iter().map(LayerMatches::summary)),
            rcp: fold_levels(self.rcp.iter().map(LayerMatches::summary)),
        }
    }

    /// Every layer's matches with its kind and level, for the explanation.
    fn explained(&self) -> Vec<(PolicyKind, Option<usize>, &LayerMatches)> {
        use PolicyKind::*;
        [
            (Identity, &self.identity),
            (Resource, &self.resource),
            (Boundary, &self.boundary),
            (Session, &self.session),
        ]
        .into_iter()
        .map(|(k, m)| (k, None, m))
        .chain(self.scp.iter().enumerate().map(|(i, m)| (Scp, Some(i), m)))
        .chain(self.rcp.iter().enumerate().map(|(i, m)| (Rcp, Some(i), m)))
        .collect()
    }
}
