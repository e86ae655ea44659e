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

/// What the shape of an ARN of one service is made from: its formats' literals.
#[derive(Debug, Clone)]
pub(crate) struct ShapeTable {
    /// Every non-empty literal of the service's formats, once, sorted.
    literals: Vec<Box<[u8]>>,
    /// The literals starting with byte `b` are `literals[starts[b]..starts[b + 1]]`.
    starts: Vec<u16>,
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
            starts: Vec::new(),
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
        // Offsets are u16: a service with more literals than that is keyed by the ARN itself.
        t.exact |= t.literals.len() >= usize::from(u16::MAX);
        let mut at = 0;
        for b in 0..=256usize {
            while t
                .literals
                .get(at)
                .and_then(|l| l.first())
                .is_some_and(|&f| usize::from(f) < b)
            {
                at += 1;
            }
            t.starts.push(u16::try_from(at).unwrap_or(u16::MAX));
        }
        t
    }

    /// The literals that start with `b`.
    fn starting_with(&self, b: u8) -> &[Box<[u8]>] {
        let b = usize::from(b);
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&from), Some(&to)) => self
                .literals
                .get(usize::from(from)..usize::from(to))
                .unwrap_or_default(),
            _ => &[],
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
        for (i, &b) in bytes.iter().enumerate() {
            let here = self.starting_with(b);
            if let Some(first) = here.first() {
                // Sorted: a one-byte literal comes first, then those with the second byte
                // of the ARN here are one run, found by bisection.
                if first.len() == 1 {
                    covered = covered.max(i + 1);
                }
                let rest = bytes.get(i..).unwrap_or_default();
                if let Some(&second) = rest.get(1) {
                    let from = here.partition_point(|l| l.get(1).is_none_or(|&c| c < second));
                    let to = here.partition_point(|l| l.get(1).is_none_or(|&c| c <= second));
                    for l in here.get(from..to).unwrap_or_default() {
                        let end = i + l.len();
                        if end > covered && rest.starts_with(l) {
                            covered = end;
                        }
                    }
                }
            }
            if i < covered || b == b':' || b == b'/' {
                run = 0;
                out.push(b);
                continue;
            }
            // One marker per character (not per byte) of the run, up to the cap: kept bytes
            // start and end on character boundaries (literals and separators are whole
            // characters), so a continuation byte here continues a character of the run.
            let continuation = (0x80..0xc0).contains(&b);
            if !continuation && run < self.cap {
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
}
