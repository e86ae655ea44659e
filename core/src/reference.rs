//! The reference evaluator: a small, obviously correct walk over the policies, with no index
//! and no precompiled matchers, that the compiled evaluator is tested against.
//!
//! It reads the policy tree directly, matches wildcards with a plain recursive matcher, and
//! applies semantics.md section 4 as a list of steps. It shares only the leaf pieces whose own
//! unit tests pin them down: condition evaluation, principal naming and variable substitution.
//! It is slow on purpose; use [`crate::decide`] for real work.

use std::collections::BTreeSet;

use crate::condition::CompiledCondition;
use crate::decide::{is_role_trust, resource_policy_required, Outcome, PolicyKind};
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

/// How a statement of a policy is read: identity-like (no Principal), or resource-based,
/// where `bounded` says the caller has a permissions boundary (a Deny with `NotPrincipal`
/// then applies to it whatever the element lists).
#[derive(Clone, Copy)]
enum Reading {
    Identity,
    Resource { bounded: bool },
}

/// Whether a statement applies; for resource policies, how its Principal names the caller.
fn applies(
    s: &Statement,
    policy: &Policy,
    req: &Request,
    reading: Reading,
) -> Option<Option<PrincipalMatch>> {
    if !action_matches(s, req.action()) || !resource_matches(s, policy, req) {
        return None;
    }
    let named = match reading {
        Reading::Identity => None,
        Reading::Resource { bounded } => {
            let clause = s.principal.as_ref()?;
            if bounded && clause.negated && s.effect == Effect::Deny {
                Some(PrincipalMatch::Caller)
            } else {
                Some(req.principal().matched_by(clause)?)
            }
        }
    };
    let conditions_hold = s.conditions.iter().all(|c| {
        CompiledCondition::new(
            c.operator,
            &c.key,
            &c.values,
            policy.version.has_variables(),
        )
        .evaluate(req.context())
    });
    conditions_hold.then_some(named)
}

fn matches<'a>(
    policies: impl IntoIterator<Item = &'a Policy>,
    req: &Request,
    reading: Reading,
    effect: Effect,
) -> Vec<Option<PrincipalMatch>> {
    policies
        .into_iter()
        .flat_map(|p| p.statements.iter().map(move |s| (p, s)))
        .filter(|(_, s)| s.effect == effect)
        .filter_map(|(p, s)| applies(s, p, req, reading))
        .collect()
}

/// The service-side rules, written out again as plain predicates on the text (the table of
/// `decide/service.rs`): `Some(true)` needs no permission, `Some(false)` is refused.
fn service_rule(req: &Request) -> Option<bool> {
    let action = req.action().to_lowercase();
    let p = req.principal();
    if action == "sts:getcalleridentity" && p.account().is_some() {
        return Some(true);
    }
    if matches!(p, Principal::Service { .. }) {
        return None;
    }
    let r = req.resource();
    let one_of = |names: &[&str]| names.iter().any(|n| action == *n);
    let refused = (r.starts_with("arn:aws:iam::aws:policy/")
        && one_of(&[
            "iam:createpolicy",
            "iam:createpolicyversion",
            "iam:deletepolicy",
            "iam:deletepolicyversion",
            "iam:setdefaultpolicyversion",
            "iam:tagpolicy",
            "iam:untagpolicy",
        ]))
        || (r.starts_with("arn:aws:iam::")
            && r.contains(":role/aws-reserved/sso.amazonaws.com/")
            && [
                "attachrolepolicy",
                "createrole",
                "createservicelinkedrole",
                "deleterole",
                "deleterolepermissionsboundary",
                "deleterolepolicy",
                "deleteservicelinkedrole",
                "detachrolepolicy",
                "passrole",
                "putrolepermissionsboundary",
                "putrolepolicy",
                "tagrole",
                "untagrole",
                "updateassumerolepolicy",
                "updaterole",
                "updateroledescription",
            ]
            .iter()
            .any(|n| action.strip_prefix("iam:") == Some(n)))
        || (r.starts_with("arn:aws:kms:")
            && r.contains(":alias/aws/")
            && one_of(&["kms:createalias", "kms:deletealias", "kms:updatealias"]))
        || (r.starts_with("arn:aws:kms:")
            && r.contains(":key/")
            && action.starts_with("kms:")
            && p.account().is_some()
            && p.account() != req.effective_resource_account()
            && !one_of(&[
                "kms:creategrant",
                "kms:decrypt",
                "kms:derivesharedsecret",
                "kms:describekey",
                "kms:encrypt",
                "kms:generatedatakey",
                "kms:generatedatakeypair",
                "kms:generatedatakeypairwithoutplaintext",
                "kms:generatedatakeywithoutplaintext",
                "kms:generatemac",
                "kms:getpublickey",
                "kms:listgrants",
                "kms:reencryptfrom",
                "kms:reencryptto",
                "kms:retiregrant",
                "kms:revokegrant",
                "kms:sign",
                "kms:verify",
                "kms:verifymac",
            ]));
    refused.then_some(false)
}

