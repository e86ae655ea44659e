//! Glob languages: the sets of strings that IAM's wildcard patterns match, with the Boolean
//! algebra the analysis needs (intersection, difference, emptiness, a shortest witness).
//!
//! A pattern becomes a [`Lang`]: a linear automaton whose positions are the pattern's items
//! (one character of a class, or a star over a class). Its states are sets of positions
//! (subset construction on the fly). [`atoms`] runs the product of many languages at once,
//! breadth first, and reports every *atom* (every combination of "in" / "not in" the
//! languages that some string realises) with a shortest string realising it. Every Boolean
//! question about the languages is read off the atoms: `A ∩ B` is non-empty when an atom is in
//! both, `A \ B` when one is in `A` and not in `B`, and so on.
//!
//! Characters that no pattern mentions behave alike in every pattern, so the product only
//! branches on the characters the live patterns mention next, plus `:` and one fresh
//! character standing for all the others. That keeps it small for real policies, where most
//! patterns are literal prefixes followed by `*`.
//!
//! Resource and `ArnLike` patterns are matched part by part (`arn.rs`): a star before the
//! fifth colon stays inside its part, which is a star over "any character but `:`" here.
//!
//! ```
//! use polcheck_core::analysis::lang::{Lang, atoms};
//! let all = Lang::glob("s3:*");
//! let get = Lang::glob("s3:get*");
//! // Something is in `s3:*` but not in `s3:get*`, and the shortest such string is `s3:`.
//! let a = atoms(&[all.clone(), get.clone()], 10_000).unwrap();
//! let only_all = a.iter().find(|x| x.contains(0) && !x.contains(1)).unwrap();
//! assert_eq!(only_all.witness, "s3:");
//! assert_eq!(Lang::difference_witness(&get, &all), None);
//! ```

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::pattern::{pieces_of, Piece};
use crate::variables::Template;

/// The characters one item accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    /// Exactly this character.
    Char(char),
    /// This lowercase ASCII letter in either case (`StringEqualsIgnoreCase`).
    Fold(char),
    /// Any character.
    Any,
    /// Any character but `:` (a star inside one of the first five parts of an ARN).
    NotColon,
}

impl Class {
    fn accepts(self, ch: char) -> bool {
        match self {
            Class::Char(c) => c == ch,
            Class::Fold(c) => ch.to_ascii_lowercase() == c,
            Class::Any => true,
            Class::NotColon => ch != ':',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    /// One character of the class.
    One(Class),
    /// Any run of characters of the class, including none.
    Star(Class),
}

/// The language of one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    items: Vec<Item>,
    /// `saturated[i]`: every item from `i` on is `Star(Any)`, so a state holding `i` accepts
    /// every continuation.
    saturated: Vec<bool>,
}

/// Why a pattern has no language here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LangError {
    /// A policy variable (`${aws:username}`): the pattern depends on another key.
    #[error("policy variable in `{0}`")]
    Variable(String),
    /// `StringEqualsIgnoreCase` with a letter outside ASCII (Unicode case folding is not
    /// modelled).
    #[error("non-ASCII letter in case-insensitive value `{0}`")]
    NonAsciiFold(String),
}

/// The product became larger than the limit given to [`atoms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than {0} automaton states")]
pub struct TooComplex(pub usize);

impl Lang {
    fn from_items(items: Vec<Item>) -> Lang {
        let mut saturated = vec![false; items.len() + 1];
        let mut all_stars = true;
        for i in (0..items.len()).rev() {
            all_stars &= matches!(items.get(i), Some(Item::Star(Class::Any)));
            if let Some(s) = saturated.get_mut(i) {
                *s = all_stars;
            }
        }
        Lang { items, saturated }
    }

    fn push_pieces(items: &mut Vec<Item>, pieces: &[Piece], wild: Class) {
        for p in pieces {
            match p {
                Piece::Literal(s) => items.extend(s.chars().map(|c| Item::One(Class::Char(c)))),
                Piece::AnyChar => items.push(Item::One(wild)),
                Piece::AnyRun => items.push(Item::Star(wild)),
            }
        }
    }

