//! Wildcard patterns: `*` matches any run of characters (including none), `?` exactly one.
//!
//! IAM uses the same two wildcards in actions, resources, `StringLike` and `ArnLike`. A naive
//! backtracking matcher takes exponential time on patterns such as `*a*a*a*a*b` against a long
//! text of `a`s. [`Glob`] avoids that: it splits the pattern at every `*` into segments, pins
//! the first segment to the start and the last to the end, and places every middle segment at
//! its leftmost fit. Leftmost placement is always safe, because whatever follows a star can
//! also follow an earlier placement, so no segment is ever reconsidered: matching costs
//! O(text × longest segment) at worst, and literal segments are found with `memchr`'s
//! linear-time substring search.
//!
//! Parts of a pattern that came from a policy variable (`${aws:username}`) or from `${*}` are
//! [`Piece::Literal`] too: their `*` and `?` are plain characters, never wildcards.
//!
//! ```
//! use polcheck_core::pattern::Glob;
//! let g = Glob::parse("*a*a*a*a*a*a*b");
//! assert!(!g.is_match(&"a".repeat(10_000)));
//! assert!(Glob::parse("s3:Get*").is_match("s3:GetObject"));
//! assert!(Glob::parse("dynamodb:?etItem").is_match("dynamodb:GetItem"));
//! ```

pub mod lang;

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Piece {
    /// Text matched character for character.
    Literal(String),
    /// `?`: exactly one character.
    AnyChar,
    /// `*`: any run of characters.
    AnyRun,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    kind: GlobKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GlobKind {
    /// No wildcard: plain equality.
    Exact(Box<str>),
    /// `*` alone.
    Everything,
    /// `text*`.
    Prefix(Box<str>),
    /// Wildcards but no star: `?`s among literal text, matching the whole text.
    Single(Box<Segment>),
    /// The general case (boxed, so that the common kinds keep `Glob` small).
    General(Box<General>),
}

/// `first`, then `*`-separated `middle` segments, then `last`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct General {
    first: Segment,
    middle: Vec<Segment>,
    last: Segment,
    min_len: usize,
}

/// A run of literal bytes and `?`s between two stars.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Segment {
    items: Vec<SegItem>,
    /// The whole segment as bytes when it holds no `?` (fast substring search).
    literal: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SegItem {
    Bytes(Vec<u8>),
    AnyChar,
}

impl Segment {
    fn from_pieces(pieces: &[Piece]) -> Segment {
        let mut items: Vec<SegItem> = Vec::new();
        for p in pieces {
            match p {
                Piece::Literal(s) if s.is_empty() => {}
                Piece::Literal(s) => match items.last_mut() {
                    Some(SegItem::Bytes(b)) => b.extend_from_slice(s.as_bytes()),
                    _ => items.push(SegItem::Bytes(s.as_bytes().to_vec())),
                },
                Piece::AnyChar => items.push(SegItem::AnyChar),
                Piece::AnyRun => {}
            }
        }
        let literal = match items.as_slice() {
            [] => Some(Vec::new()),
            [SegItem::Bytes(b)] => Some(b.clone()),
            _ => None,
        };
        Segment { items, literal }
    }

    /// The fewest bytes this segment can match.
    fn min_len(&self) -> usize {
        self.items
            .iter()
            .map(|i| match i {
                SegItem::Bytes(b) => b.len(),
                SegItem::AnyChar => 1,
            })
            .sum()
    }

    /// Matches the segment at `at`, returning the end offset.
    fn match_at(&self, text: &[u8], at: usize) -> Option<usize> {
        let mut pos = at;
        for item in &self.items {
            match item {
                SegItem::Bytes(b) => {
                    if text.get(pos..pos + b.len())? != b.as_slice() {
                        return None;
                    }
                    pos += b.len();
                }
                SegItem::AnyChar => pos += char_width(*text.get(pos)?),
            }
        }
        (pos <= text.len()).then_some(pos)
    }

