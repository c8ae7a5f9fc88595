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

use super::{RStmt, Rev};
use crate::prune;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

/// One summand of a merged run: `term`, negated when `neg`.
pub(super) struct Term {
    pub(super) neg: bool,
    pub(super) term: TokenStream,
}

impl Rev<'_> {
    /// Merges each run of contributions to one adjoint into one contribution defining it as a
    /// balanced sum, in `stmts` and in every branch and loop body under it.
    pub(super) fn accumulate(&self, stmts: Vec<RStmt>) -> Vec<RStmt> {
        let mut slots: Vec<Option<RStmt>> = stmts.into_iter().map(Some).collect();
        let mut out = Vec::with_capacity(slots.len());
        for i in 0..slots.len() {
            let Some(s) = slots[i].take() else { continue };
            match s {
                RStmt::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                } => {
                    let members = self.run(target, &term, &slots[i + 1..]);
                    if members.is_empty() {
                        out.push(RStmt::Contrib {
                            target,
                            acc,
                            neg,
                            term,
                        });
                        continue;
                    }
                    let mut terms = vec![Term { neg, term }];
                    for k in members.iter().map(|m| i + 1 + m) {
                        if let Some(RStmt::Contrib { neg, term, .. }) = slots[k].take() {
                            terms.push(Term { neg, term });
                        }
                    }
                    // Emitted where the last member was: every moved term is still valid there.
                    let last = i + 1 + members[members.len() - 1];
                    let bar = self.bar(target);
                    slots[last] = Some(RStmt::Contrib {
                        target,
                        acc: false,
                        neg: false,
                        term: balanced(&terms, acc.then(|| quote!(#bar))),
                    });
                }
                RStmt::If {
                    cond,
                    mut then,
                    mut else_,
                    outs,
                } => {
                    then.stmts = self.accumulate(then.stmts);
                    else_.stmts = self.accumulate(else_.stmts);
                    out.push(RStmt::If {
                        cond,
                        then,
                        else_,
                        outs,
                    });
                }
                RStmt::For { l, pre, mut body } => {
                    body.stmts = self.accumulate(body.stmts);
                    out.push(RStmt::For { l, pre, body });
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Positions (in `rest`) of the later contributions to `target` that can join the run
    /// started by one whose term is `first`.
    fn run(&self, target: usize, first: &TokenStream, rest: &[Option<RStmt>]) -> Vec<usize> {
        let bar = self.bar(target).to_string();
        let mut reads = HashSet::new();
        prune::idents(first, &mut reads);
        let mut members = Vec::new();
        for (k, s) in rest.iter().enumerate() {
            let Some(s) = s else {
                continue; // already merged into an earlier run
            };
            let RStmt::Contrib {
                target: t,
                acc,
                term,
                ..
            } = s
            else {
                break; // a call, `if` or loop: stop here
            };
            let mut idents = HashSet::new();
            prune::idents(term, &mut idents);
            if idents.contains(&bar) {
                break;
            }
            if *t == target && *acc {
                members.push(k);
                reads.extend(idents);
            } else if *t == target || reads.contains(&self.bar(*t).to_string()) {
                break;
            }
        }
        members
    }
}

/// `terms` (and `prior`, added last) summed pairwise: `(a + b) + (c - d)`.
pub(super) fn balanced(terms: &[Term], prior: Option<TokenStream>) -> TokenStream {
    let (neg, sum) = if prior.is_some() {
        group(terms)
    } else {
        tree(terms)
    };
    match (prior, neg) {
        (Some(p), false) => quote!(#sum + #p),
        (Some(p), true) => quote!(#p - #sum),
        (None, false) => sum,
        (None, true) => quote!(-(#sum)),
    }
}

/// The sum of `terms` as `(negated, tokens)`; a subtree of several terms is parenthesized.
fn tree(terms: &[Term]) -> (bool, TokenStream) {
    if let [t] = terms {
        let term = &t.term;
        let leaf = if term.to_string().starts_with("if ") {
            quote!((#term))
        } else {
            term.clone()
        };
        return (t.neg, leaf);
    }
    let (l, r) = terms.split_at(terms.len() / 2);
    let ((ln, lt), (rn, rt)) = (group(l), group(r));
    match (ln, rn) {
        (false, false) => (false, quote!(#lt + #rt)),
        (false, true) => (false, quote!(#lt - #rt)),
        (true, false) => (false, quote!(#rt - #lt)),
        (true, true) => (true, quote!(#lt + #rt)),
    }
}

/// [`tree`], parenthesized when it has more than one term.
fn group(terms: &[Term]) -> (bool, TokenStream) {
    let (neg, t) = tree(terms);
    if terms.len() > 1 {
        (neg, quote!((#t)))
    } else {
        (neg, t)
    }
}
