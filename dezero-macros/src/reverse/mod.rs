//! IR -> adjoint statements: the reverse sweep, one contribution per line.
//!
//! Walks the primal IR backwards. Each instruction `y = op(args)` whose `y_bar` exists adds one
//! contribution to the adjoint of each active argument; the first contribution defines it
//! (`let a_bar = ..;`), later ones shadow it (`let a_bar = a_bar + ..;`).
//! An `if` becomes an `if` on the saved condition that recomputes the taken branch and runs its
//! adjoint; a `for` replays the iterations backwards from the forward sweep's tape.

mod accumulate;
mod factor;
mod index;
mod rules;

use crate::ir::{Block, For, If, Operand, Program, Stmt, VarId};
use crate::names;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::{BTreeSet, HashSet};

/// The adjoint sweeps of a function: seeded with `1.0` (for `_grad`) and with the seed
/// parameters (for `_vjp`).
pub struct Adjoint {
    pub grad: Sweep,
    pub vjp: Sweep,
}

/// One reverse sweep and, per float parameter, whether its adjoint was defined (else `0.0`).
pub struct Sweep {
    pub stmts: Vec<RStmt>,
    pub grads: Vec<Option<VarId>>,
}

/// One statement of the reverse sweep.
pub enum RStmt {
    /// `let t_bar = term;` / `let t_bar = t_bar + term;` (`-` when `neg`). After
    /// [`accumulate`](Rev::accumulate), `term` may be a whole sum (`(a + b) + t_bar`).
    Contrib {
        target: VarId,
        acc: bool,
        neg: bool,
        term: TokenStream,
    },
    /// `let (a_bar, d0) = g_vjp(args.., seeds..);`
    Vjp {
        vjp: syn::Path,
        span: Span,
        args: Vec<Operand>,
        seeds: Vec<Option<VarId>>,
        outs: Vec<VjpOut>,
    },
    /// `let (x_bar, ..) = if c { recompute; adjoint; (x_bar, ..) } else { .. };`
    If {
        cond: VarId,
        then: Branch,
        else_: Branch,
        outs: Vec<VarId>,
    },
    /// `let mut x_bar = x_bar; for i in (lo..hi).rev() { (x_bar, ..) = { pop; recompute; adjoint; (..) }; }`
    For {
        l: Box<For>,
        /// Adjoints updated by the loop, and whether each existed before it.
        pre: Vec<(VarId, bool)>,
        body: Branch,
    },
}

/// A branch (or loop body) of the reverse sweep.
pub struct Branch {
    pub recompute: Block,
    pub stmts: Vec<RStmt>,
    /// Per entry of the enclosing statement's `outs`: defined here (`x_bar`) or not (`0.0`).
    pub result: Vec<bool>,
}

/// Where one gradient returned by a `_vjp` goes.
pub enum VjpOut {
    /// An inactive or constant float argument: `_`.
    Skip,
    /// Straight into a new adjoint.
    Direct(VarId),
    /// Into a temporary (`d0`), added to the adjoint by a following `Contrib`.
    Temp(Ident),
}

