//! Dead-code elimination for emitted forward code: a `_vjp` does not return the value, and a
//! branch or loop body recomputed in the reverse sweep only needs what its adjoint reads.
//!
//! ```text
//! fn sphere_vjp(x, y, seed):  let t0 = x * x; let t1 = y * y; let out = t0 + t1;  (reverse reads x, y)
//!   =>  the forward sweep is empty
//! ```
//! Liveness is by [`VarId`]: the reverse sweep's terms and statements say which variables they
//! read ([`Liveness::rstmts`]), and so does the forward code kept for them. Calls of annotated
//! functions are assumed pure, as differentiation already assumes.

use crate::ir::{Block, If, Op, Operand, Program, Stmt, VarId};
use crate::reverse::term::Term;
use crate::reverse::{Branch, RStmt};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;

/// The variables code reads, by [`VarId`].
pub type Live = Vec<bool>;

/// Liveness over one program: its variables by name, for the integer expressions lowering
/// copies verbatim ([`Op::Expr`]), which name the locals they read.
pub struct Liveness<'p> {
    p: &'p Program,
    by_name: HashMap<&'p str, VarId>,
}

impl<'p> Liveness<'p> {
    pub fn new(p: &'p Program) -> Self {
        let by_name = p
            .vars
            .iter()
            .enumerate()
            .map(|(v, info)| (info.name.as_str(), v))
            .collect();
        Liveness { p, by_name }
    }

    /// Nothing live yet.
    pub fn none(&self) -> Live {
        vec![false; self.p.vars.len()]
    }

    /// `b` without the instructions nothing in `live` depends on; `live` gains what is kept
    /// reads.
    pub fn prune(&self, b: &Block, live: &mut Live) -> Block {
        let mut kept = Vec::new();
        for s in b.stmts.iter().rev() {
            match s {
                Stmt::Inst(i) => {
                    if i.dsts.iter().any(|d| live[*d]) {
                        self.reads(&i.args, live);
                        if let Op::Expr(e) = &i.op {
                            self.named(&e.to_token_stream(), live);
                        }
                        kept.push(s.clone());
                    }
                }
                Stmt::If(i) => {
                    let merges: Vec<_> = i.merges.iter().filter(|m| live[m.dst]).cloned().collect();
                    if merges.is_empty() {
                        continue;
                    }
                    let mut then_live = live.clone();
                    let mut else_live = live.clone();
                    for m in &merges {
                        self.reads(std::slice::from_ref(&m.then), &mut then_live);
                        self.reads(std::slice::from_ref(&m.else_), &mut else_live);
                    }
                    let then = self.prune(&i.then, &mut then_live);
                    let else_ = self.prune(&i.else_, &mut else_live);
                    for (l, (t, e)) in live.iter_mut().zip(then_live.iter().zip(&else_live)) {
                        *l |= *t || *e;
                    }
                    live[i.cond] = true;
                    kept.push(Stmt::If(If {
                        cond: i.cond,
                        then,
                        else_,
                        merges,
                    }));
                }
                Stmt::For(l) => {
                    if l.carried.iter().any(|c| live[c.phi]) {
                        // A kept loop is kept whole: its carried values feed each other.
                        let mut all = Block::default();
                        all.stmts.push(s.clone());
                        self.mentions(&all, live);
                        kept.push(s.clone());
                    }
                }
            }
        }
        kept.reverse();
        Block { stmts: kept }
    }

    /// Marks the variables among `args` (and those constant expressions name).
    pub fn operands(&self, args: &[Operand], live: &mut Live) {
        self.reads(args, live);
    }

    fn reads(&self, args: &[Operand], live: &mut Live) {
        for a in args {
            match a {
                Operand::Var(v) => live[*v] = true,
                Operand::Const(t, _) => self.named(t, live),
            }
        }
    }

    /// The variables tokens copied from the user's code name.
    fn named(&self, tokens: &TokenStream, live: &mut Live) {
        for t in tokens.clone() {
            match t {
                TokenTree::Ident(i) => {
                    if let Some(v) = self.by_name.get(i.to_string().as_str()) {
                        live[*v] = true;
                    }
                }
                TokenTree::Group(g) => self.named(&g.stream(), live),
                _ => {}
            }
        }
    }

    /// Every variable printed forward code of `b` names: what it reads and what it defines,
    /// nested blocks included.
    pub fn mentions(&self, b: &Block, live: &mut Live) {
        for s in &b.stmts {
            match s {
                Stmt::Inst(i) => {
                    for d in &i.dsts {
                        live[*d] = true;
                    }
                    self.reads(&i.args, live);
                    if let Op::Expr(e) = &i.op {
                        self.named(&e.to_token_stream(), live);
                    }
                }
                Stmt::If(i) => {
                    live[i.cond] = true;
                    self.mentions(&i.then, live);
                    self.mentions(&i.else_, live);
                    for m in &i.merges {
                        live[m.dst] = true;
                        self.reads(&[m.then.clone(), m.else_.clone()], live);
                    }
                }
                Stmt::For(l) => {
                    live[l.var] = true;
                    self.reads(&[l.lo.clone(), l.hi.clone()], live);
                    for c in &l.carried {
                        live[c.phi] = true;
                        self.reads(&[c.init.clone(), c.next.clone()], live);
                    }
                    self.mentions(&l.body, live);
                }
            }
        }
    }

    /// The variables reverse statements read as printed, recomputed forward code included.
    pub fn rstmts(&self, stmts: &[RStmt], live: &mut Live) {
        for s in stmts {
            match s {
                RStmt::Contrib { term, .. } => term.walk(|t| {
                    if let Term::Val(o) = t {
                        self.reads(std::slice::from_ref(o), live);
                    }
                }),
                RStmt::Vjp { args, .. } => self.reads(args, live),
                RStmt::If {
                    cond, then, else_, ..
                } => {
                    live[*cond] = true;
                    self.branch(then, live);
                    self.branch(else_, live);
                }
                // The tape restores the carried values the body reads, so those are in the
                // body's liveness already.
                RStmt::For { l, body, .. } => {
                    live[l.var] = true;
                    self.reads(&[l.lo.clone(), l.hi.clone()], live);
                    self.branch(body, live);
                }
            }
        }
    }

    /// What a reverse branch as printed reads ([`Liveness::recompute`]).
    fn branch(&self, b: &Branch, live: &mut Live) {
        let (_, inner) = self.recompute(b);
        for (l, i) in live.iter_mut().zip(inner) {
            *l |= i;
        }
    }

    /// The forward code a reverse branch recomputes (what its adjoint statements read), and
    /// every variable the branch as printed names (recomputed, read or restored from a tape).
    pub fn recompute(&self, b: &Branch) -> (Block, Live) {
        let mut live = self.none();
        self.rstmts(&b.stmts, &mut live);
        let mut needed = live.clone();
        let block = self.prune(&b.recompute, &mut needed);
        self.mentions(&block, &mut live);
        (block, live)
    }
}
