//! The action index: from a lowercased action and a resource to the statements that may
//! apply.
//!
//! Every statement sits in exactly one kind of action bucket, the widest its patterns need:
//! - `everywhere`: it has a pattern with a wildcard in the service part (`*`, `*:Describe*`)
//!   or is a `NotAction`;
//! - `by_service[svc]`: it has a wildcard pattern inside service `svc` (`s3:Get*`);
//! - `exact[action]`: its other patterns, when literal (`s3:getobject`), unless their service
//!   already has a bucket for this statement.
//!
//! So one action reaches a statement through at most one bucket. Inside a bucket, Deny and
//! Allow statements are kept apart (the fast path looks for a deny first, then stops at the
//! first allow), and each half is narrowed by resource ([`ResourceIndex`]): a statement whose
//! every `Resource` pattern starts with literal text after the fifth colon (`bucket-7/`,
//! `table/orders`) is filed under those prefixes, and a request looks up the prefixes of its
//! own resource part. The buckets only narrow the search: each candidate's patterns are still
//! matched in full.

use std::collections::HashMap;
use std::ops::ControlFlow;

use super::hash::{prefix_hash, FastState, PrefixHasher, MAX_PREFIX};
use super::CompiledStatement;
use crate::pattern::Glob;
use crate::policy::Effect;

/// Below this many statements, a bucket half is scanned without a resource index.
const SMALL: usize = 8;

/// Statement numbers by action, then effect, then resource prefix.
#[derive(Debug, Clone, Default)]
pub struct ActionIndex {
    exact: HashMap<String, Bucket, FastState>,
    by_service: HashMap<String, Bucket, FastState>,
    everywhere: Bucket,
}

/// The statements of one action bucket, Denies apart from Allows.
#[derive(Debug, Clone, Default)]
struct Bucket {
    deny: ResourceIndex,
    allow: ResourceIndex,
}

/// Statements narrowed by the literal prefix of their resource part.
#[derive(Debug, Clone, Default)]
struct ResourceIndex {
    /// The distinct prefix lengths in `keyed`, ascending.
    lens: Vec<usize>,
    /// Prefix hash → the run of `ids` holding the statements with a pattern starting with
    /// that prefix (start, length): one flat list, not a list per prefix.
    keyed: HashMap<u64, (u32, u32), FastState>,
    /// The statements of every prefix, run after run, each run in statement order.
    ids: Box<[u32]>,
    /// Statements that any resource may reach (`*`, `NotResource`, a wildcard right after
    /// the fifth colon, or a small bucket).
    rest: Vec<u32>,
}

/// A request's resource, prepared once for every bucket of one set.
#[derive(Debug, Clone, Copy)]
pub struct ResourceProbe<'a> {
    /// The resource part (after the fifth colon), `None` when the resource is not a full ARN.
    tail: Option<&'a [u8]>,
}

impl<'a> ResourceProbe<'a> {
    fn new(resource: &'a str) -> ResourceProbe<'a> {
        ResourceProbe {
            tail: crate::arn::resource_part(resource).map(str::as_bytes),
        }
    }
}

/// The resource prefixes of every statement, flat: `spans[i]` is the run of `keys` holding
/// statement `i`'s prefixes, `None` when any resource may reach it.
struct ResourceKeys<'a> {
    keys: Vec<&'a [u8]>,
    spans: Vec<Option<(u32, u32)>>,
}

