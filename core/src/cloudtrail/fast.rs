//! The replay's hot path: a [`Replayer`] maps, decides and counts each record while building
//! no [`crate::Request`] for the events it has seen the like of.
//!
//! A month of CloudTrail repeats a few callers, actions and resources with a context that
//! changes at every event. So, per thread:
//!
//! - each identity (`type`, `arn`, `accountId`, `invokedBy`: all [`super::caller_of`] reads)
//!   is read once into a [`CallerInfo`] with a number, and each `eventSource` + `eventName`
//!   into an [`ActionInfo`];
//! - whether an action takes an ARN is asked of the catalogue once per ARN shape
//!   (the `catalogue::shape` table the question check remembers by too, exact by the ARN
//!   matching rule);
//! - the [`Decider`] then decides by caller number, action number, resource, resource
//!   account and the values, as the record gives them, of the condition keys the policies
//!   read; only a new combination builds the request and asks [`crate::Engine::check`].
//!
//! Every map looks up by one hash of borrowed text and compares the parts it stores, so a
//! hit copies no string. [`super::map_record`] goes through the same mapping code
//! ([`Lookups::Direct`]), so the two cannot drift apart.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::catalogue::shape::ShapeTable;
use crate::catalogue::Catalogue;
use crate::decide::Outcome;
use crate::request::{Caller, RequestError};

use super::caller::{KeyValue, RecordKey};
use super::map::{
    action_for, build_event, caller_for, skeleton, MappedEvent, Observed, RecordValues, Unmapped,
};
use super::record::{Record, UserIdentity};
use super::replay::{caller_text, principal_key, Decider, Tally};
use super::resource::{star_allowed, target_of, target_with, Candidates, Target};

/// Entries a remembered map holds at most; past it the map starts again empty.
const MAX_REMEMBERED: usize = 1 << 20;

/// A caller read once.
#[derive(Debug)]
pub struct CallerInfo {
    /// Its number in the [`Lookups`] that read it (never reused).
    pub(crate) id: u64,
    /// The caller, or why its ARN does not read.
    pub(crate) caller: Result<Caller, RequestError>,
    /// [`principal_key`]: how the tally groups it.
    pub(crate) key: String,
    /// [`caller_text`]: how the tally names it.
    pub(crate) text: Option<String>,
}

impl CallerInfo {
    fn new(id: u64, principal: Option<&str>) -> CallerInfo {
        let caller = Caller::parse(principal);
        let (key, text) = match &caller {
            Ok(c) => (principal_key(c.principal()), caller_text(c.principal())),
            Err(_) => (String::new(), None),
        };
        CallerInfo {
            id,
            caller,
            key,
            text,
        }
    }
}

/// An action read once.
#[derive(Debug)]
pub struct ActionInfo {
    /// Its number in the [`Lookups`] that read it (never reused).
    pub(crate) id: u64,
    /// `service:Name`.
    pub(crate) name: String,
    service: String,
    operation: String,
    /// [`star_allowed`].
    star: bool,
    /// The shape table of its service's ARN formats, when the catalogue knows the action.
    shapes: Option<Arc<ShapeTable>>,
}

impl ActionInfo {
    fn new(id: u64, name: String, shapes: &mut HashMap<String, Arc<ShapeTable>>) -> Self {
        let (service, operation) = name.split_once(':').unwrap_or((&name, ""));
        let (service, operation) = (service.to_string(), operation.to_string());
        let star = star_allowed(&service, &operation);
        let cat = Catalogue::get().ok();
        let of_service = match cat.and_then(|c| c.action(&service, &operation)) {
            Some(a) => Some(Arc::clone(
                shapes
                    .entry(a.service.prefix().to_string())
                    .or_insert_with(|| Arc::new(ShapeTable::new(a.service))),
            )),
            None => None,
        };
        ActionInfo {
            id,
            name,
            service,
            operation,
            star,
            shapes: of_service,
        }
    }
}

/// Where the mapping reads callers, actions and resource types: directly, or through what
/// it remembered (one [`Memory`] per thread).
pub(crate) enum Lookups {
    /// Each record read on its own ([`super::map_record`]).
    Direct,
    /// Through the answers remembered so far.
    Remembered(Box<Memory>),
}

