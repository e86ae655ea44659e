//! Queries on the graph: the shortest path to a principal, to admin or to an action on a
//! resource (breadth-first, so fewest hops), every simple path up to a bound, and every
//! principal that can escalate.
//!
//! The walk is over states: a principal, or a principal *elevated* (after an edge that gives
//! it any permission). Elevated states end a path.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::Serialize;

use crate::decide::PolicyKind;
use crate::engine::Engine;

use super::witness;
use super::{Condition, Graph, NodeKind};

/// What a path must reach.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// This node.
    Principal(usize),
    /// A principal the engine allows `*` on `*`.
    Admin,
    /// A principal the engine allows this action on this resource.
    Action {
        /// `service:Action`.
        action: String,
        /// The resource ARN.
        resource: String,
    },
}

/// A path: the edges walked from `from`, and what holds at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The start.
    pub from: usize,
    /// The edges, in order (empty: `from` reaches the target itself).
    pub edges: Vec<usize>,
    /// The principal at the end.
    pub end: usize,
    /// Whether it is elevated (holds any permission) at the end.
    pub elevated: bool,
    /// Context the target needs at the end (an admin allowed only with MFA).
    pub conditions: Vec<Condition>,
}

/// A principal that can gain permissions it does not have, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Escalation {
    /// The principal (node index).
    pub from: usize,
    /// The shortest path to admin.
    #[serde(skip)]
    pub path: Path,
}

type State = (usize, bool);

impl Graph {
    /// Whether a state meets the target: `Some(conditions)`.
    fn meets(
        &self,
        engine: &Engine,
        (node, elevated): State,
        target: &Target,
    ) -> Option<Vec<Condition>> {
        let n = self.nodes.get(node)?;
        match target {
            Target::Principal(j) => (*j == node).then(Vec::new),
            Target::Admin if elevated => n.elevated_admin.then(Vec::new),
            Target::Admin => n.admin.clone(),
            Target::Action { action, resource } => {
                let world = engine.world()?;
                let tolerated: &'static [PolicyKind] = if elevated || n.kind == NodeKind::External {
                    &[PolicyKind::Identity]
                } else {
                    &[]
                };
                let req = witness::request(engine, &n.caller, action, resource, &[])?;
                witness::decide(engine, world, &req, tolerated)
            }
        }
    }

    fn next(&self, (node, elevated): State) -> impl Iterator<Item = (usize, State)> + '_ {
        let edges = if elevated {
            &[][..]
        } else {
            self.edges_from(node)
        };
        edges.iter().filter_map(move |&e| {
            let edge = self.edges.get(e)?;
            Some((e, (edge.to, edge.elevates)))
        })
    }

    /// The path with the fewest hops from `from` to the target, if any.
    pub fn shortest(&self, engine: &Engine, from: usize, target: &Target) -> Option<Path> {
        let start: State = (from, false);
        let mut parent: HashMap<State, (State, usize)> = HashMap::new();
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(state) = queue.pop_front() {
            if let Some(conditions) = self.meets(engine, state, target) {
                let mut edges = Vec::new();
                let mut at = state;
                while at != start {
                    let (prev, e) = *parent.get(&at)?;
                    edges.push(e);
                    at = prev;
                }
                edges.reverse();
                return Some(Path {
                    from,
                    edges,
                    end: state.0,
                    elevated: state.1,
                    conditions,
                });
            }
            for (e, next) in self.next(state) {
                if seen.insert(next) {
                    parent.insert(next, (state, e));
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// Every simple path (no principal twice) of at most `max_hops` edges from `from` to the
    /// target, stopping at the target, shortest first; at most `limit` of them.
    pub fn all_paths(
        &self,
        engine: &Engine,
        from: usize,
        target: &Target,
        max_hops: usize,
        limit: usize,
    ) -> Vec<Path> {
        let mut out = Vec::new();
        let mut met: HashMap<State, Option<Vec<Condition>>> = HashMap::new();
        let mut stack: Vec<usize> = Vec::new();
        let mut on_path = HashSet::from([from]);
        self.walk(
            engine,
            (from, false),
            target,
            max_hops,
            limit,
            &mut Walk {
                from,
                out: &mut out,
                met: &mut met,
                stack: &mut stack,
                on_path: &mut on_path,
            },
        );
        out.sort_by_key(|p| p.edges.len());
        out
    }

    fn walk(
        &self,
        engine: &Engine,
        state: State,
        target: &Target,
        max_hops: usize,
        limit: usize,
        w: &mut Walk<'_>,
    ) {
        if w.out.len() >= limit {
            return;
        }
        let meets = w
            .met
            .entry(state)
            .or_insert_with(|| self.meets(engine, state, target))
            .clone();
        if let Some(conditions) = meets {
            w.out.push(Path {
                from: w.from,
                edges: w.stack.clone(),
                end: state.0,
                elevated: state.1,
                conditions,
            });
            return;
        }
        if w.stack.len() >= max_hops {
            return;
        }
        let next: Vec<(usize, State)> = self.next(state).collect();
        for (e, (to, elevated)) in next {
            if w.on_path.contains(&to) {
                continue;
            }
            w.stack.push(e);
            w.on_path.insert(to);
            self.walk(engine, (to, elevated), target, max_hops, limit, w);
            w.on_path.remove(&to);
            w.stack.pop();
        }
    }

    /// Every user and role that is not admin but has a path to admin, with its shortest path,
    /// in node order.
    pub fn escalations(&self, engine: &Engine) -> Vec<Escalation> {
        (0..self.nodes.len())
            .filter(|&i| {
                self.nodes
                    .get(i)
                    .is_some_and(|n| n.kind != NodeKind::External && n.admin.is_none())
            })
            .filter_map(|i| {
                let path = self.shortest(engine, i, &Target::Admin)?;
                (!path.edges.is_empty()).then_some(Escalation { from: i, path })
            })
            .collect()
    }
}

struct Walk<'a> {
    from: usize,
    out: &'a mut Vec<Path>,
    met: &'a mut HashMap<State, Option<Vec<Condition>>>,
    stack: &'a mut Vec<usize>,
    on_path: &'a mut HashSet<usize>,
}
