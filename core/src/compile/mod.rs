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

mod hash;
mod index;

use std::ops::ControlFlow;
use std::sync::Arc;

use crate::arn::ArnPattern;
use crate::condition::CompiledCondition;
use crate::context::Context;
use crate::json::Position;
use crate::pattern::Glob;
use crate::policy::{Effect, Policy, PolicyError, PrincipalClause};
use crate::principal::{Principal, PrincipalMatch};
use index::ActionIndex;

/// A policy with the name it is known by (`alice/OwnQueue`, `identity[0]`).
///
/// A policy read from its own text ([`NamedPolicy::from_text`], what the engine builder
/// does) keeps only that text once compiled: the parsed [`Policy`] is read again, once, the
/// first time an explanation or another module asks for it ([`NamedPolicy::policy`]).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    /// Where the policy came from, as explanations print it (shared with every explanation
    /// that names it).
    pub name: Arc<str>,
    held: Held,
}

#[derive(Debug, Clone)]
enum Held {
    /// Parsed, shared (a world's policies, a suite's).
    Parsed(Arc<Policy>),
    /// The document's text, parsed on demand; clones share the parse.
    Text(Arc<LazyPolicy>),
}

#[derive(Debug)]
struct LazyPolicy {
    text: Arc<str>,
    parsed: std::sync::OnceLock<Arc<Policy>>,
}

impl NamedPolicy {
    /// Names a policy.
    pub fn new(name: impl Into<String>, policy: Policy) -> NamedPolicy {
        NamedPolicy::shared(name, Arc::new(policy))
    }

    /// Names a policy that others share.
    pub fn shared(name: impl Into<String>, policy: Arc<Policy>) -> NamedPolicy {
        NamedPolicy {
            name: Arc::from(name.into()),
            held: Held::Parsed(policy),
        }
    }

    /// Parses a policy document from its text ([`Policy::parse`]) and names it; a compiled
    /// set keeps the text only and reads the policy again when it is asked for.
    pub fn from_text(name: impl Into<String>, text: &str) -> Result<NamedPolicy, PolicyError> {
        let policy = Policy::parse(text)?;
        let parsed = std::sync::OnceLock::new();
        let _ = parsed.set(Arc::new(policy));
        Ok(NamedPolicy {
            name: Arc::from(name.into()),
            held: Held::Text(Arc::new(LazyPolicy {
                text: Arc::from(text),
                parsed,
            })),
        })
    }

    /// The policy (for one read from text and compiled, parsed again on first use and kept).
    pub fn policy(&self) -> &Arc<Policy> {
        match &self.held {
            Held::Parsed(p) => p,
            Held::Text(lazy) => lazy.parsed.get_or_init(|| {
                // The text parsed once already, so it parses again to the same policy.
                Arc::new(Policy::parse(&lazy.text).unwrap_or_else(|_| Policy {
                    id: None,
                    version: crate::policy::Version::Unspecified,
                    statements: Vec::new(),
                    source: None,
                }))
            }),
        }
    }

    /// The parsed policy for compiling it: from the cache when there is one, else parsed
    /// for this use only (so compiling a set does not keep a parsed copy).
    fn for_compile(&self) -> Arc<Policy> {
        match &self.held {
            Held::Text(lazy) if lazy.parsed.get().is_none() => {
                let fresh = NamedPolicy::from_text(String::new(), &lazy.text);
                match fresh {
                    Ok(np) => Arc::clone(np.policy()),
                    Err(_) => Arc::clone(self.policy()),
                }
            }
            _ => Arc::clone(self.policy()),
        }
    }

    /// The same policy without its parsed form when it has its text (what a compiled set
    /// keeps).
    fn compact(self) -> NamedPolicy {
        match self.held {
            Held::Text(lazy) if lazy.parsed.get().is_some() => NamedPolicy {
                name: self.name,
                held: Held::Text(Arc::new(LazyPolicy {
                    text: Arc::clone(&lazy.text),
                    parsed: std::sync::OnceLock::new(),
                })),
            },
            held => NamedPolicy {
                name: self.name,
                held,
            },
        }
    }
}

