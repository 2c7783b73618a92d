//! The searches' memory of configurations already explored: a set of short
//! `u32` slices, stored back to back in one arena.
//!
//! It is deterministic (no per-process hash seed) and compact: a
//! configuration costs its length plus one `u32` in the arena and one
//! `u64` slot in a table kept at most half full, about 30 bytes for the
//! keys the checkers make. Nothing is ever iterated, so the set's internal
//! order cannot leak into results.

/// Outcome of [`SliceSet::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insert {
    /// The key was not there; it is now.
    New,
    /// The key was already there.
    Seen,
    /// The key was not there and there is no room to remember it: the
    /// arena would pass [`ARENA_WORDS_MAX`].
    Full,
}

/// Largest arena, in `u32` words (2 GiB). Offsets must fit in 32 bits.
pub(crate) const ARENA_WORDS_MAX: usize = 1 << 29;

const EMPTY: u64 = 0;

pub(crate) struct SliceSet {
    /// `0`: empty. Otherwise the hash's high 32 bits, then `offset + 1`.
    slots: Vec<u64>,
    /// Each key as its length followed by its words.
    arena: Vec<u32>,
    len: usize,
}

impl SliceSet {
    pub(crate) fn new() -> SliceSet {
        SliceSet {
            slots: vec![EMPTY; 1 << 10],
            arena: Vec::new(),
            len: 0,
        }
    }

    /// Keys stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn insert(&mut self, key: &[u32]) -> Insert {
        let h = hash(key);
        let tag = h >> 32;
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == EMPTY {
                break;
            }
            if slot >> 32 == tag {
                let off = (slot & 0xffff_ffff) as usize - 1;
                let n = self.arena[off] as usize;
                if self.arena[off + 1..off + 1 + n] == *key {
                    return Insert::Seen;
                }
            }
            i = (i + 1) & mask;
        }
        if self.arena.len() + key.len() + 1 >= ARENA_WORDS_MAX {
            return Insert::Full;
        }
        let off = self.arena.len();
        self.arena.push(key.len() as u32);
        self.arena.extend_from_slice(key);
        self.slots[i] = (tag << 32) | (off as u64 + 1);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        Insert::New
    }

    fn grow(&mut self) {
        let doubled = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|&s| s != EMPTY) {
            let off = (slot & 0xffff_ffff) as usize - 1;
            let n = self.arena[off] as usize;
            let mut i = (hash(&self.arena[off + 1..off + 1 + n]) as usize) & mask;
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

/// FxHash-style mixing of the words, then a SplitMix64 finaliser so that
/// both the low bits (the slot) and the high bits (the tag) are well mixed.
fn hash(key: &[u32]) -> u64 {
    let mut h: u64 = key.len() as u64;
    for &k in key {
        h = (h.rotate_left(5) ^ k as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_exactly_what_was_inserted() {
        let mut s = SliceSet::new();
        assert_eq!(s.insert(&[]), Insert::New);
        assert_eq!(s.insert(&[]), Insert::Seen);
        for i in 0..5_000u32 {
            assert_eq!(s.insert(&[i, i % 7, 3]), Insert::New);
            assert_eq!(
                s.insert(&[i, i % 7]),
                Insert::New,
                "a prefix is a different key"
            );
        }
        for i in 0..5_000u32 {
            assert_eq!(s.insert(&[i, i % 7, 3]), Insert::Seen);
            assert_eq!(s.insert(&[i, i % 7, 4]), Insert::New);
        }
        assert_eq!(s.len(), 15_001);
    }
}