/// Both sweeps of `p`.
///
/// They differ only in the seeds, which the passes treat as opaque terms (a seed is never a
/// root adjoint or a multiplier), so the sweep is built once with placeholder seeds and each
/// sweep is that one with its seeds put in.
pub fn adjoint(p: &Program) -> syn::Result<Adjoint> {
    let n = p.outputs.len();
    let mut prefix = "__dezero_seed".to_string();
    while p.vars.iter().any(|v| v.name.starts_with(&prefix)) {
        prefix.push('_');
    }
    let marks: Vec<String> = (0..n).map(|k| format!("{prefix}{k}")).collect();
    let placeholders: Vec<TokenStream> = marks
        .iter()
        .map(|m| {
            let i = Ident::new(m, Span::mixed_site());
            quote!(#i)
        })
        .collect();
    let shared = sweep(p, &placeholders);
    let one: Vec<TokenStream> = (0..n).map(|_| quote!(1.0)).collect();
    let seeds: Vec<TokenStream> = names::seeds(n).into_iter().map(|s| quote!(#s)).collect();
    Ok(Adjoint {
        grad: shared.seeded(&marks, &one),
        vjp: shared.seeded(&marks, &seeds),
    })
}

impl Sweep {
    /// This sweep with each placeholder `marks[k]` in its terms replaced by `seeds[k]`.
    fn seeded(&self, marks: &[String], seeds: &[TokenStream]) -> Sweep {
        Sweep {
            stmts: seed_stmts(&self.stmts, marks, seeds),
            grads: self.grads.clone(),
        }
    }
}

fn seed_stmts(stmts: &[RStmt], marks: &[String], seeds: &[TokenStream]) -> Vec<RStmt> {
    let branch = |b: &Branch| Branch {
        recompute: b.recompute.clone(),
        stmts: seed_stmts(&b.stmts, marks, seeds),
        result: b.result.clone(),
    };
    stmts
        .iter()
        .map(|s| match s {
            RStmt::Contrib {
                target,
                acc,
                neg,
                term,
            } => RStmt::Contrib {
                target: *target,
                acc: *acc,
                neg: *neg,
                term: seed_term(term, marks, seeds),
            },
            RStmt::Vjp {
                vjp,
                span,
                args,
                seeds: s,
                outs,
            } => RStmt::Vjp {
                vjp: vjp.clone(),
                span: *span,
                args: args.clone(),
                seeds: s.clone(),
                outs: outs
                    .iter()
                    .map(|o| match o {
                        VjpOut::Skip => VjpOut::Skip,
                        VjpOut::Direct(v) => VjpOut::Direct(*v),
                        VjpOut::Temp(t) => VjpOut::Temp(t.clone()),
                    })
                    .collect(),
            },
            RStmt::If {
                cond,
                then,
                else_,
                outs,
            } => RStmt::If {
                cond: *cond,
                then: branch(then),
                else_: branch(else_),
                outs: outs.clone(),
            },
            RStmt::For { l, pre, body } => RStmt::For {
                l: l.clone(),
                pre: pre.clone(),
                body: branch(body),
            },
        })
        .collect()
}

/// `term` with the placeholders replaced (terms nest only as deep as their parentheses);
/// a term without one is kept as it is.
fn seed_term(term: &TokenStream, marks: &[String], seeds: &[TokenStream]) -> TokenStream {
    fn has_mark(t: &TokenStream, marks: &[String]) -> bool {
        t.clone().into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => marks.iter().any(|m| i == m),
            proc_macro2::TokenTree::Group(g) => has_mark(&g.stream(), marks),
            _ => false,
        })
    }
    if !has_mark(term, marks) {
        return term.clone();
    }
    term.clone()
        .into_iter()
        .map(|t| match t {
            proc_macro2::TokenTree::Ident(i) => {
                let s = i.to_string();
                match marks.iter().position(|m| *m == s) {
                    Some(k) => seeds[k].clone(),
                    None => quote!(#i),
                }
            }
            proc_macro2::TokenTree::Group(g) => {
                let mut n =
                    proc_macro2::Group::new(g.delimiter(), seed_term(&g.stream(), marks, seeds));
                n.set_span(g.span());
                quote!(#n)
            }
            other => quote!(#other),
        })
        .collect()
}

fn sweep(p: &Program, seeds: &[TokenStream]) -> Sweep {
    let mut r = Rev {
        p,
        temps: 0,
        names: index::BarNames::new(p),
    };
    let mut defined = HashSet::new();
    let mut stmts = Vec::new();
    for (o, s) in p.outputs.iter().zip(seeds) {
        r.contribute(o, false, s.clone(), &mut defined, &mut stmts);
    }
    r.block(&p.body, &mut defined, &mut stmts);
    let grads: Vec<Option<VarId>> = p
        .params
        .iter()
        .filter(|v| p.vars[**v].active)
        .map(|v| defined.contains(v).then_some(*v))
        .collect();
    let returned: Vec<VarId> = grads.iter().flatten().copied().collect();
    let stmts = r.factor(stmts, &returned);
    let stmts = r.accumulate(stmts);
    Sweep { stmts, grads }
}

struct Rev<'p> {
    p: &'p Program,
    temps: usize,
    names: index::BarNames,
}

impl Rev<'_> {
    fn bar(&self, v: VarId) -> Ident {
        names::bar(&self.p.vars[v].name)
    }

    /// Adds `term` (negated if `neg`) to the adjoint of `target`, if it is active.
    fn contribute(
        &self,
        target: &Operand,
        neg: bool,
        term: TokenStream,
        defined: &mut HashSet<VarId>,
        out: &mut Vec<RStmt>,
    ) {
        if let Operand::Var(v) = target {
            if self.p.vars[*v].active {
                out.push(RStmt::Contrib {
                    target: *v,
                    acc: defined.contains(v),
                    neg,
                    term,
                });
                defined.insert(*v);
            }
        }
    }

    fn block(&mut self, b: &Block, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        for s in b.stmts.iter().rev() {
            match s {
                Stmt::Inst(i) => self.inst(i, defined, out),
                Stmt::If(i) => self.if_(i, defined, out),
                Stmt::For(l) => self.for_(l, defined, out),
            }
        }
    }

    fn if_(&mut self, i: &If, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        let branch = |r: &mut Self, block: &Block, then: bool| {
            let mut d = defined.clone();
            let mut stmts = Vec::new();
            for m in &i.merges {
                if r.p.vars[m.dst].active && defined.contains(&m.dst) {
                    let yb = r.bar(m.dst);
                    let src = if then { &m.then } else { &m.else_ };
                    r.contribute(src, false, quote!(#yb), &mut d, &mut stmts);
                }
            }
            r.block(block, &mut d, &mut stmts);
            (stmts, d)
        };
        let (ts, td) = branch(self, &i.then, true);
        let (es, ed) = branch(self, &i.else_, false);
        let mut local = BTreeSet::new();
        i.then.defs(&mut local);
        i.else_.defs(&mut local);
        let outs: Vec<VarId> = targets(&ts)
            .union(&targets(&es))
            .filter(|v| !local.contains(v))
            .copied()
            .collect();
        if outs.is_empty() {
            return;
        }
        let then = Branch {
            recompute: i.then.clone(),
            stmts: ts,
            result: outs.iter().map(|v| td.contains(v)).collect(),
        };
        let else_ = Branch {
            recompute: i.else_.clone(),
            stmts: es,
            result: outs.iter().map(|v| ed.contains(v)).collect(),
        };
        defined.extend(outs.iter().copied());
        out.push(RStmt::If {
            cond: i.cond,
            then,
            else_,
            outs,
        });
    }

    fn for_(&mut self, l: &For, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        let phis: Vec<&crate::ir::Carry> = l
            .carried
            .iter()
            .filter(|c| self.p.vars[c.phi].active && !c.next.same(&Operand::Var(c.phi)))
            .collect();
        let body = |r: &mut Self, d: &mut HashSet<VarId>| {
            let mut stmts = Vec::new();
            for c in &phis {
                d.insert(c.phi);
                let pb = r.bar(c.phi);
                r.contribute(&c.next, false, quote!(#pb), d, &mut stmts);
            }
            for c in &phis {
                d.remove(&c.phi);
            }
            r.block(&l.body, d, &mut stmts);
            stmts
        };
        // Pass 1 finds which outer adjoints the body touches; pass 2 emits with them declared.
        let temps = self.temps;
        let mut d = defined.clone();
        let first = body(self, &mut d);
        let mut local = BTreeSet::new();
        l.body.defs(&mut local);
        local.insert(l.var);
        let mut outs: BTreeSet<VarId> = targets(&first)
            .into_iter()
            .filter(|v| !local.contains(v))
            .collect();
        outs.extend(phis.iter().map(|c| c.phi));
        if outs.is_empty() {
            return;
        }
        self.temps = temps;
        let mut d = defined.clone();
        d.extend(outs.iter().copied());
        let stmts = body(self, &mut d);
        let outs: Vec<VarId> = outs.into_iter().collect();
        let result = outs.iter().map(|v| d.contains(v)).collect();
        let pre = outs.iter().map(|v| (*v, defined.contains(v))).collect();
        defined.extend(outs.iter().copied());
        out.push(RStmt::For {
            l: Box::new(l.clone()),
            pre,
            body: Branch {
                recompute: l.body.clone(),
                stmts,
                result,
            },
        });
        for c in &phis {
            let pb = self.bar(c.phi);
            self.contribute(&c.init, false, quote!(#pb), defined, out);
        }
    }
}

/// The adjoints a list of reverse statements defines or updates.
fn targets(stmts: &[RStmt]) -> BTreeSet<VarId> {
    let mut out = BTreeSet::new();
    for s in stmts {
        match s {
            RStmt::Contrib { target, .. } => {
                out.insert(*target);
            }
            RStmt::Vjp { outs, .. } => out.extend(outs.iter().filter_map(|o| match o {
                VjpOut::Direct(v) => Some(*v),
                _ => None,
            })),
            RStmt::If { outs, .. } => out.extend(outs.iter().copied()),
            RStmt::For { pre, .. } => out.extend(pre.iter().map(|p| p.0)),
        }
    }
    out
}