impl<'a> ResourceKeys<'a> {
    fn build(statements: &'a [CompiledStatement]) -> ResourceKeys<'a> {
        let mut out = ResourceKeys {
            keys: Vec::with_capacity(statements.len()),
            spans: Vec::with_capacity(statements.len()),
        };
        for s in statements {
            let from = out.keys.len();
            let span = out.push(s, from).and_then(|()| {
                Some((
                    u32::try_from(from).ok()?,
                    u32::try_from(out.keys.len() - from).ok()?,
                ))
            });
            if span.is_none() {
                out.keys.truncate(from);
            }
            out.spans.push(span);
        }
        out
    }

    /// Pushes one statement's prefixes (after `from`); `None` when any resource may reach it.
    fn push(&mut self, s: &'a CompiledStatement, from: usize) -> Option<()> {
        let (negated, patterns) = s.resource_patterns()?;
        if negated {
            return None;
        }
        for p in patterns {
            let prefix = p.tail_prefix()?;
            if prefix.is_empty() {
                return None;
            }
            self.keys.push(prefix.get(..MAX_PREFIX).unwrap_or(prefix));
        }
        // A key that extends another of the same statement is redundant: every resource it
        // reaches, the shorter one reaches too. Dropping it keeps each statement reachable
        // through one key per request.
        let mine = self.keys.get_mut(from..)?;
        if mine.len() > 1 {
            mine.sort_unstable();
            let mut kept: Vec<&[u8]> = Vec::with_capacity(mine.len());
            for &k in mine.iter() {
                if kept.last() != Some(&k)
                    && !mine.iter().any(|o| o.len() < k.len() && k.starts_with(o))
                {
                    kept.push(k);
                }
            }
            self.keys.truncate(from);
            self.keys.extend(kept);
        }
        Some(())
    }

    fn of(&self, id: u32) -> Option<&[&'a [u8]]> {
        let (start, len) = (*self.spans.get(id as usize)?)?;
        self.keys.get(start as usize..(start + len) as usize)
    }
}

impl ResourceIndex {
    fn build(ids: &[u32], keys: &ResourceKeys<'_>) -> ResourceIndex {
        let mut index = ResourceIndex::default();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for &id in ids {
            match keys.of(id) {
                Some(ks) if ids.len() >= SMALL => {
                    for &k in ks {
                        pairs.push((prefix_hash(k), id));
                        if !index.lens.contains(&k.len()) {
                            index.lens.push(k.len());
                        }
                    }
                }
                _ => index.rest.push(id),
            }
        }
        index.lens.sort_unstable();
        // Stable: the ids of one prefix stay in statement order.
        pairs.sort_by_key(|&(h, _)| h);
        index.keyed.reserve(pairs.len());
        let mut flat = Vec::with_capacity(pairs.len());
        for (i, &(h, id)) in pairs.iter().enumerate() {
            let Ok(at) = u32::try_from(i) else { break };
            index
                .keyed
                .entry(h)
                .and_modify(|run| run.1 += 1)
                .or_insert((at, 1));
            flat.push(id);
        }
        index.keyed.shrink_to_fit();
        index.ids = flat.into_boxed_slice();
        index.rest.shrink_to_fit();
        index
    }

    fn visit(
        &self,
        probe: &ResourceProbe<'_>,
        f: &mut impl FnMut(usize) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        for &id in &self.rest {
            f(id as usize)?;
        }
        let Some(tail) = probe.tail else {
            return ControlFlow::Continue(());
        };
        let mut hasher = PrefixHasher::new(tail);
        for &len in &self.lens {
            let Some(h) = hasher.up_to(len) else { break };
            if let Some(&(start, len)) = self.keyed.get(&h) {
                let run = self
                    .ids
                    .get(start as usize..start as usize + len as usize)
                    .unwrap_or_default();
                for &id in run {
                    f(id as usize)?;
                }
            }
        }
        ControlFlow::Continue(())
    }
}

impl Bucket {
    fn build(ids: &[u32], keys: &ResourceKeys<'_>, effects: &[Effect]) -> Bucket {
        let (deny, allow): (Vec<u32>, Vec<u32>) = ids
            .iter()
            .partition(|&&id| effects.get(id as usize) == Some(&Effect::Deny));
        Bucket {
            deny: ResourceIndex::build(&deny, keys),
            allow: ResourceIndex::build(&allow, keys),
        }
    }