/// Decides a request: the decision and the kinds that blocked it.
pub fn decide(inputs: &ReferenceInputs, req: &Request) -> (Outcome, BTreeSet<PolicyKind>) {
    use PolicyKind::*;
    let p = req.principal();
    // Step 0: AWS's own rules. An action that needs no permission is allowed outright.
    let service = service_rule(req);
    if service == Some(true) {
        return (Outcome::Allowed, BTreeSet::new());
    }
    // SCPs bind users, roles, federated users and root of an account, but not service-linked
    // roles; RCPs bind every caller but services and service-linked roles.
    let slr = match p {
        Principal::AssumedRole { arn, role, .. } => {
            arn.contains(":role/aws-service-role/") || role.starts_with("AWSServiceRoleFor")
        }
        _ => false,
    };
    let scp_binds = p.account().is_some() && !slr;
    let rcp_binds = !matches!(p, Principal::Service { .. }) && !slr;
    let bounded = inputs.boundary.is_some()
        && matches!(p, Principal::User { .. } | Principal::AssumedRole { .. });
    let no_levels = Vec::new();
    let scp_levels = inputs.scp.as_ref().filter(|_| scp_binds);
    let rcp_levels = inputs.rcp.as_ref().filter(|_| rcp_binds);
    let layers: Vec<(PolicyKind, Vec<&Policy>, Reading)> = [
        (
            Identity,
            inputs.identity.iter().collect(),
            Reading::Identity,
        ),
        (
            Resource,
            inputs.resource.iter().collect(),
            Reading::Resource { bounded },
        ),
        (
            Boundary,
            inputs.boundary.iter().collect(),
            Reading::Identity,
        ),
        (Session, inputs.session.iter().collect(), Reading::Identity),
        (
            Scp,
            scp_levels.unwrap_or(&no_levels).iter().flatten().collect(),
            Reading::Identity,
        ),
        (
            Rcp,
            rcp_levels.unwrap_or(&no_levels).iter().flatten().collect(),
            Reading::Identity,
        ),
    ]
    .into_iter()
    .collect();

    // Step 1: an explicit deny in any policy decides.
    let denied: BTreeSet<PolicyKind> = layers
        .iter()
        .filter(|(_, ps, rd)| !matches(ps.iter().copied(), req, *rd, Effect::Deny).is_empty())
        .map(|(k, _, _)| *k)
        .collect();
    if !denied.is_empty() {
        return (Outcome::ExplicitDeny, denied);
    }
    let allows = |ps: &[Policy]| !matches(ps, req, Reading::Identity, Effect::Allow).is_empty();
    let all_levels = |levels: &Vec<Vec<Policy>>| levels.iter().all(|l| allows(l));
    let mut missing = BTreeSet::new();
    // Step 1b: AWS's refusals are certain; without what the inputs lack, nothing else but an
    // explicit deny is.
    if service == Some(false) {
        missing.insert(Service);
        return (Outcome::ImplicitDeny, missing);
    }
    if !inputs.missing.is_empty() {
        return (Outcome::Unknown, BTreeSet::new());
    }

    // Steps 2 and 3: every RCP and SCP level allows.
    if rcp_levels.is_some_and(|l| !all_levels(l)) {
        missing.insert(Rcp);
    }
    if scp_levels.is_some_and(|l| !all_levels(l)) {
        missing.insert(Scp);
    }

    // Step 4: the resource-based policy, and how it names the caller.
    let grant = matches(
        inputs.resource.iter(),
        req,
        Reading::Resource { bounded },
        Effect::Allow,
    )
    .into_iter()
    .flatten()
    .max();
    // Resources AWS itself owns (account `aws`: AWS managed policies) are read like the
    // caller's own: an identity policy is enough, no resource policy is looked for.
    // The unnamed caller of `simulate-custom-policy` is of the resource's account.
    let same_account = p.is_unnamed()
        || (p.account().is_some()
            && (p.account() == req.effective_resource_account()
                || req.effective_resource_account() == Some("aws")));
    let must_have_resource_policy =
        !same_account || (inputs.resource.is_some() && resource_policy_required(req));
    let identity = allows(&inputs.identity);
    let boundary_ok = inputs
        .boundary
        .as_ref()
        .is_none_or(|b| allows(std::slice::from_ref(b)));
    // A federated user without a session policy has no permissions.
    let session_ok = match (&inputs.session, p) {
        (_, p) if !p.is_session() => true,
        (Some(s), _) => allows(std::slice::from_ref(s)),
        (None, Principal::FederatedUser { .. }) => false,
        (None, _) => true,
    };

    match p {
        Principal::Anonymous | Principal::Service { .. } | Principal::IdentityProvider { .. } => {
            if grant != Some(PrincipalMatch::Caller) {
                missing.insert(Resource);
            }
        }
        Principal::Root { .. } => {
            if must_have_resource_policy && grant.is_none() {
                missing.insert(Resource);
            }
        }
        // A same-account grant naming the caller ends the evaluation, except a trust policy's.
        _ if same_account && grant == Some(PrincipalMatch::Caller) && !is_role_trust(req) => {}
        _ => {
            if must_have_resource_policy && grant.is_none() {
                missing.insert(Resource);
            }
            // Step 5: identity policies, unless the grant named the caller or its role.
            let named = same_account && grant.is_some_and(|g| g >= PrincipalMatch::Role);
            if !named && !identity {
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
