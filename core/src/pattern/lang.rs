//! Patterns as languages: the sets of strings that IAM's wildcard patterns (and the ARN
//! formats of the service catalogue) match, with the questions asked of them: does a text
//! match, can two patterns match a common text ([`Lang::intersects`], for `validate`), and the
//! Boolean algebra of many patterns at once ([`atoms`], for `analysis`: intersection,
//! difference, emptiness, each with a shortest witness).
//!
//! A [`Lang`] is a sequence of [`Item`]s, each a character [`Class`] taken once or repeated
//! (zero or more times). It expresses IAM's globs (`*` is any class repeated, `?` any class
//! once, other characters themselves once), `Resource` and `ArnLike` patterns (a star before
//! the fifth colon stays inside its part: a star over "any character but `:`"),
//! `StringEqualsIgnoreCase` values (a letter in either case) and the catalogue's ARN formats
//! (a placeholder is one or more characters of a class that leaves out `:` or `/`).
//!
//! The automaton of a language is linear: its positions are the items (plus the end), a
//! repeated item loops on itself. A state is a set of positions, kept sorted and closed under
//! "skip a repeated item".
//!
//! - [`Lang::intersects`] walks the product of two automata position by position (a state is
//!   one position in each), so it costs O(n × m) for patterns of n and m items and never
//!   backtracks.
//! - [`atoms`] runs the product of many languages at once, breadth first, over sets of
//!   positions, and reports every *atom* (every combination of "in" / "not in" the languages
//!   that some string realises) with a shortest string realising it. Every Boolean question
//!   about the languages is read off the atoms: `A ∩ B` is non-empty when an atom is in both,
//!   `A \ B` when one is in `A` and not in `B`, and so on.
//!
//! The alphabet is every Unicode character. Characters that no class names behave alike in
//! every class, so the product only branches on the characters the live positions name, plus
//! `:` and one fresh character standing for all the others. That keeps it small for real
//! policies, where most patterns are literal prefixes followed by `*`. For the same reason two
//! classes that leave out finitely many characters always share one.
//!
//! ```
//! use polcheck_core::pattern::lang::{atoms, Lang};
//! let logs = Lang::glob("arn:aws:logs:*:*:*");
//! assert!(logs.intersects(&Lang::glob("arn:*:logs:us-east-1:1:log-group:/aws/x")));
//! assert!(!Lang::glob("a*b").intersects(&Lang::glob("*c")));
//!
//! let all = Lang::glob("s3:*");
//! let get = Lang::glob("s3:get*");
//! // Something is in `s3:*` but not in `s3:get*`, and the shortest such string is `s3:`.
//! let a = atoms(&[all.clone(), get.clone()], 10_000).unwrap();
//! let only_all = a.iter().find(|x| x.contains(0) && !x.contains(1)).unwrap();
//! assert_eq!(only_all.witness, "s3:");
//! assert_eq!(Lang::difference_witness(&get, &all), None);
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::pattern::{pieces_of, Piece};

/// A set of characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// Exactly this character.
    Char(char),
    /// This ASCII letter in either case (`StringEqualsIgnoreCase`).
    Fold(char),
    /// Any character.
    Any,
    /// Any character but these.
    NoneOf(Vec<char>),
}

impl Class {
    /// Whether `c` is in the class.
    pub fn contains(&self, c: char) -> bool {
        match self {
            Class::Char(x) => *x == c,
            Class::Fold(x) => x.eq_ignore_ascii_case(&c),
            Class::Any => true,
            Class::NoneOf(out) => !out.contains(&c),
        }
    }

    /// Whether some character is in both classes.
    pub fn meets(&self, other: &Class) -> bool {
        match (self, other) {
            (Class::Char(c), o) | (o, Class::Char(c)) => o.contains(*c),
            (Class::Fold(c), o) | (o, Class::Fold(c)) => {
                o.contains(c.to_ascii_lowercase()) || o.contains(c.to_ascii_uppercase())
            }
            // Both leave out finitely many characters of an infinite alphabet.
            _ => true,
        }
    }

