//! Factoring shared adjoints out of reverse-mode sums.
//!
//! The rules emit one contribution per use, each `y_bar` or `y_bar * m` with `m` a forward
//! value. Through chains of copies, negations and scalings, every contribution to a variable
//! is an adjoint times a product of forward values, and several often share that adjoint:
//!
//! ```text
//! let t5_bar = d_bar;  let t3_bar = -d_bar;  let t4_bar = d_bar * y;
//! let x_bar = t5_bar * 24.0;  let x_bar = x_bar + t3_bar * 32.0;  let x_bar = x_bar + t4_bar * 36.0;
//!   =>  let x_bar = d_bar * ((24.0 - 32.0) + y * 36.0);
//! ```
//!
//! One multiply by the adjoint per distinct root instead of one per term; the multiplier sum
//! reads forward values only, so it is off the adjoint's dependency chain.
//!
//! Two steps, each within one statement list (a branch or loop body is its own list):
//! - *Inline*: an intermediate's adjoint (`t4_bar`; a user's name stays) defined once, by a factorable term, whose every use is a factorable
//!   term of the same list, is substituted into its uses (`t4_bar` above) and dropped. An
//!   adjoint with a multiplier is inlined only at a single use, so nothing is computed twice.
//! - *Group*: the contributions to one adjoint that share a root adjoint become one
//!   contribution, at the first of them: `x_bar = root_bar * (m1 + m2)`.
//!
//! - *Read through* (a second pass, after the first has inlined and grouped): the last link
//!   of a chain, `d_bar = t9_bar * m` with `m` plain arithmetic (a user's `d_bar` when `m` is
//!   a forward value, kept defined), is read through at several uses: `d_bar * m2` becomes
//!   `t9_bar * (m * m2)`, one repeated multiply per use, but `m * m2` is ready before `t9_bar`
//!   (often a late factor), and the uses then group by `t9_bar`. Products fold exact constant
//!   scalings: `12.0 * (2.0 * x)` is `24.0 * x`.
//!
//! Either step stops at anything that could change what it moves: a call, `if` or loop in
//! between, a contribution to the root, or (for grouping) a read of the target. Multiplication
//! and addition are reassociated, so the last bits can differ from the unfactored sweep.

use super::accumulate::{balanced, Summand};
use super::index::Positions;
use super::term::{BinOp, Term};
use super::{RStmt, Rev, VjpOut};
use crate::ir::VarId;
use proc_macro2::Span;
use std::collections::{HashMap, HashSet};

/// A contribution's term as `±root_bar * m1 * m2 * ..` (forward values `m`), if it is one.
#[derive(Clone)]
struct Factored {
    root: VarId,
    neg: bool,
    mults: Vec<Term>,
}

/// One statement of a list being factored.
enum Item {
    Contrib {
        target: VarId,
        acc: bool,
        /// Set when the term is a factorable product.
        form: Option<Factored>,
        neg: bool,
        term: Term,
    },
    Other(RStmt),
}

/// What the whole sweep tells about each adjoint.
struct Census {
    /// Adjoints that must stay named: returned, seeds of calls, bound by calls, branches, loops.
    pinned: HashSet<VarId>,
    /// How many contributions target each adjoint, anywhere.
    defs: HashMap<VarId, usize>,
    /// How many times each adjoint is read in a term, anywhere.
    uses: HashMap<VarId, usize>,
    /// Second pass: a last link `v_bar = root_bar * m` may be inlined at several uses.
    shared: bool,
}

