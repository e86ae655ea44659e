//! The action index: from a lowercased action to the statements that may name it.
//!
//! Every statement sits in exactly one kind of bucket, the widest its patterns need:
//! - `everywhere`: it has a pattern with a wildcard in the service part (`*`, `*:Describe*`)
//!   or is a `NotAction`;
//! - `by_service[svc]`: it has a wildcard pattern inside service `svc` (`s3:Get*`);
//! - `exact[action]`: its other patterns, when literal (`s3:getobject`), unless their service
//!   already has a bucket for this statement.
//!
//! So one action reaches a statement through at most one bucket, and every candidate is
//! visited once without a "seen" set. The buckets only narrow the search: each candidate's
//! patterns are still matched in full.

use std::collections::HashMap;

use super::CompiledStatement;

/// Statement numbers by action.
#[derive(Debug, Clone, Default)]
pub struct ActionIndex {
    exact: HashMap<String, Vec<u32>>,
    by_service: HashMap<String, Vec<u32>>,
    everywhere: Vec<u32>,
}

impl ActionIndex {
    /// Sorts every statement into its buckets.
    pub fn build(statements: &[CompiledStatement]) -> ActionIndex {
        let mut index = ActionIndex::default();
        for (i, s) in statements.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { break };
            let (patterns, negated) = s.action_patterns();
            let wild_services: Option<Vec<&str>> = if negated {
                None
            } else {
                patterns
                    .iter()
                    .filter(|p| has_wildcard(p))
                    .map(|p| literal_service(p))
                    .collect()
            };
            let Some(wild_services) = wild_services else {
                index.everywhere.push(id);
                continue;
            };
            for svc in &wild_services {
                push_once(index.by_service.entry(svc.to_string()).or_default(), id);
            }
            for p in patterns.iter().filter(|p| !has_wildcard(p)) {
                if !wild_services.contains(&service(p)) {
                    push_once(index.exact.entry(p.clone()).or_default(), id);
                }
            }
        }
        index
    }

    /// Calls `f` once for every statement that may match `action` (lowercased).
    pub fn for_each_candidate(&self, action: &str, mut f: impl FnMut(usize)) {
        if let Some(list) = self.exact.get(action) {
            list.iter().for_each(|&id| f(id as usize));
        }
        if let Some(list) = self.by_service.get(service(action)) {
            list.iter().for_each(|&id| f(id as usize));
        }
        self.everywhere.iter().for_each(|&id| f(id as usize));
    }

    /// Number of statements that every request must look at.
    #[cfg(test)]
    pub fn unindexed(&self) -> usize {
        self.everywhere.len()
    }
}

fn has_wildcard(p: &str) -> bool {
    p.contains(['*', '?'])
}

fn service(action: &str) -> &str {
    action.split_once(':').map_or(action, |(s, _)| s)
}

/// The service of a pattern when it is literal (`s3:get*` → `s3`); `None` for `*`, `s?:x`.
fn literal_service(p: &str) -> Option<&str> {
    let (svc, _) = p.split_once(':')?;
    (!has_wildcard(svc)).then_some(svc)
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
        s.index.for_each_candidate(action, |i| v.push(i));
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
        assert_eq!(s.index.unindexed(), 1);
    }

    #[test]
    fn exact_patterns_of_other_services_keep_their_bucket() {
        let s = set(&[r#"["s3:Get*","sqs:SendMessage"]"#]);
        assert_eq!(candidates(&s, "sqs:sendmessage"), vec![0]);
        assert_eq!(candidates(&s, "sqs:deletequeue"), Vec::<usize>::new());
    }
}
