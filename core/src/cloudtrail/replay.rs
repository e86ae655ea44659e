//! Replaying events against a world, and against a proposed one: the tallies behind
//! `polcheck replay`.
//!
//! A [`Tally`] takes each event with the outcome the engine gave it (and the outcome under
//! the proposed world); tallies of different threads [`Tally::merge`]. Events are grouped by
//! caller (the role for a role's sessions: `aws:PrincipalArn`) and action, each group keeping
//! its count and its first event as the example.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::decide::Outcome;
use crate::principal::Principal;
use crate::request::Request;
use crate::Engine;

use super::map::{MappedEvent, Observed, Unmapped};

/// How many distinct resources per caller and action the usage keeps; past it, the action is
/// marked as used on more (and least privilege falls back to a prefix).
pub const MAX_RESOURCES: usize = 256;

/// The group key of a caller: `aws:PrincipalArn` (the role for role sessions), the service
/// principal, or `anonymous`.
pub fn principal_key(p: &Principal) -> String {
    match p {
        Principal::Anonymous => "anonymous".to_string(),
        Principal::Service { name } => name.clone(),
        other => other.principal_arn().unwrap_or_default(),
    }
}

/// The caller as [`Request::new`] reads it back.
pub fn caller_text(p: &Principal) -> Option<String> {
    match p {
        Principal::Anonymous | Principal::Unnamed => None,
        Principal::Root { account } => Some(format!("arn:aws:iam::{account}:root")),
        Principal::User { arn, .. }
        | Principal::AssumedRole { arn, .. }
        | Principal::FederatedUser { arn, .. } => Some(arn.clone()),
        Principal::Service { name } => Some(name.clone()),
        Principal::IdentityProvider { provider } if provider.starts_with("arn:") => {
            Some(provider.clone())
        }
        Principal::IdentityProvider { provider } => Some(format!("federated:{provider}")),
    }
}

/// The maps of a [`Tally`] hash with the core's multiply-rotate hasher: their keys are the
/// callers and actions the replay read, so a chosen collision would only cost its author
/// time, and SipHash was a tenth of replaying an event.
pub type TallyMap<K, V> = HashMap<K, V, TallyHash>;

/// The hasher builder of a [`TallyMap`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TallyHash;

impl std::hash::BuildHasher for TallyHash {
    type Hasher = TallyHasher;
    fn build_hasher(&self) -> TallyHasher {
        TallyHasher(std::hash::BuildHasher::build_hasher(&crate::hash::Fx))
    }
}

/// The hasher of a [`TallyMap`].
pub struct TallyHasher(crate::hash::FxHasher);

impl std::hash::Hasher for TallyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
    }
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// Events of one caller and action, with one example.
#[derive(Debug, Clone)]
pub struct Group {
    /// How many events.
    pub count: u64,
    /// The first event seen.
    pub example: MappedEvent,
}

/// What one caller did in the window: for each action, the resources it succeeded on.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// A caller to ask as (the first event's).
    pub caller: Option<String>,
    /// Action → resources (at most [`MAX_RESOURCES`]) and whether more were seen.
    pub actions: BTreeMap<String, (BTreeSet<String>, bool)>,
}

/// Counts of a replay, mergeable across threads.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Every record read.
    pub events: u64,
    /// Records that are no request, by reason.
    pub unmapped: BTreeMap<String, u64>,
    /// Mapped events by (observed, polcheck's outcome against the world).
    pub agreement: TallyMap<(Observed, Outcome), u64>,
    /// Events CloudTrail says succeeded that polcheck denies, and denied ones it allows, by
    /// (caller, action, observed).
    pub mismatches: TallyMap<(String, String, Observed), Group>,
    /// Decisions that change under the proposed world, by (caller, action, before, after).
    pub flips: TallyMap<(String, String, Outcome, Outcome), Group>,
    /// Events whose decision does not change under the proposed world.
    pub unchanged: u64,
    /// What each caller succeeded at, by [`principal_key`].
    pub usage: TallyMap<String, Usage>,
}

