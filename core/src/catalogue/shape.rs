//! The shape of an ARN: a key under which whether it fits a service's ARN formats can be
//! remembered, so that many ARNs of one kind (every object of a bucket) are matched once.
//!
//! Whether an ARN fits a format depends only on where the format's literals occur in it, where
//! its `:` and `/` are, and how many characters lie between (none, or enough for the
//! placeholders there): see the matching rule in the `arn_format` module. So the shape keeps
//! every character that is part of an occurrence of any literal of any of the service's
//! formats, and every `:` and `/`, and replaces each run of other characters by one to
//! [`ShapeTable`]'s `cap` marker bytes (`0x01`; as many as the run has characters, up to the
//! most placeholders any format of the service writes side by side). Two ARNs of the same
//! shape fit the same formats of the service:
//!
//! * a literal found in one is found in the other at the same place among the kept
//!   characters (a literal holds no marker, so it never spans a collapsed run);
//! * a placeholder takes a non-empty run without `:` (and sometimes without `/`); the kept
//!   `:` and `/` stay where they were, and a collapsed run still holds at least one character
//!   for each placeholder that took part of it.

use super::arn_format::ArnFormat;
use super::model::Service;
use super::template::Token;

/// The marker of a run of characters no literal covers.
const MARK: u8 = 0x01;

/// [`ShapeTable`]'s byte classes: a one-byte literal; `:` or `/`, always kept; the first
/// byte of a literal of two or more bytes; a UTF-8 continuation byte.
const SINGLE: u8 = 1;
const KEPT: u8 = 2;
const STARTS: u8 = 4;
const CONTINUES: u8 = 8;

/// Words of [`ShapeTable`]'s bit per pair of bytes.
const PAIR_WORDS: usize = (1 << 16) / 64;

fn pair_of(first: u8, second: u8) -> usize {
    usize::from(first) << 8 | usize::from(second)
}

/// What the shape of an ARN of one service is made from: its formats' literals.
#[derive(Debug, Clone)]
pub(crate) struct ShapeTable {
    /// Every non-empty literal of the service's formats, once, sorted.
    literals: Vec<Box<[u8]>>,
    /// The pairs of bytes some literal of two or more bytes starts with, one bit each
    /// (`first << 8 | second`): most positions of an ARN start no literal, and this says so
    /// without searching `literals`.
    pairs: Box<[u64]>,
    /// The literals of two or more bytes by their first two bytes: `(pair, from, to)` for
    /// `literals[from..to]`, sorted by pair (the literals sharing two first bytes are one run
    /// of the sorted list).
    pair_runs: Vec<(u16, u16, u16)>,
    /// The runs of pairs starting with byte `b` are `pair_runs[pair_starts[b]..pair_starts[b + 1]]`.
    pair_starts: Vec<u16>,
    /// What each byte can be, as bits: [`SINGLE`], [`KEPT`], [`STARTS`], [`CONTINUES`].
    class: [u8; 256],
    /// The most placeholders written side by side in one format (at least 1).
    cap: usize,
    /// A literal holds the marker byte: the shape is then the ARN itself.
    exact: bool,
}

impl ShapeTable {
    /// The table of a service's formats.
    pub(crate) fn new(service: &Service) -> ShapeTable {
        let formats = service
            .resource_types
            .iter()
            .flat_map(|t| t.arn_formats.iter());
        ShapeTable::of(formats)
    }

