//! Statements and control flow: `let`, assignment, `if` with merges, `for` with carried
//! variables, and `return` in tail position.
//!
//! ```text
//! if c { return a; } rest           =>  if c { a } else { rest }
//! let mut s = 0.0;                      s_1 = loop(0.0, s_2) over i in 0..n:
//! for i in 0..n { s += x; }         =>      s_2 = add(s_1, x)
//! ```

use super::expr::{local_name, mentions_float};
use super::{Hint, Lower};
use crate::ast::{self, Scalar};
use crate::errors;
use crate::ir::{Block, Carry, For, If, Merge, Op, Operand, Stmt, VarId};
use crate::names;
use crate::tree::walk;
use crate::validate;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use std::collections::HashMap;
use syn::spanned::Spanned;

impl Lower {
    /// Lowers statements; in `tail` position a `return` ends them. Returns the block's value(s).
    pub(super) fn stmts(
        &mut self,
        stmts: Vec<S<'_>>,
        tail: bool,
        hint: Option<&Hint>,
    ) -> Vec<Operand> {
        let n = stmts.len();
        for k in 0..n {
            let last = k + 1 == n;
            let (e, semi) = match stmts[k] {
                S::Stmt(syn::Stmt::Local(local)) => {
                    self.local(local);
                    continue;
                }
                S::Stmt(syn::Stmt::Item(_) | syn::Stmt::Macro(_)) => continue, // rejected by `ast`
                S::Stmt(syn::Stmt::Expr(e, semi)) => (e, semi.is_some()),
                S::Expr(e, semi) => (e, semi),
            };
            if tail && validate::has_return_expr(e) {
                let rest = stmts[k + 1..].to_vec();
                return self.diverging(e, rest, hint);
            }
            if last && !semi {
                return self.value(e, tail, hint);
            }
            self.stmt_expr(e);
        }
        Vec::new()
    }

    /// A tail statement containing `return`, followed by `rest`.
    pub(super) fn diverging(
        &mut self,
        e: &syn::Expr,
        rest: Vec<S<'_>>,
        hint: Option<&Hint>,
    ) -> Vec<Operand> {
        match e {
            syn::Expr::Return(r) => match &r.expr {
                Some(v) => self.value(v, true, hint),
                None => {
                    self.errs
                        .spanned(r, errors::return_without_value(&self.result_ty()));
                    // The right number of values, so the enclosing `if` reports nothing more.
                    vec![self.dummy(); self.outputs]
                }
            },
            syn::Expr::If(i) => {
                let mut then = block_stmts(&i.then_branch);
                if !diverges(&then) {
                    then.extend(rest.iter().copied());
                }
                let els = match &i.else_branch {
                    None => rest,
                    Some((_, els)) => {
                        let mut s = match &**els {
                            syn::Expr::Block(b) => block_stmts(&b.block),
                            other => vec![S::Expr(other, false)],
                        };
                        if !diverges(&s) {
                            s.extend(rest);
                        }
                        s
                    }
                };
                self.if_(&i.cond, then, Some(els), true, true, hint)
            }
            syn::Expr::Block(b) => {
                let mut s = block_stmts(&b.block);
                s.extend(rest);
                self.stmts(s, true, hint)
            }
            other => {
                self.errs.spanned(other, errors::return_position());
                Vec::new()
            }
        }
    }

    /// The value of a block's final expression: a tuple of results in tail position.
    pub(super) fn value(&mut self, e: &syn::Expr, tail: bool, hint: Option<&Hint>) -> Vec<Operand> {
        match e {
            syn::Expr::Tuple(t) if tail => {
                self.check_outputs(e, t.elems.len());
                t.elems.iter().map(|x| self.float_operand(x)).collect()
            }
            syn::Expr::Paren(p) => self.value(&p.expr, tail, hint),
            syn::Expr::If(i) => {
                let els = i.else_branch.as_ref().map(|(_, e)| else_stmts(e, true));
                self.if_(&i.cond, block_stmts(&i.then_branch), els, tail, true, hint)
            }
            syn::Expr::Block(b) if b.label.is_none() => {
                self.scopes.push(HashMap::new());
                let v = self.stmts(block_stmts(&b.block), tail, hint);
                self.scopes.pop();
                v
            }
            syn::Expr::ForLoop(_) | syn::Expr::Assign(_) => {
                self.stmt_expr(e);
                Vec::new()
            }
            syn::Expr::Binary(b) if ast::is_compound(&b.op) => {
                self.stmt_expr(e);
                Vec::new()
            }
            other => {
                if tail {
                    self.check_outputs(other, 1);
                    // A result is a float: `return 0;` is rustc's error in the user's function.
                    if let Some(v) = self.int_literal_as_float(other) {
                        return vec![v];
                    }
                }
                vec![self.expr(other, hint)]
            }
        }
    }