/// Entries by the hash of what they are looked up by, each keeping that to compare.
type Buckets<T> = HashMap<u64, Vec<T>, Passed>;

/// The hasher of the remembered maps: seeded per map from [`RandomState`], eight bytes at a
/// time. Every hit is confirmed by comparing what the entry stored, so the hash only
/// spreads entries; SipHash cost more than the rest of a hit.
#[derive(Clone, Copy)]
struct Folding(u64);

impl Folding {
    fn new() -> Folding {
        Folding(RandomState::new().hash_one(0x5eed_u64) | 1)
    }
}

impl BuildHasher for Folding {
    type Hasher = Folder;
    fn build_hasher(&self) -> Folder {
        Folder(self.0)
    }
}

struct Folder(u64);

const FOLD: u64 = 0x9e37_79b9_7f4a_7c15;

impl Folder {
    fn mix(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(FOLD).rotate_left(31);
    }
}

impl Hasher for Folder {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (d, s) in w.iter_mut().zip(rest) {
                *d = *s;
            }
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(FOLD) ^ (h >> 32)
    }
}

/// The outer maps' hasher: their keys are already [`Folding`] hashes.
#[derive(Clone, Copy, Default)]
struct Passed;

impl BuildHasher for Passed {
    type Hasher = PassedOn;
    fn build_hasher(&self) -> PassedOn {
        PassedOn(0)
    }
}

struct PassedOn(u64);

impl Hasher for PassedOn {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// What a [`Lookups::Remembered`] has read.
pub(crate) struct Memory {
    /// Tells one memory's numbers from another's.
    pub(crate) serial: u64,
    state: Folding,
    next: u64,
    callers: Buckets<(IdentityKey, Result<Arc<CallerInfo>, Unmapped>)>,
    actions: Buckets<(OperationKey, Result<Arc<ActionInfo>, Unmapped>)>,
    services: HashMap<String, Arc<ShapeTable>>,
    takes: Buckets<(u64, Box<[u8]>, bool)>,
    /// The same answers by action and ARN as written: a month repeats its ARNs, and this
    /// hit costs less than working out the shape.
    exact: Buckets<(u64, Box<str>, bool)>,
    shape: Vec<u8>,
    candidates: Candidates,
}

/// `eventSource`, `eventName`, and whether a `GetObject` names a version.
type OperationKey = (String, String, bool);

/// The identity fields [`super::caller_of`] reads.
type IdentityKey = [Option<Box<str>>; 4];

fn identity_fields<'a>(id: &'a UserIdentity<'a>) -> [Option<&'a str>; 4] {
    [
        id.kind.get(),
        id.arn.get(),
        id.account_id.get(),
        id.invoked_by.get(),
    ]
}

fn same_fields(stored: &IdentityKey, fields: &[Option<&str>; 4]) -> bool {
    stored.iter().zip(fields).all(|(a, b)| a.as_deref() == *b)
}

static SERIAL: AtomicU64 = AtomicU64::new(1);

impl Memory {
    fn new() -> Memory {
        Memory {
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            state: Folding::new(),
            next: 1,
            callers: HashMap::default(),
            actions: HashMap::default(),
            services: HashMap::new(),
            takes: HashMap::default(),
            exact: HashMap::default(),
            shape: Vec::new(),
            candidates: Candidates::default(),
        }
    }

    fn number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

fn bounded<T>(map: &mut Buckets<T>) {
    if map.len() >= MAX_REMEMBERED {
        map.clear();
    }
}

impl Lookups {
    /// A fresh memory.
    pub(crate) fn remembered() -> Lookups {
        Lookups::Remembered(Box::new(Memory::new()))
    }

    /// The memory's serial (0 when direct).
    pub(crate) fn serial(&self) -> u64 {
        match self {
            Lookups::Direct => 0,
            Lookups::Remembered(m) => m.serial,
        }
    }

