//! ARN patterns, matched part by part as IAM matches `Resource` and `ArnLike`.
//!
//! An ARN is `arn:partition:service:region:account:resource`. IAM compares the first five
//! parts one by one, so a `*` in the region cannot swallow the account; everything after the
//! fifth colon is one part, in which `*` crosses `/` and `:`. Matching is case-sensitive.
//! Policy variables are replaced in that last part only (semantics.md, section 3).
//!
//! A pattern with fewer than five colons (`arn:aws:*`) matches its last part against the rest
//! of the ARN; a pattern without colons (`*`, or text that is not an ARN) matches the whole
//! string. That is polcheck's reading where AWS's documentation is silent.
//!
//! ```
//! use polcheck_core::{arn::ArnPattern, Context};
//! let p = ArnPattern::parse("arn:aws:s3:::reports/*", true);
//! let ctx = Context::new();
//! assert!(p.is_match("arn:aws:s3:::reports/2026/11/q4.csv", &ctx));
//! assert!(!p.is_match("arn:aws:s3:::Reports/q1.csv", &ctx));
//! let r = ArnPattern::parse("arn:aws:ec2:*:111122223333:instance/*", true);
//! assert!(!r.is_match("arn:aws:ec2:us-east-1:444455556666:instance/i-1", &ctx));
//! ```

use crate::context::Context;
use crate::pattern::Glob;
use crate::variables::Template;

/// A compiled `Resource` / `ArnLike` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnPattern {
    text: Box<str>,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Everything,
    Parts {
        /// The patterns of the parts before the resource part (empty when `literal_head`).
        head: Box<[Glob]>,
        /// All five head parts are literal: the text up to `tail_at` (`arn:aws:s3:::`) is
        /// matched as one prefix instead of five part tests.
        literal_head: bool,
        /// Where the last part (after the fifth colon, or the last colon of a shorter
        /// pattern) starts in the text.
        tail_at: u32,
        tail: Tail,
    },
}

/// Splits at the first `:`; a plain byte loop, faster than `split_once` on the short parts
/// of an ARN.
fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    Some((&s[..i], &s[i + 1..]))
}

/// The positions of the first five colons of a text, in one pass.
fn five_colons(text: &str) -> Option<[usize; 5]> {
    let mut at = [0; 5];
    let mut seen = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b':' {
            *at.get_mut(seen)? = i;
            seen += 1;
            if seen == 5 {
                return Some(at);
            }
        }
    }
    None
}