    fn half(&self, effect: Effect) -> &ResourceIndex {
        match effect {
            Effect::Deny => &self.deny,
            Effect::Allow => &self.allow,
        }
    }
}

impl ActionIndex {
    /// Sorts every statement into its buckets (by its lowercased action globs).
    pub fn build(statements: &[CompiledStatement]) -> ActionIndex {
        let mut exact: HashMap<String, Vec<u32>, FastState> = HashMap::default();
        let mut by_service: HashMap<String, Vec<u32>, FastState> = HashMap::default();
        let mut everywhere = Vec::new();
        let mut wild_services: Vec<&str> = Vec::new();
        for (i, s) in statements.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { break };
            let globs = s.action_globs();
            wild_services.clear();
            // The literal service of every wildcard pattern (`s3:get*` -> `s3`); a pattern
            // whose service part has a wildcard (`*`, `s?:x`), or a NotAction, reaches
            // everywhere.
            let everywhere_too = s.action_negated()
                || globs.iter().filter(|g| !g.is_exact()).any(|g| {
                    match literal_service(g.literal_prefix()) {
                        Some(svc) => {
                            wild_services.push(svc);
                            false
                        }
                        None => true,
                    }
                });
            if everywhere_too {
                everywhere.push(id);
                continue;
            }
            for svc in &wild_services {
                push_keyed(&mut by_service, svc, id);
            }
            for p in globs.iter().filter_map(Glob::exact_text) {
                if !wild_services.contains(&service(p)) {
                    push_keyed(&mut exact, p, id);
                }
            }
        }
        let keys = ResourceKeys::build(statements);
        let effects: Vec<Effect> = statements.iter().map(|s| s.effect).collect();
        let bucket = |ids: &[u32]| Bucket::build(ids, &keys, &effects);
        ActionIndex {
            exact: exact.into_iter().map(|(k, v)| (k, bucket(&v))).collect(),
            by_service: by_service
                .into_iter()
                .map(|(k, v)| (k, bucket(&v)))
                .collect(),
            everywhere: bucket(&everywhere),
        }
    }

    /// Prepares a request's resource for [`ActionIndex::for_each_candidate`].
    pub fn probe<'a>(&self, resource: &'a str) -> ResourceProbe<'a> {
        ResourceProbe::new(resource)
    }

    /// Calls `f(statement, action_known)` for every statement of the given effect that may
    /// match `action` (lowercased) on the probed resource, until `f` breaks.
    /// `action_known` is `true` when the statement was found under the exact action, so its
    /// `Action` surely matches. A statement may be visited more than once only through a
    /// prefix-hash collision.
    pub fn for_each_candidate(
        &self,
        action: &str,
        probe: &ResourceProbe<'_>,
        effect: Effect,
        mut f: impl FnMut(usize, bool) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if let Some(b) = self.exact.get(action) {
            b.half(effect).visit(probe, &mut |i| f(i, true))?;
        }
        if let Some(b) = (!self.by_service.is_empty())
            .then(|| self.by_service.get(service(action)))
            .flatten()
        {
            b.half(effect).visit(probe, &mut |i| f(i, false))?;
        }
        self.everywhere
            .half(effect)
            .visit(probe, &mut |i| f(i, false))
    }

    /// Number of statements that every request must look at.
    #[cfg(test)]
    pub fn unindexed(&self) -> usize {
        self.everywhere.deny.rest.len() + self.everywhere.allow.rest.len()
    }
}

/// The text before the first `:` (all of `action` without one). A byte loop: the service
/// prefix is a few bytes, where `split_once`'s searcher costs a hundred instructions a call
/// (several calls a request).
fn service(action: &str) -> &str {
    let colon = action
        .bytes()
        .position(|b| b == b':')
        .unwrap_or(action.len());
    action.get(..colon).unwrap_or(action)
}

/// The service of a wildcard pattern from the literal text before its first wildcard:
/// `s3:get` (of `s3:get*`) -> `s3`; `None` when that text has no colon (`*`, `s?:x`, `s3*`),
/// so the service part itself holds a wildcard or there is none.
fn literal_service(prefix: &[u8]) -> Option<&str> {
    let colon = prefix.iter().position(|&b| b == b':')?;
    std::str::from_utf8(prefix.get(..colon)?).ok()
}