    pub(crate) fn caller(&mut self, id: &UserIdentity<'_>) -> Result<Arc<CallerInfo>, Unmapped> {
        let m = match self {
            Lookups::Direct => {
                let p = caller_for(id)?;
                return Ok(Arc::new(CallerInfo::new(0, p.as_deref())));
            }
            Lookups::Remembered(m) => m,
        };
        let fields = identity_fields(id);
        let h = m.state.hash_one(fields);
        if let Some(list) = m.callers.get(&h) {
            if let Some((_, found)) = list.iter().find(|(k, _)| same_fields(k, &fields)) {
                return found.clone();
            }
        }
        let n = m.number();
        let found = caller_for(id).map(|p| Arc::new(CallerInfo::new(n, p.as_deref())));
        bounded(&mut m.callers);
        let key = fields.map(|f| f.map(Box::from));
        m.callers.entry(h).or_default().push((key, found.clone()));
        found
    }

    pub(crate) fn action(
        &mut self,
        source: &str,
        name: &str,
        versioned: bool,
    ) -> Result<Arc<ActionInfo>, Unmapped> {
        let m = match self {
            Lookups::Direct => {
                let a = action_for(source, name, versioned)?;
                return Ok(Arc::new(ActionInfo::new(0, a, &mut HashMap::new())));
            }
            Lookups::Remembered(m) => m,
        };
        let h = m.state.hash_one((source, name, versioned));
        if let Some(list) = m.actions.get(&h) {
            if let Some(found) = list
                .iter()
                .find(|((s, n, v), _)| s == source && n == name && *v == versioned)
            {
                return found.1.clone();
            }
        }
        let n = m.number();
        let services = &mut m.services;
        let found =
            action_for(source, name, versioned).map(|a| Arc::new(ActionInfo::new(n, a, services)));
        bounded(&mut m.actions);
        m.actions.entry(h).or_default().push((
            (source.to_string(), name.to_string(), versioned),
            found.clone(),
        ));
        found
    }

    pub(crate) fn target(
        &mut self,
        r: &Record<'_>,
        action: &ActionInfo,
        account: &str,
    ) -> Result<Target, Unmapped> {
        let m = match self {
            Lookups::Direct => {
                return target_of(r, &action.name, account).map_err(Unmapped::Resource)
            }
            Lookups::Remembered(m) => m,
        };
        let cat = Catalogue::get().ok();
        let ask = |arn: &str| {
            cat.is_some_and(|c| {
                !c.resource_types_for_arn(&action.service, &action.operation, arn)
                    .is_empty()
            })
        };
        let Some(shapes) = &action.shapes else {
            let mut ask = ask;
            return target_with(
                r,
                &action.service,
                action.star,
                account,
                &mut ask,
                &mut m.candidates,
            )
            .map_err(Unmapped::Resource);
        };
        let (state, takes, exact, shape) = (&m.state, &mut m.takes, &mut m.exact, &mut m.shape);
        let candidates = &mut m.candidates;
        let mut by_shape = |arn: &str| {
            shapes.shape(arn, shape);
            let h = state.hash_one((action.id, shape.as_slice()));
            if let Some(list) = takes.get(&h) {
                if let Some(&(_, _, t)) = list
                    .iter()
                    .find(|(id, s, _)| *id == action.id && **s == *shape.as_slice())
                {
                    return t;
                }
            }
            let t = ask(arn);
            bounded(takes);
            takes
                .entry(h)
                .or_default()
                .push((action.id, shape.as_slice().into(), t));
            t
        };
        let mut remembered = |arn: &str| {
            let he = state.hash_one((action.id, arn));
            if let Some(list) = exact.get(&he) {
                if let Some(&(_, _, t)) = list
                    .iter()
                    .find(|(id, a, _)| *id == action.id && **a == *arn)
                {
                    return t;
                }
            }
            let t = by_shape(arn);
            bounded(exact);
            exact
                .entry(he)
                .or_default()
                .push((action.id, arn.into(), t));
            t
        };
        target_with(
            r,
            &action.service,
            action.star,
            account,
            &mut remembered,
            candidates,
        )
        .map_err(Unmapped::Resource)
    }
}

/// A value of a condition key as a [`Decider`] remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stored {
    Absent,
    Text(Box<str>),
    Number(i64),
    Time(i64),
    List(Box<str>),
}

impl Stored {
    fn of(v: Option<KeyValue<'_>>) -> Stored {
        match v {
            None => Stored::Absent,
            Some(KeyValue::Text(s)) => Stored::Text(s.into()),
            Some(KeyValue::Number(n)) => Stored::Number(n),
            Some(KeyValue::Time(t)) => Stored::Time(t),
            Some(KeyValue::List(s)) => Stored::List(s.into()),
        }
    }

