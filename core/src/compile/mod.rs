//! Compilation: policies become a [`PolicySet`], indexed so a request touches only the
//! statements that can apply to its action.
//!
//! What is done once per policy set: action patterns are lowercased and sorted into the
//! action index (exact actions in a hash map, `service:Get*` patterns under their service, and
//! the rest — `*`, `*:Describe*`, `NotAction` — in a short list); resource patterns become
//! [`ArnPattern`]s; conditions become [`CompiledCondition`]s with their values parsed.
//! What is done per request: one hash lookup for the action, then the resource, principal and
//! conditions of each candidate statement. Nothing is parsed at request time except the
//! request's own values and the policy variables that depend on it.

mod index;

use std::sync::Arc;

use crate::arn::ArnPattern;
use crate::condition::CompiledCondition;
use crate::context::Context;
use crate::json::Position;
use crate::pattern::Glob;
use crate::policy::{Effect, Policy, PrincipalClause};
use crate::principal::{Principal, PrincipalMatch};
use index::ActionIndex;

/// A policy with the name it is known by (`alice/OwnQueue`, `identity[0]`).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    /// Where the policy came from, as explanations print it.
    pub name: String,
    /// The policy.
    pub policy: Arc<Policy>,
}

impl NamedPolicy {
    /// Names a policy.
    pub fn new(name: impl Into<String>, policy: Policy) -> NamedPolicy {
        NamedPolicy {
            name: name.into(),
            policy: Arc::new(policy),
        }
    }
}

/// A statement ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledStatement {
    /// Index of the policy in its set.
    pub policy: usize,
    /// Index of the statement in its policy.
    pub statement: usize,
    /// Allow or Deny.
    pub effect: Effect,
    action_negated: bool,
    action_text: Vec<String>,
    actions: Vec<Glob>,
    resource: Option<(bool, Vec<ArnPattern>)>,
    principal: Option<PrincipalClause>,
    conditions: Vec<CompiledCondition>,
}

/// A statement that applied to a request, and how its `Principal` named the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementMatch {
    /// Index into [`PolicySet::statements`].
    pub statement: usize,
    /// For resource-based policies: how the Principal named the caller.
    pub principal: Option<PrincipalMatch>,
}

/// The statements of one layer (all identity policies, a boundary, one SCP level...) that
/// applied to a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerMatches {
    /// Applicable Allow statements.
    pub allows: Vec<StatementMatch>,
    /// Applicable Deny statements.
    pub denies: Vec<StatementMatch>,
}

/// Compiled policies of one layer, with the action index.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    // Shared so that a cached set is cloned cheaply (the world hands out clones per request).
    policies: Arc<[NamedPolicy]>,
    statements: Arc<[CompiledStatement]>,
    index: Arc<ActionIndex>,
}

impl PolicySet {
    /// Compiles policies into an indexed set.
    pub fn compile(policies: Vec<NamedPolicy>) -> PolicySet {
        let mut statements = Vec::new();
        for (pi, np) in policies.iter().enumerate() {
            let vars = np.policy.version.has_variables();
            for (si, s) in np.policy.statements.iter().enumerate() {
                statements.push(CompiledStatement {
                    policy: pi,
                    statement: si,
                    effect: s.effect,
                    action_negated: s.action.negated,
                    action_text: s
                        .action
                        .patterns
                        .iter()
                        .map(|a| a.to_ascii_lowercase())
                        .collect(),
                    actions: s
                        .action
                        .patterns
                        .iter()
                        .map(|a| Glob::parse(&a.to_ascii_lowercase()))
                        .collect(),
                    resource: s.resource.as_ref().map(|r| {
                        (
                            r.negated,
                            r.patterns
                                .iter()
                                .map(|p| ArnPattern::parse(p, vars))
                                .collect(),
                        )
                    }),
                    principal: s.principal.clone(),
                    conditions: s
                        .conditions
                        .iter()
                        .map(|c| CompiledCondition::compile(c, np.policy.version))
                        .collect(),
                });
            }
        }
        let index = ActionIndex::build(&statements);
        PolicySet {
            policies: policies.into(),
            statements: statements.into(),
            index: Arc::new(index),
        }
    }

    /// The policies, in the order given.
    pub fn policies(&self) -> &[NamedPolicy] {
        &self.policies
    }

    /// The compiled statements.
    pub fn statements(&self) -> &[CompiledStatement] {
        &self.statements
    }

    /// Number of statements.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// `true` when the set holds no statement.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Sid, start and end of a compiled statement, for explanations.
    pub fn statement_source(&self, i: usize) -> Option<(&str, Option<&str>, Position, Position)> {
        let cs = self.statements.get(i)?;
        let np = self.policies.get(cs.policy)?;
        let s = np.policy.statements.get(cs.statement)?;
        Some((np.name.as_str(), s.sid.as_deref(), s.start, s.end))
    }

    /// The statements that apply to a request. `action` is lowercased. `principal` is `Some`
    /// for resource-based policies, whose statements must name the caller.
    pub fn evaluate(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
    ) -> LayerMatches {
        let mut out = LayerMatches::default();
        self.index.for_each_candidate(action, |i| {
            let Some(s) = self.statements.get(i) else {
                return;
            };
            let Some(pm) = s.applies(action, resource, principal, ctx) else {
                return;
            };
            let m = StatementMatch {
                statement: i,
                principal: pm,
            };
            match s.effect {
                Effect::Allow => out.allows.push(m),
                Effect::Deny => out.denies.push(m),
            }
        });
        out
    }

    /// Condition keys that statements matching the action and resource read but `ctx` lacks
    /// (AWS's `MissingContextValues`), sorted.
    pub fn missing_keys(&self, action: &str, resource: &str, ctx: &Context) -> Vec<String> {
        let mut keys = Vec::new();
        self.index.for_each_candidate(action, |i| {
            let Some(s) = self.statements.get(i) else {
                return;
            };
            if !s.action_matches(action) || !s.resource_matches(resource, ctx) {
                return;
            }
            for c in &s.conditions {
                let own = std::iter::once((c.key(), c.key_as_written()));
                for (k, shown) in own.chain(c.variable_keys().into_iter().map(|k| (k, k))) {
                    if ctx.get_lower(k).is_none()
                        && !keys.iter().any(|x: &String| x.eq_ignore_ascii_case(k))
                    {
                        keys.push(shown.to_string());
                    }
                }
            }
        });
        keys.sort();
        keys
    }
}

impl CompiledStatement {
    /// `Some(principal match)` when the statement applies (the inner `None` for policies
    /// without a Principal element).
    fn applies(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
    ) -> Option<Option<PrincipalMatch>> {
        if !self.action_matches(action) || !self.resource_matches(resource, ctx) {
            return None;
        }
        let pm = match (principal, &self.principal) {
            (Some(p), Some(clause)) => Some(p.matched_by(clause)?),
            (Some(_), None) => return None,
            (None, _) => None,
        };
        self.conditions
            .iter()
            .all(|c| c.evaluate(ctx))
            .then_some(pm)
    }

    pub(crate) fn action_matches(&self, action: &str) -> bool {
        self.actions.iter().any(|g| g.is_match(action)) != self.action_negated
    }

    fn resource_matches(&self, resource: &str, ctx: &Context) -> bool {
        match &self.resource {
            None => true,
            Some((negated, patterns)) => {
                patterns.iter().any(|p| p.is_match(resource, ctx)) != *negated
            }
        }
    }

    /// The action patterns, lowercased, and whether they are `NotAction`.
    pub(crate) fn action_patterns(&self) -> (&[String], bool) {
        (&self.action_text, self.action_negated)
    }
}
