//! Silencing findings on purpose: by code everywhere, or by code for files matching a glob,
//! like clippy's `allow` and Parliament's config. The CLI reads them from `.polcheck.toml`
//! and `--allow`; this module only decides.
//!
//! ```
//! use polcheck_core::validate::suppress::Suppressions;
//! let mut s = Suppressions::default();
//! s.allow("full-admin", Some("admin/*.json"));
//! assert!(s.suppresses("admin/root.json", "full-admin"));
//! assert!(!s.suppresses("app/web.json", "full-admin"));
//! assert!(!s.suppresses("admin/root.json", "passrole-star"));
//! ```

use crate::pattern::Glob;

/// One rule: a code (`*` for every code) and, optionally, the files it applies to.
#[derive(Debug, Clone)]
struct Rule {
    code: String,
    path: Option<Glob>,
}

/// The suppression rules of a run.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    rules: Vec<Rule>,
}

impl Suppressions {
    /// Silences `code` in files matching the glob `path` (`*`, `?`; `*` also crosses `/`),
    /// or everywhere when `path` is `None`.
    pub fn allow(&mut self, code: &str, path: Option<&str>) {
        self.rules.push(Rule {
            code: code.to_string(),
            path: path.map(|p| Glob::parse(normalize(p))),
        });
    }

    /// Whether a finding with `code` in `file` is silenced.
    pub fn suppresses(&self, file: &str, code: &str) -> bool {
        let file = normalize(file);
        self.rules.iter().any(|r| {
            (r.code == "*" || r.code == code) && r.path.as_ref().is_none_or(|g| g.is_match(file))
        })
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// `./a/b.json` → `a/b.json`, so that rules and files compare the same way.
fn normalize(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_by_code_and_path() {
        let mut s = Suppressions::default();
        assert!(s.is_empty() && !s.suppresses("a.json", "x"));
        s.allow("invalid-sid", None);
        s.allow("*", Some("./vendor/*"));
        assert!(s.suppresses("any/where.json", "invalid-sid"));
        assert!(s.suppresses("vendor/deep/p.json", "full-admin"));
        assert!(!s.suppresses("src/p.json", "full-admin"));
    }
}
