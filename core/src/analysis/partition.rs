//! The decision as a partition of the request space.
//!
//! A request is a point (action, resource, caller, value of each condition key). Each
//! dimension is cut into classes on which every statement of both policies behaves the
//! same: the atoms of the action and resource languages, the callers the `Principal`
//! elements tell apart, and the value classes of each key ([`super::values`]). A region is
//! one class per dimension; on it every statement applies or not as a whole, so each policy
//! has one outcome there. [`Partition::search`] walks the regions (statement sets first, as
//! bitsets, so that the product is only expanded where a statement can apply) and returns
//! those where the two outcomes are the pair asked for.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::values::{cells, cells_cut, Cell};
use super::{PolicyType, Unknown};
use crate::condition::CompiledCondition;
use crate::context::Context;
use crate::pattern::lang::{atoms, fill_empty_tails, Atom, Lang, LangError};
use crate::policy::{Condition, Effect, Policy, PrincipalKind, Statement};
use crate::principal::Principal;
use crate::request::Request;

/// A key as written and every condition on it, with whether its policy has variables.
type KeyConditions<'c> = (String, Vec<(&'c Condition, bool)>);

/// Most product-automaton states for the actions or the resources of two policies.
const STATE_LIMIT: usize = 500_000;
/// Most combinations of condition-key classes in one statement set.
const COMBINATION_LIMIT: usize = 1 << 16;

/// One statement of either policy, with its pieces ready for the dimensions.
#[derive(Debug)]
pub(crate) struct Stmt<'a> {
    /// `true` for a statement of the second (NEW) policy.
    pub new: bool,
    /// Its index in its policy.
    pub index: usize,
    pub statement: &'a Statement,
    actions: Vec<usize>,
    resources: Option<Vec<usize>>,
    conditions: Vec<CompiledCondition>,
    keys: Vec<String>,
}

/// The classes of every dimension, and the statements of both policies.
#[derive(Debug)]
pub(crate) struct Partition<'a> {
    pub kind: PolicyType,
    pub stmts: Vec<Stmt<'a>>,
    /// Lowercased action patterns and their languages.
    pub action_langs: Vec<(String, Lang)>,
    pub action_atoms: Vec<Atom>,
    pub resource_langs: Vec<(String, Lang)>,
    pub resource_atoms: Vec<Atom>,
    /// Callers: `None` is anonymous.
    pub principals: Vec<Option<String>>,
    /// Per key (lowercased): the key as written and its classes.
    pub keys: BTreeMap<String, (String, Vec<Cell>)>,
    /// The account that owns the resource in every witness.
    pub owner: String,
    action_bits: Vec<Vec<u64>>,
    resource_bits: Vec<Vec<u64>>,
    principal_bits: Vec<Vec<u64>>,
}

/// A region where the outcomes are the pair asked for, with every (action atom, resource
/// atom) pair that shares its statement set.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub pairs: Vec<(usize, usize)>,
    pub principal: usize,
    pub cells: Vec<(String, Cell)>,
    /// Indices into [`Partition::stmts`] of the Allow statements that applied on the side
    /// that allows.
    pub responsible: Vec<usize>,
    /// Indices of every statement whose action, resource and caller match the region.
    pub involved: Vec<usize>,
    /// Whether each condition of the involved statements holds: (statement, condition,
    /// holds). The outcomes are a function of these, so they describe the region exactly.
    pub truths: Vec<(usize, usize, bool)>,
}

/// Which callers a check keeps: given the caller (`None`: anonymous) and the unnamed account.
pub(crate) type PrincipalFilter = Box<dyn Fn(&Option<String>, &str) -> bool>;

/// Whether a value of a key (lowercased) is one only a caller inside the trust zone has.
pub(crate) type InsideValue = Box<dyn Fn(&str, &str) -> bool>;

