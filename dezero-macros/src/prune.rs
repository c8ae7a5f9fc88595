//! Dead-code elimination for emitted forward code: a `_vjp` does not return the value, and a
//! branch or loop body recomputed in the reverse sweep only needs what its adjoint reads.
//!
//! ```text
//! fn sphere_vjp(x, y, seed):  let t0 = x * x; let t1 = y * y; let out = t0 + t1;  (reverse reads x, y)
//!   =>  the forward sweep is empty
//! ```
//! Liveness is by name: every generated local has a unique name within its function. Calls of
//! annotated functions are assumed pure, as differentiation already assumes.

use crate::ir::{Block, If, Op, Operand, Program, Stmt};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashSet;

/// Every identifier in `tokens`.
pub fn idents(tokens: &TokenStream, out: &mut HashSet<String>) {
    for t in tokens.clone() {
        match t {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(&g.stream(), out),
            _ => {}
        }
    }
}

/// `b` without the instructions nothing in `live` depends on; `live` gains what is kept reads.
pub fn prune(p: &Program, b: &Block, live: &mut HashSet<String>) -> Block {
    let mut kept = Vec::new();
    for s in b.stmts.iter().rev() {
        match s {
            Stmt::Inst(i) => {
                if i.dsts.iter().any(|d| live.contains(&p.vars[*d].name)) {
                    reads(p, &i.args, live);
                    if let Op::Expr(e) = &i.op {
                        idents(&e.to_token_stream(), live);
                    }
                    kept.push(s.clone());
                }
            }
            Stmt::If(i) => {
                let merges: Vec<_> = i
                    .merges
                    .iter()
                    .filter(|m| live.contains(&p.vars[m.dst].name))
                    .cloned()
                    .collect();
                if merges.is_empty() {
                    continue;
                }
                let mut then_live = live.clone();
                let mut else_live = live.clone();
                for m in &merges {
                    reads(p, std::slice::from_ref(&m.then), &mut then_live);
                    reads(p, std::slice::from_ref(&m.else_), &mut else_live);
                }
                let then = prune(p, &i.then, &mut then_live);
                let else_ = prune(p, &i.else_, &mut else_live);
                live.extend(then_live);
                live.extend(else_live);
                live.insert(p.vars[i.cond].name.clone());
                kept.push(Stmt::If(If {
                    cond: i.cond,
                    then,
                    else_,
                    merges,
                }));
            }
            Stmt::For(l) => {
                let needed = live.contains(&l.tape)
                    || l.carried.iter().any(|c| live.contains(&p.vars[c.phi].name));
                if needed {
                    // A kept loop is kept whole: its carried values feed each other.
                    let mut all = Block::default();
                    all.stmts.push(s.clone());
                    reads_block(p, &all, live);
                    kept.push(s.clone());
                }
            }
        }
    }
    kept.reverse();
    Block { stmts: kept }
}

fn reads(p: &Program, args: &[Operand], live: &mut HashSet<String>) {
    for a in args {
        match a {
            Operand::Var(v) => {
                live.insert(p.vars[*v].name.clone());
            }
            Operand::Const(t, _) => idents(t, live),
        }
    }
}

/// Everything a block reads, nested blocks included.
fn reads_block(p: &Program, b: &Block, live: &mut HashSet<String>) {
    for s in &b.stmts {
        match s {
            Stmt::Inst(i) => {
                reads(p, &i.args, live);
                if let Op::Expr(e) = &i.op {
                    idents(&e.to_token_stream(), live);
                }
            }
            Stmt::If(i) => {
                live.insert(p.vars[i.cond].name.clone());
                reads_block(p, &i.then, live);
                reads_block(p, &i.else_, live);
                for m in &i.merges {
                    reads(p, &[m.then.clone(), m.else_.clone()], live);
                }
            }
            Stmt::For(l) => {
                reads(p, &[l.lo.clone(), l.hi.clone()], live);
                for c in &l.carried {
                    reads(p, &[c.init.clone(), c.next.clone()], live);
                }
                reads_block(p, &l.body, live);
            }
        }
    }
}