fn denied(o: Outcome) -> bool {
    o != Outcome::Allowed
}

impl Tally {
    /// Counts a record that is no request.
    pub fn unmapped(&mut self, why: &Unmapped) {
        self.events += 1;
        *self.unmapped.entry(why.to_string()).or_insert(0) += 1;
    }

    /// Counts an event, decided `before` against the world and `after` against the proposed one.
    pub fn add(&mut self, ev: &MappedEvent, before: Outcome, after: Option<Outcome>) {
        let who = principal_key(ev.request.principal());
        let caller = caller_text(ev.request.principal());
        let parts = Parts {
            who: &who,
            caller: caller.as_deref(),
            action: ev.request.action(),
            resource: ev.request.resource(),
            observed: ev.observed,
        };
        self.add_parts(&parts, before, after, &mut || Ok(ev.clone()));
    }

    /// [`Tally::add`] from the parts of an event; `example` makes the event when a group
    /// needs it as its example.
    pub(crate) fn add_parts(
        &mut self,
        ev: &Parts<'_>,
        before: Outcome,
        after: Option<Outcome>,
        example: &mut dyn FnMut() -> Result<MappedEvent, Unmapped>,
    ) {
        self.events += 1;
        *self.agreement.entry((ev.observed, before)).or_insert(0) += 1;
        let who = ev.who;
        let disagrees = before != Outcome::Unknown
            && match ev.observed {
                Observed::Succeeded => denied(before),
                Observed::Denied => !denied(before),
                Observed::OtherError => false,
            };
        if disagrees {
            bump(
                &mut self.mismatches,
                (who.to_string(), ev.action.to_string(), ev.observed),
                example,
            );
        }
        match after {
            Some(a) if a != before => bump(
                &mut self.flips,
                (who.to_string(), ev.action.to_string(), before, a),
                example,
            ),
            Some(_) => self.unchanged += 1,
            None => {}
        }
        if ev.observed == Observed::Succeeded {
            let u = match self.usage.get_mut(who) {
                Some(u) => u,
                None => self.usage.entry(who.to_string()).or_default(),
            };
            if u.caller.is_none() {
                u.caller = ev.caller.map(str::to_string);
            }
            // Most events repeat an action and a resource already seen: look before copying.
            let action = ev.action;
            let entry = match u.actions.get_mut(action) {
                Some(e) => e,
                None => u.actions.entry(action.to_string()).or_default(),
            };
            let resource = ev.resource;
            if !entry.0.contains(resource) {
                if entry.0.len() < MAX_RESOURCES {
                    entry.0.insert(resource.to_string());
                } else {
                    entry.1 = true;
                }
            }
        }
    }

