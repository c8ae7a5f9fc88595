//! Lookups that keep the run-finding scans of [`accumulate`](super::accumulate) and
//! [`factor`](super::factor) linear: adjoint names as small integers, and per-key sets of
//! statement positions, so a scan jumps to the next statement that can end or extend a run
//! instead of stepping over every statement in between.
//!
//! The scans compare adjoints by name, as the text of the generated code does (`x_bar`), so
//! two variables of one name (which the namer never makes) would still be one adjoint here.

use crate::ir::{Program, VarId};
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// An adjoint's name (`x_bar`) as a number.
pub(super) type NameId = u32;

/// The adjoint names of a program.
pub(super) struct BarNames {
    ids: HashMap<String, NameId>,
    of_var: Vec<NameId>,
}

impl BarNames {
    pub(super) fn new(p: &Program) -> Self {
        let mut ids = HashMap::with_capacity(p.vars.len());
        let of_var = p
            .vars
            .iter()
            .map(|v| {
                let next = ids.len() as NameId;
                *ids.entry(crate::names::bar(&v.name).to_string())
                    .or_insert(next)
            })
            .collect();
        BarNames { ids, of_var }
    }

    /// The name of `v`'s adjoint.
    pub(super) fn of(&self, v: VarId) -> NameId {
        self.of_var[v]
    }

    /// The adjoint names `term` mentions, sorted, each once.
    pub(super) fn read(&self, term: &TokenStream) -> Vec<NameId> {
        let mut out = Vec::new();
        let mut stack = vec![term.clone()];
        while let Some(ts) = stack.pop() {
            for t in ts {
                match t {
                    TokenTree::Ident(i) => {
                        if let Some(id) = self.ids.get(&i.to_string()) {
                            out.push(*id);
                        }
                    }
                    TokenTree::Group(g) => stack.push(g.stream()),
                    _ => {}
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

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
