//! The request context: condition keys and their values.
//!
//! Key names are case-insensitive in IAM, tag keys inside them too (`aws:PrincipalTag/Team`
//! and `AWS:principaltag/team` are one key), so keys are stored lowercased. A key holds one
//! value or, for multivalued keys such as `aws:TagKeys`, a list. JSON booleans and numbers are
//! kept as their text, the way IAM reads them.
//!
//! ```
//! use polcheck_core::{Context, ContextValue};
//! let mut ctx = Context::new();
//! ctx.insert("aws:PrincipalTag/Team", ContextValue::single("blue"));
//! assert_eq!(ctx.get("AWS:principaltag/team").unwrap().values(), ["blue"]);
//! ```

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

/// The value of one context key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key (possibly empty).
    Multi(Vec<String>),
}

impl ContextValue {
    /// A single value.
    pub fn single(v: impl Into<String>) -> ContextValue {
        ContextValue::Single(v.into())
    }

    /// The values, one for a single-valued key.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(v) => v,
        }
    }

    /// Reads a JSON value: a string, number or boolean, or an array of them.
    pub fn from_json(v: &serde_json::Value) -> Option<ContextValue> {
        use serde_json::Value;
        match v {
            Value::Array(items) => items
                .iter()
                .map(scalar_text)
                .collect::<Option<Vec<_>>>()
                .map(ContextValue::Multi),
            _ => scalar_text(v).map(ContextValue::Single),
        }
    }
}

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Condition keys of a request, by lowercased name.
///
/// A context is the request's own keys over an optional shared base ([`Context::with_base`]):
/// the keys every request of one caller carries (derived from the caller, added by a world)
/// are built once and shared, not copied into each request. A key of its own hides the
/// base's; reading, iterating and comparing see the two as one map. Cloning a context copies
/// no key (both parts are shared until one is written).
#[derive(Debug, Clone, Default)]
pub struct Context {
    entries: Arc<Entries>,
    /// Never itself has a base (kept flat by [`Context::with_base`]).
    base: Option<Arc<Context>>,
}

impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Context {}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// This context's keys over `base`'s: its own keys (and those of a base it already had)
    /// win; `base`'s own base, if any, is folded into it once here.
    pub fn with_base(self, base: Arc<Context>) -> Context {
        let own = if self.base.is_some() {
            self.flattened()
        } else {
            self
        };
        own.replace_base(base)
    }

    /// This context's own keys over `base`'s, any base it had dropped (a request's caller
    /// keys replaced by the same caller's with more keys).
    pub(crate) fn replace_base(mut self, base: Arc<Context>) -> Context {
        let base = if base.base.is_some() {
            Arc::new(base.flattened())
        } else {
            base
        };
        self.base = (!base.is_empty()).then_some(base);
        self
    }

    /// This context as one map without a base (every key of the base copied in).
    pub fn flattened(&self) -> Context {
        Context {
            entries: Arc::new(
                self.iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<Entries>(),
            ),
            base: None,
        }
    }

    /// Sets a key (any case), replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        Arc::make_mut(&mut self.entries).insert(key.to_ascii_lowercase(), value);
    }

    /// Sets a key unless the request already carries it.
    pub fn insert_default(&mut self, key: &str, value: ContextValue) {
        let key = key.to_ascii_lowercase();
        if self.get_lower(&key).is_none() {
            Arc::make_mut(&mut self.entries).insert(key, value);
        }
    }

    /// The value of a key, any case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.get_lower(&key.to_ascii_lowercase())
        } else {
            self.get_lower(key)
        }
    }

    /// The value of a key already lowercased (the compiled form stores keys that way).
    pub fn get_lower(&self, key: &str) -> Option<&ContextValue> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of a lowercased key: the context's own, else its base's.
    fn entry(&self, key: &str) -> Option<&Entry> {
        match self.entries.find(key) {
            Some(e) => Some(e),
            None => self.base.as_ref()?.entries.find(key),
        }
    }

    /// [`Context::get_lower`], with the value's typed readings when it is a single value
    /// (each read at most once per context; see `Typed`).
    pub(crate) fn get_lower_typed(&self, key: &str) -> Option<(&ContextValue, Option<&Typed>)> {
        let e = self.entry(key)?;
        let typed = matches!(e.value, ContextValue::Single(_)).then_some(&e.typed);
        Some((&e.value, typed))
    }

    /// Every key (lowercased) and value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        Merged {
            own: self.entries.iter().peekable(),
            base: self
                .base
                .as_ref()
                .map(|b| b.entries.iter())
                .into_iter()
                .flatten()
                .peekable(),
        }
    }

    /// The keys of its own (not the shared base's), in key order.
    pub(crate) fn own_iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter()
    }

    /// How many keys it sets itself (not counting those of a shared base it carries, such
    /// as a caller's keys under a request's).
    pub fn given_len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.base.as_ref().is_none_or(|b| b.entries.is_empty())
    }
}

/// Two maps' entries in key order, the first's hiding the second's.
struct Merged<A: Iterator, B: Iterator> {
    own: std::iter::Peekable<A>,
    base: std::iter::Peekable<B>,
}

impl<'a, A, B> Iterator for Merged<A, B>
where
    A: Iterator<Item = (&'a str, &'a ContextValue)>,
    B: Iterator<Item = (&'a str, &'a ContextValue)>,
{
    type Item = (&'a str, &'a ContextValue);

    fn next(&mut self) -> Option<Self::Item> {
        let order = match (self.own.peek(), self.base.peek()) {
            (None, None) => return None,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((a, _)), Some((b, _))) => a.cmp(b),
        };
        if order == std::cmp::Ordering::Equal {
            self.base.next();
        }
        let take_own = order != std::cmp::Ordering::Greater;
        let (k, v) = if take_own {
            self.own.next()?
        } else {
            self.base.next()?
        };
        Some((k, v))
    }
}