    fn is(&self, v: Option<KeyValue<'_>>) -> bool {
        match (self, v) {
            (Stored::Absent, None) => true,
            (Stored::Text(a), Some(KeyValue::Text(b))) => **a == *b,
            (Stored::Number(a), Some(KeyValue::Number(b))) => *a == b,
            (Stored::Time(a), Some(KeyValue::Time(b))) => *a == b,
            (Stored::List(a), Some(KeyValue::List(b))) => **a == *b,
            _ => false,
        }
    }
}

/// One caller, action, resource and account a [`Decider`] has seen, with the keys its
/// policies read and the outcome for each set of their values.
pub(crate) struct Seen {
    caller: u64,
    action: u64,
    resource: Box<str>,
    account: Option<Box<str>>,
    /// The keys its policies read, as the record's places ([`RecordKey::of`]); `None`: a
    /// condition key holds a variable, the whole context counts.
    keys: Option<Box<[Option<RecordKey>]>>,
    outcomes: Buckets<(Box<[Stored]>, Outcome)>,
}

/// The hot-path state of a [`Decider`].
pub(crate) struct FastState {
    serial: u64,
    state: Folding,
    seen: Buckets<Seen>,
    remembered: usize,
}

impl Default for FastState {
    fn default() -> FastState {
        FastState {
            serial: 0,
            state: Folding::new(),
            seen: HashMap::default(),
            remembered: 0,
        }
    }
}

/// The record's value of a key the policies read: `None` when records never give the key
/// (it then comes from the world and the caller, the same for every event of a [`Seen`]).
fn value_of<'r>(values: &RecordValues<'r>, key: Option<RecordKey>) -> Option<KeyValue<'r>> {
    values.get(key?)
}

impl Decider<'_> {
    /// The outcome [`crate::Engine::check`] gives the event of `r`, whose skeleton and
    /// record values are given; `build` makes the event when it must be decided afresh.
    pub(crate) fn check_mapped(
        &mut self,
        serial: u64,
        sk: &super::map::Skeleton,
        values: &RecordValues<'_>,
        build: &mut dyn FnMut() -> Result<MappedEvent, Unmapped>,
    ) -> Result<Outcome, Unmapped> {
        let engine = self.engine;
        let fast = &mut self.fast;
        if fast.serial != serial {
            fast.seen.clear();
            fast.remembered = 0;
            fast.serial = serial;
        }
        let (caller, action) = (sk.caller.id, sk.action.id);
        let resource = sk.target.arn.as_str();
        let account = sk.target.account.as_deref();
        let h = fast.state.hash_one((caller, action, resource, account));
        let same = |s: &Seen| {
            s.caller == caller
                && s.action == action
                && *s.resource == *resource
                && s.account.as_deref() == account
        };
        let mut event = None;
        let found = fast.seen.get(&h).and_then(|l| l.iter().position(same));
        let index = match found {
            Some(i) => i,
            None => {
                let ev = build()?;
                let mut prepared = ev.request.clone();
                engine.prepare(&mut prepared);
                let keys = super::replay::keys_read(&engine.layers(&prepared));
                if fast.remembered >= MAX_REMEMBERED {
                    fast.seen.clear();
                    fast.remembered = 0;
                }
                fast.remembered += 1;
                let list = fast.seen.entry(h).or_default();
                list.push(Seen {
                    caller,
                    action,
                    resource: resource.into(),
                    account: account.map(Box::from),
                    keys: keys.map(|ks| ks.iter().map(|k| RecordKey::of(k)).collect()),
                    outcomes: HashMap::default(),
                });
                event = Some(ev);
                list.len() - 1
            }
        };
        let Some(seen) = fast.seen.get_mut(&h).and_then(|l| l.get_mut(index)) else {
            // Unreachable: the entry was found or pushed above.
            let ev = match event {
                Some(ev) => ev,
                None => build()?,
            };
            return Ok(engine.check(&ev.request).0);
        };
        let Some(keys) = seen.keys.as_deref() else {
            let ev = match event {
                Some(ev) => ev,
                None => build()?,
            };
            return Ok(engine.check(&ev.request).0);
        };
        let mut hasher = fast.state.build_hasher();
        for k in keys {
            value_of(values, *k).hash(&mut hasher);
        }
        let h2 = hasher.finish();
        let matches = |stored: &[Stored]| {
            stored.len() == keys.len()
                && stored
                    .iter()
                    .zip(keys.iter())
                    .all(|(s, k)| s.is(value_of(values, *k)))
        };
        if let Some(list) = seen.outcomes.get(&h2) {
            if let Some((_, o)) = list.iter().find(|(s, _)| matches(s)) {
                return Ok(*o);
            }
        }
        let ev = match event {
            Some(ev) => ev,
            None => build()?,
        };
        let o = engine.check(&ev.request).0;
        if fast.remembered >= MAX_REMEMBERED {
            // Start again: drop every outcome (the entry itself is re-read next time).
            fast.seen.clear();
            fast.remembered = 0;
            return Ok(o);
        }
        fast.remembered += 1;
        let stored: Box<[Stored]> = keys
            .iter()
            .map(|k| Stored::of(value_of(values, *k)))
            .collect();
        seen.outcomes.entry(h2).or_default().push((stored, o));
        Ok(o)
    }
}