impl Rev<'_> {
    /// Factors shared adjoints out of the contributions of `stmts` (before accumulation);
    /// `grads` are the returned adjoints.
    pub(super) fn factor(&self, stmts: Vec<RStmt>, grads: &[VarId]) -> Vec<RStmt> {
        let stmts = self.factor_pass(stmts, grads, false);
        self.factor_pass(stmts, grads, true)
    }

    /// One inline-and-group pass over the whole sweep; `shared` as in [`Census`].
    fn factor_pass(&self, stmts: Vec<RStmt>, grads: &[VarId], shared: bool) -> Vec<RStmt> {
        let mut c = Census {
            pinned: grads.iter().copied().collect(),
            defs: HashMap::new(),
            uses: HashMap::new(),
            shared,
        };
        for v in 0..self.p.vars.len() {
            if !is_temp(&self.p.vars[v].name) {
                c.pinned.insert(v); // a user's name: its adjoint stays, as in hand-written code
            }
        }
        c.count(&stmts);
        self.factor_list(stmts, &c)
    }

    fn factor_list(&self, stmts: Vec<RStmt>, c: &Census) -> Vec<RStmt> {
        let items: Vec<Item> = stmts
            .into_iter()
            .map(|s| match s {
                RStmt::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                } => Item::Contrib {
                    target,
                    acc,
                    form: c.parse(neg, &term),
                    neg,
                    term,
                },
                RStmt::If {
                    cond,
                    mut then,
                    mut else_,
                    outs,
                } => {
                    then.stmts = self.factor_list(then.stmts, c);
                    else_.stmts = self.factor_list(else_.stmts, c);
                    Item::Other(RStmt::If {
                        cond,
                        then,
                        else_,
                        outs,
                    })
                }
                RStmt::For { l, pre, mut body } => {
                    body.stmts = self.factor_list(body.stmts, c);
                    Item::Other(RStmt::For { l, pre, body })
                }
                other => Item::Other(other),
            })
            .collect();
        let items = self.group(inline(items, c));
        items
            .into_iter()
            .map(|it| match it {
                Item::Contrib {
                    target,
                    acc,
                    form: Some(f),
                    ..
                } => {
                    let (neg, term) = self.render(&f);
                    RStmt::Contrib {
                        target,
                        acc,
                        neg,
                        term,
                    }
                }
                Item::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                    ..
                } => RStmt::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                },
                Item::Other(s) => s,
            })
            .collect()
    }

    /// Merges the contributions to one target that share a root into the first of them.
    ///
    /// The members of the group started at `i` are the later contributions to its target with
    /// its root before the first statement that is a call, `if` or loop, contributes to the
    /// root, or reads the target; the scan finds that statement through position indexes.
    fn group(&self, mut items: Vec<Item>) -> Vec<Item> {
        let n = items.len();
        let mut dead = vec![false; n];
        let mut barriers = std::collections::BTreeSet::new();
        let mut pairs: Positions<(VarId, VarId)> = Positions::new();
        let mut targets: Positions<VarId> = Positions::new();
        let mut roots: Positions<VarId> = Positions::new();
        let mut readers: Positions<VarId> = Positions::new();
        let keys = |it: &Item| -> Option<(VarId, Option<VarId>, Vec<VarId>)> {
            match it {
                Item::Contrib {
                    target,
                    form: Some(f),
                    ..
                } => Some((*target, Some(f.root), Vec::new())),
                Item::Contrib { target, term, .. } => Some((*target, None, term.bar_set())),
                Item::Other(_) => None,
            }
        };
        let mut item_keys = Vec::with_capacity(n);
        for (k, it) in items.iter().enumerate() {
            let key = keys(it);
            match &key {
                Some((t, root, reads)) => {
                    targets.add(*t, k);
                    if let Some(r) = root {
                        pairs.add((*t, *r), k);
                        roots.add(*r, k);
                    }
                    for name in reads {
                        readers.add(*name, k);
                    }
                }
                None => {
                    barriers.insert(k);
                }
            }
            item_keys.push(key);
        }
        for i in 0..n {
            let (target, root) = match &items[i] {
                Item::Contrib {
                    target,
                    form: Some(f),
                    ..
                } if !dead[i] && f.root != *target => (*target, f.root),
                _ => continue,
            };
            // What reads and writes must not interleave with the merge: a call, `if` or loop,
            // a contribution to the root, a read of the target.
            let end = [
                barriers.range(i + 1..).next().copied(),
                targets.next(&root, i),
                roots.next(&target, i),
                readers.next(&target, i),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(n);
            let members = pairs.between(&(target, root), i, end);
            if members.is_empty() {
                continue;
            }
            let mut terms = Vec::with_capacity(members.len() + 1);
            if let Item::Contrib { form: Some(f), .. } = &items[i] {
                terms.push(product(f));
            }
            for k in members {
                dead[k] = true;
                if let Some((t, r, reads)) = &item_keys[k] {
                    targets.remove(t, k);
                    if let Some(r) = r {
                        pairs.remove(&(*t, *r), k);
                        roots.remove(r, k);
                    }
                    for name in reads {
                        readers.remove(name, k);
                    }
                }
                if let Item::Contrib { form: Some(m), .. } = &items[k] {
                    terms.push(product(m));
                }
            }
            let sum = balanced(&terms, None);
            if let Item::Contrib { form: Some(f), .. } = &mut items[i] {
                *f = Factored {
                    root,
                    neg: false,
                    mults: vec![Term::paren(sum, Span::call_site())],
                };
            }
        }
        items
            .into_iter()
            .zip(dead)
            .filter(|(_, d)| !d)
            .map(|(it, _)| it)
            .collect()
    }

    /// `root_bar * m1 * m2`, with its sign.
    fn render(&self, f: &Factored) -> (bool, Term) {
        let term = if f.mults.is_empty() {
            Term::Bar(f.root)
        } else {
            Term::bin(
                Term::Bar(f.root),
                BinOp::Mul,
                product_term(&f.mults),
                Span::call_site(),
            )
        };
        (f.neg, term)
    }
}

