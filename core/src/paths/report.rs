//! A path explained: each hop with its steps, and each step with the engine's explained
//! decision (`authorize`) and the statements that allowed it. Only the paths a report prints
//! are explained; the graph itself is built with the outcome-only `check`.

use serde::Serialize;

use crate::context::ContextValue;
use crate::engine::Engine;
use crate::policy::Effect;

use super::witness;
use super::{Condition, Edge, Graph, Path, Step};

/// A statement that allowed a step.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementReport {
    /// `identity`, `resource` (a trust policy), `boundary`, `scp`...
    pub kind: String,
    /// The policy, named for where it came from.
    pub policy: String,
    /// Its Sid.
    pub sid: Option<String>,
    /// The statement in one line.
    pub statement: String,
}

/// One request of a hop, with the engine's decision.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// The caller.
    pub caller: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The context the request carries (set by the method, then the conditions).
    pub context: Vec<Condition>,
    /// The context the step needs (empty: unconditional).
    pub conditions: Vec<Condition>,
    /// The engine's decision.
    pub decision: String,
    /// Kinds of policy whose allow the step may lack (see the hop's note).
    pub may_lack: Vec<String>,
    /// The Allow statements that matched.
    pub allowed_by: Vec<StatementReport>,
}

/// One hop of a path.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HopReport {
    /// The principal acting.
    pub from: String,
    /// The principal it becomes (or elevates).
    pub to: String,
    /// The method's id.
    pub method: String,
    /// What it grants.
    pub grants: String,
    /// Whether `to` holds any permission afterwards.
    pub elevates: bool,
    /// Whether some step needs context.
    pub conditional: bool,
    /// What the hop assumes beyond its steps.
    pub note: Option<String>,
    /// Its requests.
    pub steps: Vec<StepReport>,
    /// For an elevating hop to another principal: the hops that then reach it.
    pub then: Vec<HopReport>,
}

/// A path explained.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathReport {
    /// The start.
    pub from: String,
    /// The principal at the end.
    pub to: String,
    /// Whether it is elevated at the end.
    pub elevated: bool,
    /// Context the target needs at the end.
    pub conditions: Vec<Condition>,
    /// The hops.
    pub hops: Vec<HopReport>,
}

impl Graph {
    /// Explains a path with the engine's statements.
    pub fn report(&self, engine: &Engine, path: &Path) -> PathReport {
        let name = |i: usize| self.nodes.get(i).map(|n| n.arn.clone()).unwrap_or_default();
        PathReport {
            from: name(path.from),
            to: name(path.end),
            elevated: path.elevated,
            conditions: path.conditions.clone(),
            hops: path
                .edges
                .iter()
                .filter_map(|&e| self.edges.get(e))
                .map(|e| self.hop(engine, e))
                .collect(),
        }
    }

    /// Explains one edge (its steps with the engine's statements, and its `then` hops), as a
    /// hop of a path report; `None` for an index out of range. The playground shows it when
    /// the pointer is on an edge of the drawn graph.
    pub fn explain_edge(&self, engine: &Engine, edge: usize) -> Option<HopReport> {
        self.edges.get(edge).map(|e| self.hop(engine, e))
    }

    fn hop(&self, engine: &Engine, e: &Edge) -> HopReport {
        let name = |i: usize| self.nodes.get(i).map(|n| n.arn.clone()).unwrap_or_default();
        HopReport {
            from: name(e.from),
            to: name(e.to),
            method: e.method.id.to_string(),
            grants: e.method.grants.to_string(),
            elevates: e.elevates,
            conditional: e.is_conditional(),
            note: e.note.clone(),
            steps: e.steps.iter().map(|s| explain(engine, s)).collect(),
            then: e
                .then
                .iter()
                .filter_map(|&t| self.edges.get(t))
                .map(|t| self.hop(engine, t))
                .collect(),
        }
    }
}

fn explain(engine: &Engine, s: &Step) -> StepReport {
    let mut context: Vec<Condition> = s
        .given
        .iter()
        .map(|(k, v)| Condition {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    context.extend(s.conditions.iter().cloned());
    let decision =
        witness::request(engine, &s.caller, &s.action, &s.resource, &s.given).map(|mut req| {
            for c in &s.conditions {
                req.insert_context(&c.key, ContextValue::single(c.value.as_str()));
            }
            engine.authorize(&req)
        });
    let (outcome, allowed_by) = match decision {
        Some(d) => (
            d.outcome.as_str().to_string(),
            d.matched
                .iter()
                .filter(|m| m.effect == Effect::Allow)
                .map(|m| StatementReport {
                    kind: m.kind.as_str().to_string(),
                    policy: m.policy.to_string(),
                    sid: m.sid.clone(),
                    statement: m.summary.text(),
                })
                .collect(),
        ),
        None => ("unreadable".to_string(), Vec::new()),
    };
    StepReport {
        caller: s.caller.clone(),
        action: s.action.clone(),
        resource: s.resource.clone(),
        context,
        conditions: s.conditions.clone(),
        decision: outcome,
        may_lack: s.may_lack.iter().map(|k| k.as_str().to_string()).collect(),
        allowed_by,
    }
}
