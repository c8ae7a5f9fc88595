//! A lookup that keeps the run-finding scans of [`accumulate`](super::accumulate) and
//! [`factor`](super::factor) linear: per-key sets of statement positions, so a scan jumps to
//! the next statement that can end or extend a run instead of stepping over every statement
//! in between.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// For each key, the positions of the statements that have it.
pub(super) struct Positions<K> {
    map: HashMap<K, BTreeSet<usize>>,
}

impl<K: Hash + Eq> Positions<K> {
    pub(super) fn new() -> Self {
        Positions {
            map: HashMap::new(),
        }
    }

    pub(super) fn add(&mut self, key: K, pos: usize) {
        self.map.entry(key).or_default().insert(pos);
    }

    pub(super) fn remove(&mut self, key: &K, pos: usize) {
        if let Some(s) = self.map.get_mut(key) {
            s.remove(&pos);
        }
    }

    /// The first position after `after` with `key`.
    pub(super) fn next(&self, key: &K, after: usize) -> Option<usize> {
        self.map.get(key)?.range(after + 1..).next().copied()
    }

    /// The positions strictly between `after` and `before` with `key`, in order.
    pub(super) fn between(&self, key: &K, after: usize, before: usize) -> Vec<usize> {
        match self.map.get(key) {
            Some(s) if after + 1 < before => s.range(after + 1..before).copied().collect(),
            _ => Vec::new(),
        }
    }
}