/// Substitutes single-definition adjoints into their uses in one list; drops those no longer read.
fn inline(items: Vec<Item>, c: &Census) -> Vec<Item> {
    // Candidates: defined once in this list, by a factorable term, every use here factorable.
    let mut local_uses: HashMap<VarId, usize> = HashMap::new();
    for it in &items {
        if let Item::Contrib { form: Some(f), .. } = it {
            *local_uses.entry(f.root).or_default() += 1;
        }
    }
    let candidate = |v: VarId, acc: bool, form: &Option<Factored>| {
        !acc && form.is_some()
            && c.uses.get(&v).is_some_and(|u| *u > 0)
            && (!c.pinned.contains(&v) || form.as_ref().is_some_and(|f| c.shared && late_link(f)))
            && c.defs.get(&v) == Some(&1)
            && c.uses.get(&v).copied().unwrap_or(0) == local_uses.get(&v).copied().unwrap_or(0)
    };
    // Adjoints read by another candidate's product: inlining one at several uses would stop
    // that product from being inlined in turn, so only the last link of a chain is.
    let feeds: HashSet<VarId> = items
        .iter()
        .filter_map(|it| match it {
            Item::Contrib {
                target,
                acc,
                form: Some(f),
                ..
            } if !f.mults.is_empty() && candidate(*target, *acc, &Some(f.clone())) => Some(f.root),
            _ => None,
        })
        .collect();
    // v -> (its resolved definition, the position its chain reads the root at, uses left)
    let mut pending: HashMap<VarId, (Factored, usize, usize)> = HashMap::new();
    let mut out: Vec<Option<Item>> = Vec::with_capacity(items.len());
    let mut barrier = 0; // position after the last call, `if` or loop
    let mut last_def: HashMap<VarId, usize> = HashMap::new();
    for (u, it) in items.into_iter().enumerate() {
        let Item::Contrib {
            target,
            acc,
            mut form,
            neg,
            term,
        } = it
        else {
            barrier = u + 1;
            out.push(Some(it));
            continue;
        };
        let mut read_at = u;
        if let Some(f) = form.as_mut() {
            if let Some((def, at, left)) = pending.get_mut(&f.root) {
                let def_root_changed = last_def.get(&def.root).is_some_and(|d| *d > *at);
                // At several uses only a last link with one multiplier, on the second pass:
                // `root_bar * (m_def * m_use)` duplicates one multiply per use, but its
                // forward product is ready before `root_bar`, and the uses then group by root.
                let cheap = def.mults.is_empty()
                    || c.uses.get(&f.root) == Some(&1)
                    || (c.shared
                        && def.mults.len() == 1
                        && def.mults[0].is_arithmetic()
                        && !feeds.contains(&f.root));
                if *at >= barrier && !def_root_changed && cheap {
                    *left -= 1;
                    read_at = *at;
                    let mut mults = def.mults.clone();
                    mults.append(&mut f.mults);
                    *f = Factored {
                        root: def.root,
                        neg: f.neg != def.neg,
                        mults,
                    };
                }
            }
        }
        last_def.insert(target, u);
        if candidate(target, acc, &form) {
            let uses = c.uses.get(&target).copied().unwrap_or(0);
            if let Some(f) = &form {
                pending.insert(target, (f.clone(), read_at, uses));
            }
        }
        out.push(Some(Item::Contrib {
            target,
            acc,
            form,
            neg,
            term,
        }));
    }
    out.into_iter()
        .flatten()
        .filter(|it| match it {
            Item::Contrib { target, .. } => {
                c.pinned.contains(target) || pending.get(target).is_none_or(|p| p.2 > 0)
            }
            Item::Other(_) => true,
        })
        .collect()
}

