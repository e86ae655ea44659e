//! The reference evaluator: a small, obviously correct walk over the policies, with no index
//! and no precompiled matchers, that the compiled evaluator is tested against.
//!
//! It reads the policy tree directly, matches wildcards with a plain recursive matcher, and
//! applies semantics.md section 4 as a list of steps. It shares only the leaf pieces whose own
//! unit tests pin them down: condition evaluation, principal naming and variable substitution.
//! It is slow on purpose; use [`crate::decide`] for real work.

use std::collections::BTreeSet;

use crate::condition::CompiledCondition;
use crate::decide::{resource_policy_required, Outcome, PolicyKind};
use crate::pattern::Piece;
use crate::policy::{Effect, Policy, Statement};
use crate::principal::{Principal, PrincipalMatch};
use crate::request::Request;
use crate::variables::Template;

/// The policies of one request, uncompiled.
#[derive(Debug, Clone, Default)]
pub struct ReferenceInputs {
    /// Identity-based policies.
    pub identity: Vec<Policy>,
    /// The resource-based policy.
    pub resource: Option<Policy>,
    /// The permissions boundary.
    pub boundary: Option<Policy>,
    /// The session policy.
    pub session: Option<Policy>,
    /// SCP levels, root first.
    pub scp: Option<Vec<Vec<Policy>>>,
    /// RCP levels, root first.
    pub rcp: Option<Vec<Vec<Policy>>>,
    /// What the inputs lack (see [`crate::decide::Missing`]).
    pub missing: Vec<crate::decide::Missing>,
}

/// A recursive `*`/`?` matcher over characters: exponential in the worst case, plainly right.
fn wild(p: &[Piece], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((Piece::AnyRun, rest)) => {
            (0..=t.len()).any(|i| t.get(i..).is_some_and(|t| wild(rest, t)))
        }
        Some((Piece::AnyChar, rest)) => t.split_first().is_some_and(|(_, t)| wild(rest, t)),
        Some((Piece::Literal(s), rest)) => {
            let s: Vec<char> = s.chars().collect();
            t.strip_prefix(s.as_slice()).is_some_and(|t| wild(rest, t))
        }
    }
}

fn action_matches(s: &Statement, action: &str) -> bool {
    let a: Vec<char> = action.to_lowercase().chars().collect();
    let any = s
        .action
        .patterns
        .iter()
        .any(|p| wild(&crate::pattern::pieces_of(&p.to_lowercase()), &a));
    any != s.action.negated
}

fn resource_matches(s: &Statement, policy: &Policy, req: &Request) -> bool {
    let Some(r) = &s.resource else {
        return true;
    };
    let any = r
        .patterns
        .iter()
        .any(|p| arn_matches(p, req.resource(), policy, req));
    any != r.negated
}

/// Part by part on the first five colons, the rest as one part with variables resolved.
fn arn_matches(pattern: &str, arn: &str, policy: &Policy, req: &Request) -> bool {
    if pattern == "*" {
        return true;
    }
    let pp: Vec<&str> = pattern.splitn(6, ':').collect();
    let ap: Vec<&str> = arn.splitn(pp.len(), ':').collect();
    if ap.len() != pp.len() {
        return false;
    }
    let (Some((p_last, p_parts)), Some((a_last, a_parts))) = (pp.split_last(), ap.split_last())
    else {
        return false;
    };
    for (p, a) in p_parts.iter().zip(a_parts) {
        let t: Vec<char> = a.chars().collect();
        if !wild(&crate::pattern::pieces_of(p), &t) {
            return false;
        }
    }
    let template = Template::parse(p_last, policy.version.has_variables());
    let t: Vec<char> = a_last.chars().collect();
    template
        .resolve_pieces(req.context())
        .is_some_and(|pieces| wild(&pieces, &t))
}

/// Whether a statement applies; for resource policies, how its Principal names the caller.
fn applies(
    s: &Statement,
    policy: &Policy,
    req: &Request,
    resource_policy: bool,
) -> Option<Option<PrincipalMatch>> {
    if !action_matches(s, req.action()) || !resource_matches(s, policy, req) {
        return None;
    }
    let named = if resource_policy {
        Some(req.principal().matched_by(s.principal.as_ref()?)?)
    } else {
        None
    };
    let conditions_hold = s
        .conditions
        .iter()
        .all(|c| CompiledCondition::compile(c, policy.version).evaluate(req.context()));
    conditions_hold.then_some(named)
}

