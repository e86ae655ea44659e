//! `diff`: does NEW allow anything OLD does not? The regions of the partition where NEW
//! allows and OLD does not, each described (actions, resources, callers, condition values,
//! the NEW statements responsible) and with a witness the engine confirms.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use super::partition::{Found, Partition, Restriction};
use super::values::Cell;
use super::witness::{Judge, Witness};
use super::{AnalysisError, PolicyType, Unknown};
use crate::context::ContextValue;
use crate::pattern::lang::Atom;
use crate::policy::Policy;

/// Most regions a report lists; the rest are counted in [`Diff::omitted`].
pub const MAX_REGIONS: usize = 50;

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Nothing is newly allowed.
    Pass,
    /// Something is: see the regions.
    Fail,
    /// A construct outside what the analysis decides.
    Unknown(Unknown),
}

impl Verdict {
    /// `PASS`, `FAIL` or `UNKNOWN`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Unknown(_) => "UNKNOWN",
        }
    }
}

/// One region of newly allowed requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The action classes: `s3:* except s3:get*`.
    pub actions: Vec<String>,
    /// Catalogue actions in those classes (at most 20).
    pub example_actions: Vec<String>,
    /// The resource classes.
    pub resources: Vec<String>,
    /// The callers (for resource and trust policies).
    pub principals: Vec<String>,
    /// The conditions of the statements involved, each with whether it holds in the region:
    /// `IpAddress `aws:SourceIp` ["10.0.0.0/8"] holds`. The outcomes depend only on these.
    pub conditions: Vec<String>,
    /// The statements that allow it on the allowing side: `NEW statement 1 (Sid "All", line 4)`.
    pub statements: Vec<String>,
    /// A request in the region, confirmed by the engine.
    pub witness: Witness,
}

impl Region {
    /// The region as the JSON of `polcheck diff --format json`.
    pub fn to_json(&self) -> Value {
        json!({
            "actions": self.actions,
            "exampleActions": self.example_actions,
            "resources": self.resources,
            "principals": self.principals,
            "conditions": self.conditions,
            "statements": self.statements,
            "witness": self.witness.to_json(),
        })
    }
}

/// What [`diff`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// PASS, FAIL or UNKNOWN.
    pub verdict: Verdict,
    /// The newly allowed regions (empty unless FAIL), at most [`MAX_REGIONS`].
    pub regions: Vec<Region>,
    /// Regions found beyond [`MAX_REGIONS`].
    pub omitted: usize,
}

impl Diff {
    /// `{"result", "newAccess": [...]}` (and `"unknown"` naming the construct).
    pub fn to_json(&self, field: &str) -> Value {
        let mut v = json!({
            "result": self.verdict.as_str(),
            field: self.regions.iter().map(Region::to_json).collect::<Vec<_>>(),
        });
        if let (Verdict::Unknown(u), Some(m)) = (&self.verdict, v.as_object_mut()) {
            m.insert("unknown".into(), json!(u.to_string()));
        }
        if let (true, Some(m)) = (self.omitted > 0, v.as_object_mut()) {
            m.insert("omitted".into(), json!(self.omitted));
        }
        v
    }
}

pub(crate) fn parse(which: &str, text: &str) -> Result<Policy, AnalysisError> {
    Policy::parse(text).map_err(|error| AnalysisError::Policy {
        which: which.to_string(),
        error: Box::new(error),
    })
}

/// Does `new` allow anything `old` does not? Both are policy documents of `kind`.
pub fn diff(old: &str, new: &str, kind: PolicyType) -> Result<Diff, AnalysisError> {
    compare(old, new, kind, &Restriction::default(), "NEW")
}

/// Access `old` had that `new` lost (the reverse of [`diff`]).
pub fn removed(old: &str, new: &str, kind: PolicyType) -> Result<Diff, AnalysisError> {
    compare(new, old, kind, &Restriction::default(), "OLD")
}

