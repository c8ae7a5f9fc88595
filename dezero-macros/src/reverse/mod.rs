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
pub mod term;

use crate::ir::{Block, For, If, Operand, Program, Stmt, VarId};
use proc_macro2::{Ident, Span};
use std::collections::{BTreeSet, HashSet};
use term::Term;

/// The reverse sweep of a function, once for `_grad` and `_vjp`: they differ only in the
/// seeds, which the sweep holds as [`Term::Seed`] and the printers fill in (`1.0`, or the seed
/// parameters).
pub struct Adjoint {
    pub stmts: Vec<RStmt>,
    /// Per active float parameter, its adjoint if one was defined (else the gradient is `0.0`).
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
        term: Term,
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

/// The reverse sweep of `p`.
pub fn adjoint(p: &Program) -> syn::Result<Adjoint> {
    let mut r = Rev { p, temps: 0 };
    let mut defined = HashSet::new();
    let mut stmts = Vec::new();
    for (k, o) in p.outputs.iter().enumerate() {
        r.contribute(o, false, Term::Seed(k), &mut defined, &mut stmts);
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
    Ok(Adjoint { stmts, grads })
}

struct Rev<'p> {
    p: &'p Program,
    temps: usize,
}

impl Rev<'_> {
    /// Adds `term` (negated if `neg`) to the adjoint of `target`, if it is active.
    fn contribute(
        &self,
        target: &Operand,
        neg: bool,
        term: Term,
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
                    let src = if then { &m.then } else { &m.else_ };
                    r.contribute(src, false, Term::Bar(m.dst), &mut d, &mut stmts);
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
                r.contribute(&c.next, false, Term::Bar(c.phi), d, &mut stmts);
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
            self.contribute(&c.init, false, Term::Bar(c.phi), defined, out);
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