    /// The characters this class tells apart from "any other character".
    fn named(&self, out: &mut Vec<char>) {
        match self {
            Class::Char(c) => out.push(*c),
            Class::Fold(c) => {
                out.push(c.to_ascii_lowercase());
                out.push(c.to_ascii_uppercase());
            }
            Class::Any => {}
            Class::NoneOf(list) => out.extend(list.iter().copied()),
        }
    }
}

/// One element of a [`Lang`]: a class, taken once or any number of times (zero included).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Item {
    /// The characters this item takes.
    pub class: Class,
    /// `true`: zero or more characters of the class; `false`: exactly one.
    pub repeated: bool,
}

impl Item {
    /// One character of `class`.
    pub fn once(class: Class) -> Item {
        Item {
            class,
            repeated: false,
        }
    }

    /// Zero or more characters of `class`.
    pub fn many(class: Class) -> Item {
        Item {
            class,
            repeated: true,
        }
    }

    fn is_any_run(&self) -> bool {
        self.repeated && self.class == Class::Any
    }
}

/// A pattern as a language over characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lang {
    items: Vec<Item>,
    /// Every item from here on is a run of any characters, so a state holding a position in
    /// `saturated_from..items.len()` accepts every continuation.
    saturated_from: usize,
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
    /// An empty pattern (it matches the empty text only).
    pub fn new() -> Lang {
        Lang::default()
    }

    /// A language of these items.
    pub fn from_items(items: Vec<Item>) -> Lang {
        let mut l = Lang::new();
        for item in items {
            l.push(item);
        }
        l
    }

    /// Appends one item.
    pub fn push(&mut self, item: Item) {
        if !item.is_any_run() {
            self.saturated_from = self.items.len() + 1;
        }
        self.items.push(item);
    }

    /// Appends literal text.
    pub fn push_literal(&mut self, text: &str) {
        for c in text.chars() {
            self.push(Item::once(Class::Char(c)));
        }
    }

    /// The items, in order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    fn push_pieces(&mut self, pieces: &[Piece], wild: &Class) {
        for p in pieces {
            match p {
                Piece::Literal(s) => self.push_literal(s),
                Piece::AnyChar => self.push(Item::once(wild.clone())),
                Piece::AnyRun => self.push(Item::many(wild.clone())),
            }
        }
    }

    /// IAM glob text as [`crate::pattern::Glob::parse`] reads it: `*` any run, `?` any one
    /// character, everything else itself.
    pub fn glob(text: &str) -> Lang {
        let mut l = Lang::new();
        for c in text.chars() {
            match c {
                '*' => l.push(Item::many(Class::Any)),
                '?' => l.push(Item::once(Class::Any)),
                _ => l.push(Item::once(Class::Char(c))),
            }
        }
        l
    }

    /// Pattern pieces (literal pieces keep `*` and `?` as text).
    pub fn from_pieces(pieces: &[Piece]) -> Lang {
        let mut l = Lang::new();
        l.push_pieces(pieces, &Class::Any);
        l
    }

    /// Exactly one string.
    pub fn literal(text: &str) -> Lang {
        let mut l = Lang::new();
        l.push_literal(text);
        l
    }

    /// The strings equal to `text` ignoring ASCII case (`StringEqualsIgnoreCase`).
    pub fn literal_ignore_case(text: &str) -> Result<Lang, LangError> {
        let mut l = Lang::new();
        for c in text.chars() {
            if c.is_ascii_alphabetic() {
                l.push(Item::once(Class::Fold(c.to_ascii_lowercase())));
            } else if c.to_lowercase().ne(c.to_uppercase()) {
                return Err(LangError::NonAsciiFold(text.to_string()));
            } else {
                l.push(Item::once(Class::Char(c)));
            }
        }
        Ok(l)
    }

    /// A string condition value read as `pieces` (its policy variables already refused and
    /// its `${*}`-style escapes resolved by the caller): `like` for `StringLike`, where `*` and
    /// `?` are wildcards; otherwise the value is the plain text of its pieces.
    pub fn string_pieces(pieces: &[Piece], like: bool) -> Lang {
        if like {
            return Lang::from_pieces(pieces);
        }
        let plain: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(s) => s.clone(),
                Piece::AnyChar => "?".into(),
                Piece::AnyRun => "*".into(),
            })
            .collect();
        Lang::literal(&plain)
    }

    /// A `Resource` or `ArnLike` pattern, part by part as [`crate::arn::ArnPattern`] matches.
    /// The part after the fifth colon (the resource, where policy variables may appear) is
    /// read by `tail`, which the caller supplies (it resolves or refuses variables).
    pub fn arn_with(
        text: &str,
        tail: impl FnOnce(&str) -> Result<Vec<Piece>, LangError>,
    ) -> Result<Lang, LangError> {
        if text == "*" {
            return Ok(Lang::from_items(vec![Item::many(Class::Any)]));
        }
        let mut parts: Vec<&str> = text.splitn(6, ':').collect();
        let last = parts.pop().unwrap_or_default();
        let mut l = Lang::new();
        let not_colon = Class::NoneOf(vec![':']);
        for part in &parts {
            l.push_pieces(&pieces_of(part), &not_colon);
            l.push(Item::once(Class::Char(':')));
        }
        l.push_pieces(&tail(last)?, &Class::Any);
        Ok(l)
    }

    /// Pushes position `q` and the positions reached from it by skipping repeated items,
    /// those above `*last` only (the caller emits positions in increasing order).
    fn emit_closed(&self, mut q: u32, last: &mut Option<u32>, out: &mut Vec<u32>) {
        loop {
            if last.is_none_or(|l| q > l) {
                out.push(q);
                *last = Some(q);
            }
            match self.items.get(q as usize) {
                Some(it) if it.repeated => q += 1,
                _ => return,
            }
        }
    }

    /// The start state.
    fn start_into(&self, out: &mut Vec<u32>) {
        self.emit_closed(0, &mut None, out);
    }

    /// Appends to `out` the state reached from `from` (sorted and closed) by `ch`, sorted and
    /// closed. A position `p` leads to `p` (repeated item) or `p + 1` (once), which never
    /// decreases as `p` grows, so the closure can be emitted in order.
    fn step_into(&self, from: &[u32], ch: char, out: &mut Vec<u32>) {
        let mut last = None;
        for &p in from {
            let Some(it) = self.items.get(p as usize) else {
                continue;
            };
            if it.class.contains(ch) {
                let q = if it.repeated { p } else { p + 1 };
                self.emit_closed(q, &mut last, out);
            }
        }
    }

    fn accepting(&self, set: &[u32]) -> bool {
        set.last().is_some_and(|&p| p as usize == self.items.len())
    }

    fn is_saturated(&self, set: &[u32]) -> bool {
        set.iter()
            .any(|&p| (p as usize) >= self.saturated_from && (p as usize) < self.items.len())
    }

    /// Whether `text` is in the language (a plain run of the automaton).
    pub fn is_match(&self, text: &str) -> bool {
        let mut s = Vec::with_capacity(4);
        let mut next = Vec::with_capacity(4);
        self.start_into(&mut s);
        for ch in text.chars() {
            if self.is_saturated(&s) {
                return true;
            }
            next.clear();
            self.step_into(&s, ch, &mut next);
            if next.is_empty() {
                return false;
            }
            std::mem::swap(&mut s, &mut next);
        }
        self.accepting(&s)
    }

    /// Whether some text is in both languages: reachability in the product automaton.
    pub fn intersects(&self, other: &Lang) -> bool {
        let (a, b) = (&self.items, &other.items);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, j)) = stack.pop() {
            let Some(cell) = seen.get_mut(i * width + j) else {
                continue;
            };
            if *cell {
                continue;
            }
            *cell = true;
            if i == a.len() && j == b.len() {
                return true;
            }
            let (x, y) = (a.get(i), b.get(j));
            // Skip a repeated item without taking a character.
            if x.is_some_and(|x| x.repeated) {
                stack.push((i + 1, j));
            }
            if y.is_some_and(|y| y.repeated) {
                stack.push((i, j + 1));
            }
            // Take one character that both items accept.
            if let (Some(x), Some(y)) = (x, y) {
                if x.class.meets(&y.class) {
                    let ni = if x.repeated { i } else { i + 1 };
                    let nj = if y.repeated { j } else { j + 1 };
                    if (ni, nj) != (i, j) {
                        stack.push((ni, nj));
                    }
                }
            }
        }
        false
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
    /// The product state the witness leads to, so that the witness can be extended without
    /// running every language again: see [`Atom::keeps`].
    state: ProductState,
}