/// Keys with more restricted classes, for checks that ask about outsiders only.
#[derive(Default)]
pub(crate) struct Restriction {
    /// Only these callers (by text; `None` is anonymous) are considered.
    pub principals: Option<PrincipalFilter>,
    /// Keys whose values are limited to "absent" and the given outsider value.
    pub outsider_values: HashMap<String, String>,
    /// Keys whose classes are kept except those holding a value only an insider has (a set
    /// is dropped when any of its values is an insider's).
    pub inside_values: Option<(Vec<&'static str>, InsideValue)>,
    /// Per key (lowercased), languages that also cut its value classes, so that each class
    /// lies wholly inside or wholly outside the set `inside_values` tests its representative
    /// against (a zone account, the organization id, a resource the world holds).
    pub cuts: HashMap<String, Vec<Lang>>,
    /// The resource's account, when it is known (a world's resource).
    pub owner: Option<String>,
    /// The resource itself, when it is known: the witness for resources no pattern names.
    pub resource: Option<String>,
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

fn set(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

fn and(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().zip(b).map(|(x, y)| x & y).collect()
}

fn intersects(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

fn lang_error(e: LangError) -> Unknown {
    match e {
        LangError::Variable(text) => Unknown::Variable { text },
        LangError::NonAsciiFold(value) => Unknown::NonAsciiIgnoreCase { value },
    }
}

/// Every 12-digit run in the policies' text, so that the accounts the witnesses invent are
/// named by neither policy.
fn mentioned_accounts(policies: &[&Policy], out: &mut BTreeSet<String>) {
    let mut scan = |s: &str| {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let run = b.iter().skip(i).take_while(|c| c.is_ascii_digit()).count();
            if run == 12 {
                if let Some(t) = s.get(i..i + 12) {
                    out.insert(t.to_string());
                }
            }
            i += run.max(1);
        }
    };
    for p in policies {
        for s in &p.statements {
            s.action.patterns.iter().for_each(|x| scan(x));
            if let Some(r) = &s.resource {
                r.patterns.iter().for_each(|x| scan(x));
            }
            if let Some(pr) = &s.principal {
                pr.entries.iter().for_each(|(_, x)| scan(x));
            }
            for c in &s.conditions {
                c.values.iter().for_each(|x| scan(x));
            }
        }
    }
}

fn unused_account(taken: &BTreeSet<String>, skip: usize) -> String {
    (0..)
        .map(|i| format!("{:012}", 900_000_000_000u64 + 111_111 * (i as u64 + 1)))
        .filter(|a| !taken.contains(a))
        .nth(skip)
        .unwrap_or_else(|| "999999999999".into())
}

/// The callers that the principals of both policies tell apart. A `CanonicalUser` principal
/// names an S3 canonical user id, a caller the engine does not model: UNKNOWN.
fn principal_reps(policies: &[&Policy], fresh: &str) -> Result<Vec<Option<String>>, Unknown> {
    let mut accounts = BTreeSet::new();
    let mut exact = BTreeSet::new();
    let mut services = BTreeSet::new();
    let mut providers = BTreeSet::new();
    for p in policies {
        for s in &p.statements {
            let Some(pr) = &s.principal else { continue };
            for (kind, v) in &pr.entries {
                match kind {
                    PrincipalKind::Service => {
                        services.insert(v.to_ascii_lowercase());
                    }
                    PrincipalKind::Aws => match Principal::parse(Some(v)) {
                        Ok(Principal::Root { account }) => {
                            accounts.insert(account);
                        }
                        Ok(Principal::User { account, arn, .. })
                        | Ok(Principal::FederatedUser { account, arn, .. }) => {
                            accounts.insert(account);
                            exact.insert(arn);
                        }
                        Ok(Principal::AssumedRole {
                            account,
                            arn,
                            role,
                            session,
                        }) => {
                            if session.is_empty() {
                                exact.insert(format!(
                                    "arn:aws:sts::{account}:assumed-role/{role}/polcheck"
                                ));
                            } else {
                                exact.insert(arn);
                            }
                            accounts.insert(account);
                        }
                        _ => {}
                    },
                    PrincipalKind::Federated => {
                        // A caller from an identity provider, as `Principal::parse` reads it.
                        providers.insert(if v.starts_with("arn:") {
                            v.clone()
                        } else {
                            format!("federated:{v}")
                        });
                    }
                    PrincipalKind::CanonicalUser => {
                        return Err(Unknown::Unmodelled {
                            what: format!("the CanonicalUser principal `{v}`"),
                        })
                    }
                }
            }
        }
    }
    accounts.insert(fresh.to_string());
    let mut out = vec![None];
    for a in &accounts {
        out.push(Some(format!("arn:aws:iam::{a}:root")));
        out.push(Some(format!("arn:aws:iam::{a}:user/polcheck-witness")));
        out.push(Some(format!(
            "arn:aws:sts::{a}:assumed-role/polcheck-witness/polcheck"
        )));
    }
    out.extend(exact.into_iter().map(Some));
    services.insert("polcheck-witness.amazonaws.com".into());
    out.extend(services.into_iter().map(Some));
    providers.insert("federated:polcheck-witness.example.com".into());
    out.extend(providers.into_iter().map(Some));
    Ok(out)
}

impl<'a> Partition<'a> {
    /// Cuts the request space of two policies of one kind.
    pub fn build(
        old: &'a Policy,
        new: &'a Policy,
        kind: PolicyType,
        restriction: &Restriction,
    ) -> Result<Partition<'a>, Unknown> {
        let mut taken = BTreeSet::new();
        mentioned_accounts(&[old, new], &mut taken);
        let owner = match &restriction.owner {
            Some(o) => o.clone(),
            None => unused_account(&taken, 0),
        };
        taken.insert(owner.clone());
        let fresh = unused_account(&taken, 0);

        let mut action_langs: Vec<(String, Lang)> = Vec::new();
        let mut resource_langs: Vec<(String, Lang)> = Vec::new();
        let mut lang_index: HashMap<(bool, String), usize> = HashMap::new();
        let mut by_key: BTreeMap<String, KeyConditions> = BTreeMap::new();
        let mut stmts = Vec::new();
        for (is_new, policy) in [(false, old), (true, new)] {
            let vars = policy.version.has_variables();
            for (index, s) in policy.statements.iter().enumerate() {
                let mut actions = Vec::new();
                for p in &s.action.patterns {
                    let text = p.to_ascii_lowercase();
                    let i = match lang_index.get(&(false, text.clone())) {
                        Some(i) => *i,
                        None => {
                            action_langs.push((text.clone(), Lang::glob(&text)));
                            lang_index.insert((false, text), action_langs.len() - 1);
                            action_langs.len() - 1
                        }
                    };
                    actions.push(i);
                }
                let resources = match &s.resource {
                    None => None,
                    Some(r) => {
                        let mut ids = Vec::new();
                        for p in &r.patterns {
                            let i = match lang_index.get(&(true, p.clone())) {
                                Some(i) => *i,
                                None => {
                                    let lang =
                                        super::values::arn_lang(p, vars).map_err(lang_error)?;
                                    resource_langs.push((p.clone(), lang));
                                    lang_index.insert((true, p.clone()), resource_langs.len() - 1);
                                    resource_langs.len() - 1
                                }
                            };
                            ids.push(i);
                        }
                        Some(ids)
                    }
                };
                let mut keys = Vec::new();
                for c in &s.conditions {
                    let k = c.key.to_ascii_lowercase();
                    by_key
                        .entry(k.clone())
                        .or_insert_with(|| (c.key.clone(), Vec::new()))
                        .1
                        .push((c, vars));
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                stmts.push(Stmt {
                    new: is_new,
                    index,
                    statement: s,
                    actions,
                    resources,
                    conditions: s
                        .conditions
                        .iter()
                        .map(|c| {
                            CompiledCondition::new(
                                c.operator,
                                &c.key,
                                &c.values,
                                policy.version.has_variables(),
                            )
                        })
                        .collect(),
                    keys,
                });
            }
        }
        let too_complex = |what: &str| Unknown::TooComplex { what: what.into() };
        let langs: Vec<Lang> = action_langs.iter().map(|(_, l)| l.clone()).collect();
        let mut action_atoms =
            atoms(&langs, STATE_LIMIT).map_err(|_| too_complex("the actions"))?;
        fill_empty_tails(&mut action_atoms, &langs, &["x:x", "z:z", "a0:a0"]);
        let langs: Vec<Lang> = resource_langs.iter().map(|(_, l)| l.clone()).collect();
        let mut resource_atoms =
            atoms(&langs, STATE_LIMIT).map_err(|_| too_complex("the resources"))?;
        fill_empty_tails(&mut resource_atoms, &langs, &[]);
        // A nicer name for the class of resources no pattern names.
        let mut defaults: Vec<String> = restriction.resource.iter().cloned().collect();
        defaults.extend(match kind {
            PolicyType::Trust => vec![format!("arn:aws:iam::{owner}:role/polcheck-witness")],
            _ => vec![
                "arn:aws:s3:::polcheck-witness".to_string(),
                format!("arn:aws:sqs:us-east-1:{owner}:polcheck-witness"),
                "*".to_string(),
            ],
        });
        for atom in resource_atoms.iter_mut() {
            if !atom.witness.is_empty() {
                continue;
            }
            if let Some(d) = defaults.iter().find(|d| atom.keeps(&langs, d)) {
                atom.witness = d.clone();
            }
        }
        let principals = if kind.has_principals() {
            principal_reps(&[old, new], &fresh)?
        } else {
            vec![Some(format!("arn:aws:iam::{owner}:user/polcheck-witness"))]
        };
        let principals: Vec<Option<String>> = match &restriction.principals {
            Some(f) => principals.into_iter().filter(|p| f(p, &fresh)).collect(),
            None => principals,
        };
        let mut keys = BTreeMap::new();
        for (k, (written, list)) in by_key {
            let c = match restriction.outsider_values.get(&k) {
                Some(v) => {
                    // Still refuse what the classes cannot decide.
                    cells(&k, &list, &[])?;
                    let v = v.replace("{fresh}", &fresh);
                    vec![Cell::Unset, Cell::Set(crate::ContextValue::single(v))]
                }
                None => cells_cut(
                    &k,
                    &list,
                    restriction.cuts.get(&k).map(Vec::as_slice).unwrap_or(&[]),
                )?,
            };
            let c = match &restriction.inside_values {
                Some((filtered, inside)) if filtered.contains(&k.as_str()) => c
                    .into_iter()
                    .filter(|cell| match cell {
                        Cell::Unset => true,
                        Cell::Set(v) => !v.values().iter().any(|x| inside(&k, x)),
                    })
                    .collect(),
                _ => c,
            };
            keys.insert(k, (written, c));
        }
        let words = stmts.len().div_ceil(64).max(1);
        let action_bits = action_atoms
            .iter()
            .map(|atom| {
                let mut b = vec![0; words];
                for (i, s) in stmts.iter().enumerate() {
                    let hit = s.actions.iter().any(|&l| atom.contains(l));
                    if hit != s.statement.action.negated {
                        set(&mut b, i);
                    }
                }
                b
            })
            .collect();
        let resource_bits = resource_atoms
            .iter()
            .map(|atom| {
                let mut b = vec![0; words];
                for (i, s) in stmts.iter().enumerate() {
                    let hit = match (&s.resources, &s.statement.resource) {
                        (Some(ids), Some(r)) => ids.iter().any(|&l| atom.contains(l)) != r.negated,
                        _ => true,
                    };
                    if hit {
                        set(&mut b, i);
                    }
                }
                b
            })
            .collect();
        let principal_bits = principals
            .iter()
            .map(|p| {
                let mut b = vec![0; words];
                let caller = Principal::parse(p.as_deref()).ok();
                for (i, s) in stmts.iter().enumerate() {
                    let hit = if kind.has_principals() {
                        match (&caller, &s.statement.principal) {
                            (Some(c), Some(clause)) => c.matched_by(clause).is_some(),
                            _ => false,
                        }
                    } else {
                        true
                    };
                    if hit {
                        set(&mut b, i);
                    }
                }
                b
            })
            .collect();
        Ok(Partition {
            kind,
            stmts,
            action_langs,
            action_atoms,
            resource_langs,
            resource_atoms,
            principals,
            keys,
            owner,
            action_bits,
            resource_bits,
            principal_bits,
        })
    }

    /// The account that owns the resource for a caller: the caller's own for the kinds that
    /// ask about one account, the unnamed owner for resource and trust policies.
    pub fn resource_account(&self) -> &str {
        &self.owner
    }

    /// The context a caller's request carries before any key is set.
    fn base_context(&self, principal: &Option<String>) -> Context {
        match Request::new(
            principal.as_deref(),
            "polcheck:Witness",
            "*",
            Context::new(),
        ) {
            Ok(mut r) => {
                r.set_resource_account(Some(self.owner.clone()));
                r.context().clone()
            }
            Err(_) => Context::new(),
        }
    }

    /// Every region where `want(allowed by OLD, allowed by NEW)` holds. `gaining_new`: the
    /// side whose Allow statements must apply there (NEW for new access).
    pub fn search(
        &self,
        gaining_new: bool,
        want: impl Fn(bool, bool) -> bool,
    ) -> Result<Vec<Found>, Unknown> {
        let words = self.stmts.len().div_ceil(64).max(1);
        let mut need = vec![0u64; words];
        for (i, s) in self.stmts.iter().enumerate() {
            if s.new == gaining_new && s.statement.effect == Effect::Allow {
                set(&mut need, i);
            }
        }
        // Action × resource first: the statement sets they leave, each with its pairs.
        let mut groups: HashMap<Vec<u64>, Vec<(usize, usize)>> = HashMap::new();
        let mut order: Vec<Vec<u64>> = Vec::new();
        for (ai, ab) in self.action_bits.iter().enumerate() {
            if !intersects(ab, &need) {
                continue;
            }
            for (ri, rb) in self.resource_bits.iter().enumerate() {
                let b = and(ab, rb);
                if !intersects(&b, &need) {
                    continue;
                }
                let e = groups.entry(b.clone()).or_insert_with(|| {
                    order.push(b);
                    Vec::new()
                });
                e.push((ai, ri));
            }
        }
        let mut out = Vec::new();
        for b in &order {
            let Some(pairs) = groups.get(b) else { continue };
            for (pi, pb) in self.principal_bits.iter().enumerate() {
                let bits = and(b, pb);
                if !intersects(&bits, &need) {
                    continue;
                }
                let involved: Vec<usize> =
                    (0..self.stmts.len()).filter(|&i| bit(&bits, i)).collect();
                let principal = self.principals.get(pi).cloned().flatten();
                self.search_conditions(
                    &involved,
                    &principal,
                    &want,
                    gaining_new,
                    |cells, responsible, truths| {
                        out.push(Found {
                            pairs: pairs.clone(),
                            principal: pi,
                            cells,
                            responsible,
                            involved: involved.clone(),
                            truths,
                        });
                    },
                )?;
            }
        }
        Ok(out)
    }

    fn search_conditions(
        &self,
        involved: &[usize],
        principal: &Option<String>,
        want: &impl Fn(bool, bool) -> bool,
        gaining_new: bool,
        mut found: impl FnMut(Vec<(String, Cell)>, Vec<usize>, Vec<(usize, usize, bool)>),
    ) -> Result<(), Unknown> {
        let mut keys: Vec<&String> = Vec::new();
        for &i in involved {
            if let Some(s) = self.stmts.get(i) {
                for k in &s.keys {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
        }
        keys.sort();
        let dims: Vec<(&String, &Vec<Cell>)> = keys
            .iter()
            .filter_map(|k| self.keys.get(*k).map(|(_, c)| (*k, c)))
            .collect();
        let total = dims
            .iter()
            .try_fold(1usize, |acc, (_, c)| acc.checked_mul(c.len().max(1)))
            .unwrap_or(usize::MAX);
        if total > COMBINATION_LIMIT {
            return Err(Unknown::TooComplex {
                what: format!(
                    "the condition keys {}",
                    keys.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let base = self.base_context(principal);
        let mut seen: std::collections::HashSet<Vec<bool>> = std::collections::HashSet::new();
        let mut odometer = vec![0usize; dims.len()];
        loop {
            let mut ctx = base.clone();
            for (d, &i) in dims.iter().zip(&odometer) {
                if let Some(Cell::Set(v)) = d.1.get(i) {
                    ctx.insert(d.0, v.clone());
                }
            }
            let mut allow = [false; 2];
            let mut deny = [false; 2];
            let mut applying = Vec::new();
            let mut truths = Vec::new();
            for &i in involved {
                let Some(s) = self.stmts.get(i) else { continue };
                let mut all = true;
                for (ci, c) in s.conditions.iter().enumerate() {
                    let holds = c.evaluate(&ctx);
                    truths.push((i, ci, holds));
                    all &= holds;
                }
                if all {
                    let side = usize::from(s.new);
                    match s.statement.effect {
                        Effect::Allow => {
                            if let Some(a) = allow.get_mut(side) {
                                *a = true;
                            }
                            if s.new == gaining_new {
                                applying.push(i);
                            }
                        }
                        Effect::Deny => {
                            if let Some(d) = deny.get_mut(side) {
                                *d = true;
                            }
                        }
                    }
                }
            }
            let old_allowed = allow.first() == Some(&true) && deny.first() != Some(&true);
            let new_allowed = allow.get(1) == Some(&true) && deny.get(1) != Some(&true);
            let vector: Vec<bool> = truths.iter().map(|t| t.2).collect();
            if want(old_allowed, new_allowed) && seen.insert(vector) {
                let cells = dims
                    .iter()
                    .zip(&odometer)
                    .filter_map(|(d, &i)| d.1.get(i).map(|c| (d.0.clone(), c.clone())))
                    .collect();
                found(cells, applying, truths);
            }
            // Next combination.
            let mut pos = 0;
            loop {
                let Some(slot) = odometer.get_mut(pos) else {
                    return Ok(());
                };
                let len = dims.get(pos).map(|d| d.1.len()).unwrap_or(1);
                *slot += 1;
                if *slot < len {
                    break;
                }
                *slot = 0;
                pos += 1;
            }
        }
    }
}
