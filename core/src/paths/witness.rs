//! One step of an edge, decided by the engine: the request, and when it is denied only for
//! want of context, the context that makes the engine allow it (an MFA flag, a source
//! address, an external id). The values tried come from the conditions of the policies that
//! bear on the request; the engine decides every try, so a conditional edge is exactly a
//! decision `eval --context ...` would give.

use std::collections::BTreeSet;

use crate::condition::ValueType;
use crate::context::{Context, ContextValue};
use crate::decide::{Outcome, PolicyKind};
use crate::engine::Engine;
use crate::policy::Condition as PolicyCondition;
use crate::request::{Caller, Request};
use crate::world::World;

use super::Condition;

/// At most this many contexts are tried for one step.
const MAX_TRIES: usize = 64;
/// At most this many values are tried for one key.
const MAX_VALUES: usize = 8;

/// What a step may leave unmet and still count: for callers outside the world, their own
/// identity allow (their account's policies are not in it); for a trust policy about to be
/// rewritten, the trust policy; for a principal about to be given any policy, its identity
/// policies.
pub(super) type Tolerated = &'static [PolicyKind];

/// The request of a step, `given` keys set (`iam:PassedToService`), prepared by the engine
/// ([`Engine::request`]): what [`decide`] and [`decide_each`] take.
pub(super) fn request(
    engine: &Engine,
    caller: &str,
    action: &str,
    resource: &str,
    given: &[(String, String)],
) -> Option<Request> {
    let caller = engine.caller(Some(caller)).ok()?;
    request_as(engine, &caller, action, resource, given)
}

/// [`request`] for a caller read once by [`Engine::caller`] (the graph's builder keeps one
/// per node, so a caller's many requests do not read and look it up again).
pub(super) fn request_as(
    engine: &Engine,
    caller: &Caller,
    action: &str,
    resource: &str,
    given: &[(String, String)],
) -> Option<Request> {
    let mut ctx = Context::new();
    for (k, v) in given {
        ctx.insert(k, ContextValue::single(v.as_str()));
    }
    engine.request(caller, action, resource, ctx, None).ok()
}

fn passes(outcome: Outcome, blocked: &BTreeSet<PolicyKind>, tolerated: Tolerated) -> bool {
    match outcome {
        Outcome::Allowed => true,
        Outcome::ImplicitDeny => blocked.iter().all(|k| tolerated.contains(k)),
        _ => false,
    }
}

/// Decides one step: `Some(conditions)` when the engine allows it (conditions empty) or
/// allows it once the conditions are added to the context; `None` when no tried context
/// makes it pass.
pub(super) fn decide(
    engine: &Engine,
    world: &World,
    req: &Request,
    tolerated: Tolerated,
) -> Option<Vec<Condition>> {
    decide_each(engine, world, req, &[tolerated])
        .pop()
        .flatten()
}

/// [`decide`] for several tolerances of one request at once, sharing the engine's decisions:
/// for each, the answer `decide` gives alone (the first context tried that passes). The
/// request is prepared ([`request`]); adding context to it keeps it prepared (preparing reads
/// the caller and the resource, never the context).
pub(super) fn decide_each(
    engine: &Engine,
    world: &World,
    req: &Request,
    tolerated: &[Tolerated],
) -> Vec<Option<Vec<Condition>>> {
    let mut out: Vec<Option<Vec<Condition>>> = vec![None; tolerated.len()];
    let (outcome, blocked) = engine.check_prepared(req);
    let mut open = 0;
    for (slot, t) in out.iter_mut().zip(tolerated) {
        if passes(outcome, &blocked, t) {
            *slot = Some(Vec::new());
        } else {
            open += 1;
        }
    }
    if open == 0 {
        return out;
    }
    let candidates = candidates(world, req);
    if candidates.is_empty() {
        return out;
    }
    let mut choice = vec![0usize; candidates.len()];
    for _ in 0..MAX_TRIES {
        let mut tried = req.clone();
        let mut conditions = Vec::with_capacity(candidates.len());
        for ((key, values), &i) in candidates.iter().zip(&choice) {
            if let Some(v) = values.get(i) {
                tried.insert_context(key, ContextValue::single(v.as_str()));
                conditions.push(Condition {
                    key: key.clone(),
                    value: v.clone(),
                });
            }
        }
        let (outcome, blocked) = engine.check_prepared(&tried);
        for (slot, t) in out.iter_mut().zip(tolerated) {
            if slot.is_none() && passes(outcome, &blocked, t) {
                *slot = Some(conditions.clone());
                open -= 1;
            }
        }
        if open == 0 || !advance(&mut choice, &candidates) {
            break;
        }
    }
    out
}

/// The next combination, like an odometer; `false` once every one was tried.
fn advance(choice: &mut [usize], candidates: &[(String, Vec<String>)]) -> bool {
    for (c, (_, values)) in choice.iter_mut().zip(candidates) {
        *c += 1;
        if *c < values.len() {
            return true;
        }
        *c = 0;
    }
    false
}

/// For each condition key the request lacks and a matching statement reads, the values its
/// positive conditions name (a missing key already satisfies the negated ones).
fn candidates(world: &World, req: &Request) -> Vec<(String, Vec<String>)> {
    let mut prepared = req.clone();
    world.prepare(&mut prepared);
    let layers = world.layers_for(&prepared);
    let action = prepared.action_key();
    let sets = std::iter::once(&layers.identity)
        .chain(layers.resource.iter())
        .chain(layers.boundary.iter())
        .chain(layers.scp.iter().flatten())
        .chain(layers.rcp.iter().flatten());
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for set in sets {
        let missing =
            set.missing_keys(&action, prepared.resource(), prepared.context(), usize::MAX);
        if missing.is_empty() {
            continue;
        }
        for np in set.policies() {
            for s in &np.policy().statements {
                for c in &s.conditions {
                    if !missing.iter().any(|k| k.eq_ignore_ascii_case(&c.key)) {
                        continue;
                    }
                    let values = satisfying_values(c);
                    if values.is_empty() {
                        continue;
                    }
                    let slot = match out.iter().position(|(k, _)| k.eq_ignore_ascii_case(&c.key)) {
                        Some(i) => i,
                        None => {
                            out.push((c.key.clone(), Vec::new()));
                            out.len() - 1
                        }
                    };
                    if let Some((_, list)) = out.get_mut(slot) {
                        for v in values {
                            if list.len() < MAX_VALUES && !list.contains(&v) {
                                list.push(v);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Values that satisfy a positive condition (a guess the engine then checks).
fn satisfying_values(c: &PolicyCondition) -> Vec<String> {
    let op = c.operator.operator;
    if op.is_negated() || op.value_type() == ValueType::Null {
        return Vec::new();
    }
    c.values
        .iter()
        .filter(|v| !v.contains("${"))
        .map(|v| match op.value_type() {
            ValueType::Ip => v.split('/').next().unwrap_or(v).to_string(),
            ValueType::String | ValueType::Arn => v.replace(['*', '?'], "x"),
            _ => v.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odometer_visits_every_combination_once() {
        let c = vec![
            ("a".to_string(), vec!["1".into(), "2".into()]),
            ("b".to_string(), vec!["x".into(), "y".into(), "z".into()]),
        ];
        let mut choice = vec![0, 0];
        let mut seen = vec![choice.clone()];
        while advance(&mut choice, &c) {
            seen.push(choice.clone());
        }
        assert_eq!(seen.len(), 6);
    }
}
