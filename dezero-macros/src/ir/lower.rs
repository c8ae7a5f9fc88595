//! ast -> IR: one instruction per primitive, SSA versions for shadowing and reassignment.
//!
//! ```text
//! let y = x * x + 1.0;      =>   y0 = mul(x, x); y = add(y0, 1.0)   (the root takes the name)
//! y += x;                   =>   y_1 = add(y, x)
//! if c { return a; } rest   =>   if c { a } else { rest }
//! ```
//! Expressions that mention no float (integer and bool arithmetic on constants) are copied
//! verbatim with locals renamed ([`Op::Expr`]): they are constants, with no adjoint.

use super::{Block, Carry, For, If, Inst, Merge, Op, Operand, Program, Stmt, VarId, VarInfo};
use crate::ast::{self, FloatTy, Function, Scalar};
use crate::errors::{self, Errors};
use crate::names::Namer;
use crate::validate;
use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use std::collections::{HashMap, HashSet};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Lowers the body of `func`.
pub fn lower(func: &Function) -> syn::Result<Program> {
    let mut reserved = Vec::new();
    collect_idents(func.item, &mut reserved);
    let mut l = Lower {
        float: func.float,
        vars: Vec::new(),
        namer: Namer::new(reserved),
        bound: HashSet::new(),
        scopes: vec![HashMap::new()],
        cur: Vec::new(),
        errs: Errors::default(),
        hint_used: false,
    };
    let mut params = Vec::new();
    for p in &func.params {
        let name = p.ident.to_string();
        l.bound.insert(name.clone());
        let v = l.new_var(name.clone(), p.ident.span(), p.scalar, p.is_float());
        l.scopes[0].insert(name, Operand::Var(v));
        params.push(v);
    }
    let out = Hint::Named("out");
    let outputs = l.stmts(func.item.block.stmts.clone(), true, Some(&out));
    if l.errs.is_empty() && outputs.len() != func.outputs {
        let span = func
            .item
            .block
            .stmts
            .last()
            .map_or(func.item.block.span(), |s| s.span());
        l.errs
            .at(span, errors::output_count(func.outputs, outputs.len()));
    }
    l.errs.finish()?;
    Ok(Program {
        vars: l.vars,
        params,
        body: Block { stmts: l.cur },
        outputs,
    })
}

/// What to call the variable an expression's root instruction defines.
enum Hint {
    /// A user's `let x`: `x` the first time, then `x_1`, `x_2`, ...
    User(String, Span),
    /// A reassignment `x = ..`: always a new version.
    Version(String),
    /// A generated name (`out`), or a fresh condition `c0`.
    Named(&'static str),
    Cond,
}

struct Lower {
    float: FloatTy,
    vars: Vec<VarInfo>,
    namer: Namer,
    /// User names already emitted once (later bindings get versions).
    bound: HashSet<String>,
    /// User name -> current value, innermost scope last.
    scopes: Vec<HashMap<String, Operand>>,
    cur: Vec<Stmt>,
    errs: Errors,
    hint_used: bool,
}

impl Lower {
    fn float_ty(&self) -> Scalar {
        Scalar::Float(self.float)
    }

    fn new_var(&mut self, name: String, span: Span, ty: Scalar, active: bool) -> VarId {
        self.vars.push(VarInfo {
            name,
            span,
            ty,
            active,
            annot: None,
        });
        self.vars.len() - 1
    }

    /// A fresh variable named after `hint` (or `t0`, `t1`, ..).
    fn define(&mut self, hint: Option<&Hint>, ty: Scalar, active: bool) -> VarId {
        let mixed = Span::mixed_site();
        let (name, span) = match hint {
            Some(Hint::User(n, span)) if !self.bound.contains(n) => {
                self.bound.insert(n.clone());
                self.namer.claim(n);
                (n.clone(), *span)
            }
            Some(Hint::User(n, _)) | Some(Hint::Version(n)) => (self.namer.version(n), mixed),
            Some(Hint::Named(n)) => (self.namer.named(n), mixed),
            Some(Hint::Cond) => (self.namer.cond(), mixed),
            None => (self.namer.temp(), mixed),
        };
        if hint.is_some() {
            self.hint_used = true;
        }
        self.new_var(name, span, ty, active)
    }