impl Atom {
    /// `true` when the atom lies inside language number `i` of the list given to [`atoms`].
    pub fn contains(&self, i: usize) -> bool {
        bit(&self.members, i)
    }

    /// `true` when the witness followed by `suffix` has exactly this atom's memberships in
    /// `langs` (the list given to [`atoms`]).
    pub fn keeps(&self, langs: &[Lang], suffix: &str) -> bool {
        let mut state = self.state.clone();
        let mut scratch = Scratch::default();
        for ch in suffix.chars() {
            if state.live.is_empty() {
                break;
            }
            state = state.step(langs, ch, &mut scratch);
        }
        state.members(langs) == self.members
    }
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64)
        .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

/// A product state: the live, unsaturated languages with their position sets, flat
/// (`language, count, positions...` for each), and the saturated ones as bits (they accept
/// whatever follows).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ProductState {
    live: Vec<u32>,
    saturated: Vec<u64>,
}

/// Buffers reused across steps.
#[derive(Default)]
struct Scratch {
    positions: Vec<u32>,
}

/// The live languages of a flat state: (language, positions).
fn live_sets(live: &[u32]) -> impl Iterator<Item = (u32, &[u32])> {
    let mut rest = live;
    std::iter::from_fn(move || {
        let (&lang, tail) = rest.split_first()?;
        let (&count, tail) = tail.split_first()?;
        let (set, tail) = tail.split_at_checked(count as usize)?;
        rest = tail;
        Some((lang, set))
    })
}