/// One thread's replay: maps, decides (against a world and, optionally, a proposed one) and
/// counts each record, remembering what repeats (see the module docs). Its answers are
/// those of [`super::map_record`] and [`crate::Engine::check`].
///
/// ```
/// use polcheck_core::cloudtrail::{parse, Replayer, Tally};
/// let engine = polcheck_core::Engine::builder().world_file("iam.json", r#"{"AccountId": "111122223333",
///   "UserDetailList": [{"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice",
///   "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
///   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}]}"#).build()?;
/// let text = r#"{"Records": [{"eventTime": "2026-11-02T10:00:00Z", "eventSource": "s3.amazonaws.com",
///   "eventName": "GetObject", "awsRegion": "us-east-1", "eventType": "AwsApiCall",
///   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333"},
///   "requestParameters": {"bucketName": "b", "key": "k"}}]}"#;
/// let mut replayer = Replayer::new(&engine, None);
/// let mut tally = Tally::default();
/// for r in &parse(text)? {
///     replayer.replay(r, &mut tally);
/// }
/// assert_eq!(tally.summary().agreement.succeeded_allowed, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Replayer<'e> {
    lookups: Lookups,
    before: Decider<'e>,
    after: Option<Decider<'e>>,
}

impl<'e> Replayer<'e> {
    /// A replay against `before` (and `after`, the proposed world).
    pub fn new(before: &'e crate::Engine, after: Option<&'e crate::Engine>) -> Replayer<'e> {
        Replayer {
            lookups: Lookups::remembered(),
            before: Decider::new(before),
            after: after.map(Decider::new),
        }
    }

    /// Decides one record and counts it in `tally`; returns the outcomes (before, after),
    /// or `None` when the record is no request (counted by reason).
    pub fn replay(
        &mut self,
        r: &Record<'_>,
        tally: &mut Tally,
    ) -> Option<(Outcome, Option<Outcome>)> {
        let sk = match skeleton(r, &mut self.lookups) {
            Ok(sk) => sk,
            Err(why) => {
                tally.unmapped(&why);
                return None;
            }
        };
        let values = RecordValues::of(r);
        let mut build = || build_event(r, &sk, &values);
        let serial = self.lookups.serial();
        let before = match self.before.check_mapped(serial, &sk, &values, &mut build) {
            Ok(o) => o,
            Err(why) => {
                tally.unmapped(&why);
                return None;
            }
        };
        let after = match &mut self.after {
            Some(d) => match d.check_mapped(serial, &sk, &values, &mut build) {
                Ok(o) => Some(o),
                Err(why) => {
                    tally.unmapped(&why);
                    return None;
                }
            },
            None => None,
        };
        let caller = &sk.caller;
        tally.add_parts(
            &super::replay::Parts {
                who: &caller.key,
                caller: caller.text.as_deref(),
                action: &sk.action.name,
                resource: &sk.target.arn,
                observed: Observed::of(r.error_code.get()),
            },
            before,
            after,
            &mut build,
        );
        Some((before, after))
    }
}