impl Census {
    fn count(&mut self, stmts: &[RStmt]) {
        for s in stmts {
            match s {
                RStmt::Contrib { target, term, .. } => {
                    *self.defs.entry(*target).or_default() += 1;
                    self.read(term);
                }
                RStmt::Vjp { seeds, outs, .. } => {
                    self.pinned.extend(seeds.iter().flatten());
                    self.pinned.extend(outs.iter().filter_map(|o| match o {
                        VjpOut::Direct(v) => Some(*v),
                        _ => None,
                    }));
                }
                RStmt::If {
                    outs, then, else_, ..
                } => {
                    self.pinned.extend(outs.iter().copied());
                    self.count(&then.stmts);
                    self.count(&else_.stmts);
                }
                RStmt::For { pre, body, .. } => {
                    self.pinned.extend(pre.iter().map(|p| p.0));
                    self.count(&body.stmts);
                }
            }
        }
    }

    /// Counts each adjoint `term` reads.
    fn read(&mut self, term: &Term) {
        term.walk(|t| {
            if let Term::Bar(v) = t {
                *self.uses.entry(*v).or_default() += 1;
            }
        });
    }

    /// `term` as `root_bar` or `root_bar * m` with `m` one operand free of adjoints, else
    /// `None`.
    fn parse(&self, neg: bool, term: &Term) -> Option<Factored> {
        match term {
            Term::Bar(root) => Some(Factored {
                root: *root,
                neg,
                mults: Vec::new(),
            }),
            Term::Bin(l, BinOp::Mul, m, _) => match **l {
                Term::Bar(root) if m.is_operand() && !m.has_bar() => Some(Factored {
                    root,
                    neg,
                    mults: vec![(**m).clone()],
                }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Whether `name` is an intermediate's (`t0`, `t1`, ..), never a user's (the namer skips those).
fn is_temp(name: &str) -> bool {
    name.strip_prefix('t')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a kept adjoint (a user's name, ..) defined as `f` is read through at its uses on the
/// second pass: `d_bar = t9_bar * c2` makes `d_bar * m` into `t9_bar * (c2 * m)`, with `c2 * m`
/// ready before `t9_bar`; `d_bar` stays defined. Only a single forward value `c2`, not a literal.
fn late_link(f: &Factored) -> bool {
    matches!(f.mults.as_slice(), [m] if m.has_ident())
}

/// `c` and `(k * e)` as `(c·k, e)` when that is exact: `c` a whole literal at least 1, `k` a
/// power of two at least 1 (so `k * e` is exact), `c·k` below 2^24 (exact in `f32` too) and `e`
/// one operand. Then `c * (k * e)` and `(c·k) * e` round the same, overflow included.
fn fold_scale(c: &Term, m: &Term) -> Option<(Term, Term)> {
    let c = c.whole()?;
    let (k, e) = match m {
        Term::Paren(inner, _) => match &**inner {
            Term::Bin(k, BinOp::Mul, e, _) => (&**k, &**e),
            _ => return None,
        },
        Term::Prod(ms) => match ms.as_slice() {
            [k, e] => (k, e),
            _ => return None,
        },
        _ => return None,
    };
    let k = k.whole().filter(|k| (*k as u64).is_power_of_two())?;
    let ck = c * k;
    if !e.is_operand() || ck >= 16_777_216.0 {
        return None;
    }
    Some((Term::float(ck, Span::call_site()), e.clone()))
}

/// The multipliers of `f` as one signed summand of a multiplier sum.
fn product(f: &Factored) -> Summand {
    Summand {
        neg: f.neg,
        term: if f.mults.is_empty() {
            Term::float(1.0, Span::call_site())
        } else {
            product_term(&f.mults)
        },
    }
}

/// `m1 * m2 * ..`, parenthesized when more than one factor; `c * (2.0 * e)` becomes
/// `(2c) * e` (see [`fold_scale`]).
fn product_term(mults: &[Term]) -> Term {
    let mut folded: Vec<Term> = Vec::with_capacity(mults.len());
    for m in mults {
        match folded.last().and_then(|c| fold_scale(c, m)) {
            Some((c, e)) => {
                let last = folded.len() - 1;
                folded[last] = c;
                folded.push(e);
            }
            None => folded.push(m.clone()),
        }
    }
    match folded.len() {
        0 => Term::float(1.0, Span::call_site()),
        1 => folded
            .pop()
            .unwrap_or_else(|| Term::float(1.0, Span::call_site())),
        _ => Term::Prod(folded),
    }
}

#[cfg(test)]
mod tests {
    use super::is_temp;
    use proc_macro2::TokenStream;

    /// `f_grad`'s reverse sweep (after `out_bar`), whitespace as `quote` prints it.
    fn reverse_sweep(src: &str) -> String {
        let item: TokenStream = src.parse().expect("tokens");
        let out = crate::expand::differentiable(TokenStream::new(), item).to_string();
        let grad = &out[out.find("fn f_grad").expect("f_grad")..];
        let grad = &grad[..grad.find("fn f_vjp").unwrap_or(grad.len())];
        grad[grad.find("let out_bar").expect("seed")..].to_string()
    }

    /// The right-hand side of the last `let <name> = ..;` in `sweep`.
    fn last_let<'s>(sweep: &'s str, name: &str) -> &'s str {
        let at = sweep.rfind(&format!("let {name} =")).expect(name);
        let rhs = &sweep[at..];
        &rhs[..rhs.find(';').expect("`;`")]
    }

    #[test]
    fn a_polynomial_multiplies_its_adjoint_once() {
        // d_bar reaches x through 4 terms (-32x, 12x*x twice, -36xy): one product by an
        // adjoint, and that is out_bar, since `d_bar = out_bar * (x + y)` is read through
        let sweep = reverse_sweep(
            "fn f(x: f64, y: f64) -> f64 { \
             let d = 18.0 - 32.0 * x + 12.0 * x * x - 36.0 * x * y; d * y + d * x }",
        );
        let x_bar = last_let(&sweep, "x_bar");
        assert_eq!(x_bar.matches("_bar").count(), 2, "{sweep}"); // `x_bar` and one adjoint
        assert_eq!(x_bar.matches("out_bar").count(), 1, "{sweep}");
        // no intermediate adjoint survives: every chain was inlined into x_bar and y_bar
        assert!(!sweep.contains("let t"), "{sweep}");
    }

    #[test]
    fn user_names_keep_their_adjoints() {
        let sweep = reverse_sweep("fn f(x: f64, y: f64) -> f64 { let a = x * y + 1.0; 3.0 * a }");
        assert!(sweep.contains("let a_bar ="), "{sweep}");
        assert!(last_let(&sweep, "x_bar").contains("a_bar * y"), "{sweep}");
    }

    #[test]
    fn an_adjoint_used_twice_with_a_multiplier_is_computed_once() {
        // t_bar = out_bar * sin(x)-ish multiplier feeds both x and y: kept, not duplicated
        let sweep =
            reverse_sweep("fn f(x: f64, y: f64) -> f64 { let s = (x * y).sin(); s * s.exp() }");
        assert_eq!(sweep.matches(". cos ()").count(), 1, "{sweep}");
    }

    #[test]
    fn temps_are_t_and_digits() {
        assert!(is_temp("t0") && is_temp("t17"));
        assert!(!is_temp("t") && !is_temp("x") && !is_temp("t_1") && !is_temp("tape0"));
    }
}