    fn of<'f>(formats: impl Iterator<Item = &'f ArnFormat>) -> ShapeTable {
        let mut t = ShapeTable {
            literals: Vec::new(),
            pairs: vec![0; PAIR_WORDS].into_boxed_slice(),
            pair_runs: Vec::new(),
            pair_starts: Vec::new(),
            class: [0; 256],
            cap: 1,
            exact: false,
        };
        for f in formats {
            let mut side_by_side = 0;
            for token in f.tokens() {
                match token {
                    Token::Lit(l) => {
                        side_by_side = 0;
                        let bytes = l.as_bytes();
                        if bytes.is_empty() {
                            continue;
                        }
                        t.exact |= bytes.contains(&MARK);
                        if !t.literals.iter().any(|x| **x == *bytes) {
                            t.literals.push(bytes.into());
                        }
                    }
                    Token::Var(_) => {
                        side_by_side += 1;
                        t.cap = t.cap.max(side_by_side);
                    }
                    Token::Star => {}
                }
            }
        }
        t.literals.sort();
        for l in &t.literals {
            match (l.first(), l.get(1)) {
                (Some(&first), Some(&second)) => {
                    let pair = pair_of(first, second);
                    if let Some(w) = t.pairs.get_mut(pair >> 6) {
                        *w |= 1 << (pair & 63);
                    }
                    if let Some(c) = t.class.get_mut(usize::from(first)) {
                        *c |= STARTS;
                    }
                }
                (Some(&first), None) => {
                    if let Some(c) = t.class.get_mut(usize::from(first)) {
                        *c |= SINGLE;
                    }
                }
                _ => {}
            }
        }
        for b in [b':', b'/'] {
            if let Some(c) = t.class.get_mut(usize::from(b)) {
                *c |= KEPT;
            }
        }
        for b in 0x80..0xc0usize {
            if let Some(c) = t.class.get_mut(b) {
                *c |= CONTINUES;
            }
        }
        // Offsets are u16: a service with more literals than that is keyed by the ARN itself.
        t.exact |= t.literals.len() >= usize::from(u16::MAX);
        for (i, l) in t.literals.iter().enumerate() {
            let (Some(&first), Some(&second)) = (l.first(), l.get(1)) else {
                continue;
            };
            let pair = u16::from(first) << 8 | u16::from(second);
            let i = u16::try_from(i).unwrap_or(u16::MAX);
            match t.pair_runs.last_mut() {
                Some((p, _, to)) if *p == pair => *to = i.saturating_add(1),
                _ => t.pair_runs.push((pair, i, i.saturating_add(1))),
            }
        }
        let mut at = 0;
        for b in 0..=256usize {
            while t
                .pair_runs
                .get(at)
                .is_some_and(|&(p, _, _)| usize::from(p >> 8) < b)
            {
                at += 1;
            }
            t.pair_starts.push(u16::try_from(at).unwrap_or(u16::MAX));
        }
        t
    }

    /// Whether some literal of two or more bytes starts with `first`, `second`.
    fn starts_a_pair(&self, first: u8, second: u8) -> bool {
        let pair = pair_of(first, second);
        self.pairs
            .get(pair >> 6)
            .is_some_and(|w| (w >> (pair & 63)) & 1 != 0)
    }

    /// The literals of two or more bytes that start with `first`, `second`.
    fn pair_run(&self, first: u8, second: u8) -> &[Box<[u8]>] {
        let b = usize::from(first);
        let runs = match (self.pair_starts.get(b), self.pair_starts.get(b + 1)) {
            (Some(&from), Some(&to)) => self
                .pair_runs
                .get(usize::from(from)..usize::from(to))
                .unwrap_or_default(),
            _ => &[],
        };
        let pair = u16::from(first) << 8 | u16::from(second);
        match runs.iter().find(|&&(p, _, _)| p == pair) {
            Some(&(_, from, to)) => self
                .literals
                .get(usize::from(from)..usize::from(to))
                .unwrap_or_default(),
            None => &[],
        }
    }

    /// Extends `covered` to the end of the longest literal of two or more bytes that occurs
    /// at `i` (whose bytes are `first`, `second`, ...).
    fn cover(&self, bytes: &[u8], i: usize, first: u8, second: u8, covered: &mut usize) {
        let rest = bytes.get(i..).unwrap_or_default();
        // The literals with these two first bytes, found once when the table was made.
        for l in self.pair_run(first, second) {
            let end = i + l.len();
            // Short literals: a plain loop beats a call to `memcmp`.
            if end > *covered
                && rest.len() >= l.len()
                && l.iter().zip(rest).skip(2).all(|(a, c)| a == c)
            {
                *covered = end;
            }
        }
    }

    /// Writes the shape of `arn` into `out` (emptied first).
    pub(crate) fn shape(&self, arn: &str, out: &mut Vec<u8>) {
        out.clear();
        let bytes = arn.as_bytes();
        if self.exact {
            out.extend_from_slice(bytes);
            return;
        }
        // Kept bytes end here: the furthest end of a literal found so far.
        let mut covered = 0;
        let mut run = 0;
        out.reserve(bytes.len());
        for (i, &b) in bytes.iter().enumerate() {
            let class = self.class.get(usize::from(b)).copied().unwrap_or(0);
            // Most bytes of a name: no literal starts or covers them, they are not kept and
            // start a character; once the run has its markers, nothing more to do.
            if class == 0 && i >= covered {
                if run < self.cap {
                    run += 1;
                    out.push(MARK);
                }
                continue;
            }
            if class & SINGLE != 0 {
                covered = covered.max(i + 1);
            }
            if class & STARTS != 0 {
                if let Some(&second) = bytes.get(i + 1) {
                    if self.starts_a_pair(b, second) {
                        self.cover(bytes, i, b, second, &mut covered);
                    }
                }
            }
            if i < covered || class & KEPT != 0 {
                run = 0;
                out.push(b);
                continue;
            }
            // One marker per character (not per byte) of the run, up to the cap: kept bytes
            // start and end on character boundaries (literals and separators are whole
            // characters), so a continuation byte here continues a character of the run.
            if class & CONTINUES == 0 && run < self.cap {
                run += 1;
                out.push(MARK);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(formats: &[&str]) -> (Vec<ArnFormat>, ShapeTable) {
        let f: Vec<ArnFormat> = formats.iter().map(|s| ArnFormat::new(s)).collect();
        let t = ShapeTable::of(f.iter());
        (f, t)
    }

    fn shape(t: &ShapeTable, arn: &str) -> Vec<u8> {
        let mut out = Vec::new();
        t.shape(arn, &mut out);
        out
    }

    #[test]
    fn runs_no_literal_covers_collapse_and_literals_stay() {
        let (_, t) = table(&[
            "arn:${Partition}:s3:::${BucketName}",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}",
        ]);
        assert_eq!(
            shape(&t, "arn:aws:s3:::demo-artifacts/releases/v1.zip"),
            shape(&t, "arn:aws:s3:::other/x/y")
        );
        assert_ne!(shape(&t, "arn:aws:s3:::b/k"), shape(&t, "arn:aws:s3:::b"));
        // A literal inside a name is kept where it is.
        assert_ne!(
            shape(&t, "arn:aws:s3:us-east-1:1:accesspoint/x"),
            shape(&t, "arn:aws:s3:us-east-1:1:accesspoinx/x")
        );
        // Multi-byte characters count as one.
        assert_eq!(shape(&t, "arn:aws:s3:::é"), shape(&t, "arn:aws:s3:::q"));
    }

    #[test]
    fn side_by_side_placeholders_keep_enough_characters() {
        let (f, t) = table(&["x:${A}${B}"]);
        assert_eq!(t.cap, 2);
        assert!(!f.iter().any(|f| f.matches("x:q")));
        assert!(f.iter().any(|f| f.matches("x:qq")));
        assert_ne!(shape(&t, "x:q"), shape(&t, "x:qq"));
        assert_eq!(shape(&t, "x:qq"), shape(&t, "x:qqqq"));
    }

    /// The shape as first written, searching the literals at every byte: the pair filter
    /// must give the same bytes.
    fn searched_shape(t: &ShapeTable, arn: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let bytes = arn.as_bytes();
        if t.exact {
            return bytes.to_vec();
        }
        let mut covered = 0;
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let here: Vec<&Box<[u8]>> = t
                .literals
                .iter()
                .filter(|l| l.first() == Some(&b))
                .collect();
            if let Some(first) = here.first() {
                if first.len() == 1 {
                    covered = covered.max(i + 1);
                }
                let rest = &bytes[i..];
                for l in &here {
                    if l.len() >= 2 && rest.starts_with(l) {
                        covered = covered.max(i + l.len());
                    }
                }
            }
            if i < covered || b == b':' || b == b'/' {
                run = 0;
                out.push(b);
                continue;
            }
            if !(0x80..0xc0).contains(&b) && run < t.cap {
                run += 1;
                out.push(MARK);
            }
        }
        out
    }

    #[test]
    fn the_pair_filter_keeps_the_shape_of_the_full_search() {
        let (_, t) = table(&[
            "arn:${Partition}:s3:::${BucketName}",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}",
            "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}",
            "x:${A}${B}",
            "a:b",
        ]);
        let arns = [
            "arn:aws:s3:::demo-artifacts/releases/v1.zip",
            "arn:aws:s3:us-east-1:1:accesspoint/ap/object/k",
            "arn:aws:s3:us-east-1:1:accesspoinx/ap/objec/k",
            "arnarn::s3s3:::/object/objectaccesspoint/",
            "x:qq",
            "a:b:a:ba",
            "é:s3:::é/",
            "",
            "a",
        ];
        for arn in arns {
            assert_eq!(shape(&t, arn), searched_shape(&t, arn), "{arn:?}");
        }
        #[cfg(feature = "catalogue")]
        if let Ok(cat) = crate::catalogue::Catalogue::get() {
            for prefix in [
                "s3", "dynamodb", "lambda", "ec2", "logs", "kms", "sqs", "iam",
            ] {
                let Some(service) = cat.service(prefix) else {
                    continue;
                };
                let t = ShapeTable::new(service);
                for f in service
                    .resource_types
                    .iter()
                    .flat_map(|r| r.arn_formats.iter())
                {
                    for fill in ["x", "abc-1/2", "arn", prefix, "object/accesspoint", ":"] {
                        let arn = f
                            .as_str()
                            .replace("${Partition}", "aws")
                            .split("${")
                            .enumerate()
                            .map(|(i, piece)| match (i, piece.split_once('}')) {
                                (0, _) | (_, None) => piece.to_string(),
                                (_, Some((_, after))) => format!("{fill}{after}"),
                            })
                            .collect::<String>();
                        assert_eq!(shape(&t, &arn), searched_shape(&t, &arn), "{arn:?}");
                    }
                }
            }
        }
    }
}