    /// Adds another thread's tally.
    pub fn merge(&mut self, other: Tally) {
        self.events += other.events;
        for (k, v) in other.unmapped {
            *self.unmapped.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.agreement {
            *self.agreement.entry(k).or_insert(0) += v;
        }
        merge_groups(&mut self.mismatches, other.mismatches);
        merge_groups(&mut self.flips, other.flips);
        self.unchanged += other.unchanged;
        for (who, u) in other.usage {
            let mine = self.usage.entry(who).or_default();
            if mine.caller.is_none() {
                mine.caller = u.caller;
            }
            for (action, (resources, more)) in u.actions {
                let e = mine.actions.entry(action).or_default();
                e.1 |= more;
                for r in resources {
                    if e.0.len() < MAX_RESOURCES {
                        e.0.insert(r);
                    } else if !e.0.contains(&r) {
                        e.1 = true;
                    }
                }
            }
        }
    }

    /// Mapped events.
    pub fn mapped(&self) -> u64 {
        self.agreement.values().sum()
    }

    /// Events with an observed authorization result (succeeded or denied) where polcheck agrees,
    /// over all such events; `None` when there are none.
    pub fn match_rate(&self) -> Option<f64> {
        let (mut agree, mut total) = (0u64, 0u64);
        for ((obs, out), n) in &self.agreement {
            if *out == Outcome::Unknown {
                continue;
            }
            match obs {
                Observed::Succeeded => {
                    total += n;
                    agree += if denied(*out) { 0 } else { *n };
                }
                Observed::Denied => {
                    total += n;
                    agree += if denied(*out) { *n } else { 0 };
                }
                Observed::OtherError => {}
            }
        }
        (total > 0).then(|| agree as f64 / total as f64)
    }

    /// The tally as the report's JSON (without explanations, which the caller adds).
    pub fn summary(&self) -> Summary {
        let count = |o: Observed, allowed: bool| {
            self.agreement
                .iter()
                .filter(|((obs, out), _)| {
                    *obs == o && *out != Outcome::Unknown && (*out == Outcome::Allowed) == allowed
                })
                .map(|(_, n)| n)
                .sum()
        };
        let mut mismatches: Vec<GroupSummary> = self
            .mismatches
            .iter()
            .map(|((who, action, obs), g)| GroupSummary::new(who, action, g).observed(*obs))
            .collect();
        sort_groups(&mut mismatches);
        let mut flips: Vec<GroupSummary> = self
            .flips
            .iter()
            .map(|((who, action, from, to), g)| GroupSummary::new(who, action, g).flip(*from, *to))
            .collect();
        sort_groups(&mut flips);
        Summary {
            events: self.events,
            mapped: self.mapped(),
            unmapped: self.unmapped.clone(),
            agreement: Agreement {
                succeeded_allowed: count(Observed::Succeeded, true),
                succeeded_denied: count(Observed::Succeeded, false),
                denied_denied: count(Observed::Denied, false),
                denied_allowed: count(Observed::Denied, true),
                other_error: count(Observed::OtherError, true) + count(Observed::OtherError, false),
                unknown: self
                    .agreement
                    .iter()
                    .filter(|((_, out), _)| *out == Outcome::Unknown)
                    .map(|(_, n)| n)
                    .sum(),
                match_rate: self.match_rate(),
            },
            mismatches,
            flips,
            unchanged: self.unchanged,
        }
    }
}

/// What [`Tally::add_parts`] reads of an event.
pub(crate) struct Parts<'a> {
    /// [`principal_key`].
    pub(crate) who: &'a str,
    /// [`caller_text`].
    pub(crate) caller: Option<&'a str>,
    pub(crate) action: &'a str,
    pub(crate) resource: &'a str,
    pub(crate) observed: Observed,
}

fn bump<K: std::hash::Hash + Eq>(
    map: &mut TallyMap<K, Group>,
    key: K,
    example: &mut dyn FnMut() -> Result<MappedEvent, Unmapped>,
) {
    match map.entry(key) {
        std::collections::hash_map::Entry::Occupied(mut g) => g.get_mut().count += 1,
        std::collections::hash_map::Entry::Vacant(v) => {
            // The event was mapped once already, so it maps again.
            if let Ok(example) = example() {
                v.insert(Group { count: 1, example });
            }
        }
    }
}

fn merge_groups<K: std::hash::Hash + Eq>(into: &mut TallyMap<K, Group>, from: TallyMap<K, Group>) {
    for (k, g) in from {
        into.entry(k)
            .and_modify(|mine| mine.count += g.count)
            .or_insert(g);
    }
}

fn sort_groups(groups: &mut [GroupSummary]) {
    groups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.principal.cmp(&b.principal))
            .then_with(|| a.action.cmp(&b.action))
    });
}

/// The report of a replay, as `polcheck replay --format json` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Records read.
    pub events: u64,
    /// Records turned into requests.
    pub mapped: u64,
    /// Records that are no request, by reason.
    pub unmapped: BTreeMap<String, u64>,
    /// How polcheck's decisions against the world compare with what CloudTrail saw.
    pub agreement: Agreement,
    /// Disagreements grouped by caller and action, largest first.
    pub mismatches: Vec<GroupSummary>,
    /// Decisions that change under the proposed world, largest first.
    pub flips: Vec<GroupSummary>,
    /// Decisions the proposed world leaves as they are.
    pub unchanged: u64,
}

