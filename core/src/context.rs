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

use std::collections::BTreeMap;

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, ContextValue>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key (any case), replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.entries.insert(key.to_ascii_lowercase(), value);
    }

    /// Sets a key unless the request already carries it.
    pub fn insert_default(&mut self, key: &str, value: ContextValue) {
        self.entries
            .entry(key.to_ascii_lowercase())
            .or_insert(value);
    }

    /// The value of a key, any case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.entries.get(&key.to_ascii_lowercase())
        } else {
            self.entries.get(key)
        }
    }

    /// The value of a key already lowercased (the compiled form stores keys that way).
    pub fn get_lower(&self, key: &str) -> Option<&ContextValue> {
        self.entries.get(key)
    }

    /// Every key (lowercased) and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// `true` when no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