/// Where a compiled statement is written ([`PolicySet::statement_source`]).
#[derive(Debug, Clone, Copy)]
pub struct StatementSource<'a> {
    /// The policy's name.
    pub policy: &'a Arc<str>,
    /// The statement's `Sid`.
    pub sid: Option<&'a str>,
    /// Start of the statement in its document.
    pub start: Position,
    /// End of the statement in its document.
    pub end: Position,
    /// The world file that holds the policy, when it came from one.
    pub file: Option<&'a crate::policy::PolicySource>,
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
    /// A `Resource` or `NotResource` element is present.
    has_resource: bool,
    resource_negated: bool,
    actions: Box<[Glob]>,
    resources: Box<[ArnPattern]>,
    // Boxed: few statements have one (resource-based policies), so most pay a pointer.
    principal: Option<Box<PrincipalClause>>,
    conditions: Box<[CompiledCondition]>,
}

/// A statement that applied to a request, and how its `Principal` named the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementMatch {
    /// Index of the statement in its set (see [`PolicySet::statement`]).
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

/// What the decision flow needs to know of one layer, without the statements themselves
/// (the fast path of [`crate::decide::decide_outcome`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerSummary {
    /// An Allow statement applied (not computed when `denied`: a deny decides anyway).
    pub allowed: bool,
    /// A Deny statement applied.
    pub denied: bool,
    /// For resource-based policies: the strongest way an applying Allow named the caller.
    pub grant: Option<PrincipalMatch>,
}

impl LayerMatches {
    /// The summary of these matches.
    pub fn summary(&self) -> LayerSummary {
        LayerSummary {
            allowed: !self.allows.is_empty(),
            denied: !self.denies.is_empty(),
            grant: self.allows.iter().filter_map(|m| m.principal).max(),
        }
    }
}

/// Compiled policies of one layer, with the action index.
///
/// A set is one or more compiled parts side by side ([`PolicySet::concat`]): a world's
/// policies for a caller and the extra policies given beside the world are each compiled
/// once, and a request's layer is the two parts together, without compiling anything again.
/// Statement numbers run through the parts in order.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    // Shared so that a cached set is cloned cheaply (the world hands out clones per request).
    parts: Arc<[Placed]>,
}

/// A part and the number its first statement has in the set.
#[derive(Debug, Clone)]
struct Placed {
    offset: usize,
    part: Arc<Part>,
}

/// One compiled group of policies with its own index.
#[derive(Debug)]
struct Part {
    policies: Vec<NamedPolicy>,
    statements: Vec<CompiledStatement>,
    index: ActionIndex,
}

impl PolicySet {
    /// Compiles policies into an indexed set.
    pub fn compile(policies: Vec<NamedPolicy>) -> PolicySet {
        let part = compile_part(policies);
        if part.statements.is_empty() && part.policies.is_empty() {
            return PolicySet::default();
        }
        PolicySet {
            parts: Arc::from([Placed {
                offset: 0,
                part: Arc::new(part),
            }]),
        }
    }

    /// The sets side by side, in order, sharing their compiled parts: nothing is compiled.
    pub fn concat(sets: &[&PolicySet]) -> PolicySet {
        let mut parts: Vec<Placed> = Vec::new();
        let mut offset = 0;
        for placed in sets.iter().flat_map(|s| s.parts.iter()) {
            parts.push(Placed {
                offset,
                part: Arc::clone(&placed.part),
            });
            offset += placed.part.statements.len();
        }
        PolicySet {
            parts: parts.into(),
        }
    }

    /// `true` when both are the same set (clones of one another), so statement `i` of one
    /// is statement `i` of the other.
    pub fn same_as(&self, other: &PolicySet) -> bool {
        Arc::ptr_eq(&self.parts, &other.parts)
    }

    /// The policies, in the order given.
    pub fn policies(&self) -> impl Iterator<Item = &NamedPolicy> {
        self.parts.iter().flat_map(|p| p.part.policies.iter())
    }