/// polcheck against CloudTrail, event counts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    /// Succeeded, and polcheck allows.
    pub succeeded_allowed: u64,
    /// Succeeded, but polcheck denies: the world is missing a grant (or a key).
    pub succeeded_denied: u64,
    /// Denied, and polcheck denies.
    pub denied_denied: u64,
    /// Denied, but polcheck allows: the world grants what AWS did not.
    pub denied_allowed: u64,
    /// Failed for another reason; not in the match rate.
    pub other_error: u64,
    /// polcheck cannot decide from the world (`unknown`); not in the match rate.
    pub unknown: u64,
    /// Agreeing events over succeeded and denied ones that polcheck decides.
    pub match_rate: Option<f64>,
}

/// One group of events.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    /// The caller (`aws:PrincipalArn`, a service, or `anonymous`).
    pub principal: String,
    /// The action.
    pub action: String,
    /// What CloudTrail saw (mismatches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<&'static str>,
    /// The decision against the world (flips).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Outcome>,
    /// The decision against the proposed world (flips).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Outcome>,
    /// Events in the group.
    pub count: u64,
    /// The first event.
    pub example: Example,
    /// The example's request, to explain it.
    #[serde(skip)]
    pub request: Request,
}

/// The event a group shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Example {
    /// `eventID`.
    pub event_id: String,
    /// `eventTime`.
    pub event_time: String,
    /// The caller as CloudTrail named it.
    pub caller: Option<String>,
    /// The resource decided on.
    pub resource: String,
}

impl GroupSummary {
    fn new(who: &str, action: &str, g: &Group) -> GroupSummary {
        GroupSummary {
            principal: who.to_string(),
            action: action.to_string(),
            observed: None,
            before: None,
            after: None,
            count: g.count,
            example: Example {
                event_id: g.example.event_id.clone(),
                event_time: g.example.event_time.clone(),
                caller: caller_text(g.example.request.principal()),
                resource: g.example.request.resource().to_string(),
            },
            request: g.example.request.clone(),
        }
    }

    fn observed(mut self, o: Observed) -> Self {
        self.observed = Some(o.as_str());
        self
    }

    fn flip(mut self, from: Outcome, to: Outcome) -> Self {
        self.before = Some(from);
        self.after = Some(to);
        self
    }
}

/// Decides one event against `before` (and `after`) through [`Engine::check`] and counts it.
pub fn replay_event(tally: &mut Tally, ev: &MappedEvent, before: &Engine, after: Option<&Engine>) {
    let b = before.check(&ev.request).0;
    let a = after.map(|e| e.check(&ev.request).0);
    tally.add(ev, b, a);
}

/// Entries a [`Decider`] map holds at most; past it the map starts again empty.
const MAX_REMEMBERED: usize = 1 << 20;

/// [`Engine::check`]'s outcome for many requests, each decided once: a month of CloudTrail
/// repeats the same caller, action and resource with context that changes at every event
/// (time, source address, user agent) but that few policies read.
///
/// A decision depends on the request's caller, action, resource and resource account, which
/// also fix every policy that bears on it ([`Engine::layers`]), and on the context only
/// through the keys those policies' conditions read. So the first event of each caller,
/// action, resource and account reads its layers' condition keys, and every event is then
/// decided by those four and the values of those keys alone. A policy variable
/// (`${aws:username}`) reads the key it names, so it counts as read; only a condition whose
/// key itself holds a variable makes the whole context count.
/// One decider per thread.
pub struct Decider<'e> {
    pub(super) engine: &'e Engine,
    /// For each caller, action, resource and account: the context keys read (lowercased),
    /// or `None` for all.
    keys: HashMap<String, Option<std::sync::Arc<[String]>>>,
    outcomes: HashMap<String, Outcome>,
    buf: String,
    /// [`super::Replayer`]'s remembered decisions.
    pub(super) fast: super::fast::FastState,
}

/// Appends a field with its length first, so that no two requests write the same key.
fn push_field(buf: &mut String, s: &str) {
    for b in (s.len() as u32).to_le_bytes() {
        buf.push(char::from(b));
    }
    buf.push_str(s);
}

