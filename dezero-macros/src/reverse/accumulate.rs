//! Adjoint accumulation as one balanced sum per variable instead of a serial chain.
//!
//! The rules emit one contribution per use of a variable, so a variable used `n` times gets a
//! chain of `n - 1` dependent additions, each waiting for the previous one. Every contribution
//! to `v_bar` is known once the last one is emitted (they come from the uses of `v`, which all
//! follow `v`), so a run of contributions becomes one `let` summing them pairwise:
//!
//! ```text
//! let x_bar = a;  let x_bar = x_bar + b;  let x_bar = x_bar - c;  let x_bar = x_bar + d;
//!   =>  let x_bar = (a + b) + (d - c);          (depth 2 instead of 3)
//! ```
//!
//! A run that extends an adjoint defined before it (`acc`, e.g. a loop accumulator) adds the
//! previous value last: `let x_bar = (a + b) + x_bar;`, one addition on the loop-carried chain.
//! This reassociates floating-point additions, so the last bits can differ from the serial order.
//!
//! A run stops at anything that could observe or rebind what it moves: a statement reading
//! `v_bar`, one rebinding a name a moved term reads, and every call, `if` or loop.

use super::index::Positions;
use super::term::{BinOp, Term};
use super::{RStmt, Rev};
use crate::ir::VarId;
use proc_macro2::Span;

/// One summand of a merged run: `term`, negated when `neg`.
pub(super) struct Summand {
    pub(super) neg: bool,
    pub(super) term: Term,
}

/// A statement of the list being merged, with the adjoints its term reads.
enum Slot {
    Contrib {
        target: VarId,
        acc: bool,
        neg: bool,
        term: Term,
        reads: Vec<VarId>,
    },
    Other(RStmt),
}

/// Where the statements still in the list are, by what a run looks for.
struct Index {
    /// Calls, `if`s and loops: every run stops there.
    barriers: std::collections::BTreeSet<usize>,
    /// Contributions by target.
    target: Positions<VarId>,
    /// Contributions by the adjoints their terms read.
    reader: Positions<VarId>,
}

impl Index {
    fn add(&mut self, pos: usize, slot: &Slot) {
        match slot {
            Slot::Contrib { target, reads, .. } => {
                self.target.add(*target, pos);
                for r in reads {
                    self.reader.add(*r, pos);
                }
            }
            Slot::Other(_) => {
                self.barriers.insert(pos);
            }
        }
    }

    fn remove(&mut self, pos: usize, slot: &Slot) {
        if let Slot::Contrib { target, reads, .. } = slot {
            self.target.remove(target, pos);
            for r in reads {
                self.reader.remove(r, pos);
            }
        }
    }
}