    fn ty(&self, o: &Operand) -> Scalar {
        match o {
            Operand::Var(v) => self.vars[*v].ty,
            Operand::Const(_, t) => *t,
        }
    }

    fn active(&self, o: &Operand) -> bool {
        o.var().is_some_and(|v| self.vars[v].active)
    }

    /// Appends `dst = op(args)` and returns `dst`.
    fn inst(&mut self, op: Op, args: Vec<Operand>, hint: Option<&Hint>, span: Span) -> Operand {
        let (ty, active) = if op.is_float() {
            let active = args.iter().any(|a| self.active(a));
            (self.float_ty(), active)
        } else if matches!(op, Op::Expr(_)) {
            (Scalar::Int, false)
        } else {
            (Scalar::Bool, false)
        };
        let dst = self.define(hint, ty, active);
        self.cur.push(Stmt::Inst(Inst {
            dsts: vec![dst],
            op,
            args,
            span,
        }));
        Operand::Var(dst)
    }

    fn lookup(&self, name: &str) -> Option<Operand> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn bind(&mut self, name: String, value: Operand) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name, value);
        }
    }

    /// Updates the scope that holds `name` (an assignment).
    fn assign(&mut self, name: &str, value: Operand, span: Span) {
        match self.scopes.iter_mut().rev().find(|s| s.contains_key(name)) {
            Some(s) => {
                s.insert(name.to_string(), value);
            }
            None => self.errs.at(span, errors::unknown_variable(name)),
        }
    }

    /// Runs `f` collecting its statements into a separate block, in a new scope.
    fn block<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (Block, T) {
        let outer = std::mem::take(&mut self.cur);
        self.scopes.push(HashMap::new());
        let t = f(self);
        self.scopes.pop();
        let stmts = std::mem::replace(&mut self.cur, outer);
        (Block { stmts }, t)
    }

    /// Lowers statements; in `tail` position a `return` ends them. Returns the block's value(s).
    fn stmts(&mut self, stmts: Vec<syn::Stmt>, tail: bool, hint: Option<&Hint>) -> Vec<Operand> {
        let n = stmts.len();
        for k in 0..n {
            let last = k + 1 == n;
            match &stmts[k] {
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Item(_) | syn::Stmt::Macro(_) => {} // rejected by `ast`
                syn::Stmt::Expr(e, semi) => {
                    if tail && validate::has_return(&stmts[k]) {
                        let rest = stmts[k + 1..].to_vec();
                        return self.diverging(e, rest, hint);
                    }
                    if last && semi.is_none() {
                        return self.value(e, tail, hint);
                    }
                    self.stmt_expr(e);
                }
            }
        }
        Vec::new()
    }

    /// A tail statement containing `return`, followed by `rest`.
    fn diverging(
        &mut self,
        e: &syn::Expr,
        rest: Vec<syn::Stmt>,
        hint: Option<&Hint>,
    ) -> Vec<Operand> {
        match e {
            syn::Expr::Return(r) => match &r.expr {
                Some(v) => self.value(v, true, hint),
                None => {
                    self.errs.spanned(r, errors::missing_value());
                    Vec::new()
                }
            },
            syn::Expr::If(i) => {
                let mut then = i.then_branch.stmts.clone();
                if !validate::diverges(&then) {
                    then.extend(rest.iter().cloned());
                }
                let els = match &i.else_branch {
                    None => rest,
                    Some((_, els)) => {
                        let mut s = match &**els {
                            syn::Expr::Block(b) => b.block.stmts.clone(),
                            other => vec![syn::Stmt::Expr(other.clone(), None)],
                        };
                        if !validate::diverges(&s) {
                            s.extend(rest);
                        }
                        s
                    }
                };
                self.if_(&i.cond, then, Some(els), true, true, hint)
            }
            syn::Expr::Block(b) => {
                let mut s = b.block.stmts.clone();
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
    fn value(&mut self, e: &syn::Expr, tail: bool, hint: Option<&Hint>) -> Vec<Operand> {
        match e {
            syn::Expr::Tuple(t) if tail => t.elems.iter().map(|x| self.expr(x, None)).collect(),
            syn::Expr::Paren(p) => self.value(&p.expr, tail, hint),
            syn::Expr::If(i) => {
                let els = i.else_branch.as_ref().map(|(_, e)| else_stmts(e, true));
                self.if_(&i.cond, i.then_branch.stmts.clone(), els, tail, true, hint)
            }
            syn::Expr::Block(b) if b.label.is_none() => {
                self.scopes.push(HashMap::new());
                let v = self.stmts(b.block.stmts.clone(), tail, hint);
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
            other => vec![self.expr(other, hint)],
        }
    }

    /// `let` statements.
    fn local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else { return };
        let (pat, annot) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        match pat {
            syn::Pat::Ident(pi) => {
                let name = pi.ident.to_string();
                let hint = Hint::User(name.clone(), pi.ident.span());
                self.hint_used = false;
                let before = self.vars.len();
                let v = match &*init.expr {
                    syn::Expr::If(_) | syn::Expr::Block(_) => {
                        let vals = self.value(&init.expr, false, Some(&hint));
                        self.single(vals, &init.expr)
                    }
                    e => self.expr(e, Some(&hint)),
                };
                if let (Operand::Var(id), true) = (&v, self.hint_used) {
                    if *id >= before {
                        self.vars[*id].annot = annot;
                    }
                }
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
                            Some(Hint::User(pi.ident.to_string(), pi.ident.span()))
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

    fn single(&mut self, vals: Vec<Operand>, origin: &syn::Expr) -> Operand {
        match <[Operand; 1]>::try_from(vals) {
            Ok([v]) => v,
            Err(_) => {
                self.errs.spanned(origin, errors::missing_value());
                Operand::Const(quote!(0.0), self.float_ty())
            }
        }
    }

    /// Expressions used as statements: assignments, `if`, `for`, blocks.
    fn stmt_expr(&mut self, e: &syn::Expr) {
        match e {
            syn::Expr::Assign(a) => {
                let Some(name) = local_name(&a.left) else {
                    return;
                };
                let v = self.expr(&a.right, Some(&Hint::Version(name.clone())));
                self.assign(&name, v, a.left.span());
            }
            syn::Expr::Binary(b) if ast::is_compound(&b.op) => self.compound(b),
            syn::Expr::If(i) => {
                let els = i.else_branch.as_ref().map(|(_, e)| else_stmts(e, false));
                self.if_(
                    &i.cond,
                    i.then_branch.stmts.clone(),
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
    fn compound(&mut self, b: &syn::ExprBinary) {
        let Some(name) = local_name(&b.left) else {
            return;
        };
        let Some(current) = self.lookup(&name) else {
            self.errs.spanned(&b.left, errors::unknown_variable(&name));
            return;
        };
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
            let rhs = self.expr(&b.right, None);
            self.inst(op, vec![current, rhs], Some(&hint), b.span())
        } else {
            let op = b.op.to_token_stream().to_string();
            self.errs.spanned(b.op, errors::compound_op(&op));
            return;
        };
        self.assign(&name, v, b.left.span());
    }

    /// An `if`: branches lowered from the same environment, changed variables merged.
    fn if_(
        &mut self,
        cond: &syn::Expr,
        then: Vec<syn::Stmt>,
        els: Option<Vec<syn::Stmt>>,
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
            if then_vals.len() != else_vals.len() {
                self.errs.spanned(cond, errors::missing_value());
            }
            for (k, (t, e)) in then_vals.into_iter().zip(else_vals).enumerate() {
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
                let dst = self.merge_var(&t, &e, Some(&Hint::Version(name.clone())));
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

    fn merge_var(&mut self, t: &Operand, e: &Operand, hint: Option<&Hint>) -> VarId {
        let ty = match (self.ty(t), self.ty(e)) {
            (f @ Scalar::Float(_), _) | (_, f @ Scalar::Float(_)) => f,
            (t, _) => t,
        };
        let active = self.active(t) || self.active(e);
        self.define(hint, ty, active)
    }

    /// The condition of an `if`, saved in a variable.
    fn cond(&mut self, cond: &syn::Expr) -> VarId {
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
    fn for_(&mut self, f: &syn::ExprForLoop) {
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
                Some(&Hint::User(pi.ident.to_string(), pi.ident.span())),
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
            self.assign(&name, Operand::Var(phi), f.span());
            phis.push((name, phi, init));
        }
        let loop_var = match &*f.pat {
            syn::Pat::Ident(pi) => Some(pi.ident.to_string()),
            _ => None,
        };
        let (body, ()) = self.block(|l| {
            if let Some(n) = loop_var {
                l.bind(n, Operand::Var(var));
            }
            l.stmts(f.body.stmts.clone(), false, None);
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

    fn int_operand(&mut self, e: &syn::Expr) -> Operand {
        if mentions_float(e, self) {
            self.errs.spanned(e, errors::for_range());
        }
        self.constant(e, None)
    }

    /// An expression that mentions no float: inline if trivial, else one verbatim `let`.
    fn constant(&mut self, e: &syn::Expr, hint: Option<&Hint>) -> Operand {
        match e {
            syn::Expr::Lit(l) => Operand::Const(l.to_token_stream(), lit_ty(&l.lit, self.float)),
            syn::Expr::Paren(p) => self.constant(&p.expr, hint),
            syn::Expr::Path(p) => match local_name(e).and_then(|n| self.lookup(&n)) {
                Some(o) => o,
                None => Operand::Const(p.to_token_stream(), Scalar::Int),
            },
            _ => {
                let ty = if is_bool(e) {
                    Scalar::Bool
                } else {
                    Scalar::Int
                };
                self.verbatim(e, hint, ty)
            }
        }
    }

    fn verbatim(&mut self, e: &syn::Expr, hint: Option<&Hint>, ty: Scalar) -> Operand {
        let mut e = e.clone();
        Rename(self).visit_expr_mut(&mut e);
        let span = e.span();
        let dst = self.define(hint, ty, false);
        self.cur.push(Stmt::Inst(Inst {
            dsts: vec![dst],
            op: Op::Expr(Box::new(e)),
            args: Vec::new(),
            span,
        }));
        Operand::Var(dst)
    }

    /// A float expression, one instruction per primitive; the root takes `hint`.
    fn expr(&mut self, e: &syn::Expr, hint: Option<&Hint>) -> Operand {
        if !mentions_float(e, self) {
            return self.constant(e, hint);
        }
        let span = e.span();
        use syn::Expr as E;
        match e {
            E::Lit(l) => Operand::Const(l.to_token_stream(), self.float_ty()),
            E::Paren(p) => self.expr(&p.expr, hint),
            E::Group(g) => self.expr(&g.expr, hint),
            E::Path(p) => match local_name(e).and_then(|n| self.lookup(&n)) {
                Some(o) => o,
                None => Operand::Const(p.to_token_stream(), self.float_ty()),
            },
            E::Binary(b) => self.binary(b, hint),
            E::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => match self.expr(&u.expr, None) {
                    Operand::Const(t, ty) => Operand::Const(quote!(-#t), ty),
                    a => self.inst(Op::Neg, vec![a], hint, span),
                },
                syn::UnOp::Not(_) => {
                    let a = self.expr(&u.expr, None);
                    self.inst(Op::Not, vec![a], hint, span)
                }
                _ => self.unsupported(e),
            },
            E::MethodCall(m) => {
                let name = m.method.to_string();
                match Op::from_method(&name) {
                    Some((op, n)) if n == m.args.len() => {
                        let mut args = vec![self.expr(&m.receiver, None)];
                        for a in &m.args {
                            args.push(self.arg(&op, a));
                        }
                        self.inst(op, args, hint, span)
                    }
                    Some((_, n)) => {
                        self.errs.spanned(e, errors::method_arity(&name, n));
                        self.dummy()
                    }
                    None => {
                        self.errs.spanned(&m.method, errors::unknown_method(&name));
                        self.dummy()
                    }
                }
            }
            E::Call(c) => {
                let mut v = self.call(c, &[hint.map(|h| h.clone_hint())]);
                v.pop().unwrap_or_else(|| self.dummy())
            }
            E::Cast(c) => match ast::scalar(&c.ty) {
                Some(Scalar::Float(_)) if mentions_float(&c.expr, self) => self.expr(&c.expr, hint),
                Some(Scalar::Float(_)) => {
                    let a = self.constant(&c.expr, None);
                    let ty = c.ty.to_token_stream();
                    self.inst(Op::Cast(ty), vec![a], hint, span)
                }
                Some(_) => {
                    self.errs.spanned(e, errors::float_to_int());
                    self.dummy()
                }
                None => {
                    self.errs.spanned(&c.ty, errors::cast_type());
                    self.dummy()
                }
            },
            E::If(_) | E::Block(_) => {
                let vals = self.value(e, false, hint);
                self.single(vals, e)
            }
            E::Tuple(_) => {
                self.errs.spanned(e, errors::tuple_position());
                self.dummy()
            }
            E::Return(_) => {
                self.errs.spanned(e, errors::return_position());
                self.dummy()
            }
            _ => self.unsupported(e),
        }
    }

    fn unsupported(&mut self, e: &syn::Expr) -> Operand {
        self.errs.spanned(e, errors::unsupported_expr());
        self.dummy()
    }

    fn dummy(&self) -> Operand {
        Operand::Const(quote!(0.0), self.float_ty())
    }

    /// A method argument: `powi`'s exponent is an integer constant, the others floats.
    fn arg(&mut self, op: &Op, a: &syn::Expr) -> Operand {
        match op {
            Op::Powi => {
                if mentions_float(a, self) {
                    self.errs.spanned(a, errors::float_to_int());
                }
                self.constant(a, None)
            }
            _ => self.expr(a, None),
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary, hint: Option<&Hint>) -> Operand {
        use syn::BinOp as B;
        let span = b.span();
        let op = match b.op {
            B::Add(_) => Op::Add,
            B::Sub(_) => Op::Sub,
            B::Mul(_) => Op::Mul,
            B::Div(_) => Op::Div,
            B::Lt(_) | B::Le(_) | B::Gt(_) | B::Ge(_) | B::Eq(_) | B::Ne(_) => Op::Cmp(b.op),
            B::And(_) | B::Or(_) => Op::Logic(b.op),
            op if ast::is_compound(&op) => {
                self.compound(b);
                return self.dummy();
            }
            op => {
                let s = op.to_token_stream().to_string();
                self.errs.spanned(b.op, errors::binary_op(&s));
                return self.dummy();
            }
        };
        let l = self.expr(&b.left, None);
        let r = self.expr(&b.right, None);
        self.inst(op, vec![l, r], hint, span)
    }

    /// `g(args)` for an annotated `g` (its `_vjp` is called in the reverse sweep), `f64::exp(x)`,
    /// or `sigmoid(x)`. Returns one value per element of `hints`.
    fn call(&mut self, c: &syn::ExprCall, hints: &[Option<Hint>]) -> Vec<Operand> {
        let span = c.span();
        let syn::Expr::Path(p) = &*c.func else {
            self.errs.spanned(&c.func, errors::call_target());
            return vec![self.dummy(); hints.len()];
        };
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let hint = hints.first().and_then(|h| h.as_ref());
        let last = segs.last().cloned().unwrap_or_default();
        if segs.len() == 2 && (segs[0] == "f64" || segs[0] == "f32") {
            return match Op::from_method(&last) {
                Some((op, n)) if n + 1 == c.args.len() => {
                    let mut args = Vec::new();
                    for (k, a) in c.args.iter().enumerate() {
                        args.push(if k == 0 {
                            self.expr(a, None)
                        } else {
                            self.arg(&op, a)
                        });
                    }
                    vec![self.inst(op, args, hint, span)]
                }
                Some((_, n)) => {
                    self.errs.spanned(c, errors::method_arity(&last, n));
                    vec![self.dummy()]
                }
                None => {
                    self.errs.spanned(&c.func, errors::unknown_method(&last));
                    vec![self.dummy()]
                }
            };
        }
        if last == "sigmoid" && (segs.len() == 1 || segs.iter().any(|s| s == "math")) {
            if c.args.len() != 1 {
                self.errs.spanned(c, errors::method_arity("sigmoid", 1));
                return vec![self.dummy()];
            }
            let a = self.expr(&c.args[0], None);
            return vec![self.inst(Op::Sigmoid, vec![a], hint, span)];
        }
        let mut args = Vec::new();
        let mut float_args = Vec::new();
        for a in &c.args {
            let float = mentions_float(a, self);
            float_args.push(float);
            args.push(if float {
                self.expr(a, None)
            } else {
                self.constant(a, None)
            });
        }
        let mut vjp = p.path.clone();
        if let Some(seg) = vjp.segments.last_mut() {
            seg.ident = syn::Ident::new(&format!("{}_vjp", seg.ident), seg.ident.span());
        }
        let active = args.iter().any(|a| self.active(a));
        let dsts: Vec<VarId> = hints
            .iter()
            .map(|h| {
                let ty = self.float_ty();
                self.define(h.as_ref(), ty, active)
            })
            .collect();
        self.cur.push(Stmt::Inst(Inst {
            dsts: dsts.clone(),
            op: Op::Call {
                func: p.path.clone(),
                vjp,
                float_args,
            },
            args,
            span,
        }));
        dsts.into_iter().map(Operand::Var).collect()
    }
}

impl Hint {
    fn clone_hint(&self) -> Hint {
        match self {
            Hint::User(n, s) => Hint::User(n.clone(), *s),
            Hint::Version(n) => Hint::Version(n.clone()),
            Hint::Named(n) => Hint::Named(n),
            Hint::Cond => Hint::Cond,
        }
    }
}

/// Renames locals in a verbatim expression to their current SSA variable.
struct Rename<'l>(&'l Lower);

impl VisitMut for Rename<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let Some(name) = local_name(e) {
            match self.0.lookup(&name) {
                Some(Operand::Var(v)) => {
                    let id = self.0.vars[v].ident();
                    *e = syn::parse_quote!(#id);
                }
                Some(Operand::Const(t, _)) => *e = syn::parse_quote!((#t)),
                None => {}
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// The else branch's statements (`else if` becomes a one-statement block).
fn else_stmts(e: &syn::Expr, value: bool) -> Vec<syn::Stmt> {
    match e {
        syn::Expr::Block(b) => b.block.stmts.clone(),
        other if value => vec![syn::Stmt::Expr(other.clone(), None)],
        other => vec![syn::Stmt::Expr(other.clone(), Some(Default::default()))],
    }
}

fn local_name(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

fn lit_ty(l: &syn::Lit, float: FloatTy) -> Scalar {
    match l {
        syn::Lit::Float(_) => Scalar::Float(float),
        syn::Lit::Int(i) if matches!(i.suffix(), "f32" | "f64") => Scalar::Float(float),
        syn::Lit::Bool(_) => Scalar::Bool,
        _ => Scalar::Int,
    }
}

fn is_bool(e: &syn::Expr) -> bool {
    use syn::BinOp as B;
    match e {
        syn::Expr::Binary(b) => matches!(
            b.op,
            B::Lt(_) | B::Le(_) | B::Gt(_) | B::Ge(_) | B::Eq(_) | B::Ne(_) | B::And(_) | B::Or(_)
        ),
        syn::Expr::Unary(u) => matches!(u.op, syn::UnOp::Not(_)),
        syn::Expr::Lit(l) => matches!(l.lit, syn::Lit::Bool(_)),
        syn::Expr::Paren(p) => is_bool(&p.expr),
        _ => false,
    }
}

/// Whether any part of `e` is a float: a float literal or local, a float method, `as f64`.
fn mentions_float(e: &syn::Expr, l: &Lower) -> bool {
    struct Find<'l>(&'l Lower, bool);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            if self.1 {
                return;
            }
            match e {
                syn::Expr::Lit(lit) => {
                    self.1 = matches!(lit_ty(&lit.lit, self.0.float), Scalar::Float(_));
                }
                syn::Expr::Path(p) => {
                    self.1 = match local_name(e).and_then(|n| self.0.lookup(&n)) {
                        Some(o) => matches!(self.0.ty(&o), Scalar::Float(_)),
                        None => p
                            .path
                            .segments
                            .iter()
                            .any(|s| s.ident == "f64" || s.ident == "f32"),
                    };
                }
                syn::Expr::Cast(c) => {
                    self.1 = matches!(ast::scalar(&c.ty), Some(Scalar::Float(_)));
                    if !self.1 {
                        self.visit_expr(&c.expr);
                    }
                }
                syn::Expr::MethodCall(m)
                    if Op::from_method(&m.method.to_string()).is_some()
                        && m.method != "max"
                        && m.method != "min"
                        && m.method != "abs" =>
                {
                    self.1 = true;
                }
                syn::Expr::Call(c) => {
                    if let syn::Expr::Path(p) = &*c.func {
                        let segs: Vec<String> = p
                            .path
                            .segments
                            .iter()
                            .map(|s| s.ident.to_string())
                            .collect();
                        if segs.first().is_some_and(|s| s == "f64" || s == "f32")
                            || segs.last().is_some_and(|s| s == "sigmoid")
                        {
                            self.1 = true;
                            return;
                        }
                    }
                    syn::visit::visit_expr(self, e);
                }
                _ => syn::visit::visit_expr(self, e),
            }
        }
    }
    let mut f = Find(l, false);
    f.visit_expr(e);
    f.1
}

/// Names the body assigns to (`x = ..`, `x += ..`), in order of first assignment.
fn assigned_names(b: &syn::Block, out: &mut Vec<String>) {
    struct Find<'o>(&'o mut Vec<String>);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            let target = match e {
                syn::Expr::Assign(a) => local_name(&a.left),
                syn::Expr::Binary(b) if ast::is_compound(&b.op) => local_name(&b.left),
                _ => None,
            };
            if let Some(n) = target {
                if !self.0.contains(&n) {
                    self.0.push(n);
                }
            }
            syn::visit::visit_expr(self, e);
        }
    }
    Find(out).visit_block(b);
}

/// Every identifier in the function, so generated names never collide with the user's.
fn collect_idents(item: &syn::ItemFn, out: &mut Vec<String>) {
    struct Find<'o>(&'o mut Vec<String>);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
            self.0.push(i.to_string());
        }
    }
    Find(out).visit_item_fn(item);
}