impl ProductState {
    fn start(langs: &[Lang]) -> ProductState {
        let mut s = ProductState {
            live: Vec::new(),
            saturated: vec![0; langs.len().div_ceil(64).max(1)],
        };
        let mut set = Vec::new();
        for (i, l) in langs.iter().enumerate() {
            set.clear();
            l.start_into(&mut set);
            s.add(l, i as u32, &set);
        }
        s
    }

    /// Records language `i` in state `set`.
    fn add(&mut self, lang: &Lang, i: u32, set: &[u32]) {
        if lang.is_saturated(set) {
            set_bit(&mut self.saturated, i as usize);
        } else if !set.is_empty() {
            self.live.push(i);
            self.live.push(set.len() as u32);
            self.live.extend_from_slice(set);
        }
    }

    fn step(&self, langs: &[Lang], ch: char, scratch: &mut Scratch) -> ProductState {
        let mut next = ProductState {
            live: Vec::with_capacity(self.live.len()),
            saturated: self.saturated.clone(),
        };
        for (i, set) in live_sets(&self.live) {
            let Some(l) = langs.get(i as usize) else {
                continue;
            };
            scratch.positions.clear();
            l.step_into(set, ch, &mut scratch.positions);
            next.add(l, i, &scratch.positions);
        }
        next
    }

    fn members(&self, langs: &[Lang]) -> Vec<u64> {
        let mut m = Vec::new();
        self.members_into(langs, &mut m);
        m
    }

    fn members_into(&self, langs: &[Lang], m: &mut Vec<u64>) {
        m.clear();
        m.extend_from_slice(&self.saturated);
        for (i, set) in live_sets(&self.live) {
            if langs.get(i as usize).is_some_and(|l| l.accepting(set)) {
                set_bit(m, i as usize);
            }
        }
    }
}

/// A multiply-and-mix hasher for the product's states (vectors of small integers), cheaper
/// than the default one; the states are not chosen by an adversary in a way that matters
/// (the product is bounded by the limit given to [`atoms`] either way).
#[derive(Default)]
struct StateHasher(u64);

