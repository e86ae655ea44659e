//! Sets of ports as sorted, disjoint intervals.
//!
//! Network ACLs and security groups speak in port *ranges*, and the questions polcheck asks of
//! them are about *sets*: "is the reply allowed on every ephemeral port 1024-65535?", "which
//! ports of this instance does the internet reach?". Answering by trying 65,536 ports one by one
//! would be slow and, worse, would hide the structure of the answer. A [`PortSet`] keeps a
//! handful of inclusive intervals instead, so union, intersection and difference cost a few
//! comparisons per interval, whatever the width of the ranges.
//!
//! ```
//! use polcheck_core::network::{PortRange, PortSet};
//! let ephemeral = PortSet::range(1024, 65535);
//! let allowed = PortSet::range(1024, 2000).union(&PortSet::range(1500, 65535));
//! assert!(allowed.is_superset_of(&ephemeral));
//! assert_eq!(ephemeral.difference(&PortSet::range(2000, 65535)).ranges(), &[PortRange { from: 1024, to: 1999 }]);
//! ```

use std::fmt;

/// An inclusive range of ports, `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct PortRange {
    /// First port of the range.
    pub from: u16,
    /// Last port of the range (inclusive).
    pub to: u16,
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// A set of ports: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct PortSet {
    ranges: Vec<PortRange>,
}

impl PortSet {
    /// The empty set.
    pub fn empty() -> PortSet {
        PortSet { ranges: Vec::new() }
    }

    /// Every port, 0 to 65535.
    pub fn full() -> PortSet {
        PortSet::range(0, u16::MAX)
    }

    /// The ports `from..=to`; empty when `from > to`.
    pub fn range(from: u16, to: u16) -> PortSet {
        if from > to {
            return PortSet::empty();
        }
        PortSet {
            ranges: vec![PortRange { from, to }],
        }
    }

    /// The single port `port`.
    pub fn single(port: u16) -> PortSet {
        PortSet::range(port, port)
    }

    /// The client ports AWS documents as ephemeral for replies: 1024-65535.
    pub fn ephemeral() -> PortSet {
        PortSet::range(1024, u16::MAX)
    }

    /// The intervals, sorted and disjoint.
    pub fn ranges(&self) -> &[PortRange] {
        &self.ranges
    }

    /// `true` when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// `true` when `port` is in the set.
    pub fn contains(&self, port: u16) -> bool {
        let i = self.ranges.partition_point(|r| r.to < port);
        self.ranges.get(i).is_some_and(|r| r.from <= port)
    }

    /// The ports in either set.
    pub fn union(&self, other: &PortSet) -> PortSet {
        let mut all: Vec<PortRange> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort();
        let mut out: Vec<PortRange> = Vec::with_capacity(all.len());
        for r in all {
            match out.last_mut() {
                // Overlapping or adjacent (`last.to + 1 >= r.from`, computed without overflow).
                Some(last) if u32::from(last.to) + 1 >= u32::from(r.from) => {
                    last.to = last.to.max(r.to);
                }
                _ => out.push(r),
            }
        }
        PortSet { ranges: out }
    }

    /// The ports in both sets.
    pub fn intersection(&self, other: &PortSet) -> PortSet {
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            let (from, to) = (a.from.max(b.from), a.to.min(b.to));
            if from <= to {
                out.push(PortRange { from, to });
            }
            if a.to < b.to {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortSet { ranges: out }
    }

    /// The ports of `self` that are not in `other`.
    pub fn difference(&self, other: &PortSet) -> PortSet {
        self.intersection(&other.complement())
    }

    /// The ports not in the set.
    pub fn complement(&self) -> PortSet {
        let mut out = Vec::new();
        let mut next: u32 = 0; // first port not yet covered, as u32 so 65536 can stand for "done"
        for r in &self.ranges {
            if u32::from(r.from) > next {
                out.push(PortRange {
                    // `next < r.from <= 65535`, so both fit in a u16.
                    from: u16::try_from(next).unwrap_or(u16::MAX),
                    to: r.from - 1,
                });
            }
            next = u32::from(r.to) + 1;
        }
        if next <= u32::from(u16::MAX) {
            out.push(PortRange {
                from: u16::try_from(next).unwrap_or(u16::MAX),
                to: u16::MAX,
            });
        }
        PortSet { ranges: out }
    }

    /// `true` when every port of `other` is in `self`.
    pub fn is_superset_of(&self, other: &PortSet) -> bool {
        other.difference(self).is_empty()
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ranges.is_empty() {
            return f.write_str("none");
        }
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rs: &[(u16, u16)]) -> PortSet {
        rs.iter().fold(PortSet::empty(), |s, &(a, b)| {
            s.union(&PortSet::range(a, b))
        })
    }

    #[test]
    fn union_merges_overlapping_and_adjacent_ranges() {
        let s = set(&[(10, 20), (21, 30), (25, 40), (50, 60)]);
        assert_eq!(s.to_string(), "10-40, 50-60");
    }

    #[test]
    fn intersection_and_difference() {
        let a = set(&[(0, 100), (200, 300)]);
        let b = set(&[(50, 250)]);
        assert_eq!(a.intersection(&b).to_string(), "50-100, 200-250");
        assert_eq!(a.difference(&b).to_string(), "0-49, 251-300");
    }

    #[test]
    fn complement_handles_both_ends() {
        assert_eq!(PortSet::full().complement(), PortSet::empty());
        assert_eq!(PortSet::empty().complement(), PortSet::full());
        assert_eq!(
            set(&[(0, 9), (65535, 65535)]).complement().to_string(),
            "10-65534"
        );
    }

    #[test]
    fn contains_and_superset() {
        let s = set(&[(22, 22), (1024, 65535)]);
        assert!(s.contains(22) && s.contains(65535) && !s.contains(23));
        assert!(s.is_superset_of(&PortSet::ephemeral()));
        assert!(!s.is_superset_of(&PortSet::range(20, 22)));
        assert_eq!(PortSet::range(5, 4), PortSet::empty());
    }
}