/// The requests `b` allows and `a` does not, under a restriction; `label` names `b`.
pub(crate) fn compare(
    a: &str,
    b: &str,
    kind: PolicyType,
    restriction: &Restriction,
    label: &str,
) -> Result<Diff, AnalysisError> {
    compare_named(a, b, kind, restriction, label, &[])
}

/// [`compare`], with `names[i]` saying where statement `i` of `b` comes from (a merged
/// document's statements name their own policies); empty: by their place in `b`.
pub(crate) fn compare_named(
    a: &str,
    b: &str,
    kind: PolicyType,
    restriction: &Restriction,
    label: &str,
    names: &[String],
) -> Result<Diff, AnalysisError> {
    let pa = parse(if label == "NEW" { "OLD" } else { "NEW" }, a)?;
    let pb = parse(label, b)?;
    let unknown = |u| Diff {
        verdict: Verdict::Unknown(u),
        regions: Vec::new(),
        omitted: 0,
    };
    let part = match Partition::build(&pa, &pb, kind, restriction) {
        Ok(p) => p,
        Err(u) => return Ok(unknown(u)),
    };
    let found = match part.search(true, |old, new| new && !old) {
        Ok(f) => f,
        Err(u) => return Ok(unknown(u)),
    };
    if found.is_empty() {
        return Ok(Diff {
            verdict: Verdict::Pass,
            regions: Vec::new(),
            omitted: 0,
        });
    }
    let judge = Judge::new(kind, a, b)?;
    let mut regions = Vec::new();
    let rects = rectangles(&found);
    let total = rects.len();
    let mut examples = HashMap::new();
    for rect in rects.into_iter().take(MAX_REGIONS) {
        let region = describe(&part, &rect, (label, names), &mut examples);
        if !judge.confirms(&region.witness) {
            return Err(AnalysisError::Unconfirmed(region.witness.to_string()));
        }
        regions.push(region);
    }
    Ok(Diff {
        verdict: Verdict::Fail,
        regions,
        omitted: total.saturating_sub(MAX_REGIONS),
    })
}

/// A product region: action atoms × resource atoms × callers, with one class per key.
pub(crate) struct Rect {
    actions: Vec<usize>,
    resources: Vec<usize>,
    principals: Vec<usize>,
    cells: Vec<(String, Cell)>,
    responsible: Vec<usize>,
    involved: Vec<usize>,
    truths: Vec<(usize, usize, bool)>,
}

/// Cuts each found region into products and merges those that differ only by caller.
fn rectangles(found: &[Found]) -> Vec<Rect> {
    let mut out: Vec<Rect> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for f in found {
        // resource atom → its action atoms; then resources with the same action set merge.
        let mut by_resource: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (a, r) in &f.pairs {
            by_resource.entry(*r).or_default().push(*a);
        }
        let mut by_actions: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
        for (r, mut acts) in by_resource {
            acts.sort_unstable();
            by_actions.entry(acts).or_default().push(r);
        }
        for (actions, resources) in by_actions {
            let key = format!(
                "{actions:?}|{resources:?}|{:?}|{:?}",
                f.cells, f.responsible
            );
            match index.get(&key).and_then(|&i| out.get_mut(i)) {
                Some(rect) => rect.principals.push(f.principal),
                None => {
                    index.insert(key, out.len());
                    out.push(Rect {
                        actions,
                        resources,
                        principals: vec![f.principal],
                        cells: f.cells.clone(),
                        responsible: f.responsible.clone(),
                        involved: f.involved.clone(),
                        truths: f.truths.clone(),
                    });
                }
            }
        }
    }
    out
}

/// `s3:* except s3:get*`: the patterns (of the statements involved) an atom is in and out of.
fn describe_atom(atom: &Atom, texts: &[(usize, &str)], everything: &str) -> String {
    let mut inside: Vec<&str> = Vec::new();
    let mut outside: Vec<&str> = Vec::new();
    for (i, t) in texts {
        let list = if atom.contains(*i) {
            &mut inside
        } else {
            &mut outside
        };
        if !list.contains(t) {
            list.push(t);
        }
    }
    // `*` says nothing next to a narrower pattern.
    if inside.len() > 1 {
        inside.retain(|t| *t != "*");
    }
    let head = if inside.is_empty() {
        everything.to_string()
    } else {
        inside.join(" and ")
    };
    if outside.is_empty() {
        head
    } else {
        format!("{head} except {}", outside.join(", "))
    }
}