    /// The index of a set of one part (for the index's own tests).
    #[cfg(test)]
    pub(crate) fn single_index(&self) -> Option<&ActionIndex> {
        match &*self.parts {
            [one] => Some(&one.part.index),
            _ => None,
        }
    }

    /// A compiled statement by its number in the set.
    pub fn statement(&self, i: usize) -> Option<&CompiledStatement> {
        let (part, local) = self.locate(i)?;
        part.statements.get(local)
    }

    fn locate(&self, i: usize) -> Option<(&Part, usize)> {
        self.parts.iter().find_map(|p| {
            let local = i.checked_sub(p.offset)?;
            (local < p.part.statements.len()).then_some((p.part.as_ref(), local))
        })
    }

    /// Number of statements.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.part.statements.len()).sum()
    }

    /// `true` when the set holds no statement.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A compiled statement in one line, as its policy writes it (see `Statement`'s `Display`).
    pub fn statement_text(&self, i: usize) -> Option<String> {
        let (part, local) = self.locate(i)?;
        let cs = part.statements.get(local)?;
        let np = part.policies.get(cs.policy)?;
        Some(np.policy().statements.get(cs.statement)?.to_string())
    }

    /// Sid, start and end of a compiled statement, for explanations.
    pub fn statement_source(&self, i: usize) -> Option<StatementSource<'_>> {
        let (part, local) = self.locate(i)?;
        let cs = part.statements.get(local)?;
        let np = part.policies.get(cs.policy)?;
        let s = np.policy().statements.get(cs.statement)?;
        Some(StatementSource {
            policy: &np.name,
            sid: s.sid.as_deref(),
            start: s.start,
            end: s.end,
            file: np.policy().source.as_deref(),
        })
    }

    /// The statements that apply to a request, in statement order. `action` is lowercased.
    /// `principal` is `Some` for resource-based policies, whose statements must name the
    /// caller.
    pub fn evaluate(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
    ) -> LayerMatches {
        LayerMatches {
            denies: self.matching(action, resource, principal, ctx, Effect::Deny, usize::MAX),
            allows: self.matching(action, resource, principal, ctx, Effect::Allow, usize::MAX),
        }
    }

    /// The statements of one effect that apply to a request, in statement order, at most
    /// `limit` of them (the first found in each part; the search stops there).
    pub fn matching(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
        effect: Effect,
        limit: usize,
    ) -> Vec<StatementMatch> {
        let mut list = Vec::new();
        for Placed { offset, part } in self.parts.iter() {
            if list.len() >= limit {
                break;
            }
            let probe = part.index.probe(resource);
            let from = list.len();
            let _ = part
                .index
                .for_each_candidate(action, &probe, effect, |i, known| {
                    let bounded = limit != usize::MAX;
                    let seen = |l: &[StatementMatch]| {
                        l.get(from..)
                            .is_some_and(|l| l.iter().any(|m| m.statement == offset + i))
                    };
                    if bounded && seen(&list) {
                        return ControlFlow::Continue(());
                    }
                    if let Some(pm) = part.applies(i, known, action, resource, principal, ctx) {
                        list.push(StatementMatch {
                            statement: offset + i,
                            principal: pm,
                        });
                        if list.len() >= limit {
                            return ControlFlow::Break(());
                        }
                    }
                    ControlFlow::Continue(())
                });
            if let Some(mine) = list.get_mut(from..) {
                mine.sort_by_key(|m| m.statement);
            }
            list.dedup();
        }
        list
    }

    /// [`PolicySet::matching`] and, in the same walk over the candidates, the condition keys
    /// [`PolicySet::missing_keys`] finds among the first `key_budget` candidates of `effect`
    /// (added to `keys` unless one equal ignoring case is there; `keys` of one set must be
    /// gathered Denies first, as `missing_keys` reads them). Each candidate's action and
    /// resource are matched once for both, and only when the statement may apply or reads a
    /// key `ctx` lacks; a statement all of whose keys `ctx` carries costs a few lookups.
    #[expect(
        clippy::too_many_arguments,
        reason = "the arguments of `matching` and `missing_keys` together"
    )]
    pub fn matching_and_keys(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
        effect: Effect,
        limit: usize,
        key_budget: usize,
        keys: &mut Vec<String>,
    ) -> Vec<StatementMatch> {
        self.matching_and_keys_within(
            action,
            resource,
            principal,
            ctx,
            effect,
            limit,
            key_budget,
            usize::MAX,
            keys,
        )
        .0
    }

    /// [`PolicySet::matching_and_keys`], trying at most `scan` candidates for a match once
    /// one has matched (a search that has found nothing goes on to the end): `true` beside
    /// the matches when candidates were left untried, so more statements may apply than
    /// were found. The keys are read as without the bound.
    #[expect(
        clippy::too_many_arguments,
        reason = "the arguments of `matching` and `missing_keys` together, and the bound"
    )]
    pub fn matching_and_keys_within(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
        effect: Effect,
        limit: usize,
        key_budget: usize,
        scan: usize,
        keys: &mut Vec<String>,
    ) -> (Vec<StatementMatch>, bool) {
        // Sized for a bounded search's matches, without growing it match by match.
        let mut list = Vec::with_capacity(limit.min(24));
        let mut left = key_budget;
        let mut tried = 0usize;
        let mut cut = false;
        let bounded = limit != usize::MAX;
        for Placed { offset, part } in self.parts.iter() {
            let scanned = tried >= scan && !list.is_empty();
            if (list.len() >= limit || scanned) && left == 0 {
                // Later parts are not looked at: they may hold more.
                cut |= scanned && list.len() < limit;
                break;
            }
            let probe = part.index.probe(resource);
            let from = list.len();
            let _ = part
                .index
                .for_each_candidate(action, &probe, effect, |i, known| {
                    let want_keys = match left.checked_sub(1) {
                        Some(l) => {
                            left = l;
                            true
                        }
                        None => false,
                    };
                    let scanned = tried >= scan && !list.is_empty();
                    let full = list.len() >= limit || scanned;
                    if full && !want_keys {
                        cut |= scanned && list.len() < limit;
                        return ControlFlow::Break(());
                    }
                    let Some(s) = part.statements.get(i) else {
                        return ControlFlow::Continue(());
                    };
                    let seen = |l: &[StatementMatch]| {
                        l.get(from..)
                            .is_some_and(|l| l.iter().any(|m| m.statement == offset + i))
                    };
                    let want_match = !(full || bounded && seen(&list));
                    if scanned && list.len() < limit && !(bounded && seen(&list)) {
                        cut = true;
                    }
                    // Whether action and resource match, worked out at most once.
                    let mut reached: Option<bool> = None;
                    let mut reaches = || {
                        *reached.get_or_insert_with(|| {
                            (known || s.action_matches(action)) && s.resource_matches(resource, ctx)
                        })
                    };
                    if want_keys {
                        for c in s.conditions.iter() {
                            let own = std::iter::once((c.key(), c.key_as_written()));
                            for (k, shown) in
                                own.chain(c.variable_keys().into_iter().map(|k| (k, k)))
                            {
                                if ctx.get_lower(k).is_none()
                                    && !keys.iter().any(|x: &String| x.eq_ignore_ascii_case(k))
                                    && reaches()
                                {
                                    keys.push(shown.to_string());
                                }
                            }
                        }
                    }
                    if want_match {
                        tried += 1;
                    }
                    if want_match && reaches() {
                        let pm = match (principal, s.principal.as_deref()) {
                            (Some(p), Some(clause)) => p.matched_by(clause).map(Some),
                            (Some(_), None) => None,
                            (None, _) => Some(None),
                        };
                        if let Some(pm) = pm {
                            if s.conditions.iter().all(|c| c.evaluate(ctx)) {
                                list.push(StatementMatch {
                                    statement: offset + i,
                                    principal: pm,
                                });
                            }
                        }
                    }
                    ControlFlow::Continue(())
                });
            if let Some(mine) = list.get_mut(from..) {
                mine.sort_by_key(|m| m.statement);
            }
            list.dedup();
        }
        (list, cut)
    }

    /// What [`PolicySet::evaluate`] would tell the decision flow, computed with early exits:
    /// the Deny statements are tried first and the first that applies ends the search; then
    /// the Allow statements until one applies (for resource-based policies, until one names
    /// the caller itself, the strongest grant). Allocates nothing.
    pub fn summarize(
        &self,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
    ) -> LayerSummary {
        let mut out = LayerSummary::default();
        for Placed { part, .. } in self.parts.iter() {
            let probe = part.index.probe(resource);
            let denied = part
                .index
                .for_each_candidate(action, &probe, Effect::Deny, |i, known| {
                    match part.applies(i, known, action, resource, principal, ctx) {
                        Some(_) => ControlFlow::Break(()),
                        None => ControlFlow::Continue(()),
                    }
                });
            if denied.is_break() {
                out.denied = true;
                return out;
            }
        }
        for Placed { part, .. } in self.parts.iter() {
            let probe = part.index.probe(resource);
            let done = part
                .index
                .for_each_candidate(action, &probe, Effect::Allow, |i, known| {
                    let Some(pm) = part.applies(i, known, action, resource, principal, ctx) else {
                        return ControlFlow::Continue(());
                    };
                    out.allowed = true;
                    out.grant = out.grant.max(pm);
                    if principal.is_none() || pm == Some(PrincipalMatch::Caller) {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                });
            if done.is_break() {
                break;
            }
        }
        out
    }

    /// The Deny statements with a `NotPrincipal` element that apply to the request whatever
    /// the element lists: AWS applies them to every IAM principal that has a permissions
    /// boundary ("AWS JSON policy elements: NotPrincipal", key points). In statement order.
    pub fn not_principal_denies(
        &self,
        action: &str,
        resource: &str,
        ctx: &Context,
    ) -> Vec<StatementMatch> {
        let mut out = Vec::new();
        for Placed { offset, part } in self.parts.iter() {
            let probe = part.index.probe(resource);
            let _ = part
                .index
                .for_each_candidate(action, &probe, Effect::Deny, |i, known| {
                    let Some(s) = part.statements.get(i) else {
                        return ControlFlow::Continue(());
                    };
                    let negated = s.principal.as_ref().is_some_and(|c| c.negated);
                    if negated
                        && (known || s.action_matches(action))
                        && s.resource_matches(resource, ctx)
                        && s.conditions.iter().all(|c| c.evaluate(ctx))
                    {
                        out.push(StatementMatch {
                            statement: offset + i,
                            principal: Some(PrincipalMatch::Caller),
                        });
                    }
                    ControlFlow::Continue(())
                });
        }
        out.sort_by_key(|m| m.statement);
        out.dedup();
        out
    }

    /// Condition keys that statements matching the action and resource read but `ctx` lacks
    /// (AWS's `MissingContextValues`), sorted; looking at no more than `budget` candidate
    /// statements of each effect (`usize::MAX` for all).
    pub fn missing_keys(
        &self,
        action: &str,
        resource: &str,
        ctx: &Context,
        budget: usize,
    ) -> Vec<String> {
        let mut keys = Vec::new();
        for effect in [Effect::Deny, Effect::Allow] {
            let mut left = budget;
            for Placed { part, .. } in self.parts.iter() {
                let probe = part.index.probe(resource);
                let _ = part
                    .index
                    .for_each_candidate(action, &probe, effect, |i, _| {
                        let Some(l) = left.checked_sub(1) else {
                            return ControlFlow::Break(());
                        };
                        left = l;
                        let Some(s) = part.statements.get(i) else {
                            return ControlFlow::Continue(());
                        };
                        if !s.action_matches(action) || !s.resource_matches(resource, ctx) {
                            return ControlFlow::Continue(());
                        }
                        for c in &s.conditions {
                            let own = std::iter::once((c.key(), c.key_as_written()));
                            for (k, shown) in
                                own.chain(c.variable_keys().into_iter().map(|k| (k, k)))
                            {
                                if ctx.get_lower(k).is_none()
                                    && !keys.iter().any(|x: &String| x.eq_ignore_ascii_case(k))
                                {
                                    keys.push(shown.to_string());
                                }
                            }
                        }
                        ControlFlow::Continue(())
                    });
            }
        }
        keys.sort();
        keys
    }
}

