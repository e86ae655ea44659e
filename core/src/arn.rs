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
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Everything,
    Parts {
        /// The patterns of the parts before the resource part (empty when `literal_head`).
        head: Vec<Glob>,
        /// `arn:aws:s3:::` when all five head parts are literal: one prefix test instead of
        /// five part tests.
        literal_head: Option<Box<str>>,
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
    Fixed(Glob),
    Variable(Template),
}

impl ArnPattern {
    /// Parses a pattern; `variables` enables `${...}` (policy Version `2012-10-17`).
    pub fn parse(text: &str, variables: bool) -> ArnPattern {
        if text == "*" {
            return ArnPattern {
                text: text.into(),
                kind: Kind::Everything,
            };
        }
        let mut parts: Vec<&str> = text.splitn(6, ':').collect();
        let last = parts.pop().unwrap_or_default();
        let head = parts.iter().map(|p| Glob::parse(p)).collect();
        let template = Template::parse(last, variables);
        let tail = if template.has_variables() {
            Tail::Variable(template)
        } else {
            // `${*}` and friends still make literal pieces, so go through the template.
            Tail::Fixed(Glob::from_pieces(
                &template.resolve_pieces(&Context::new()).unwrap_or_default(),
            ))
        };
        let literal_head = (parts.len() == 5 && !parts.iter().any(|p| p.contains(['*', '?'])))
            .then(|| format!("{}:", parts.join(":")).into_boxed_str());
        // A literal head is matched as one prefix: its part patterns are not kept.
        let head = if literal_head.is_some() {
            Vec::new()
        } else {
            head
        };
        ArnPattern {
            text: text.into(),
            kind: Kind::Parts {
                head,
                literal_head,
                tail,
            },
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
            tail,
        } = &self.kind
        else {
            return None;
        };
        if literal_head.is_none() && head.len() != 5 {
            return None;
        }
        Some(match tail {
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
        let (head, literal_head, tail) = match &self.kind {
            Kind::Everything => return true,
            Kind::Parts {
                head,
                literal_head,
                tail,
            } => (head, literal_head, tail),
        };
        let rest = match literal_head {
            Some(prefix) => match arn.strip_prefix(&**prefix) {
                Some(rest) => rest,
                None => return false,
            },
            None => {
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
        let [a, b, c, d, e] = five_colons(text)?;
        if text.get(..a)? != "arn" {
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