/// Catalogue actions in an action atom (exactly: same membership in every pattern), at most
/// `limit`, in catalogue order.
///
/// A pattern's literal head (its text before the first wildcard) rules services out: a service
/// whose `prefix:` disagrees with the head has no action in the pattern. So when the atom lies
/// in a pattern whose head names a service (`sqs:send*`), only that service is read, and in
/// every service only the patterns whose head agrees with it are matched.
#[cfg(feature = "catalogue")]
fn catalogue_actions(part: &Partition, atom: &Atom, limit: usize) -> Vec<String> {
    let Ok(cat) = crate::catalogue::Catalogue::get() else {
        return Vec::new();
    };
    let heads: Vec<&str> = part
        .action_langs
        .iter()
        .map(|(t, _)| t.split(['*', '?']).next().unwrap_or_default())
        .collect();
    let named = heads
        .iter()
        .enumerate()
        .filter(|(i, _)| atom.contains(*i))
        .find_map(|(_, h)| h.split_once(':').map(|(svc, _)| svc));
    let services: Vec<&crate::catalogue::Service> = match named {
        Some(prefix) => cat.service(prefix).into_iter().collect(),
        None => cat.services().iter().collect(),
    };
    let mut out = Vec::new();
    let mut full = String::new();
    let mut relevant = Vec::new();
    'services: for svc in services {
        let head = format!("{}:", svc.prefix().to_ascii_lowercase());
        relevant.clear();
        for (i, h) in heads.iter().enumerate() {
            if h.starts_with(&head) || head.starts_with(h) {
                relevant.push(i);
            } else if atom.contains(i) {
                continue 'services;
            }
        }
        for a in svc.actions() {
            full.clear();
            full.push_str(&head);
            full.extend(a.name().chars().map(|c| c.to_ascii_lowercase()));
            let inside = relevant.iter().all(|&i| {
                part.action_langs
                    .get(i)
                    .is_some_and(|(_, l)| l.is_match(&full) == atom.contains(i))
            });
            if inside {
                out.push(format!("{}:{}", svc.prefix(), a.name()));
                if out.len() >= limit {
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(not(feature = "catalogue"))]
fn catalogue_actions(_: &Partition, _: &Atom, _: usize) -> Vec<String> {
    Vec::new()
}

fn statement_label(part: &Partition, i: usize, (side, names): (&str, &[String])) -> String {
    let Some(s) = part.stmts.get(i) else {
        return String::new();
    };
    if let Some(name) = names.get(s.index).filter(|_| s.new) {
        return format!("{side} {name}");
    }
    let sid = s
        .statement
        .sid
        .as_deref()
        .map(|x| format!("Sid \"{x}\", "))
        .unwrap_or_default();
    format!(
        "{side} statement {} ({sid}line {})",
        s.index, s.statement.start.line
    )
}

/// `examples`: the catalogue actions of each action atom (at most 20), found once per diff.
fn describe(
    part: &Partition,
    rect: &Rect,
    label: (&str, &[String]),
    examples: &mut HashMap<usize, Vec<String>>,
) -> Region {
    let action_texts: Vec<(usize, &str)> = involved_langs(part, &rect.involved, true);
    let resource_texts: Vec<(usize, &str)> = involved_langs(part, &rect.involved, false);
    let mut example_actions = Vec::new();
    let mut actions = Vec::new();
    let mut witness_action = None;
    for &a in &rect.actions {
        let Some(atom) = part.action_atoms.get(a) else {
            continue;
        };
        actions.push(describe_atom(atom, &action_texts, "any action"));
        if example_actions.len() < 20 {
            let found = examples
                .entry(a)
                .or_insert_with(|| catalogue_actions(part, atom, 20));
            if witness_action.is_none() {
                witness_action = found.first().cloned();
            }
            let room = 20 - example_actions.len();
            example_actions.extend(found.iter().take(room).cloned());
        }
    }
    let first_atom = rect.actions.first().and_then(|&a| part.action_atoms.get(a));
    let action = witness_action
        .or_else(|| first_atom.map(|a| a.witness.clone()))
        .unwrap_or_default();
    let resources: Vec<String> = rect
        .resources
        .iter()
        .filter_map(|&r| part.resource_atoms.get(r))
        .map(|atom| describe_atom(atom, &resource_texts, "any resource"))
        .collect();
    let resource = rect
        .resources
        .first()
        .and_then(|&r| part.resource_atoms.get(r))
        .map(|a| a.witness.clone())
        .unwrap_or_default();
    let principals: Vec<String> = rect
        .principals
        .iter()
        .filter_map(|&p| part.principals.get(p))
        .map(|p| p.clone().unwrap_or_else(|| "anonymous".into()))
        .collect();
    let principal = rect
        .principals
        .first()
        .and_then(|&p| part.principals.get(p))
        .cloned()
        .flatten();
    let context: Vec<(String, ContextValue)> = rect
        .cells
        .iter()
        .filter_map(|(k, c)| match c {
            Cell::Set(v) => Some((written_key(part, k), v.clone())),
            Cell::Unset => None,
        })
        .collect();
    let mut conditions: Vec<String> = Vec::new();
    for (si, ci, holds) in &rect.truths {
        let Some(s) = part.stmts.get(*si) else {
            continue;
        };
        let Some(c) = s.statement.conditions.get(*ci) else {
            continue;
        };
        let text = format!(
            "{} `{}` {} {}",
            c.operator,
            c.key,
            serde_json::json!(c.values),
            if *holds { "holds" } else { "does not hold" }
        );
        if !conditions.contains(&text) {
            conditions.push(text);
        }
    }
    let statements = rect
        .responsible
        .iter()
        .map(|&i| statement_label(part, i, label))
        .collect();
    Region {
        actions,
        example_actions,
        resources: if part.resource_langs.is_empty() {
            vec!["any resource".into()]
        } else {
            resources
        },
        principals: if part.kind.has_principals() {
            principals
        } else {
            Vec::new()
        },
        conditions,
        statements,
        witness: Witness {
            principal,
            action,
            resource,
            resource_account: part.resource_account().to_string(),
            context,
        },
    }
}

fn written_key(part: &Partition, k: &str) -> String {
    part.keys
        .get(k)
        .map(|(w, _)| w.clone())
        .unwrap_or_else(|| k.to_string())
}

/// The language indices (with their texts) of the statements involved in a region.
fn involved_langs<'p>(
    part: &'p Partition,
    involved: &[usize],
    actions: bool,
) -> Vec<(usize, &'p str)> {
    let mut out: Vec<(usize, &str)> = Vec::new();
    for &i in involved {
        let Some(s) = part.stmts.get(i) else { continue };
        let (patterns, langs): (Vec<String>, &Vec<(String, crate::pattern::lang::Lang)>) =
            if actions {
                (
                    s.statement
                        .action
                        .patterns
                        .iter()
                        .map(|p| p.to_ascii_lowercase())
                        .collect(),
                    &part.action_langs,
                )
            } else {
                (
                    s.statement
                        .resource
                        .as_ref()
                        .map(|r| r.patterns.clone())
                        .unwrap_or_default(),
                    &part.resource_langs,
                )
            };
        for p in patterns {
            if let Some(j) = langs.iter().position(|(t, _)| *t == p) {
                if !out.iter().any(|(x, _)| *x == j) {
                    if let Some((t, _)) = langs.get(j) {
                        out.push((j, t.as_str()));
                    }
                }
            }
        }
    }
    out
}