/// A context's own keys (lowercased) and values, sorted by key. A request carries a handful
/// of keys and every condition looks one up, so a sorted vector searched by equality (the
/// length first, then the bytes) replaces a `BTreeMap`, whose search compares each key it
/// passes byte by byte. Past [`Entries::LINEAR`] keys the search is a binary search.
#[derive(Debug, Clone, Default)]
struct Entries(Vec<Entry>);

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    value: ContextValue,
    typed: Typed,
}

/// A single value read as the condition operators' types, each at most once per context:
/// a request's `aws:CurrentTime` is compared by every date condition it meets, its
/// `aws:SourceIp` by every address condition, and reading them is most of what such a
/// comparison costs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Typed {
    date: OnceLock<Option<i128>>,
    ip: OnceLock<Option<IpAddr>>,
}

impl Typed {
    /// The value read as a date by `read` (the condition's reader), the first time only.
    pub(crate) fn date(&self, read: impl FnOnce() -> Option<i128>) -> Option<i128> {
        *self.date.get_or_init(read)
    }

    /// The value read as an address by `read`, the first time only.
    pub(crate) fn ip(&self, read: impl FnOnce() -> Option<IpAddr>) -> Option<IpAddr> {
        *self.ip.get_or_init(read)
    }
}

impl Entries {
    /// Up to this many keys, a lookup compares each key for equality in turn.
    const LINEAR: usize = 16;

    fn find(&self, key: &str) -> Option<&Entry> {
        if self.0.len() <= Entries::LINEAR {
            return self.0.iter().find(|e| e.key == key);
        }
        let i = self.0.binary_search_by(|e| e.key.as_str().cmp(key)).ok()?;
        self.0.get(i)
    }

    fn insert(&mut self, key: String, value: ContextValue) {
        match self.0.binary_search_by(|e| e.key.as_str().cmp(&key)) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.value = value;
                    slot.typed = Typed::default();
                }
            }
            Err(i) => self.0.insert(
                i,
                Entry {
                    key,
                    value,
                    typed: Typed::default(),
                },
            ),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.0.iter().map(|e| (e.key.as_str(), &e.value))
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, ContextValue)> for Entries {
    fn from_iter<I: IntoIterator<Item = (String, ContextValue)>>(iter: I) -> Entries {
        let mut e = Entries(Vec::new());
        for (k, v) in iter {
            e.insert(k, v);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_keys_hide_the_base_and_iteration_merges_in_order() {
        let mut base = Context::new();
        base.insert("aws:PrincipalArn", ContextValue::single("base-arn"));
        base.insert("aws:username", ContextValue::single("alice"));
        let mut own = Context::new();
        own.insert("aws:SourceIp", ContextValue::single("1.2.3.4"));
        own.insert("aws:username", ContextValue::single("mine"));
        let mut ctx = own.with_base(Arc::new(base));
        ctx.insert_default("aws:PrincipalArn", ContextValue::single("ignored"));
        ctx.insert_default("aws:PrincipalType", ContextValue::single("User"));
        assert_eq!(ctx.get("AWS:USERNAME").unwrap().values(), ["mine"]);
        assert_eq!(ctx.get("aws:principalarn").unwrap().values(), ["base-arn"]);
        let keys: Vec<_> = ctx
            .iter()
            .map(|(k, v)| (k, v.values()[0].as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("aws:principalarn", "base-arn"),
                ("aws:principaltype", "User"),
                ("aws:sourceip", "1.2.3.4"),
                ("aws:username", "mine"),
            ]
        );
        assert_eq!(ctx, ctx.flattened());
        assert!(!ctx.is_empty());
        assert!(Context::new()
            .with_base(Arc::new(Context::new()))
            .is_empty());
    }

    #[test]
    fn a_base_with_a_base_is_folded() {
        let mut inner = Context::new();
        inner.insert("a", ContextValue::single("1"));
        let mut mid = Context::new();
        mid.insert("b", ContextValue::single("2"));
        let mid = mid.with_base(Arc::new(inner));
        let ctx = Context::new().with_base(Arc::new(mid));
        assert_eq!(ctx.iter().count(), 2);
        assert_eq!(ctx.get("a").unwrap().values(), ["1"]);
    }

    /// The sorted vector answers every lookup and iterates as the `BTreeMap` it replaced,
    /// below and past the linear search's bound, with keys inserted twice.
    #[test]
    fn entries_answer_as_a_btree_map() {
        use std::collections::BTreeMap;
        for n in [0usize, 1, 5, 16, 17, 40] {
            let mut map = BTreeMap::new();
            let mut ctx = Context::new();
            // A fixed shuffle: keys of different lengths, some sharing prefixes, repeated.
            for i in 0..n * 2 {
                let k = format!("aws:k{}{}", (i * 7919) % (n + 1), "x".repeat(i % 3));
                let v = ContextValue::single(i.to_string());
                map.insert(k.clone(), v.clone());
                ctx.insert(&k, v);
            }
            for i in 0..n * 3 + 2 {
                let k = format!("aws:k{}{}", i % (n + 2), "x".repeat(i % 4));
                assert_eq!(ctx.get_lower(&k), map.get(&k), "{n} {k}");
            }
            let ours: Vec<_> = ctx
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            let theirs: Vec<_> = map.into_iter().collect();
            assert_eq!(ours, theirs, "{n}");
        }
    }
}