impl Part {
    fn applies(
        &self,
        i: usize,
        known: bool,
        action: &str,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
    ) -> Option<Option<PrincipalMatch>> {
        self.statements
            .get(i)?
            .applies(action, known, resource, principal, ctx)
    }
}

/// A policy to compile: owned when its set was the only holder of its parse (a policy read
/// from text by [`NamedPolicy::from_text`]), so its strings move into the compiled statements
/// instead of being copied and freed.
enum ToCompile {
    Owned(Policy),
    Shared(Arc<Policy>),
}

impl NamedPolicy {
    /// The parse this policy alone holds, taken out of it (it keeps its text, which is what a
    /// compiled set keeps anyway).
    fn take_parsed(&mut self) -> Option<Policy> {
        let Held::Text(lazy) = &mut self.held else {
            return None;
        };
        let lazy = Arc::get_mut(lazy)?;
        let shared = lazy.parsed.take()?;
        match Arc::try_unwrap(shared) {
            Ok(p) => Some(p),
            Err(shared) => {
                let _ = lazy.parsed.set(shared);
                None
            }
        }
    }
}

/// Compiles policies into one part.
fn compile_part(mut policies: Vec<NamedPolicy>) -> Part {
    let parsed: Vec<ToCompile> = policies
        .iter_mut()
        .map(|np| match np.take_parsed() {
            Some(p) => ToCompile::Owned(p),
            None => ToCompile::Shared(np.for_compile()),
        })
        .collect();
    let total = parsed
        .iter()
        .map(|p| match p {
            ToCompile::Owned(p) => p.statements.len(),
            ToCompile::Shared(p) => p.statements.len(),
        })
        .sum();
    let mut statements = Vec::with_capacity(total);
    // One buffer for lowercasing every action pattern.
    let mut lower = String::new();
    for (pi, policy) in parsed.into_iter().enumerate() {
        match policy {
            ToCompile::Owned(policy) => {
                let vars = policy.version.has_variables();
                for (si, s) in policy.statements.into_iter().enumerate() {
                    statements.push(CompiledStatement::from_owned(pi, si, s, vars));
                }
            }
            ToCompile::Shared(policy) => {
                let vars = policy.version.has_variables();
                for (si, s) in policy.statements.iter().enumerate() {
                    statements.push(CompiledStatement::from_shared(pi, si, s, vars, &mut lower));
                }
            }
        }
    }
    let index = ActionIndex::build(&statements);
    Part {
        policies: policies.into_iter().map(NamedPolicy::compact).collect(),
        statements,
        index,
    }
}