impl StateHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(26) ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Hasher for StateHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            for (d, s) in b.iter_mut().zip(rest) {
                *d = *s;
            }
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }

    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }

    fn finish(&self) -> u64 {
        let h = self.0 ^ (self.0 >> 31);
        let h = h.wrapping_mul(0xd6e8_feb8_6659_fd93);
        h ^ (h >> 32)
    }
}

type Fast = BuildHasherDefault<StateHasher>;

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
        if let Some(filler) = fillers.iter().find(|f| atom.keeps(langs, f)) {
            atom.witness.push_str(filler);
        }
    }
}

/// The states of a product found so far, breadth first, each with the state and character it
/// was reached from (to spell its witness), and an index by content hash (states are looked
/// up by content without keeping a second copy of each).
struct Explored {
    states: Vec<ProductState>,
    parent: Vec<(usize, char)>,
    first_with_hash: HashMap<u64, usize, Fast>,
    next_with_hash: Vec<usize>,
}

impl Explored {
    fn hash(s: &ProductState) -> u64 {
        let mut h = StateHasher::default();
        s.hash(&mut h);
        h.finish()
    }

    /// Adds `s` unless it is known; `true` when it was new.
    fn add(&mut self, s: ProductState, from: usize, ch: char) -> bool {
        let h = Explored::hash(&s);
        let mut at = self.first_with_hash.get(&h).copied().unwrap_or(usize::MAX);
        while let Some(known) = self.states.get(at) {
            if *known == s {
                return false;
            }
            at = self.next_with_hash.get(at).copied().unwrap_or(usize::MAX);
        }
        let id = self.states.len();
        let previous = self.first_with_hash.insert(h, id).unwrap_or(usize::MAX);
        self.next_with_hash.push(previous);
        self.states.push(s);
        self.parent.push((from, ch));
        true
    }
}

/// Every atom of the languages, each with a shortest witness, in order of witness length.
/// Fails when the product has more than `limit` states.
///
/// From each state the product steps by every character a live position names, `:` and the
/// fresh character. A language whose positions all take one named character (a literal
/// part, the common case) can only survive the characters it names, so it is stepped for
/// those alone; the others (a position of `Any` or `NoneOf`) are stepped for every
/// character. That keeps the cost near the number of live languages per state rather than
/// that times the characters.
pub fn atoms(langs: &[Lang], limit: usize) -> Result<Vec<Atom>, TooComplex> {
    let mut named = Vec::new();
    for l in langs {
        for item in &l.items {
            item.class.named(&mut named);
        }
    }
    named.sort_unstable();
    named.dedup();
    // One character no pattern names stands for all of them.
    let fresh = ('a'..='z')
        .chain('0'..='9')
        .chain(['-', '_', '.', '~'])
        .chain('\u{100}'..='\u{1ff}')
        .find(|c| named.binary_search(c).is_err() && *c != ':')
        .unwrap_or('\u{2603}');
    let mut explored = Explored {
        states: Vec::new(),
        parent: Vec::new(),
        first_with_hash: HashMap::default(),
        next_with_hash: Vec::new(),
    };
    explored.add(ProductState::start(langs), usize::MAX, '\0');
    let mut out = Vec::new();
    let mut seen_atoms: HashSet<Vec<u64>, Fast> = HashSet::default();
    let mut scratch = Scratch::default();
    let mut chars = Vec::new();
    // Per state: the live languages (language, start and end in `live`), which of them take
    // characters no class names, and (character, entry) for the others.
    let mut entries: Vec<(u32, usize, usize)> = Vec::new();
    let mut wide: Vec<usize> = Vec::new();
    let mut narrow: Vec<(char, usize)> = Vec::new();
    let mut stepped: Vec<usize> = Vec::new();
    let mut at = 0;
    let mut members = Vec::new();
    let mut found = Vec::new();
    while let Some(state) = explored.states.get(at) {
        state.members_into(langs, &mut members);
        if !seen_atoms.contains(&members) {
            seen_atoms.insert(members.clone());
            out.push(Atom {
                witness: spell(&explored.parent, at),
                members: members.clone(),
                state: state.clone(),
            });
        }
        if state.live.is_empty() {
            at += 1;
            continue;
        }
        chars.clear();
        entries.clear();
        wide.clear();
        narrow.clear();
        let mut offset = 0;
        for (i, set) in live_sets(&state.live) {
            let start = offset + 2;
            offset = start + set.len();
            let k = entries.len();
            entries.push((i, start, offset));
            let Some(l) = langs.get(i as usize) else {
                continue;
            };
            let mut is_wide = false;
            for &p in set {
                match l.items.get(p as usize).map(|item| &item.class) {
                    Some(Class::Char(c)) => narrow.push((*c, k)),
                    Some(Class::Fold(c)) => {
                        narrow.push((c.to_ascii_lowercase(), k));
                        narrow.push((c.to_ascii_uppercase(), k));
                    }
                    Some(Class::Any) => is_wide = true,
                    Some(Class::NoneOf(list)) => {
                        is_wide = true;
                        chars.extend(list.iter().copied());
                    }
                    None => {}
                }
            }
            if is_wide {
                wide.push(k);
            }
        }
        chars.extend(narrow.iter().map(|(c, _)| *c));
        chars.push(':');
        chars.push(fresh);
        chars.sort_unstable();
        chars.dedup();
        for &ch in &chars {
            stepped.clear();
            stepped.extend(wide.iter().copied());
            stepped.extend(narrow.iter().filter(|(c, _)| *c == ch).map(|(_, k)| *k));
            stepped.sort_unstable();
            stepped.dedup();
            let mut next = ProductState {
                live: Vec::with_capacity(if stepped.is_empty() {
                    0
                } else {
                    state.live.len()
                }),
                saturated: state.saturated.clone(),
            };
            for &k in &stepped {
                let Some(&(i, from, to)) = entries.get(k) else {
                    continue;
                };
                let (Some(l), Some(set)) = (langs.get(i as usize), state.live.get(from..to)) else {
                    continue;
                };
                scratch.positions.clear();
                l.step_into(set, ch, &mut scratch.positions);
                next.add(l, i, &scratch.positions);
            }
            found.push((next, ch));
        }
        for (next, ch) in found.drain(..) {
            if explored.add(next, at, ch) && explored.states.len() > limit {
                return Err(TooComplex(limit));
            }
        }
        at += 1;
    }
    Ok(out)
}