impl Rev<'_> {
    /// Merges each run of contributions to one adjoint into one contribution defining it as a
    /// balanced sum, in `stmts` and in every branch and loop body under it.
    ///
    /// A run starts at a contribution and takes each later contribution to the same adjoint
    /// that accumulates (`acc`), until a statement that is a call, `if` or loop, reads the
    /// adjoint, redefines it, or rebinds an adjoint a taken term reads. The run is emitted
    /// where its last member was (every moved term is still valid there), where a later run
    /// sees it as one statement. Scans jump between the statements that matter ([`Index`]).
    pub(super) fn accumulate(&self, stmts: Vec<RStmt>) -> Vec<RStmt> {
        let mut slots: Vec<Option<Slot>> = stmts
            .into_iter()
            .map(|s| {
                Some(match s {
                    RStmt::Contrib {
                        target,
                        acc,
                        neg,
                        term,
                    } => Slot::Contrib {
                        target,
                        acc,
                        neg,
                        reads: term.bar_set(),
                        term,
                    },
                    RStmt::If {
                        cond,
                        mut then,
                        mut else_,
                        outs,
                    } => {
                        then.stmts = self.accumulate(then.stmts);
                        else_.stmts = self.accumulate(else_.stmts);
                        Slot::Other(RStmt::If {
                            cond,
                            then,
                            else_,
                            outs,
                        })
                    }
                    RStmt::For { l, pre, mut body } => {
                        body.stmts = self.accumulate(body.stmts);
                        Slot::Other(RStmt::For { l, pre, body })
                    }
                    other => Slot::Other(other),
                })
            })
            .collect();
        let mut index = Index {
            barriers: Default::default(),
            target: Positions::new(),
            reader: Positions::new(),
        };
        for (k, s) in slots.iter().enumerate() {
            if let Some(s) = s {
                index.add(k, s);
            }
        }
        let mut out = Vec::with_capacity(slots.len());
        for i in 0..slots.len() {
            let Some(s) = slots[i].take() else { continue };
            let (target, acc, neg, term, reads) = match s {
                Slot::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                    reads,
                } => (target, acc, neg, term, reads),
                Slot::Other(s) => {
                    out.push(s);
                    continue;
                }
            };
            let members = self.run(i, target, &reads, &slots, &index);
            if members.is_empty() {
                out.push(RStmt::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                });
                continue;
            }
            let mut terms = vec![Summand { neg, term }];
            let mut all_reads = reads;
            for &k in &members {
                if let Some(slot) = slots[k].take() {
                    index.remove(k, &slot);
                    if let Slot::Contrib {
                        neg, term, reads, ..
                    } = slot
                    {
                        terms.push(Summand { neg, term });
                        all_reads.extend(reads);
                    }
                }
            }
            if acc {
                all_reads.push(target);
            }
            all_reads.sort_unstable();
            all_reads.dedup();
            let merged = Slot::Contrib {
                target,
                acc: false,
                neg: false,
                term: balanced(&terms, acc.then_some(Term::Bar(target))),
                reads: all_reads,
            };
            let last = members[members.len() - 1];
            index.add(last, &merged);
            slots[last] = Some(merged);
        }
        out
    }

    /// Positions of the later contributions to `target` that join the run started at `start`
    /// by a term reading `reads`.
    fn run(
        &self,
        start: usize,
        target: VarId,
        reads: &[VarId],
        slots: &[Option<Slot>],
        index: &Index,
    ) -> Vec<usize> {
        use std::cmp::Reverse;
        use std::collections::{BinaryHeap, HashSet};
        let name = target;
        let mut members = Vec::new();
        // The next contribution to an adjoint a taken term reads (it would rebind it), per adjoint.
        let mut seen: HashSet<VarId> = HashSet::new();
        let mut rebinds: BinaryHeap<Reverse<(usize, VarId)>> = BinaryHeap::new();
        let mut watch = |names: &[VarId], at: usize, heap: &mut BinaryHeap<_>| {
            for n in names {
                if seen.insert(*n) {
                    if let Some(k) = index.target.next(n, at) {
                        heap.push(Reverse((k, *n)));
                    }
                }
            }
        };
        watch(reads, start, &mut rebinds);
        let mut at = start;
        loop {
            let rebind = rebinds.peek().map(|r| r.0 .0);
            let next = [
                index.barriers.range(at + 1..).next().copied(),
                index.target.next(&target, at),
                index.reader.next(&name, at),
                rebind,
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(k) = next else { break };
            let Some(Slot::Contrib {
                target: t,
                acc,
                reads: r,
                ..
            }) = &slots[k]
            else {
                break; // a call, `if` or loop
            };
            if r.binary_search(&name).is_ok() {
                break; // reads the adjoint
            }
            if !(*t == target && *acc) {
                break; // redefines it, or rebinds a name a taken term reads
            }
            members.push(k);
            at = k;
            // Names whose next contribution was this member: look further on.
            while let Some(&Reverse((p, n))) = rebinds.peek() {
                if p > at {
                    break;
                }
                rebinds.pop();
                if let Some(q) = index.target.next(&n, at) {
                    rebinds.push(Reverse((q, n)));
                }
            }
            watch(r, at, &mut rebinds);
        }
        members
    }
}

/// `terms` (and `prior`, added last) summed pairwise: `(a + b) + (c - d)`.
pub(super) fn balanced(terms: &[Summand], prior: Option<Term>) -> Term {
    let (neg, sum) = if prior.is_some() {
        group(terms)
    } else {
        tree(terms)
    };
    let cs = Span::call_site();
    match (prior, neg) {
        (Some(p), false) => Term::bin(sum, BinOp::Add, p, cs),
        (Some(p), true) => Term::bin(p, BinOp::Sub, sum, cs),
        (None, false) => sum,
        (None, true) => Term::Neg(Box::new(Term::paren(sum, cs)), cs),
    }
}

/// The sum of `terms` as `(negated, term)`; a subtree of several terms is parenthesized.
fn tree(terms: &[Summand]) -> (bool, Term) {
    if let [t] = terms {
        return (t.neg, t.term.clone());
    }
    let (l, r) = terms.split_at(terms.len() / 2);
    let ((ln, lt), (rn, rt)) = (group(l), group(r));
    let cs = Span::call_site();
    match (ln, rn) {
        (false, false) => (false, Term::bin(lt, BinOp::Add, rt, cs)),
        (false, true) => (false, Term::bin(lt, BinOp::Sub, rt, cs)),
        (true, false) => (false, Term::bin(rt, BinOp::Sub, lt, cs)),
        (true, true) => (true, Term::bin(lt, BinOp::Add, rt, cs)),
    }
}

/// [`tree`], parenthesized when it has more than one term.
fn group(terms: &[Summand]) -> (bool, Term) {
    let (neg, t) = tree(terms);
    if terms.len() > 1 {
        (neg, Term::paren(t, Span::call_site()))
    } else {
        (neg, t)
    }
}
