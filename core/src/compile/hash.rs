//! Hashing for the indexes: a fast hasher for short keys (action names), and the hashes of
//! the prefixes of a resource part, computed incrementally.
//!
//! Neither needs to resist chosen inputs: the keys come from the policies being evaluated,
//! and a collision only adds candidates, each of which is still matched in full.

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x0100_0000_01b3;
const SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// The longest resource prefix the index keys on; longer prefixes are cut (still a prefix).
pub const MAX_PREFIX: usize = 48;

/// FNV-1a over bytes, with a final mix so every bit of the output depends on the input.
#[derive(Debug, Clone, Copy)]
pub struct FastHasher(u64);

impl Default for FastHasher {
    fn default() -> FastHasher {
        FastHasher(SEED)
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u64(&mut self, v: u64) {
        // Keys that are already hashes ([`PrefixHashes`]) pass through.
        self.0 = v;
    }

    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// `HashMap` state using [`FastHasher`].
pub type FastState = BuildHasherDefault<FastHasher>;

fn mix(h: u64) -> u64 {
    (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
}

/// The hash of `bytes` as [`PrefixHashes`] computes it for a prefix of that length.
pub fn prefix_hash(bytes: &[u8]) -> u64 {
    let mut h = SEED;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// Hashes the prefixes of a text in increasing lengths, each step reusing the last: the
/// hashes [`prefix_hash`] gives for those prefixes.
#[derive(Debug, Clone)]
pub struct PrefixHasher<'a> {
    text: &'a [u8],
    done: usize,
    hash: u64,
}

impl<'a> PrefixHasher<'a> {
    /// Starts at the empty prefix of `text`.
    pub fn new(text: &'a [u8]) -> PrefixHasher<'a> {
        PrefixHasher {
            text,
            done: 0,
            hash: SEED,
        }
    }

    /// The hash of the first `n` bytes (`n` at least the last one asked), `None` when the
    /// text is shorter.
    pub fn up_to(&mut self, n: usize) -> Option<u64> {
        let more = self.text.get(self.done..n)?;
        for &b in more {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(K);
        }
        self.done = n;
        Some(self.hash)
    }
}