    /// The end offset of the leftmost placement at or after `from`.
    fn find_from(&self, text: &[u8], from: usize) -> Option<usize> {
        if let Some(lit) = &self.literal {
            let rest = text.get(from..)?;
            return memchr::memmem::find(rest, lit).map(|i| from + i + lit.len());
        }
        (from..=text.len())
            .filter(|&i| text.get(i).is_none_or(|&b| is_char_start(b)))
            .find_map(|i| self.match_at(text, i))
    }
}

fn is_char_start(b: u8) -> bool {
    (b as i8) >= -0x40
}

fn char_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

impl Glob {
    /// The literal text every match starts with (empty when the pattern starts with a
    /// wildcard). Indexes use it to narrow their candidates before matching in full.
    pub fn literal_prefix(&self) -> &[u8] {
        let seg = match &self.kind {
            GlobKind::Exact(s) | GlobKind::Prefix(s) => return s.as_bytes(),
            GlobKind::Everything => return b"",
            GlobKind::Single(seg) => &**seg,
            GlobKind::General(g) => &g.first,
        };
        match seg.items.first() {
            Some(SegItem::Bytes(b)) => b,
            _ => b"",
        }
    }

    /// Parses wildcard text: every `*` and `?` is a wildcard.
    pub fn parse(text: &str) -> Glob {
        // The common shapes without building pieces: no wildcard, `*`, `text*`.
        let kind = match memchr::memchr2(b'*', b'?', text.as_bytes()) {
            None => GlobKind::Exact(text.into()),
            Some(0) if text == "*" => GlobKind::Everything,
            Some(i) if i + 1 == text.len() && text.ends_with('*') => {
                GlobKind::Prefix(text.get(..i).unwrap_or_default().into())
            }
            Some(_) => return Glob::from_pieces(&pieces_of(text)),
        };
        Glob { kind }
    }

    /// [`Glob::parse`] of a text the caller owns: its allocation becomes the pattern's for
    /// the common shapes (no wildcard, `text*`), so compiling a parsed policy that is dropped
    /// afterwards does not copy its strings.
    pub fn parse_owned(mut text: String) -> Glob {
        let kind = match memchr::memchr2(b'*', b'?', text.as_bytes()) {
            None => GlobKind::Exact(text.into_boxed_str()),
            Some(i) if i + 1 == text.len() && i > 0 && text.ends_with('*') => {
                text.truncate(i);
                GlobKind::Prefix(text.into_boxed_str())
            }
            _ => return Glob::parse(&text),
        };
        Glob { kind }
    }