/// The text after the fifth colon of an ARN, `None` when it has fewer.
pub fn resource_part(arn: &str) -> Option<&str> {
    arn.get(five_colons(arn)?[4] + 1..)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tail {
    /// The last part is the text from `tail_at` on, without wildcards.
    Exact,
    /// The last part is that text ending in its only wildcard, a `*`.
    Prefix,
    Fixed(Glob),
    Variable(Box<Template>),
}

impl ArnPattern {
    /// Parses a pattern; `variables` enables `${...}` (policy Version `2012-10-17`).
    pub fn parse(text: &str, variables: bool) -> ArnPattern {
        ArnPattern {
            text: text.into(),
            kind: Kind::of(text, variables),
        }
    }

    /// [`ArnPattern::parse`] of a text the caller owns, which the pattern keeps (no copy).
    pub fn parse_owned(text: String, variables: bool) -> ArnPattern {
        let kind = Kind::of(&text, variables);
        ArnPattern {
            text: text.into_boxed_str(),
            kind,
        }
    }
}

impl Kind {
    /// What a pattern's text compiles to (see [`ArnPattern::parse`]).
    fn of(text: &str, variables: bool) -> Kind {
        if text == "*" {
            return Kind::Everything;
        }
        // Longer texts would not fit the offsets; no policy holds one (documents are limited
        // far below), but the general parts stay right for them.
        let short = u32::try_from(text.len()).is_ok();
        // The parts before the first five colons, and the rest (`splitn(6, ':')`, without
        // collecting).
        let mut head_parts = [""; 5];
        let mut count = 0;
        let mut last = text;
        for slot in head_parts.iter_mut() {
            let Some((part, rest)) = last.split_once(':') else {
                break;
            };
            *slot = part;
            last = rest;
            count += 1;
        }
        let parts = head_parts.get(..count).unwrap_or_default();
        let tail = if variables && last.contains("${") {
            let template = Template::parse(last, variables);
            if template.has_variables() {
                Tail::Variable(Box::new(template))
            } else {
                // `${*}` and friends still make literal pieces, so go through the template.
                Tail::Fixed(Glob::from_pieces(
                    &template.resolve_pieces(&Context::new()).unwrap_or_default(),
                ))
            }
        } else {
            match memchr::memchr2(b'*', b'?', last.as_bytes()) {
                None if short => Tail::Exact,
                Some(i) if short && i + 1 == last.len() && last.ends_with('*') => Tail::Prefix,
                _ => Tail::Fixed(Glob::parse(last)),
            }
        };
        // A literal head is matched as one prefix (the text up to the fifth colon): its part
        // patterns are not kept.
        let literal = parts.len() == 5 && !parts.iter().any(|p| p.contains(['*', '?']));
        let head = if literal {
            Box::default()
        } else {
            parts.iter().map(|p| Glob::parse(p)).collect()
        };
        let tail_at = u32::try_from(text.len() - last.len()).unwrap_or(u32::MAX);
        Kind::Parts {
            head,
            literal_head: literal,
            tail_at,
            tail,
        }
    }
}

impl ArnPattern {
    /// The text of the last part (for `Tail::Exact`; `Tail::Prefix` without its `*`).
    fn tail_text(&self, tail_at: u32, tail: &Tail) -> &str {
        let from = tail_at as usize;
        let rest = self.text.get(from..).unwrap_or_default();
        match tail {
            Tail::Prefix => rest.get(..rest.len().saturating_sub(1)).unwrap_or_default(),
            _ => rest,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `true` for `*`.
    pub fn matches_everything(&self) -> bool {
        matches!(self.kind, Kind::Everything)
    }

    /// `true` when matching needs the request context (a variable in the last part).
    pub fn has_variables(&self) -> bool {
        matches!(
            &self.kind,
            Kind::Parts {
                tail: Tail::Variable(_),
                ..
            }
        )
    }

    /// The variable keys the pattern reads, lowercased.
    pub fn variable_keys(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Parts {
                tail: Tail::Variable(t),
                ..
            } => t.variable_keys().collect(),
            _ => Vec::new(),
        }
    }

    /// The literal text that the resource part (after the fifth colon) of every matching ARN
    /// starts with; `None` when the pattern is `*` or has fewer than five colons, so that no
    /// such prefix exists. Used by the compiled resource index.
    pub fn tail_prefix(&self) -> Option<&[u8]> {
        let Kind::Parts {
            head,
            literal_head,
            tail_at,
            tail,
        } = &self.kind
        else {
            return None;
        };
        if !literal_head && head.len() != 5 {
            return None;
        }
        Some(match tail {
            Tail::Exact | Tail::Prefix => self.tail_text(*tail_at, tail).as_bytes(),
            Tail::Fixed(g) => g.literal_prefix(),
            Tail::Variable(t) => match t.parts().first() {
                Some(crate::variables::Part::Text(s)) => {
                    let end = s.find(['*', '?']).unwrap_or(s.len());
                    s.as_bytes().get(..end).unwrap_or_default()
                }
                _ => b"",
            },
        })
    }

    /// Tests an ARN. A variable that cannot be resolved makes the pattern match nothing.
    pub fn is_match(&self, arn: &str, ctx: &Context) -> bool {
        let (head, literal_head, tail_at, tail) = match &self.kind {
            Kind::Everything => return true,
            Kind::Parts {
                head,
                literal_head,
                tail_at,
                tail,
            } => (head, *literal_head, *tail_at, tail),
        };
        let rest = match literal_head {
            true => match arn.strip_prefix(self.text.get(..tail_at as usize).unwrap_or_default()) {
                Some(rest) => rest,
                None => return false,
            },
            false => {
                let mut rest = arn;
                for glob in head {
                    let Some((part, after)) = split_colon(rest) else {
                        return false;
                    };
                    if !glob.is_match(part) {
                        return false;
                    }
                    rest = after;
                }
                rest
            }
        };
        match tail {
            Tail::Exact => rest == self.tail_text(tail_at, tail),
            Tail::Prefix => rest.starts_with(self.tail_text(tail_at, tail)),
            Tail::Fixed(g) => g.is_match(rest),
            Tail::Variable(t) => t.resolve_glob(ctx).is_some_and(|g| g.is_match(rest)),
        }
    }
}

/// The parts of an ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    /// The service prefix (`s3`, `iam`).
    pub service: &'a str,
    /// The region, empty for global resources.
    pub region: &'a str,
    /// The account id, empty for S3 buckets.
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits an ARN; `None` when the text does not start with `arn:` or has fewer than five
    /// colons.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        Arn::at(text, Arn::colons(text)?)
    }

    /// Where the first five colons of an ARN are, `None` when [`Arn::parse`] would be: what
    /// a holder of the text keeps to split it again cheaply ([`Arn::at`]).
    pub(crate) fn colons(text: &str) -> Option<[usize; 5]> {
        let at = five_colons(text)?;
        text.starts_with("arn:").then_some(at)
    }

    /// The ARN `text` is, split at the colons [`Arn::colons`] found in it.
    pub(crate) fn at(text: &'a str, [a, b, c, d, e]: [usize; 5]) -> Option<Arn<'a>> {
        // Compared as bytes: `str` equality calls `memcmp`, a tenth of this function's cost.
        if a != 3 || text.as_bytes().get(..3) != Some(b"arn".as_slice()) {
            return None;
        }
        Some(Arn {
            partition: text.get(a + 1..b)?,
            service: text.get(b + 1..c)?,
            region: text.get(c + 1..d)?,
            account: text.get(d + 1..e)?,
            resource: text.get(e + 1..)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, a: &str) -> bool {
        ArnPattern::parse(p, true).is_match(a, &Context::new())
    }

    #[test]
    fn star_stays_inside_its_part_before_the_fifth_colon() {
        assert!(m(
            "arn:aws:sqs:*:111122223333:q",
            "arn:aws:sqs:us-east-1:111122223333:q"
        ));
        assert!(!m(
            "arn:aws:sqs:*:q",
            "arn:aws:sqs:us-east-1:111122223333:q"
        ));
    }

    #[test]
    fn star_crosses_colons_after_the_fifth() {
        assert!(m(
            "arn:aws:logs:*:111122223333:log-group:/dev/*",
            "arn:aws:logs:us-east-1:111122223333:log-group:/dev/api:log-stream:a"
        ));
    }

    #[test]
    fn short_patterns_match_the_rest() {
        assert!(m("arn:aws:*", "arn:aws:s3:::b/k"));
        assert!(!m("arn:aws-cn:*", "arn:aws:s3:::b/k"));
    }

    #[test]
    fn request_star_matches_only_star_patterns() {
        assert!(m("*", "*"));
        assert!(!m("arn:aws:s3:::*", "*"));
    }

    #[test]
    fn tail_prefix_is_the_literal_start_of_the_resource_part() {
        let t = |p: &str| ArnPattern::parse(p, true).tail_prefix().map(<[u8]>::to_vec);
        assert_eq!(t("arn:aws:s3:::b/*"), Some(b"b/".to_vec()));
        assert_eq!(
            t("arn:aws:ec2:*:1:instance/i-1"),
            Some(b"instance/i-1".to_vec())
        );
        assert_eq!(t("arn:aws:s3:::b/${aws:username}/*"), Some(b"b/".to_vec()));
        assert_eq!(t("arn:aws:s3:::b?c"), Some(b"b".to_vec()));
        assert_eq!(t("arn:aws:*"), None);
        assert_eq!(t("*"), None);
    }

    #[test]
    fn parses_parts() {
        let a = Arn::parse("arn:aws:iam::111122223333:user/a:b").unwrap();
        assert_eq!(a.account, "111122223333");
        assert_eq!(a.resource, "user/a:b");
        assert!(Arn::parse("s3.amazonaws.com").is_none());
    }
}