fn matches<'a>(
    policies: impl IntoIterator<Item = &'a Policy>,
    req: &Request,
    resource_policy: bool,
    effect: Effect,
) -> Vec<Option<PrincipalMatch>> {
    policies
        .into_iter()
        .flat_map(|p| p.statements.iter().map(move |s| (p, s)))
        .filter(|(_, s)| s.effect == effect)
        .filter_map(|(p, s)| applies(s, p, req, resource_policy))
        .collect()
}

/// Decides a request: the decision and the kinds that blocked it.
pub fn decide(inputs: &ReferenceInputs, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
    use PolicyKind::*;
    let layers: Vec<(PolicyKind, Vec<&Policy>, bool)> = [
        (Identity, inputs.identity.iter().collect(), false),
        (Resource, inputs.resource.iter().collect(), true),
        (Boundary, inputs.boundary.iter().collect(), false),
        (Session, inputs.session.iter().collect(), false),
        (Scp, inputs.scp.iter().flatten().flatten().collect(), false),
        (Rcp, inputs.rcp.iter().flatten().flatten().collect(), false),
    ]
    .into_iter()
    .collect();

    // Step 1: an explicit deny in any policy decides.
    let denied: BTreeSet<PolicyKind> = layers
        .iter()
        .filter(|(_, ps, rp)| !matches(ps.iter().copied(), req, *rp, Effect::Deny).is_empty())
        .map(|(k, _, _)| *k)
        .collect();
    if !denied.is_empty() {
        return (Outcome::ExplicitDeny, denied);
    }
    // Step 1b: without what the inputs lack, nothing but an explicit deny is certain.
    if !inputs.missing.is_empty() {
        return (Outcome::Unknown, BTreeSet::new());
    }
    let allows = |ps: &[Policy]| !matches(ps, req, false, Effect::Allow).is_empty();
    let all_levels = |levels: &Vec<Vec<Policy>>| levels.iter().all(|l| allows(l));
    let mut missing = BTreeSet::new();
    let p = req.principal();

    // Steps 2 and 3: every RCP and SCP level allows.
    if inputs.rcp.as_ref().is_some_and(|l| !all_levels(l))
        && !matches!(p, Principal::Service { .. })
    {
        missing.insert(Rcp);
    }
    if inputs.scp.as_ref().is_some_and(|l| !all_levels(l)) && p.account().is_some() {
        missing.insert(Scp);
    }

    // Step 4: the resource-based policy, and how it names the caller.
    let grant = matches(inputs.resource.iter(), req, true, Effect::Allow)
        .into_iter()
        .flatten()
        .max();
    let same_account = p.account().is_some() && p.account() == req.effective_resource_account();
    let must_have_resource_policy =
        !same_account || (inputs.resource.is_some() && resource_policy_required(req));
    let identity = allows(&inputs.identity);
    let boundary_ok = inputs
        .boundary
        .as_ref()
        .is_none_or(|b| allows(std::slice::from_ref(b)));
    let session_ok = !p.is_session()
        || inputs
            .session
            .as_ref()
            .is_none_or(|s| allows(std::slice::from_ref(s)));

    match p {
        Principal::Anonymous | Principal::Service { .. } => {
            if grant != Some(PrincipalMatch::Caller) {
                missing.insert(Resource);
            }
        }
        Principal::Root { .. } => {
            if must_have_resource_policy && grant.is_none() {
                missing.insert(Resource);
            }
        }
        _ if same_account && grant == Some(PrincipalMatch::Caller) => {}
        _ => {
            if must_have_resource_policy && grant.is_none() {
                missing.insert(Resource);
            }
            // Step 5: identity policies, unless the grant named the caller's role.
            let role_grant = same_account && grant == Some(PrincipalMatch::Role);
            if !role_grant && !identity {
                missing.insert(Identity);
            }
            // Steps 6 and 7.
            if !boundary_ok {
                missing.insert(Boundary);
            }
            if !session_ok {
                missing.insert(Session);
            }
        }
    }
    if missing.is_empty() {
        (Outcome::Allowed, missing)
    } else {
        (Outcome::ImplicitDeny, missing)
    }
}