    /// A wildcard pattern as [`crate::pattern::Glob::parse`] reads it: `*` and `?` are
    /// wildcards, every other character stands for itself.
    pub fn glob(text: &str) -> Lang {
        Lang::from_pieces(&pieces_of(text))
    }

    /// Pattern pieces (literal pieces keep `*` and `?` as text).
    pub fn from_pieces(pieces: &[Piece]) -> Lang {
        let mut items = Vec::new();
        Lang::push_pieces(&mut items, pieces, Class::Any);
        Lang::from_items(items)
    }

    /// Exactly one string.
    pub fn literal(text: &str) -> Lang {
        Lang::from_items(text.chars().map(|c| Item::One(Class::Char(c))).collect())
    }

    /// The strings equal to `text` ignoring ASCII case (`StringEqualsIgnoreCase`).
    pub fn literal_ignore_case(text: &str) -> Result<Lang, LangError> {
        let mut items = Vec::new();
        for c in text.chars() {
            if c.is_ascii_alphabetic() {
                items.push(Item::One(Class::Fold(c.to_ascii_lowercase())));
            } else if c.to_lowercase().ne(c.to_uppercase()) {
                return Err(LangError::NonAsciiFold(text.to_string()));
            } else {
                items.push(Item::One(Class::Char(c)));
            }
        }
        Ok(Lang::from_items(items))
    }

    /// A string condition value, with policy variables refused: `like` for `StringLike`.
    pub fn string_value(text: &str, variables: bool, like: bool) -> Result<Lang, LangError> {
        let t = Template::parse(text, variables);
        if t.has_variables() {
            return Err(LangError::Variable(text.to_string()));
        }
        let pieces = t.resolve_pieces(&crate::Context::new()).unwrap_or_default();
        if like {
            return Ok(Lang::from_pieces(&pieces));
        }
        let plain: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(s) => s.clone(),
                Piece::AnyChar => "?".into(),
                Piece::AnyRun => "*".into(),
            })
            .collect();
        Ok(Lang::literal(&plain))
    }

    /// A `Resource` or `ArnLike` pattern, part by part as [`crate::arn::ArnPattern`] matches.
    pub fn arn(text: &str, variables: bool) -> Result<Lang, LangError> {
        if text == "*" {
            return Ok(Lang::from_items(vec![Item::Star(Class::Any)]));
        }
        let mut parts: Vec<&str> = text.splitn(6, ':').collect();
        let last = parts.pop().unwrap_or_default();
        let mut items = Vec::new();
        for part in &parts {
            Lang::push_pieces(&mut items, &pieces_of(part), Class::NotColon);
            items.push(Item::One(Class::Char(':')));
        }
        let tail = Template::parse(last, variables);
        if tail.has_variables() {
            return Err(LangError::Variable(text.to_string()));
        }
        let pieces = tail
            .resolve_pieces(&crate::Context::new())
            .unwrap_or_default();
        Lang::push_pieces(&mut items, &pieces, Class::Any);
        Ok(Lang::from_items(items))
    }

    fn closure(&self, set: &mut Vec<u32>) {
        let mut i = 0;
        while let Some(&p) = set.get(i) {
            if let Some(Item::Star(_)) = self.items.get(p as usize) {
                if !set.contains(&(p + 1)) {
                    set.push(p + 1);
                }
            }
            i += 1;
        }
        set.sort_unstable();
        set.dedup();
    }

    fn start(&self) -> Vec<u32> {
        let mut s = vec![0];
        self.closure(&mut s);
        s
    }

    fn step(&self, set: &[u32], ch: char) -> Vec<u32> {
        let mut out = Vec::new();
        for &p in set {
            match self.items.get(p as usize) {
                Some(Item::Star(c)) if c.accepts(ch) => out.push(p),
                Some(Item::One(c)) if c.accepts(ch) => out.push(p + 1),
                _ => {}
            }
        }
        self.closure(&mut out);
        out
    }

    fn accepting(&self, set: &[u32]) -> bool {
        set.last().is_some_and(|&p| p as usize == self.items.len())
    }

    fn is_saturated(&self, set: &[u32]) -> bool {
        set.iter().any(|&p| {
            (p as usize) < self.items.len() && self.saturated.get(p as usize) == Some(&true)
        })
    }

    /// The characters this state tells apart from "any other character".
    fn next_chars(&self, set: &[u32], out: &mut BTreeSet<char>) {
        for &p in set {
            match self.items.get(p as usize) {
                Some(Item::One(Class::Char(c))) => {
                    out.insert(*c);
                }
                Some(Item::One(Class::Fold(c))) => {
                    out.insert(*c);
                    out.insert(c.to_ascii_uppercase());
                }
                Some(Item::One(Class::NotColon) | Item::Star(Class::NotColon)) => {
                    out.insert(':');
                }
                _ => {}
            }
        }
    }

    fn literal_chars(&self, out: &mut HashSet<char>) {
        for item in &self.items {
            if let Item::One(Class::Char(c)) = item {
                out.insert(*c);
            }
            if let Item::One(Class::Fold(c)) = item {
                out.insert(*c);
                out.insert(c.to_ascii_uppercase());
            }
        }
    }

    /// `true` when `text` is in the language (a plain run of the automaton).
    pub fn is_match(&self, text: &str) -> bool {
        let mut s = self.start();
        for ch in text.chars() {
            s = self.step(&s, ch);
            if s.is_empty() {
                return false;
            }
        }
        self.accepting(&s)
    }

    /// A shortest string in both languages, if any.
    pub fn intersection_witness(a: &Lang, b: &Lang) -> Option<String> {
        pick(a, b, |x| x.contains(0) && x.contains(1))
    }

    /// A shortest string in `a` and not in `b`, if any.
    pub fn difference_witness(a: &Lang, b: &Lang) -> Option<String> {
        pick(a, b, |x| x.contains(0) && !x.contains(1))
    }

    /// `true` when no string is in the language.
    pub fn is_empty(&self) -> bool {
        atoms(std::slice::from_ref(self), 1_000_000)
            .map(|a| !a.iter().any(|x| x.contains(0)))
            .unwrap_or(false)
    }
}