impl CompiledStatement {
    /// Compiles statement `si` of policy `pi`, copying what it keeps (`lower`: a buffer).
    fn from_shared(
        pi: usize,
        si: usize,
        s: &crate::policy::Statement,
        vars: bool,
        lower: &mut String,
    ) -> CompiledStatement {
        CompiledStatement {
            policy: pi,
            statement: si,
            effect: s.effect,
            action_negated: s.action.negated,
            has_resource: s.resource.is_some(),
            resource_negated: s.resource.as_ref().is_some_and(|r| r.negated),
            actions: s
                .action
                .patterns
                .iter()
                .map(|a| {
                    lower.clear();
                    lower.push_str(a);
                    lower.make_ascii_lowercase();
                    Glob::parse(lower)
                })
                .collect(),
            resources: s
                .resource
                .iter()
                .flat_map(|r| r.patterns.iter())
                .map(|p| ArnPattern::parse(p, vars))
                .collect(),
            principal: s.principal.clone().map(Box::new),
            conditions: s
                .conditions
                .iter()
                .map(|c| CompiledCondition::new(c.operator, &c.key, &c.values, vars))
                .collect(),
        }
    }

    /// [`CompiledStatement::from_shared`] of a statement given up: its pattern strings become
    /// the compiled patterns' (the same statement, compiled without copying).
    fn from_owned(
        pi: usize,
        si: usize,
        s: crate::policy::Statement,
        vars: bool,
    ) -> CompiledStatement {
        let (has_resource, resource_negated) = match &s.resource {
            Some(r) => (true, r.negated),
            None => (false, false),
        };
        CompiledStatement {
            policy: pi,
            statement: si,
            effect: s.effect,
            action_negated: s.action.negated,
            has_resource,
            resource_negated,
            actions: s
                .action
                .patterns
                .into_iter()
                .map(|mut a| {
                    a.make_ascii_lowercase();
                    Glob::parse_owned(a)
                })
                .collect(),
            resources: s
                .resource
                .into_iter()
                .flat_map(|r| r.patterns)
                .map(|p| ArnPattern::parse_owned(p, vars))
                .collect(),
            principal: s.principal.map(Box::new),
            conditions: s
                .conditions
                .iter()
                .map(|c| CompiledCondition::new(c.operator, &c.key, &c.values, vars))
                .collect(),
        }
    }

