//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`.
//!
//! Variables exist only in policies whose `Version` is `2012-10-17`; elsewhere `${...}` is plain
//! text. A [`Template`] is parsed once, when a policy is compiled, and resolved per request. The
//! text a variable resolves to is literal: a `*` in a user name is not a wildcard, and `${*}`,
//! `${?}`, `${$}` are the literal characters `*`, `?` and `$`. A variable that names a missing
//! or multivalued key, and has no default, cannot be resolved: the caller then treats the
//! pattern as matching nothing.
//!
//! ```
//! use polcheck_core::{variables::Template, Context, ContextValue};
//! let t = Template::parse("home/${aws:username}/*", true);
//! let mut ctx = Context::new();
//! assert!(t.resolve_glob(&ctx).is_none());
//! ctx.insert("aws:username", ContextValue::single("alice"));
//! assert!(t.resolve_glob(&ctx).unwrap().is_match("home/alice/notes.txt"));
//! ```

use crate::context::{Context, ContextValue};
use crate::pattern::{pieces_of, Glob, Piece};

/// One part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// Policy text (its `*` and `?` are wildcards where the operator takes them).
    Text(String),
    /// A character written `${*}`, `${?}` or `${$}`: always literal.
    Char(char),
    /// A variable: the lowercased key and its default.
    Var {
        /// The key, lowercased.
        key: String,
        /// The value used when the key is missing.
        default: Option<String>,
    },
}

/// Text with policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; with `variables` false (Version 2008-10-17 or none) all of it is text.
    pub fn parse(text: &str, variables: bool) -> Template {
        if !variables || !text.contains("${") {
            return Template {
                parts: vec![Part::Text(text.to_string())],
            };
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            parts.push(parse_variable(&rest[start + 2..start + len]));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Template { parts }
    }

    /// The parts.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// `true` when resolving needs the request (the template holds a variable).
    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The plain text, when the template has no variable and no escaped character.
    pub fn as_plain_text(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(t)] => Some(t),
            [] => Some(""),
            _ => None,
        }
    }

    /// The keys of the template's variables, lowercased.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Resolves to plain text (for operators without wildcards).
    pub fn resolve_text(&self, ctx: &Context) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Char(c) => out.push(*c),
                Part::Var { key, default } => out.push_str(&lookup(ctx, key, default.as_deref())?),
            }
        }
        Some(out)
    }

    /// Resolves to wildcard pieces: policy text keeps its wildcards, resolved values do not.
    pub fn resolve_pieces(&self, ctx: &Context) -> Option<Vec<Piece>> {
        let mut out = Vec::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.extend(pieces_of(t)),
                Part::Char(c) => out.push(Piece::Literal(c.to_string())),
                Part::Var { key, default } => {
                    out.push(Piece::Literal(lookup(ctx, key, default.as_deref())?))
                }
            }
        }
        Some(out)
    }

    /// Resolves to a compiled wildcard pattern.
    pub fn resolve_glob(&self, ctx: &Context) -> Option<Glob> {
        self.resolve_pieces(ctx).map(|p| Glob::from_pieces(&p))
    }
}

fn parse_variable(inner: &str) -> Part {
    let inner = inner.trim();
    match inner {
        "*" => return Part::Char('*'),
        "?" => return Part::Char('?'),
        "$" => return Part::Char('$'),
        _ => {}
    }
    match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            Part::Var {
                key: key.trim().to_ascii_lowercase(),
                default: Some(d.to_string()),
            }
        }
        None => Part::Var {
            key: inner.to_ascii_lowercase(),
            default: None,
        },
    }
}

fn lookup(ctx: &Context, key: &str, default: Option<&str>) -> Option<String> {
    match ctx.get_lower(key) {
        Some(ContextValue::Single(v)) => Some(v.clone()),
        Some(ContextValue::Multi(_)) | None => default.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_version_keeps_text() {
        let t = Template::parse("a/${aws:username}", false);
        assert_eq!(t.as_plain_text(), Some("a/${aws:username}"));
    }

    #[test]
    fn defaults_and_escapes() {
        let t = Template::parse("${aws:PrincipalTag/team, 'shared'}/${*}${?}${$}", true);
        let ctx = Context::new();
        assert_eq!(t.resolve_text(&ctx).unwrap(), "shared/*?$");
        let g = t.resolve_glob(&ctx).unwrap();
        assert!(g.is_match("shared/*?$"));
        assert!(!g.is_match("shared/xy$"));
    }

    #[test]
    fn multivalued_key_does_not_resolve() {
        let mut ctx = Context::new();
        ctx.insert("aws:TagKeys", ContextValue::Multi(vec!["a".into()]));
        assert!(Template::parse("${aws:TagKeys}", true)
            .resolve_text(&ctx)
            .is_none());
    }

    #[test]
    fn resolved_values_are_literal() {
        let mut ctx = Context::new();
        ctx.insert("aws:username", ContextValue::single("a*"));
        let g = Template::parse("${aws:username}", true)
            .resolve_glob(&ctx)
            .unwrap();
        assert!(g.is_match("a*"));
        assert!(!g.is_match("abc"));
    }
}