/// The condition keys the policies of `layers` read (lowercased, sorted): those their
/// conditions test and those their variables (`${aws:username}`, in resources and condition
/// values) resolve from, each read by its own name ([`crate::variables`]). `None` when a
/// condition's key itself holds a variable.
pub(super) fn keys_read(layers: &crate::decide::Layers) -> Option<std::sync::Arc<[String]>> {
    let sets = layers.sets();
    let mut keys = BTreeSet::new();
    let variables = |text: &str, keys: &mut BTreeSet<String>| {
        if text.contains("${") {
            let t = crate::variables::Template::parse(text, true);
            keys.extend(t.variable_keys().map(str::to_string));
        }
    };
    for set in sets {
        for np in set.policies() {
            for s in &np.policy().statements {
                if let Some(r) = &s.resource {
                    for p in &r.patterns {
                        variables(p, &mut keys);
                    }
                }
                for c in &s.conditions {
                    if c.key.contains("${") {
                        return None;
                    }
                    for v in &c.values {
                        variables(v, &mut keys);
                    }
                    keys.insert(c.key.to_ascii_lowercase());
                }
            }
        }
    }
    Some(keys.into_iter().collect())
}

impl<'e> Decider<'e> {
    /// A decider for one engine.
    pub fn new(engine: &'e Engine) -> Decider<'e> {
        Decider {
            engine,
            keys: HashMap::new(),
            outcomes: HashMap::new(),
            buf: String::new(),
            fast: Default::default(),
        }
    }

    /// The outcome [`Engine::check`] gives `req`.
    pub fn check(&mut self, req: &Request) -> Outcome {
        let buf = &mut self.buf;
        buf.clear();
        let p = req.principal();
        let (tag, who) = match p {
            Principal::Anonymous => ('a', ""),
            Principal::Root { account } => ('r', account.as_str()),
            Principal::User { arn, .. } => ('u', arn.as_str()),
            Principal::AssumedRole { arn, .. } => ('s', arn.as_str()),
            Principal::FederatedUser { arn, .. } => ('f', arn.as_str()),
            Principal::Service { name } => ('v', name.as_str()),
            Principal::Unnamed => ('n', ""),
            Principal::IdentityProvider { provider } => ('i', provider.as_str()),
        };
        buf.push(tag);
        push_field(buf, who);
        push_field(buf, req.action());
        push_field(buf, req.resource());
        match req.resource_account() {
            Some(a) => {
                buf.push('1');
                push_field(buf, a);
            }
            None => buf.push('0'),
        }
        let keys = match self.keys.get(buf.as_str()) {
            Some(k) => k.clone(),
            None => {
                let mut prepared = req.clone();
                self.engine.prepare(&mut prepared);
                let k = keys_read(&self.engine.layers(&prepared));
                if self.keys.len() >= MAX_REMEMBERED {
                    self.keys.clear();
                }
                self.keys.insert(buf.clone(), k.clone());
                k
            }
        };
        let ctx = req.context();
        let push_value = |buf: &mut String, v: Option<&crate::context::ContextValue>| match v {
            None => buf.push('-'),
            Some(crate::context::ContextValue::Single(s)) => {
                buf.push('=');
                push_field(buf, s);
            }
            Some(crate::context::ContextValue::Multi(list)) => {
                buf.push('[');
                push_field(buf, &list.len().to_string());
                for s in list {
                    push_field(buf, s);
                }
            }
        };
        match &keys {
            Some(keys) => {
                for k in keys.iter() {
                    push_value(buf, ctx.get_lower(k));
                }
            }
            None => {
                buf.push('*');
                for (k, v) in ctx.iter() {
                    push_field(buf, k);
                    push_value(buf, Some(v));
                }
            }
        }
        if let Some(&o) = self.outcomes.get(buf.as_str()) {
            return o;
        }
        let o = self.engine.check(req).0;
        if self.outcomes.len() >= MAX_REMEMBERED {
            self.outcomes.clear();
        }
        self.outcomes.insert(self.buf.clone(), o);
        o
    }
}