fn pick(a: &Lang, b: &Lang, want: impl Fn(&Atom) -> bool) -> Option<String> {
    let atoms = atoms(&[a.clone(), b.clone()], 1_000_000).ok()?;
    atoms.into_iter().find(|x| want(x)).map(|x| x.witness)
}

/// One combination of memberships that some string realises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// A shortest string with exactly these memberships.
    pub witness: String,
    members: Vec<u64>,
}

impl Atom {
    /// `true` when the atom lies inside language number `i` of the list given to [`atoms`].
    pub fn contains(&self, i: usize) -> bool {
        self.members
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
}

fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

/// A product state: the live, unsaturated languages with their position sets, and the
/// saturated ones (which accept whatever follows).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    live: Vec<(u32, Vec<u32>)>,
    saturated: Vec<u64>,
}

/// Gives each atom whose witness is empty or ends in an empty name (`s3:`, `arn:aws:s3:::reports/`: a
/// shortest string fills a `*` with nothing) a witness one character longer when that string
/// has exactly the same memberships, so that the witness is a name AWS would accept (an
/// action needs a name after `service:`, an S3 object a key). Membership is checked against
/// every language, so the atom stays the same.
///
/// `for_empty` are the strings tried for an empty witness (for actions, a smallest
/// `service:name`; none for resources, whose empty class gets a named default instead).
pub fn fill_empty_tails(found: &mut [Atom], langs: &[Lang], for_empty: &[&str]) {
    for atom in found.iter_mut() {
        let fillers: &[&str] = if atom.witness.is_empty() {
            for_empty
        } else if atom.witness.ends_with(':') || atom.witness.ends_with('/') {
            &["x", "z", "0", "_"]
        } else {
            continue;
        };
        for filler in fillers {
            let candidate = format!("{}{filler}", atom.witness);
            let same = langs
                .iter()
                .enumerate()
                .all(|(i, l)| l.is_match(&candidate) == atom.contains(i));
            if same {
                atom.witness = candidate;
                break;
            }
        }
    }
}