    /// Builds a pattern from pieces (literal parts from variables keep `*` and `?` as text).
    pub fn from_pieces(pieces: &[Piece]) -> Glob {
        let has_wild = pieces.iter().any(|p| !matches!(p, Piece::Literal(_)));
        if !has_wild {
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Literal(s) => s.as_str(),
                    _ => "",
                })
                .collect();
            return Glob {
                kind: GlobKind::Exact(text.into()),
            };
        }
        let parts: Vec<&[Piece]> = pieces.split(|p| *p == Piece::AnyRun).collect();
        if parts.iter().all(|p| {
            p.iter()
                .all(|x| matches!(x, Piece::Literal(s) if s.is_empty()))
        }) {
            return Glob {
                kind: GlobKind::Everything,
            };
        }
        let segments: Vec<Segment> = parts.iter().map(|p| Segment::from_pieces(p)).collect();
        if let [only] = segments.as_slice() {
            return Glob {
                kind: GlobKind::Single(Box::new(only.clone())),
            };
        }
        if let [first, last] = segments.as_slice() {
            if let (Some(lit), Some(end)) = (&first.literal, &last.literal) {
                if end.is_empty() {
                    if let Ok(s) = String::from_utf8(lit.clone()) {
                        return Glob {
                            kind: GlobKind::Prefix(s.into()),
                        };
                    }
                }
            }
        }
        let min_len = segments.iter().map(Segment::min_len).sum();
        let mut segments = segments.into_iter();
        let first = segments.next().unwrap_or_default();
        let mut rest: Vec<Segment> = segments.collect();
        let last = rest.pop().unwrap_or_default();
        Glob {
            kind: GlobKind::General(Box::new(General {
                first,
                middle: rest,
                last,
                min_len,
            })),
        }
    }

    /// `true` when the pattern has no wildcard.
    pub fn is_exact(&self) -> bool {
        matches!(self.kind, GlobKind::Exact(_))
    }

    /// `true` for a pattern that matches every text (`*`).
    pub fn matches_everything(&self) -> bool {
        matches!(self.kind, GlobKind::Everything)
    }

    /// The exact text, when the pattern has no wildcard.
    pub fn exact_text(&self) -> Option<&str> {
        match &self.kind {
            GlobKind::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// Tests `text` against the pattern.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.kind {
            GlobKind::Exact(s) => **s == *text,
            GlobKind::Everything => true,
            GlobKind::Prefix(p) => text.starts_with(&**p),
            GlobKind::Single(seg) => seg.match_at(text.as_bytes(), 0) == Some(text.len()),
            GlobKind::General(g) => {
                let General {
                    first,
                    middle,
                    last,
                    min_len,
                } = &**g;
                let t = text.as_bytes();
                if t.len() < *min_len {
                    return false;
                }
                let Some(mut pos) = first.match_at(t, 0) else {
                    return false;
                };
                for seg in middle {
                    match seg.find_from(t, pos) {
                        Some(end) => pos = end,
                        None => return false,
                    }
                }
                // The last segment is pinned to the end: try the one start that fits, or, when
                // it holds `?` over multi-byte text, every char boundary from `pos`.
                if let Some(lit) = &last.literal {
                    return t.len() >= pos + lit.len() && t.ends_with(lit);
                }
                (pos..=t.len())
                    .filter(|&i| t.get(i).is_none_or(|&b| is_char_start(b)))
                    .any(|i| last.match_at(t, i) == Some(t.len()))
            }
        }
    }
}

/// Splits wildcard text into pieces.
pub fn pieces_of(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lit = String::new();
    for c in text.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    out.push(Piece::Literal(std::mem::take(&mut lit)));
                }
                out.push(if c == '*' {
                    Piece::AnyRun
                } else {
                    Piece::AnyChar
                });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Literal(lit));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plainly correct (slow) matcher to check the fast one against.
    fn naive(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, _) => t.is_empty(),
            (Some('*'), _) => naive(&p[1..], t) || (!t.is_empty() && naive(p, &t[1..])),
            (Some('?'), Some(_)) => naive(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => naive(&p[1..], &t[1..]),
            _ => false,
        }
    }

    #[test]
    fn agrees_with_naive_matcher() {
        let pats = [
            "", "*", "a*", "*a", "a?c", "*a*b*", "?", "??*", "a*b?c*d", "*é?", "ab*ab",
        ];
        let texts = [
            "", "a", "ab", "abc", "aXc", "aab", "abab", "éé", "xéz", "ab-ab", "aabbccdd",
        ];
        for p in pats {
            for t in texts {
                let pc: Vec<char> = p.chars().collect();
                let tc: Vec<char> = t.chars().collect();
                assert_eq!(
                    Glob::parse(p).is_match(t),
                    naive(&pc, &tc),
                    "{p:?} vs {t:?}"
                );
            }
        }
    }

    #[test]
    fn question_mark_is_one_multibyte_character() {
        assert!(Glob::parse("a?c").is_match("aéc"));
        assert!(!Glob::parse("a?c").is_match("aééc"));
        assert!(Glob::parse("*?").is_match("é"));
    }

    #[test]
    fn literal_pieces_keep_wildcard_characters() {
        let g = Glob::from_pieces(&[
            Piece::Literal("home/".into()),
            Piece::Literal("*".into()),
            Piece::AnyRun,
        ]);
        assert!(g.is_match("home/*/x"));
        assert!(!g.is_match("home/alice/x"));
    }

    #[test]
    fn no_blowup_on_many_stars() {
        let text = "a".repeat(50_000);
        let g = Glob::parse("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
        let t = std::time::Instant::now();
        assert!(!g.is_match(&text));
        assert!(t.elapsed().as_millis() < 500);
    }
}
