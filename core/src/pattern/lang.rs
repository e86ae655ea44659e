//! Patterns as languages: can two patterns match a common text?
//!
//! A [`Lang`] is a sequence of [`Item`]s, each a character class taken once or repeated (zero
//! or more times). It expresses IAM's globs (`*` is any class repeated, `?` any class once,
//! other characters themselves once) and ARN formats of the service catalogue (a placeholder
//! is one or more characters of a class that leaves out `:` or `/`). [`Lang::intersects`]
//! decides whether some text belongs to both languages, exactly, without trying sample
//! strings: it walks the product of the two automata (a state is a position in each
//! pattern), so it costs O(n × m) for patterns of n and m items, and never backtracks.
//!
//! The alphabet is every Unicode character, so two classes that leave out finitely many
//! characters always share one: only a single character can make a class intersection empty.
//!
//! ```
//! use polcheck_core::pattern::lang::Lang;
//! let logs = Lang::glob("arn:aws:logs:*:*:*");
//! assert!(logs.intersects(&Lang::glob("arn:*:logs:us-east-1:1:log-group:/aws/x")));
//! assert!(!Lang::glob("a*b").intersects(&Lang::glob("*c")));
//! ```

/// A set of characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Class {
    /// Exactly this character.
    Char(char),
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
            Class::Any => true,
            Class::NoneOf(out) => !out.contains(&c),
        }
    }

    /// Whether some character is in both classes.
    pub fn meets(&self, other: &Class) -> bool {
        match (self, other) {
            (Class::Char(c), o) | (o, Class::Char(c)) => o.contains(*c),
            // Both leave out finitely many characters of an infinite alphabet.
            _ => true,
        }
    }
}

/// One element of a [`Lang`]: a class, taken once or any number of times (zero included).
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// A pattern as a language over characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lang {
    items: Vec<Item>,
}

impl Lang {
    /// An empty pattern (it matches the empty text only).
    pub fn new() -> Lang {
        Lang::default()
    }

    /// IAM glob text: `*` any run, `?` any one character, everything else itself.
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

    /// Appends literal text.
    pub fn literal(&mut self, text: &str) {
        for c in text.chars() {
            self.push(Item::once(Class::Char(c)));
        }
    }

    /// Appends one item.
    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// The items, in order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Whether `text` is in the language (used by tests and as a plain reference).
    pub fn is_match(&self, text: &str) -> bool {
        self.intersects(&Lang::glob_literal(text))
    }

    /// `text` as a language of one word (no wildcards).
    fn glob_literal(text: &str) -> Lang {
        let mut l = Lang::new();
        l.literal(text);
        l
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Glob;
    use proptest::prelude::*;

    #[test]
    fn globs_and_classes() {
        assert!(Lang::glob("*").intersects(&Lang::glob("")));
        assert!(!Lang::glob("?").intersects(&Lang::glob("")));
        assert!(Lang::glob("a*").intersects(&Lang::glob("*b")));
        assert!(!Lang::glob("a*").intersects(&Lang::glob("b*")));
        let mut no_colon = Lang::new();
        no_colon.literal("x");
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
    fn long_patterns_are_linear() {
        let a = Lang::glob(&format!("{}*", "*a".repeat(300)));
        let b = Lang::glob(&format!("{}*", "*b".repeat(300)));
        let t = std::time::Instant::now();
        assert!(!a.intersects(&Lang::glob(&"b".repeat(2000))));
        assert!(a.intersects(&b));
        assert!(!Lang::glob(&"*a".repeat(300)).intersects(&Lang::glob(&"*b".repeat(300))));
        assert!(t.elapsed().as_millis() < 2000);
    }

    /// A plainly correct matcher for a [`Lang`], to check the product walk against.
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
            Just(Class::Any),
            Just(Class::NoneOf(vec![':'])),
            Just(Class::NoneOf(vec![':', '/'])),
        ];
        (class, any::<bool>()).prop_map(|(class, repeated)| Item { class, repeated })
    }

    /// Every text over {a, :, /, x} of at most `len` characters.
    fn words(len: usize) -> Vec<Vec<char>> {
        let mut all = vec![Vec::new()];
        let mut last = vec![Vec::new()];
        for _ in 0..len {
            let mut next = Vec::new();
            for w in &last {
                for c in ['a', ':', '/', 'x'] {
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
            let la = Lang { items: a.clone() };
            let lb = Lang { items: b.clone() };
            let brute = words(a.len() + b.len()).iter().any(|w| naive(&a, w) && naive(&b, w));
            prop_assert_eq!(la.intersects(&lb), brute);
        }

        /// A glob's language matches exactly the texts `Glob` matches.
        #[test]
        fn glob_language_is_glob(p in "[a:*?]{0,5}", t in "[a:x]{0,6}") {
            prop_assert_eq!(Lang::glob(&p).is_match(&t), Glob::parse(&p).is_match(&t));
        }
    }
}