/// [`push_once`] into the list under `key`, allocating the key only for a new one.
fn push_keyed(map: &mut HashMap<String, Vec<u32>, FastState>, key: &str, id: u32) {
    match map.get_mut(key) {
        Some(v) => push_once(v, id),
        None => {
            map.insert(key.to_string(), vec![id]);
        }
    }
}

/// Appends `id` unless it is already the last entry (one statement is sorted at a time, so
/// that is enough to keep each bucket free of repeats).
fn push_once(v: &mut Vec<u32>, id: u32) {
    if v.last() != Some(&id) {
        v.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{NamedPolicy, PolicySet};
    use crate::policy::Policy;

    fn set(actions: &[&str]) -> PolicySet {
        let stmts: Vec<String> = actions
            .iter()
            .map(|a| format!(r#"{{"Effect":"Allow","Action":{a},"Resource":"*"}}"#))
            .collect();
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        );
        PolicySet::compile(vec![NamedPolicy::new("p", Policy::parse(&text).unwrap())])
    }

    fn candidates(s: &PolicySet, action: &str) -> Vec<usize> {
        let mut v = Vec::new();
        let probe = s.single_index().unwrap().probe("*");
        let _ =
            s.single_index()
                .unwrap()
                .for_each_candidate(action, &probe, Effect::Allow, |i, _| {
                    v.push(i);
                    ControlFlow::Continue(())
                });
        v
    }

    #[test]
    fn each_statement_is_visited_once() {
        let s = set(&[
            r#"["s3:GetObject","s3:Get*","S3:getobject"]"#,
            r#""ec2:Describe*""#,
            r#"["*","s3:GetObject"]"#,
        ]);
        assert_eq!(candidates(&s, "s3:getobject"), vec![0, 2]);
        assert_eq!(candidates(&s, "ec2:describeinstances"), vec![1, 2]);
        assert_eq!(candidates(&s, "sns:publish"), vec![2]);
        assert_eq!(s.single_index().unwrap().unindexed(), 1);
    }

    fn resource_candidates(s: &PolicySet, action: &str, resource: &str) -> Vec<usize> {
        let mut v = Vec::new();
        let probe = s.single_index().unwrap().probe(resource);
        let _ =
            s.single_index()
                .unwrap()
                .for_each_candidate(action, &probe, Effect::Allow, |i, _| {
                    v.push(i);
                    ControlFlow::Continue(())
                });
        v.sort();
        v
    }

    #[test]
    fn resources_narrow_large_buckets_by_literal_prefix() {
        let text =
            |r: &str| format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":{r}}}"#);
        let mut stmts: Vec<String> = (0..10)
            .map(|i| text(&format!(r#""arn:aws:s3:::b{i}/*""#)))
            .collect();
        stmts.push(text(r#""*""#));
        stmts.push(text(r#"["arn:aws:s3:::b1/x/*","arn:aws:s3:::b1/*"]"#));
        stmts.push(text(r#""arn:aws:s3:::b1""#));
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            stmts.join(",")
        );
        let s = PolicySet::compile(vec![NamedPolicy::new("p", Policy::parse(&doc).unwrap())]);
        // Candidates are a superset: `arn:aws:s3:::b1` (12) is filed under `b1`, a prefix of
        // `b1/x/k`, and is only ruled out by the full match.
        assert_eq!(
            resource_candidates(&s, "s3:getobject", "arn:aws:s3:::b1/x/k"),
            vec![1, 10, 11, 12]
        );
        assert_eq!(
            resource_candidates(&s, "s3:getobject", "arn:aws:s3:::b1"),
            vec![10, 12]
        );
        assert_eq!(resource_candidates(&s, "s3:getobject", "*"), vec![10]);
    }

    #[test]
    fn exact_patterns_of_other_services_keep_their_bucket() {
        let s = set(&[r#"["s3:Get*","sqs:SendMessage"]"#]);
        assert_eq!(candidates(&s, "sqs:sendmessage"), vec![0]);
        assert_eq!(candidates(&s, "sqs:deletequeue"), Vec::<usize>::new());
    }
}