/// Every atom of the languages, each with a shortest witness, in order of witness length.
/// Fails when the product has more than `limit` states.
pub fn atoms(langs: &[Lang], limit: usize) -> Result<Vec<Atom>, TooComplex> {
    let words = langs.len().div_ceil(64).max(1);
    let mut literal = HashSet::new();
    for l in langs {
        l.literal_chars(&mut literal);
    }
    // One character no pattern names stands for all of them.
    let fresh = ('a'..='z')
        .chain('0'..='9')
        .chain(['-', '_', '.', '~'])
        .chain('\u{100}'..='\u{1ff}')
        .find(|c| !literal.contains(c) && *c != ':')
        .unwrap_or('\u{2603}');
    let mut start = State {
        live: Vec::new(),
        saturated: vec![0; words],
    };
    for (i, l) in langs.iter().enumerate() {
        let s = l.start();
        if l.is_saturated(&s) {
            set_bit(&mut start.saturated, i);
        } else if !s.is_empty() {
            start.live.push((i as u32, s));
        }
    }
    let mut out = Vec::new();
    let mut seen_atoms: HashMap<Vec<u64>, ()> = HashMap::new();
    let mut visited: HashSet<State> = HashSet::new();
    let mut queue = VecDeque::new();
    visited.insert(start.clone());
    queue.push_back((start, String::new()));
    while let Some((state, text)) = queue.pop_front() {
        let mut members = state.saturated.clone();
        for (i, set) in &state.live {
            if langs.get(*i as usize).is_some_and(|l| l.accepting(set)) {
                set_bit(&mut members, *i as usize);
            }
        }
        if seen_atoms.insert(members.clone(), ()).is_none() {
            out.push(Atom {
                witness: text.clone(),
                members,
            });
        }
        if state.live.is_empty() {
            continue;
        }
        let mut chars = BTreeSet::new();
        for (i, set) in &state.live {
            if let Some(l) = langs.get(*i as usize) {
                l.next_chars(set, &mut chars);
            }
        }
        chars.insert(':');
        chars.insert(fresh);
        for ch in chars {
            let mut next = State {
                live: Vec::new(),
                saturated: state.saturated.clone(),
            };
            for (i, set) in &state.live {
                let Some(l) = langs.get(*i as usize) else {
                    continue;
                };
                let s = l.step(set, ch);
                if l.is_saturated(&s) {
                    set_bit(&mut next.saturated, *i as usize);
                } else if !s.is_empty() {
                    next.live.push((*i, s));
                }
            }
            if visited.contains(&next) {
                continue;
            }
            if visited.len() >= limit {
                return Err(TooComplex(limit));
            }
            visited.insert(next.clone());
            let mut t = text.clone();
            t.push(ch);
            queue.push_back((next, t));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arn::ArnPattern;
    use crate::pattern::Glob;
    use proptest::prelude::*;

    /// Every string over `alphabet` up to `len` characters.
    fn strings(alphabet: &[char], len: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..len {
            let mut next = Vec::new();
            for s in &layer {
                for c in alphabet {
                    let mut t = s.clone();
                    t.push(*c);
                    next.push(t);
                }
            }
            out.extend(next.iter().cloned());
            layer = next;
        }
        out
    }

    /// A brute-force matcher of one pattern.
    type Matcher = Box<dyn Fn(&str) -> bool>;

    fn check_against_brute_force(
        langs: &[Lang],
        matchers: &[Matcher],
        alphabet: &[char],
        len: usize,
    ) {
        let found = atoms(langs, 100_000).unwrap();
        // Each witness has exactly its atom's memberships, by the real matchers.
        for a in &found {
            for (i, m) in matchers.iter().enumerate() {
                assert_eq!(
                    m(&a.witness),
                    a.contains(i),
                    "witness {:?} lang {i}",
                    a.witness
                );
            }
        }
        // Every membership vector a short string realises is an atom, whose witness is no
        // longer than that string.
        for s in strings(alphabet, len) {
            let v: Vec<bool> = matchers.iter().map(|m| m(&s)).collect();
            let atom = found
                .iter()
                .find(|a| (0..v.len()).all(|i| a.contains(i) == v.get(i).copied().unwrap_or(false)))
                .unwrap_or_else(|| panic!("no atom for {s:?}"));
            assert!(
                atom.witness.chars().count() <= s.chars().count(),
                "{s:?} shorter than {:?}",
                atom.witness
            );
        }
    }

    fn glob_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop::sample::select(vec!['a', 'b', ':', '*', '?']), 0..5)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn globs_agree_with_brute_force(pats in proptest::collection::vec(glob_text(), 1..4)) {
            let langs: Vec<Lang> = pats.iter().map(|p| Lang::glob(p)).collect();
            let matchers: Vec<Matcher> = pats
                .iter()
                .map(|p| {
                    let g = Glob::parse(p);
                    Box::new(move |s: &str| g.is_match(s)) as Matcher
                })
                .collect();
            check_against_brute_force(&langs, &matchers, &['a', 'b', ':', 'c'], 4);
        }

        #[test]
        fn arn_patterns_agree_with_brute_force(pats in proptest::collection::vec(glob_text(), 1..3)) {
            // Patterns over `a`, `b`, `:` with wildcards, read as ARN patterns.
            let langs: Vec<Lang> = pats.iter().map(|p| Lang::arn(p, true).unwrap()).collect();
            let matchers: Vec<Matcher> = pats
                .iter()
                .map(|p| {
                    let g = ArnPattern::parse(p, true);
                    Box::new(move |s: &str| g.is_match(s, &crate::Context::new())) as Matcher
                })
                .collect();
            check_against_brute_force(&langs, &matchers, &['a', ':', 'c'], 5);
        }
    }

    #[test]
    fn arn_star_stays_in_its_part() {
        let p = Lang::arn("arn:aws:sqs:*:111122223333:q", true).unwrap();
        assert!(p.is_match("arn:aws:sqs:us-east-1:111122223333:q"));
        assert!(!p.is_match("arn:aws:sqs:us-east-1:x:111122223333:q"));
        let all_s3 = Lang::arn("arn:aws:s3:::*", true).unwrap();
        let bucket = Lang::arn("arn:aws:s3:::b/*", true).unwrap();
        assert_eq!(Lang::difference_witness(&bucket, &all_s3), None);
        assert_eq!(
            Lang::difference_witness(&all_s3, &bucket).as_deref(),
            Some("arn:aws:s3:::")
        );
        assert_eq!(
            Lang::intersection_witness(&bucket, &Lang::arn("arn:aws:s3:::*secret", true).unwrap())
                .as_deref(),
            Some("arn:aws:s3:::b/secret")
        );
        assert_eq!(
            Lang::intersection_witness(&bucket, &Lang::arn("*:secret", true).unwrap()),
            None
        );
    }

    #[test]
    fn ignore_case_and_emptiness() {
        let l = Lang::literal_ignore_case("Prod").unwrap();
        assert!(l.is_match("PROD") && l.is_match("prod") && !l.is_match("prodx"));
        assert!(Lang::literal_ignore_case("Straße").is_err());
        assert!(Lang::literal_ignore_case("É").is_err());
        assert!(!Lang::glob("a*").is_empty());
        assert!(Lang::string_value("${aws:username}", true, true).is_err());
        assert!(Lang::string_value("${aws:username}", false, true).is_ok());
        assert!(Lang::arn("arn:aws:s3:::b/${aws:username}", true).is_err());
    }

    #[test]
    fn limit_is_reported() {
        let langs: Vec<Lang> = (0..12)
            .map(|i| Lang::glob(&format!("*a{}*", "?".repeat(i))))
            .collect();
        assert!(atoms(&langs, 50).is_err());
    }
}