/// The witness of state `at`: the characters on the way to it.
fn spell(parent: &[(usize, char)], mut at: usize) -> String {
    let mut chars = Vec::new();
    while let Some(&(from, ch)) = parent.get(at) {
        if from == usize::MAX {
            break;
        }
        chars.push(ch);
        at = from;
    }
    chars.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::values::{arn_lang, string_lang};
    use crate::arn::ArnPattern;
    use crate::pattern::Glob;
    use proptest::prelude::*;

    // --- `Lang::intersects`, `Lang::is_match` and the item classes (validate's use) ---

    #[test]
    fn globs_and_classes() {
        assert!(Lang::glob("*").intersects(&Lang::glob("")));
        assert!(!Lang::glob("?").intersects(&Lang::glob("")));
        assert!(Lang::glob("a*").intersects(&Lang::glob("*b")));
        assert!(!Lang::glob("a*").intersects(&Lang::glob("b*")));
        let mut no_colon = Lang::new();
        no_colon.push_literal("x");
        no_colon.push(Item::once(Class::NoneOf(vec![':'])));
        no_colon.push(Item::many(Class::NoneOf(vec![':'])));
        assert!(no_colon.is_match("xab"));
        assert!(!no_colon.is_match("xa:b"));
        assert!(!no_colon.is_match("x"));
        assert!(no_colon.intersects(&Lang::glob("x*")));
        assert!(!no_colon.intersects(&Lang::glob("x:*")));
        assert!(no_colon.intersects(&Lang::glob("x?*")));
    }

    #[test]
    fn folded_letters_meet_either_case() {
        let prod = Lang::literal_ignore_case("Prod").unwrap_or_default();
        assert!(prod.intersects(&Lang::glob("PR*")));
        assert!(prod.intersects(&Lang::glob("p?od")));
        assert!(!prod.intersects(&Lang::glob("pr*x")));
        let mut not_p = Lang::new();
        not_p.push(Item::once(Class::NoneOf(vec!['p', 'P'])));
        not_p.push(Item::many(Class::Any));
        assert!(!prod.intersects(&not_p));
        let mut not_lower_p = Lang::new();
        not_lower_p.push(Item::once(Class::NoneOf(vec!['p'])));
        not_lower_p.push(Item::many(Class::Any));
        assert!(prod.intersects(&not_lower_p));
    }

    #[test]
    fn long_patterns_are_linear() {
        let a = Lang::glob(&format!("{}*", "*a".repeat(300)));
        let b = Lang::glob(&format!("{}*", "*b".repeat(300)));
        let t = std::time::Instant::now();
        assert!(!a.intersects(&Lang::glob(&"b".repeat(2000))));
        assert!(a.intersects(&b));
        assert!(!Lang::glob(&"*a".repeat(300)).intersects(&Lang::glob(&"*b".repeat(300))));
        assert!(t.elapsed().as_millis() < 2000);
    }

    /// A plainly correct matcher for items, to check the automata against.
    fn naive(items: &[Item], t: &[char]) -> bool {
        match items.split_first() {
            None => t.is_empty(),
            Some((it, rest)) if it.repeated => {
                naive(rest, t)
                    || t.split_first()
                        .is_some_and(|(c, tr)| it.class.contains(*c) && naive(items, tr))
            }
            Some((it, rest)) => t
                .split_first()
                .is_some_and(|(c, tr)| it.class.contains(*c) && naive(rest, tr)),
        }
    }

    fn item() -> impl Strategy<Value = Item> {
        let class = prop_oneof![
            Just(Class::Char('a')),
            Just(Class::Char(':')),
            Just(Class::Char('/')),
            Just(Class::Fold('a')),
            Just(Class::Any),
            Just(Class::NoneOf(vec![':'])),
            Just(Class::NoneOf(vec![':', '/'])),
            Just(Class::NoneOf(vec!['A'])),
        ];
        (class, any::<bool>()).prop_map(|(class, repeated)| Item { class, repeated })
    }

    /// The letters the brute force tries: every character the item classes name, and `x`
    /// for every other character.
    const LETTERS: [char; 5] = ['a', 'A', ':', '/', 'x'];

    /// Every text over [`LETTERS`] of at most `len` characters.
    fn words(len: usize) -> Vec<Vec<char>> {
        let mut all = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..len {
            let mut next = Vec::new();
            for w in &last {
                for c in LETTERS {
                    let mut v: Vec<char> = w.clone();
                    v.push(c);
                    next.push(v);
                }
            }
            all.extend(next.iter().cloned());
            last = next;
        }
        all
    }

    proptest! {
        /// Against brute force: the languages meet exactly when some short word is in both
        /// (a shortest common word advances one of the two patterns at every character, so
        /// it is at most n + m characters long; `x` stands for every other character).
        #[test]
        fn agrees_with_brute_force(
            a in proptest::collection::vec(item(), 0..4),
            b in proptest::collection::vec(item(), 0..4),
        ) {
            let la = Lang::from_items(a.clone());
            let lb = Lang::from_items(b.clone());
            let brute = words(a.len() + b.len()).iter().any(|w| naive(&a, w) && naive(&b, w));
            prop_assert_eq!(la.intersects(&lb), brute);
        }

        /// `is_match` runs the same automaton as `naive`.
        #[test]
        fn is_match_is_naive(
            a in proptest::collection::vec(item(), 0..5),
            t in proptest::collection::vec(prop::sample::select(LETTERS.to_vec()), 0..6),
        ) {
            let text: String = t.iter().collect();
            prop_assert_eq!(Lang::from_items(a.clone()).is_match(&text), naive(&a, &t));
        }

        /// A glob's language matches exactly the texts `Glob` matches.
        #[test]
        fn glob_language_is_glob(p in "[a:*?]{0,5}", t in "[a:x]{0,6}") {
            prop_assert_eq!(Lang::glob(&p).is_match(&t), Glob::parse(&p).is_match(&t));
        }
    }

    // --- `atoms` (the analysis' use) ---

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
        // Extending a witness keeps its atom exactly when the longer string has its
        // memberships.
        for a in &found {
            for suffix in ["a", ":", "b:", "Aa"] {
                let longer = format!("{}{suffix}", a.witness);
                let same = matchers
                    .iter()
                    .enumerate()
                    .all(|(i, m)| m(&longer) == a.contains(i));
                assert_eq!(a.keeps(langs, suffix), same, "{longer:?}");
            }
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
            let langs: Vec<Lang> = pats.iter().map(|p| arn_lang(p, true).unwrap()).collect();
            let matchers: Vec<Matcher> = pats
                .iter()
                .map(|p| {
                    let g = ArnPattern::parse(p, true);
                    Box::new(move |s: &str| g.is_match(s, &crate::Context::new())) as Matcher
                })
                .collect();
            check_against_brute_force(&langs, &matchers, &['a', ':', 'c'], 5);
        }

        /// Items of every class (folded letters, classes that leave characters out) against
        /// the naive matcher of the same items.
        #[test]
        fn items_agree_with_brute_force(
            langs in proptest::collection::vec(proptest::collection::vec(item(), 0..4), 1..4),
        ) {
            let built: Vec<Lang> = langs.iter().map(|l| Lang::from_items(l.clone())).collect();
            let matchers: Vec<Matcher> = langs
                .iter()
                .map(|items| {
                    let items = items.clone();
                    Box::new(move |s: &str| naive(&items, &s.chars().collect::<Vec<_>>())) as Matcher
                })
                .collect();
            check_against_brute_force(&built, &matchers, &LETTERS, 4);
        }
    }

    #[test]
    fn arn_star_stays_in_its_part() {
        let p = arn_lang("arn:aws:sqs:*:111122223333:q", true).unwrap();
        assert!(p.is_match("arn:aws:sqs:us-east-1:111122223333:q"));
        assert!(!p.is_match("arn:aws:sqs:us-east-1:x:111122223333:q"));
        let all_s3 = arn_lang("arn:aws:s3:::*", true).unwrap();
        let bucket = arn_lang("arn:aws:s3:::b/*", true).unwrap();
        assert_eq!(Lang::difference_witness(&bucket, &all_s3), None);
        assert_eq!(
            Lang::difference_witness(&all_s3, &bucket).as_deref(),
            Some("arn:aws:s3:::")
        );
        assert_eq!(
            Lang::intersection_witness(&bucket, &arn_lang("arn:aws:s3:::*secret", true).unwrap())
                .as_deref(),
            Some("arn:aws:s3:::b/secret")
        );
        assert_eq!(
            Lang::intersection_witness(&bucket, &arn_lang("*:secret", true).unwrap()),
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
        let mut none = Lang::new();
        none.push(Item::once(Class::Char('a')));
        assert!(!none.is_empty());
        assert!(string_lang("${aws:username}", true, true).is_err());
        assert!(string_lang("${aws:username}", false, true).is_ok());
        assert!(arn_lang("arn:aws:s3:::b/${aws:username}", true).is_err());
    }

    #[test]
    fn limit_is_reported() {
        let langs: Vec<Lang> = (0..12)
            .map(|i| Lang::glob(&format!("*a{}*", "?".repeat(i))))
            .collect();
        assert!(atoms(&langs, 50).is_err());
    }

    #[test]
    fn filled_tails_keep_their_atom() {
        let langs = vec![
            arn_lang("arn:aws:s3:::b/*", true).unwrap(),
            arn_lang("arn:aws:s3:::b/x*", true).unwrap(),
        ];
        let mut found = atoms(&langs, 1000).unwrap();
        fill_empty_tails(&mut found, &langs, &[]);
        // `arn:aws:s3:::b/` is in the first only; `x` would move it into the second too.
        let only_first = found
            .iter()
            .find(|a| a.contains(0) && !a.contains(1))
            .unwrap();
        assert_eq!(only_first.witness, "arn:aws:s3:::b/z");
    }
}