    /// `Some(principal match)` when the statement applies (the inner `None` for policies
    /// without a Principal element). `action_known`: the index already saw the action match.
    fn applies(
        &self,
        action: &str,
        action_known: bool,
        resource: &str,
        principal: Option<&Principal>,
        ctx: &Context,
    ) -> Option<Option<PrincipalMatch>> {
        if !(action_known || self.action_matches(action)) || !self.resource_matches(resource, ctx) {
            return None;
        }
        let pm = match (principal, self.principal.as_deref()) {
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
        !self.has_resource
            || self.resources.iter().any(|p| p.is_match(resource, ctx)) != self.resource_negated
    }

    /// The resource patterns and whether they are `NotResource`; `None` without either.
    pub(crate) fn resource_patterns(&self) -> Option<(bool, &[ArnPattern])> {
        self.has_resource
            .then_some((self.resource_negated, &*self.resources))
    }

    /// The action patterns, lowercased.
    pub(crate) fn action_globs(&self) -> &[Glob] {
        &self.actions
    }

    /// `true` for `NotAction`.
    pub(crate) fn action_negated(&self) -> bool {
        self.action_negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
         "Resource": ["arn:aws:s3:::reports/*", "arn:aws:s3:::reports"]},
        {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::${aws:username}/*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}"#;

    fn lazy(set: &PolicySet) -> Option<bool> {
        match &set.policies().next()?.held {
            Held::Text(l) => Some(l.parsed.get().is_none()),
            Held::Parsed(_) => None,
        }
    }

    #[test]
    fn a_set_read_from_text_keeps_the_text_and_explains_as_the_parsed_one() {
        let parsed = PolicySet::compile(vec![NamedPolicy::new("p", Policy::parse(TEXT).unwrap())]);
        let text = PolicySet::compile(vec![NamedPolicy::from_text("p", TEXT).unwrap()]);
        assert_eq!(lazy(&parsed), None);
        // Compiled, the set holds no parsed policy until one is asked for.
        assert_eq!(lazy(&text), Some(true));
        assert_eq!(parsed.len(), text.len());
        for i in 0..parsed.len() {
            assert_eq!(parsed.statement_text(i), text.statement_text(i));
            let (a, b) = (
                parsed.statement_source(i).unwrap(),
                text.statement_source(i).unwrap(),
            );
            assert_eq!(
                (a.policy, a.sid, a.start, a.end),
                (b.policy, b.sid, b.start, b.end)
            );
        }
        assert_eq!(lazy(&text), Some(false));
        let again = text.policies().next().unwrap().policy();
        assert_eq!(**again, Policy::parse(TEXT).unwrap());
        // A set compiled again from those policies parses for itself and keeps the text only.
        let recompiled = PolicySet::compile(text.policies().cloned().collect());
        assert_eq!(lazy(&recompiled), Some(true));
        assert_eq!(recompiled.statement_text(1), parsed.statement_text(1));
    }
}