    /// `let` statements.
    pub(super) fn local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else { return };
        let (pat, annot) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        match pat {
            syn::Pat::Ident(pi) => {
                if let Some(t) = &annot {
                    if matches!(ast::scalar(t), Some(Scalar::Float(ft)) if ft != self.float) {
                        self.errs.spanned(t, errors::mixed_float());
                    }
                }
                let name = names::user(&pi.ident);
                let hint = Hint::User(name.clone(), pi.ident.span());
                let before = self.vars.len();
                let v = match &*init.expr {
                    syn::Expr::If(_) | syn::Expr::Block(_) => {
                        let vals = self.value(&init.expr, false, Some(&hint));
                        self.single(vals, &init.expr)
                    }
                    e => self.expr(e, Some(&hint)),
                };
                let v = match annot {
                    Some(t) => self.typed(v, t, before, &hint, init.expr.span()),
                    None => v,
                };
                self.bind(name, v);
            }
            syn::Pat::Wild(_) => {
                self.expr(&init.expr, None);
            }
            syn::Pat::Tuple(t) => {
                let hints: Vec<Option<Hint>> = t
                    .elems
                    .iter()
                    .map(|p| match p {
                        syn::Pat::Ident(pi) => {
                            Some(Hint::User(names::user(&pi.ident), pi.ident.span()))
                        }
                        _ => None,
                    })
                    .collect();
                let vals = match &*init.expr {
                    syn::Expr::Call(c) => self.call(c, &hints),
                    other => {
                        self.errs.spanned(other, errors::tuple_position());
                        return;
                    }
                };
                for (h, v) in hints.into_iter().zip(vals) {
                    if let Some(Hint::User(name, _)) = h {
                        self.bind(name, v);
                    }
                }
            }
            _ => {} // rejected by `ast`
        }
    }

    pub(super) fn single(&mut self, vals: Vec<Operand>, origin: &syn::Expr) -> Operand {
        match <[Operand; 1]>::try_from(vals) {
            Ok([v]) => v,
            Err(_) => {
                self.errs.spanned(origin, errors::missing_value());
                Operand::Const(quote!(0.0), self.float_ty())
            }
        }
    }

    /// Expressions used as statements: assignments, `if`, `for`, blocks.
    pub(super) fn stmt_expr(&mut self, e: &syn::Expr) {
        match e {
            syn::Expr::Assign(a) => {
                let Some(name) = local_name(&a.left) else {
                    return;
                };
                let annot = self.annot_of(&name);
                let before = self.vars.len();
                let hint = Hint::Version(name.clone());
                let v = self.expr(&a.right, Some(&hint));
                let v = match annot {
                    Some(t) => self.typed(v, t, before, &hint, a.right.span()),
                    None => v,
                };
                self.assign(&name, v, a.left.span());
            }
            syn::Expr::Binary(b) if ast::is_compound(&b.op) => self.compound(b),
            syn::Expr::If(i) => {
                let els = i.else_branch.as_ref().map(|(_, e)| else_stmts(e, false));
                self.if_(
                    &i.cond,
                    block_stmts(&i.then_branch),
                    els,
                    false,
                    false,
                    None,
                );
            }
            syn::Expr::ForLoop(f) => self.for_(f),
            syn::Expr::Block(b) => {
                let _ = self.value(e, false, None);
                let _ = b;
            }
            syn::Expr::Paren(p) => self.stmt_expr(&p.expr),
            other => {
                self.expr(other, None);
            }
        }
    }

    /// `x += e` and friends.
    pub(super) fn compound(&mut self, b: &syn::ExprBinary) {
        let Some(name) = local_name(&b.left) else {
            return;
        };
        let Some(current) = self.lookup(&name) else {
            self.errs.spanned(&b.left, errors::unknown_variable(&name));
            self.expr(&b.right, None); // its unknown variables are reported too
            return;
        };
        let annot = self.annot_of(&name);
        let before = self.vars.len();
        let hint = Hint::Version(name.clone());
        let op = match b.op {
            syn::BinOp::AddAssign(_) => Some(Op::Add),
            syn::BinOp::SubAssign(_) => Some(Op::Sub),
            syn::BinOp::MulAssign(_) => Some(Op::Mul),
            syn::BinOp::DivAssign(_) => Some(Op::Div),
            _ => None,
        };
        let float = matches!(self.ty(&current), Scalar::Float(_)) || mentions_float(&b.right, self);
        let v = if !float {
            let (left, right) = (&b.left, &b.right);
            let op = b.op.to_token_stream().to_string().replace('=', "");
            let op: TokenStream = op.parse().unwrap_or_default();
            let e: syn::Expr = syn::parse_quote_spanned!(b.span()=> #left #op (#right));
            self.constant(&e, Some(&hint))
        } else if let Some(op) = op {
            let rhs = self.float_operand(&b.right);
            self.inst(op, vec![current, rhs], Some(&hint), b.span())
        } else {
            let op = b.op.to_token_stream().to_string();
            self.errs.spanned(b.op, errors::compound_op(&op));
            return;
        };
        let v = match annot {
            Some(t) => self.typed(v, t, before, &hint, b.span()),
            None => v,
        };
        self.assign(&name, v, b.left.span());
    }

    /// An `if`: branches lowered from the same environment, changed variables merged.
    pub(super) fn if_(
        &mut self,
        cond: &syn::Expr,
        then: Vec<S<'_>>,
        els: Option<Vec<S<'_>>>,
        tail: bool,
        want_value: bool,
        hint: Option<&Hint>,
    ) -> Vec<Operand> {
        let c = self.cond(cond);
        let before = self.scopes.clone();
        let (then_block, then_vals) = self.block(|l| l.stmts(then, tail, None));
        let then_env = std::mem::replace(&mut self.scopes, before.clone());
        let (else_block, else_vals) = match els {
            Some(s) => self.block(|l| l.stmts(s, tail, None)),
            None => (Block::default(), Vec::new()),
        };
        let else_env = std::mem::replace(&mut self.scopes, before);
        let mut merges = Vec::new();
        let mut values = Vec::new();
        if want_value {
            // In tail position a branch with values but the wrong count was reported at its
            // value (`check_outputs`); a branch without a value is reported here.
            let reported = tail && !then_vals.is_empty() && !else_vals.is_empty();
            if then_vals.len() != else_vals.len() && !reported {
                self.errs.spanned(cond, errors::missing_value());
            }
            for (k, (t, e)) in then_vals.into_iter().zip(else_vals).enumerate() {
                // `if c { 1 } else { x }`: rustc's error in the user's function, and only there.
                let (t0, e0) = (t.clone(), e.clone());
                let (t, e) = (self.float_beside(t, &e0), self.float_beside(e, &t0));
                let dst = self.merge_var(&t, &e, if k == 0 { hint } else { None });
                values.push(Operand::Var(dst));
                merges.push(Merge {
                    dst,
                    then: t,
                    else_: e,
                });
            }
        }
        for level in 0..self.scopes.len() {
            let mut names: Vec<&String> = self.scopes[level].keys().collect();
            names.sort();
            let names: Vec<String> = names.into_iter().cloned().collect();
            for name in names {
                let (Some(t), Some(e)) = (then_env[level].get(&name), else_env[level].get(&name))
                else {
                    continue;
                };
                if t.same(e) {
                    continue;
                }
                let (t, e) = (t.clone(), e.clone());
                let annot = self.annot_of(&name);
                let dst = self.merge_var(&t, &e, Some(&Hint::Version(name.clone())));
                self.vars[dst].annot = annot;
                merges.push(Merge {
                    dst,
                    then: t,
                    else_: e,
                });
                self.scopes[level].insert(name, Operand::Var(dst));
            }
        }
        self.cur.push(Stmt::If(If {
            cond: c,
            then: then_block,
            else_: else_block,
            merges,
        }));
        values
    }

    pub(super) fn merge_var(&mut self, t: &Operand, e: &Operand, hint: Option<&Hint>) -> VarId {
        let ty = match (self.ty(t), self.ty(e)) {
            (f @ Scalar::Float(_), _) | (_, f @ Scalar::Float(_)) => f,
            (t, _) => t,
        };
        let active = self.active(t) || self.active(e);
        self.define(hint, ty, active)
    }

    /// The condition of an `if`, saved in a variable.
    pub(super) fn cond(&mut self, cond: &syn::Expr) -> VarId {
        let hint = Hint::Cond;
        let o = if mentions_float(cond, self) {
            self.expr(cond, Some(&hint))
        } else {
            self.verbatim(cond, Some(&hint), Scalar::Bool)
        };
        match o {
            Operand::Var(v) => v,
            Operand::Const(t, _) => {
                let e: syn::Expr = syn::parse_quote!(#t);
                match self.verbatim(&e, Some(&hint), Scalar::Bool) {
                    Operand::Var(v) => v,
                    Operand::Const(..) => 0,
                }
            }
        }
    }

    /// `for i in lo..hi { body }`: the variables the body reassigns become loop-carried.
    pub(super) fn for_(&mut self, f: &syn::ExprForLoop) {
        let mut range = &*f.expr;
        while let syn::Expr::Paren(p) = range {
            range = &p.expr;
        }
        let syn::Expr::Range(r) = range else { return };
        let (Some(lo), Some(hi)) = (&r.start, &r.end) else {
            return;
        };
        let lo = self.int_operand(lo);
        let hi = self.int_operand(hi);
        let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
        let var = match &*f.pat {
            syn::Pat::Ident(pi) => self.define(
                Some(&Hint::User(names::user(&pi.ident), pi.ident.span())),
                Scalar::Int,
                false,
            ),
            _ => self.define(None, Scalar::Int, false),
        };
        let mut assigned = Vec::new();
        assigned_names(&f.body, &mut assigned);
        let mut phis = Vec::new();
        for name in assigned {
            let Some(init) = self.lookup(&name) else {
                continue;
            };
            let ty = self.ty(&init);
            let active = matches!(ty, Scalar::Float(_));
            let phi = self.define(Some(&Hint::Version(name.clone())), ty, active);
            self.vars[phi].annot = self.annot_of(&name);
            self.assign(&name, Operand::Var(phi), f.span());
            phis.push((name, phi, init));
        }
        let loop_var = match &*f.pat {
            syn::Pat::Ident(pi) => Some(names::user(&pi.ident)),
            _ => None,
        };
        let (body, ()) = self.block(|l| {
            if let Some(n) = loop_var {
                l.bind(n, Operand::Var(var));
            }
            l.stmts(block_stmts(&f.body), false, None);
        });
        let mut carried = Vec::new();
        for (name, phi, init) in phis {
            let next = self.lookup(&name).unwrap_or(Operand::Var(phi));
            self.assign(&name, Operand::Var(phi), f.span());
            carried.push(Carry { phi, init, next });
        }
        let tape = self.namer.tape();
        self.cur.push(Stmt::For(For {
            var,
            lo,
            hi,
            inclusive,
            carried,
            body,
            tape,
        }));
    }
}

/// A statement to lower, borrowed from the body. An `else if` is an expression the syntax
/// tree does not hold as a statement, and copying it into one would copy all under it.
#[derive(Clone, Copy)]
pub(super) enum S<'a> {
    Stmt(&'a syn::Stmt),
    /// An expression as a statement: `e;` with `true`, a block's value `e` with `false`.
    Expr(&'a syn::Expr, bool),
}

/// The statements of a block.
pub(super) fn block_stmts(b: &syn::Block) -> Vec<S<'_>> {
    b.stmts.iter().map(S::Stmt).collect()
}

/// Whether the statements always end in `return` (so what follows them never runs).
fn diverges(stmts: &[S<'_>]) -> bool {
    match stmts.last().copied() {
        Some(S::Stmt(syn::Stmt::Expr(e, _))) | Some(S::Expr(e, _)) => validate::expr_diverges(e),
        _ => false,
    }
}

/// The else branch's statements (`else if` becomes a one-statement block).
fn else_stmts(e: &syn::Expr, value: bool) -> Vec<S<'_>> {
    match e {
        syn::Expr::Block(b) => block_stmts(&b.block),
        other => vec![S::Expr(other, !value)],
    }
}

/// Names the body assigns to (`x = ..`, `x += ..`), in order of first assignment.
fn assigned_names(b: &syn::Block, out: &mut Vec<String>) {
    let roots = b.stmts.iter().flat_map(walk::stmt_exprs).collect();
    walk::preorder(roots, |e| {
        let target = match e {
            syn::Expr::Assign(a) => local_name(&a.left),
            syn::Expr::Binary(b) if ast::is_compound(&b.op) => local_name(&b.left),
            _ => None,
        };
        if let Some(n) = target {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        true
    });
}
