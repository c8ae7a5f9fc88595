//! The body of an array function -> [`AFn`]: statements, places, float expression trees.
//!
//! Reductions become loops (`x.iter().map(|v| e).sum()` is `s = 0; for j in 0..x.len() { v =
//! x[j]; s += e }`), `for v in x.iter()` a loop over indices, `*=` and `/=` assignments of a
//! product or quotient. What has no place here is a spanned error saying what to write.

use super::ir::{idents, AFn, Arg, Decl, Place, Save, Upd, VKind, Var, E, S};
use super::sig::{Kind, Sig};
use crate::ast::Scalar;
use crate::ir::Op;
use crate::names;
use proc_macro2::{Ident, TokenStream};
use quote::{quote, ToTokens};
use std::collections::HashMap;
use syn::spanned::Spanned;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Float,
    Int,
    Bool,
}

#[derive(Clone, Copy)]
enum Binding {
    Var(usize),
    /// A `for` loop's index (an integer bound by the loop itself).
    Index,
    /// `let v = &x[a..];`: a view into a float buffer, see [`View`].
    View(usize),
}

/// `let v = &x[a..b];` (or `&mut`): `v[i]` is `x[a + i]`, `&v[c..]` is `&x[a + c..]`.
struct View {
    base: usize,
    start: TokenStream,
    /// The end of the view in `base`'s indices, if it has one.
    end: Option<TokenStream>,
}

struct Lower {
    vars: Vec<Var>,
    views: Vec<View>,
    scope: HashMap<String, Binding>,
    hidden: usize,
}

type R<T> = syn::Result<T>;

fn err<T>(tokens: impl ToTokens, msg: impl Into<String>) -> R<T> {
    Err(syn::Error::new_spanned(tokens, msg.into()))
}

pub fn lower(sig: &Sig, item: &syn::ItemFn) -> R<AFn> {
    let mut l = Lower {
        vars: Vec::new(),
        views: Vec::new(),
        scope: HashMap::new(),
        hidden: 0,
    };
    for p in &sig.params {
        let kind = match &p.kind {
            Kind::Scalar(Scalar::Float(_)) => VKind::Float,
            Kind::Scalar(Scalar::Int) => VKind::Int,
            Kind::Scalar(Scalar::Bool) => VKind::Bool,
            Kind::Buf { float: true, .. } => VKind::FBuf,
            Kind::Buf { float: false, .. } => VKind::IBuf,
        };
        let active = p.wrt
            || matches!(
                p.kind,
                Kind::Buf {
                    float: true,
                    mutable: true,
                    ..
                }
            );
        let v = l.vars.len();
        l.vars.push(Var {
            ident: p.ident.clone(),
            kind,
            decl: Decl::Param,
            active,
            annot: None,
            init: None,
            cell: matches!(p.kind, Kind::Buf { cell: true, .. }),
            mutable: matches!(p.kind, Kind::Buf { mutable: true, .. }),
        });
        l.scope.insert(names::user(&p.ident), Binding::Var(v));
    }
    let stmts = &item.block.stmts;
    let (body_stmts, tail) = match stmts.last() {
        Some(syn::Stmt::Expr(e, None)) if sig.returns => (&stmts[..stmts.len() - 1], Some(e)),
        _ => (&stmts[..], None),
    };
    if sig.returns && tail.is_none() {
        return err(
            &item.sig.output,
            "end the body with the float it returns (no `;` after it)",
        );
    }
    let mut body = Vec::new();
    l.block(body_stmts, 0, &mut body)?;
    let ret = match (tail, &sig.ret_len) {
        (Some(e), None) => vec![l.float(e, 0, &mut body)?],
        (Some(e), Some(n)) => l.array_result(e, n, &mut body)?,
        (None, _) => Vec::new(),
    };
    let mut f = AFn {
        vars: l.vars,
        body,
        ret,
        unread: Default::default(),
    };
    activity(&mut f);
    Ok(f)
}

/// Marks active every variable and buffer an active value flows into, to a fixed point.
fn activity(f: &mut AFn) {
    loop {
        let mut changed = false;
        mark(&f.body, &mut f.vars, &mut changed);
        if !changed {
            return;
        }
    }
}

fn mark(stmts: &[S], vars: &mut [Var], changed: &mut bool) {
    for s in stmts {
        match s {
            S::Set { place, value, .. } => {
                let v = place.var();
                if !vars[v].active && value.active(vars) {
                    vars[v].active = true;
                    *changed = true;
                }
            }
            S::For { body, .. } => mark(body, vars, changed),
            S::If { then, else_, .. } => {
                mark(then, vars, changed);
                mark(else_, vars, changed);
            }
            S::Call { args, .. } => {
                if args.iter().any(|a| a.active(vars)) {
                    for a in args {
                        if let Arg::Buf {
                            var, mutable: true, ..
                        } = a
                        {
                            if !vars[*var].active {
                                vars[*var].active = true;
                                *changed = true;
                            }
                        }
                    }
                }
            }
            S::Other { .. } | S::LocalBuf { .. } | S::Keep(_) => {}
        }
    }
}

impl Lower {
    fn lookup(&self, e: &syn::Expr) -> Option<Binding> {
        match e {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let id = p.path.get_ident()?;
                self.scope.get(&names::user(id)).copied()
            }
            syn::Expr::Paren(p) => self.lookup(&p.expr),
            syn::Expr::Reference(r) => self.lookup(&r.expr),
            _ => None,
        }
    }

    fn var_of(&self, e: &syn::Expr) -> Option<usize> {
        match self.lookup(e)? {
            Binding::Var(v) => Some(v),
            Binding::Index | Binding::View(_) => None,
        }
    }

    /// A float buffer or a view of one: the buffer and the offset of index 0 (`None` for 0).
    fn buffer(&self, e: &syn::Expr) -> Option<(usize, Option<TokenStream>)> {
        match self.lookup(e)? {
            Binding::Var(v) if self.vars[v].kind == VKind::FBuf => Some((v, None)),
            Binding::View(k) => Some((self.views[k].base, Some(self.views[k].start.clone()))),
            _ => None,
        }
    }

    /// The elements `for v in e.iter()` visits: the buffer, the offset of the first, and how
    /// many (`x.len()`, or a view's `b - a` / `x.len() - a`).
    fn elements(&self, e: &syn::Expr) -> Option<(usize, Option<TokenStream>, TokenStream)> {
        match self.lookup(e)? {
            Binding::Var(v) if self.vars[v].kind == VKind::FBuf && !self.vars[v].cell => {
                let x = &self.vars[v].ident;
                Some((v, None, quote!(#x.len())))
            }
            Binding::View(k) => {
                let view = &self.views[k];
                let (x, a) = (&self.vars[view.base].ident, &view.start);
                let len = match &view.end {
                    Some(b) => quote!((#b) - (#a)),
                    None => quote!(#x.len() - (#a)),
                };
                Some((view.base, Some(a.clone()), len))
            }
            _ => None,
        }
    }

    /// `let v = &x[a..b];`: a view, if `e` is one of a float buffer.
    fn view(&mut self, e: &syn::Expr) -> R<Option<View>> {
        let syn::Expr::Reference(r) = e else {
            return Ok(None);
        };
        let syn::Expr::Index(ix) = &*r.expr else {
            return Ok(None);
        };
        let syn::Expr::Range(range) = &*ix.index else {
            return Ok(None);
        };
        let Some((base, offset)) = self.buffer(&ix.expr) else {
            return Ok(None);
        };
        let shift = |t: TokenStream| match &offset {
            Some(o) => quote!((#o) + (#t)),
            None => t,
        };
        let start = match &range.start {
            Some(a) => shift(self.tokens(a)?),
            None => offset.clone().unwrap_or_else(|| quote!(0)),
        };
        let end = match &range.end {
            Some(b) => Some(shift(self.tokens(b)?)),
            None => None,
        };
        Ok(Some(View { base, start, end }))
    }

    /// The elements of a `-> [F; N]` result: `[a, b, ..]`, or a local array `v` (`v[0]`, ..).
    fn array_result(&mut self, e: &syn::Expr, n: &syn::Expr, pre: &mut Vec<S>) -> R<Vec<E>> {
        match e {
            syn::Expr::Array(a) => a.elems.iter().map(|x| self.float(x, 0, pre)).collect(),
            _ => {
                let len: Option<usize> = match n {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(i),
                        ..
                    }) => i.base10_parse().ok(),
                    _ => None,
                };
                match (self.buffer(e), len) {
                    (Some((v, offset)), Some(len)) => Ok((0..len)
                        .map(|k| {
                            let k = proc_macro2::Literal::usize_unsuffixed(k);
                            E::Load(v, offset_by(offset.clone(), quote!(#k)), e.span())
                        })
                        .collect()),
                    _ => err(e, "end with the array of results, `[a, b]`, or a local array of a literal length"),
                }
            }
        }
    }

    fn hidden(&mut self, base: &str) -> Ident {
        self.hidden += 1;
        names::local(&format!("{base}{}", self.hidden - 1))
    }

    fn new_var(
        &mut self,
        ident: Ident,
        kind: VKind,
        depth: usize,
        annot: Option<syn::Type>,
    ) -> usize {
        let v = self.vars.len();
        self.vars.push(Var {
            ident: ident.clone(),
            kind,
            decl: if depth == 0 {
                Decl::TopLet
            } else {
                Decl::Hoisted
            },
            active: false,
            annot,
            init: None,
            cell: false,
            mutable: false,
        });
        self.scope.insert(names::user(&ident), Binding::Var(v));
        v
    }

    /// The variable a `let` of `ident` assigns: a new one, or the one of that name already
    /// declared (a `let` in a loop runs once per iteration), and whether this is its first
    /// assignment at the top level.
    fn declare(
        &mut self,
        ident: &Ident,
        kind: VKind,
        depth: usize,
        annot: Option<syn::Type>,
    ) -> R<(usize, bool)> {
        match self.scope.get(&names::user(ident)).copied() {
            Some(Binding::Var(v)) => {
                if self.vars[v].kind != kind {
                    return err(ident, format!("`{ident}` is declared again with another type; in a function over slices every local has one type: rename this one"));
                }
                if matches!(self.vars[v].decl, Decl::Param) && kind == VKind::FBuf {
                    return err(
                        ident,
                        format!("`{ident}` shadows a slice parameter; rename it"),
                    );
                }
                Ok((v, false))
            }
            Some(Binding::Index) => err(
                ident,
                format!("`{ident}` is a loop index here; rename this local"),
            ),
            Some(Binding::View(_)) | None => {
                Ok((self.new_var(ident.clone(), kind, depth, annot), depth == 0))
            }
        }
    }

    fn block(&mut self, stmts: &[syn::Stmt], depth: usize, out: &mut Vec<S>) -> R<()> {
        for s in stmts {
            self.stmt(s, depth, out)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &syn::Stmt, depth: usize, out: &mut Vec<S>) -> R<()> {
        match s {
            syn::Stmt::Local(l) => self.local(l, depth, out),
            syn::Stmt::Expr(e, semi) => {
                if semi.is_none() && !matches!(e, syn::Expr::ForLoop(_) | syn::Expr::If(_)) {
                    return err(e, "a function over slices returns through its tail only at the end; end this statement with `;`");
                }
                self.expr_stmt(e, depth, out)
            }
            syn::Stmt::Macro(m) => self.macro_stmt(&m.mac, out),
            syn::Stmt::Item(i) => err(i, crate::errors::item_in_body()),
        }
    }

    fn macro_stmt(&mut self, m: &syn::Macro, out: &mut Vec<S>) -> R<()> {
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        match name.as_str() {
            "assert" | "assert_eq" | "assert_ne" | "debug_assert" | "debug_assert_eq"
            | "debug_assert_ne" => {
                out.push(S::Keep(quote!(#m;)));
                Ok(())
            }
            _ => err(m, format!("macro `{name}!` is not differentiable; only `assert!`-style macros (kept, no derivative) and `vec![0.0; n]` in a `let` are")),
        }
    }

    fn local(&mut self, l: &syn::Local, depth: usize, out: &mut Vec<S>) -> R<()> {
        let (ident, annot) = match &l.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                (p.ident.clone(), None)
            }
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    (p.ident.clone(), Some((*t.ty).clone()))
                }
                other => return err(other, crate::errors::let_pattern()),
            },
            other => return err(other, crate::errors::let_pattern()),
        };
        let Some(init) = &l.init else {
            return err(l, crate::errors::let_uninit());
        };
        if let Some((_, d)) = &init.diverge {
            return err(d, crate::errors::let_else());
        }
        let e = &*init.expr;
        if let Some(view) = self.view(e)? {
            self.views.push(view);
            self.scope
                .insert(names::user(&ident), Binding::View(self.views.len() - 1));
            return Ok(());
        }
        if let syn::Expr::Array(a) = e {
            if a.elems.iter().all(|x| matches!(self.ty(x), Ty::Float)) && !a.elems.is_empty() {
                return self.array_literal(&ident, a, depth, out);
            }
        }
        if let Some((buf, fill)) = local_buf(e) {
            if depth > 0 && buf.to_string().starts_with("vec") {
                return err(l, format!("declare the buffer `{ident}` at the top of the function body, outside loops and branches (`let mut {ident} = vec![0.0; n];`), and overwrite it inside; or make it an array (`[0.0; N]`)"));
            }
            let (var, _) = self.declare(&ident, VKind::FBuf, depth, None)?;
            self.vars[var].init = Some(buf.clone());
            out.push(S::LocalBuf {
                var,
                init: buf,
                fill,
                save: Save::Tape,
            });
            return Ok(());
        }
        let ty = match annot.as_ref().and_then(crate::ast::scalar) {
            Some(Scalar::Float(_)) => Ty::Float,
            Some(Scalar::Int) => Ty::Int,
            Some(Scalar::Bool) => Ty::Bool,
            None if annot.is_some() => return err(&annot, "annotate a local of a function over slices with a float, integer or `bool` type, or declare a buffer with `vec![0.0; n]` / `[0.0; N]`"),
            None => self.ty(e),
        };
        let kind = match ty {
            Ty::Float => VKind::Float,
            Ty::Int => VKind::Int,
            Ty::Bool => VKind::Bool,
        };
        // A value made in branches (`let m = if c { a } else { b };`) is assigned inside them:
        // declared at the top, like a local of a loop.
        let branches = matches!(e, syn::Expr::If(_) | syn::Expr::Block(_));
        let (var, fresh) = self.declare(&ident, kind, depth.max(usize::from(branches)), annot)?;
        self.assign_to(var, ty, Upd::Set, e, fresh, depth, out)
    }

    /// `let v = [a, b, c];`: a local array made of zeros, then each element assigned (as the
    /// user could have written it), so the planner sees ordinary writes.
    fn array_literal(
        &mut self,
        ident: &Ident,
        a: &syn::ExprArray,
        depth: usize,
        out: &mut Vec<S>,
    ) -> R<()> {
        let n = proc_macro2::Literal::usize_unsuffixed(a.elems.len());
        let (init, fill) = (quote!([0.0; #n]), quote!(0.0));
        let (var, _) = self.declare(ident, VKind::FBuf, depth, None)?;
        self.vars[var].init = Some(init.clone());
        out.push(S::LocalBuf {
            var,
            init,
            fill,
            save: Save::Tape,
        });
        for (k, x) in a.elems.iter().enumerate() {
            let value = self.float(x, depth, out)?;
            let k = proc_macro2::Literal::usize_unsuffixed(k);
            out.push(S::Set {
                place: Place::Elem(var, quote!(#k)),
                upd: Upd::Set,
                value,
                fresh: false,
                save: Save::Tape,
            });
        }
        Ok(())
    }

    /// `var (op)= e`, `e` possibly an `if` expression.
    #[allow(clippy::too_many_arguments)]
    fn assign_to(
        &mut self,
        var: usize,
        ty: Ty,
        upd: Upd,
        e: &syn::Expr,
        fresh: bool,
        depth: usize,
        out: &mut Vec<S>,
    ) -> R<()> {
        if let (syn::Expr::If(i), Upd::Set) = (e, upd) {
            // `let m = if c { a } else { b };`: the branches assign `m`.
            let cond = self.cond(&i.cond)?;
            let mut then = Vec::new();
            self.value_block(&i.then_branch, var, ty, depth + 1, &mut then)?;
            let mut else_ = Vec::new();
            match &i.else_branch {
                Some((_, e)) => {
                    self.assign_to(var, ty, Upd::Set, e, false, depth + 1, &mut else_)?
                }
                None => return err(i, "an `if` that gives a value needs an `else`"),
            }
            out.push(S::If { cond, then, else_ });
            return Ok(());
        }
        if let syn::Expr::Block(b) = e {
            return self.value_block(&b.block, var, ty, depth, out);
        }
        match ty {
            Ty::Float => {
                let value = self.float(e, depth, out)?;
                out.push(S::Set {
                    place: Place::Var(var),
                    upd,
                    value,
                    fresh,
                    save: Save::Tape,
                });
            }
            _ => {
                let op = match upd {
                    Upd::Set => quote!(=),
                    Upd::Add => quote!(+=),
                    Upd::Sub => quote!(-=),
                };
                let value = self.tokens(e)?;
                out.push(S::Other {
                    var,
                    op,
                    value,
                    fresh,
                    save: Save::Tape,
                });
            }
        }
        Ok(())
    }

    /// A block whose tail is the value of `var`.
    fn value_block(
        &mut self,
        b: &syn::Block,
        var: usize,
        ty: Ty,
        depth: usize,
        out: &mut Vec<S>,
    ) -> R<()> {
        let Some((syn::Stmt::Expr(tail, None), rest)) = b.stmts.split_last() else {
            return err(
                b,
                "this block must end with the value it gives (no `;` after it)",
            );
        };
        self.block(rest, depth, out)?;
        self.assign_to(var, ty, Upd::Set, tail, false, depth, out)
    }

    fn expr_stmt(&mut self, e: &syn::Expr, depth: usize, out: &mut Vec<S>) -> R<()> {
        match e {
            syn::Expr::Assign(a) => self.assign(&a.left, Upd::Set, &a.right, depth, out),
            syn::Expr::Binary(b) => {
                let (upd, wrap) = match b.op {
                    syn::BinOp::AddAssign(_) => (Upd::Add, None),
                    syn::BinOp::SubAssign(_) => (Upd::Sub, None),
                    syn::BinOp::MulAssign(_) => (Upd::Set, Some(Op::Mul)),
                    syn::BinOp::DivAssign(_) => (Upd::Set, Some(Op::Div)),
                    _ => return err(e, "this expression does nothing as a statement; assign its value"),
                };
                if let Some(v) = self.var_of(&b.left).filter(|v| {
                    matches!(self.vars[*v].kind, VKind::Int | VKind::Bool)
                }) {
                    let op = b.op;
                    let value = self.tokens(&b.right)?;
                    out.push(S::Other {
                        var: v,
                        op: quote!(#op),
                        value,
                        fresh: false,
                        save: Save::Tape,
                    });
                    return Ok(());
                }
                match wrap {
                    None => self.assign(&b.left, upd, &b.right, depth, out),
                    Some(op) => {
                        // `a *= e` is `a = a * e`
                        let place = self.place(&b.left)?;
                        let old = match &place {
                            Place::Var(v) => E::Var(*v),
                            Place::Elem(v, i) => E::Load(*v, i.clone(), b.left.span()),
                        };
                        let rhs = self.float(&b.right, depth, out)?;
                        out.push(S::Set {
                            place,
                            upd: Upd::Set,
                            value: E::Op(op, vec![old, rhs], b.span()),
                            fresh: false,
                            save: Save::Tape,
                        });
                        Ok(())
                    }
                }
            }
            syn::Expr::ForLoop(f) => self.for_(f, depth, out),
            syn::Expr::If(i) => self.if_(i, depth, out),
            syn::Expr::Call(c) => {
                let (func, vjp, args) = self.call_parts(c, depth, out)?;
                out.push(S::Call {
                    func,
                    vjp,
                    args,
                    span: c.span(),
                });
                Ok(())
            }
            syn::Expr::Macro(m) => self.macro_stmt(&m.mac, out),
            syn::Expr::While(_) => err(e, crate::errors::while_loop()),
            syn::Expr::Loop(_) => err(e, crate::errors::loop_loop()),
            syn::Expr::Return(_) => err(e, "`return` in a function over slices: let the body end with the value"),
            syn::Expr::Break(_) | syn::Expr::Continue(_) => err(e, crate::errors::break_continue()),
            _ => err(e, "unsupported statement in a function over slices; write assignments (`y = ..;`, `v[i] += ..;`), `for`, `if`, calls of other `#[differentiable]` functions or `assert!`"),
        }
    }

    fn place(&mut self, lhs: &syn::Expr) -> R<Place> {
        match lhs {
            syn::Expr::Index(ix) => match self.buffer(&ix.expr) {
                Some((v, offset)) => {
                    let index = self.tokens(&ix.index)?;
                    Ok(Place::Elem(v, offset_by(offset, index)))
                }
                None => err(&ix.expr, "only float slices and buffers (`&mut [f64]`, `vec![0.0; n]`) can be written here"),
            },
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => match self.var_of(&u.expr) {
                Some(v) if self.vars[v].cell => Ok(Place::Elem(v, quote!(0))),
                _ => err(lhs, "write through a `&mut f64` parameter (`*out = ..`) or a slice (`out[i] = ..`)"),
            },
            _ => match self.var_of(lhs) {
                Some(v) if matches!(self.vars[v].kind, VKind::Float | VKind::Int | VKind::Bool) => Ok(Place::Var(v)),
                _ => err(lhs, crate::errors::assign_target()),
            },
        }
    }

    fn assign(
        &mut self,
        lhs: &syn::Expr,
        upd: Upd,
        rhs: &syn::Expr,
        depth: usize,
        out: &mut Vec<S>,
    ) -> R<()> {
        let place = self.place(lhs)?;
        match place {
            Place::Var(v) => {
                let ty = match self.vars[v].kind {
                    VKind::Float => Ty::Float,
                    VKind::Int => Ty::Int,
                    _ => Ty::Bool,
                };
                self.assign_to(v, ty, upd, rhs, false, depth, out)
            }
            place @ Place::Elem(..) => {
                let value = self.float(rhs, depth, out)?;
                out.push(S::Set {
                    place,
                    upd,
                    value,
                    fresh: false,
                    save: Save::Tape,
                });
                Ok(())
            }
        }
    }

    fn cond(&mut self, c: &syn::Expr) -> R<TokenStream> {
        self.tokens(c)
    }

    fn if_(&mut self, i: &syn::ExprIf, depth: usize, out: &mut Vec<S>) -> R<()> {
        let cond = self.cond(&i.cond)?;
        let mut then = Vec::new();
        self.block(&i.then_branch.stmts, depth + 1, &mut then)?;
        let mut else_ = Vec::new();
        match &i.else_branch {
            None => {}
            Some((_, e)) => match &**e {
                syn::Expr::If(inner) => self.if_(inner, depth + 1, &mut else_)?,
                syn::Expr::Block(b) => self.block(&b.block.stmts, depth + 1, &mut else_)?,
                other => return err(other, "unsupported `else`"),
            },
        }
        out.push(S::If { cond, then, else_ });
        Ok(())
    }

    fn for_(&mut self, f: &syn::ExprForLoop, depth: usize, out: &mut Vec<S>) -> R<()> {
        if let Some(l) = &f.label {
            return err(l, crate::errors::break_continue());
        }
        // `for v in x.iter()`, `for &v in x`, `for v in x` (x a float slice): over indices.
        let over = match &*f.expr {
            syn::Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                Some(&*m.receiver)
            }
            syn::Expr::Range(_) => None,
            other => Some(other),
        };
        if let Some(xs) = over {
            let Some((buf, offset, hi)) = self.elements(xs) else {
                return err(
                    &f.expr,
                    "loop over a range (`for i in 0..n`) or a float slice (`for v in x.iter()`)",
                );
            };
            let elem = match &*f.pat {
                syn::Pat::Ident(p) => p.ident.clone(),
                syn::Pat::Reference(r) => match &*r.pat {
                    syn::Pat::Ident(p) => p.ident.clone(),
                    other => return err(other, crate::errors::for_pattern()),
                },
                other => return err(other, crate::errors::for_pattern()),
            };
            let j = self.hidden("j");
            let (v, _) = self.declare(&elem, VKind::Float, depth + 1, None)?;
            let mut body = vec![S::Set {
                place: Place::Var(v),
                upd: Upd::Set,
                value: E::Load(buf, offset_by(offset, quote!(#j)), f.pat.span()),
                fresh: false,
                save: Save::Tape,
            }];
            self.block(&f.body.stmts, depth + 1, &mut body)?;
            out.push(S::For {
                pat: quote!(#j),
                lo: quote!(0),
                hi,
                inclusive: false,
                body,
            });
            return Ok(());
        }
        let syn::Expr::Range(r) = &*f.expr else {
            return err(&f.expr, crate::errors::for_range());
        };
        let (Some(lo), Some(hi)) = (&r.start, &r.end) else {
            return err(r, crate::errors::for_range());
        };
        let (lo, hi) = (self.tokens(lo)?, self.tokens(hi)?);
        let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
        let (pat, name) = match &*f.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let i = &p.ident;
                (quote!(#i), Some(names::user(i)))
            }
            syn::Pat::Wild(w) => (quote!(#w), None),
            other => return err(other, crate::errors::for_pattern()),
        };
        let saved = name
            .as_ref()
            .and_then(|n| self.scope.insert(n.clone(), Binding::Index));
        let mut body = Vec::new();
        let res = self.block(&f.body.stmts, depth + 1, &mut body);
        if let Some(n) = &name {
            match saved {
                Some(b) => self.scope.insert(n.clone(), b),
                None => self.scope.remove(n),
            };
        }
        res?;
        check_bounds(&[&lo, &hi], &body, &self.vars, &f.expr)?;
        out.push(S::For {
            pat,
            lo,
            hi,
            inclusive,
            body,
        });
        Ok(())
    }

    /// Integer or `bool` tokens, as written (checked for what cannot appear in them).
    fn tokens(&mut self, e: &syn::Expr) -> R<TokenStream> {
        struct Check(Option<syn::Error>);
        impl<'ast> syn::visit::Visit<'ast> for Check {
            fn visit_expr(&mut self, e: &'ast syn::Expr) {
                let bad = match e {
                    syn::Expr::Closure(_) => Some(crate::errors::closure()),
                    syn::Expr::Block(_) | syn::Expr::Unsafe(_) => Some(
                        "blocks are not supported in an integer or `bool` expression".to_string(),
                    ),
                    syn::Expr::Assign(_) => Some(
                        "an assignment inside an expression; write it as a statement".to_string(),
                    ),
                    _ => None,
                };
                match (bad, &self.0) {
                    (Some(m), None) => self.0 = Some(syn::Error::new_spanned(e, m)),
                    _ => syn::visit::visit_expr(self, e),
                }
            }
        }
        let mut c = Check(None);
        syn::visit::Visit::visit_expr(&mut c, e);
        match c.0 {
            Some(e) => Err(e),
            None => Ok(self.unview(e.to_token_stream())),
        }
    }

    /// The tokens with every view `v` written as the part of its buffer, `(&x[a..b])`.
    fn unview(&self, t: TokenStream) -> TokenStream {
        if self.views.is_empty() {
            return t;
        }
        t.into_iter()
            .map(|tt| match tt {
                proc_macro2::TokenTree::Ident(i) => match self.scope.get(&names::user(&i)) {
                    Some(Binding::View(k)) => {
                        let v = &self.views[*k];
                        let (x, a) = (&self.vars[v.base].ident, &v.start);
                        let b = v.end.clone().unwrap_or_default();
                        let g = proc_macro2::Group::new(
                            proc_macro2::Delimiter::Parenthesis,
                            quote!(&#x[#a..#b]),
                        );
                        proc_macro2::TokenTree::Group(g)
                    }
                    _ => proc_macro2::TokenTree::Ident(i),
                },
                proc_macro2::TokenTree::Group(g) => {
                    let mut n = proc_macro2::Group::new(g.delimiter(), self.unview(g.stream()));
                    n.set_span(g.span());
                    proc_macro2::TokenTree::Group(n)
                }
                other => other,
            })
            .collect()
    }

    fn ty(&self, e: &syn::Expr) -> Ty {
        match e {
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(_) => Ty::Float,
                syn::Lit::Bool(_) => Ty::Bool,
                _ => Ty::Int,
            },
            syn::Expr::Path(p) => match self.lookup(e) {
                Some(Binding::Var(v)) => match self.vars[v].kind {
                    VKind::Float | VKind::FBuf => Ty::Float,
                    VKind::Bool => Ty::Bool,
                    VKind::Int | VKind::IBuf => Ty::Int,
                },
                Some(Binding::Index) => Ty::Int,
                Some(Binding::View(_)) => Ty::Float,
                None => {
                    let s = p.path.to_token_stream().to_string();
                    if s.contains("f64") || s.contains("f32") {
                        Ty::Float
                    } else {
                        Ty::Int
                    }
                }
            },
            syn::Expr::Binary(b) => match b.op {
                syn::BinOp::Lt(_)
                | syn::BinOp::Le(_)
                | syn::BinOp::Gt(_)
                | syn::BinOp::Ge(_)
                | syn::BinOp::Eq(_)
                | syn::BinOp::Ne(_)
                | syn::BinOp::And(_)
                | syn::BinOp::Or(_) => Ty::Bool,
                _ => {
                    // along the left spine with a loop (long sums nest deep)
                    let mut float = false;
                    let mut left = e;
                    while let syn::Expr::Binary(b) = left {
                        float |= self.ty(&b.right) == Ty::Float;
                        left = &b.left;
                    }
                    let l = self.ty(left);
                    if float || l == Ty::Float {
                        Ty::Float
                    } else {
                        l
                    }
                }
            },
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Not(_) => Ty::Bool,
                _ => self.ty(&u.expr),
            },
            syn::Expr::Paren(p) => self.ty(&p.expr),
            syn::Expr::Cast(c) => match crate::ast::scalar(&c.ty) {
                Some(Scalar::Float(_)) => Ty::Float,
                Some(Scalar::Bool) => Ty::Bool,
                _ => Ty::Int,
            },
            syn::Expr::Index(ix) => match self.var_of(&ix.expr).map(|v| self.vars[v].kind) {
                Some(VKind::IBuf) => Ty::Int,
                _ => Ty::Float,
            },
            syn::Expr::MethodCall(m) => match m.method.to_string().as_str() {
                "len" => Ty::Int,
                "is_nan" | "is_finite" | "is_infinite" | "is_sign_negative"
                | "is_sign_positive" => Ty::Bool,
                _ => Ty::Float,
            },
            syn::Expr::If(i) => match i.then_branch.stmts.last() {
                Some(syn::Stmt::Expr(t, None)) => self.ty(t),
                _ => Ty::Float,
            },
            syn::Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(t, None)) => self.ty(t),
                _ => Ty::Float,
            },
            _ => Ty::Float,
        }
    }

    /// A float expression; reductions add statements to `pre`.
    fn float(&mut self, e: &syn::Expr, depth: usize, pre: &mut Vec<S>) -> R<E> {
        let sp = e.span();
        match e {
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(_) | syn::Lit::Int(_) => Ok(E::Const(e.to_token_stream())),
                _ => err(e, "expected a float here"),
            },
            syn::Expr::Path(_) => match self.lookup(e) {
                Some(Binding::Var(v)) => match self.vars[v].kind {
                    VKind::Float => Ok(E::Var(v)),
                    VKind::Int | VKind::Bool => Ok(E::Const(e.to_token_stream())),
                    _ => err(e, format!("`{}` is a slice; index it (`{}[i]`) or reduce it (`{}.iter().sum::<f64>()`)", self.vars[v].ident, self.vars[v].ident, self.vars[v].ident)),
                },
                Some(Binding::Index) | None => Ok(E::Const(e.to_token_stream())),
                Some(Binding::View(_)) => err(e, "index the view (`v[i]`)"),
            },
            syn::Expr::Paren(p) => self.float(&p.expr, depth, pre),
            syn::Expr::Group(g) => self.float(&g.expr, depth, pre),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => Ok(E::Op(Op::Neg, vec![self.float(&u.expr, depth, pre)?], sp)),
                syn::UnOp::Deref(_) => match self.var_of(&u.expr) {
                    Some(v) if self.vars[v].cell => Ok(E::Load(v, quote!(0), sp)),
                    _ => self.float(&u.expr, depth, pre),
                },
                _ => err(e, "expected a float here"),
            },
            syn::Expr::Binary(_) => {
                // `a + b + c + ..` nests to the left as deep as it is long: walk the left
                // spine with a loop, recursing only into the right operands.
                let mut spine = Vec::new();
                let mut left = e;
                while let syn::Expr::Binary(b) = left {
                    let op = match b.op {
                        syn::BinOp::Add(_) => Op::Add,
                        syn::BinOp::Sub(_) => Op::Sub,
                        syn::BinOp::Mul(_) => Op::Mul,
                        syn::BinOp::Div(_) => Op::Div,
                        _ => {
                            let op = b.op.to_token_stream().to_string();
                            return err(b.op, crate::errors::binary_op(&op));
                        }
                    };
                    // the operator's span: `left.span()` would print the whole left side
                    spine.push((op, &*b.right, b.op.span()));
                    left = &b.left;
                }
                let mut acc = self.float(left, depth, pre)?;
                for (op, right, span) in spine.into_iter().rev() {
                    let r = self.float(right, depth, pre)?;
                    acc = E::Op(op, vec![acc, r], span);
                }
                Ok(acc)
            }
            syn::Expr::Cast(c) => {
                if self.ty(&c.expr) == Ty::Float {
                    self.float(&c.expr, depth, pre)
                } else {
                    Ok(E::Const(e.to_token_stream()))
                }
            }
            syn::Expr::Index(ix) if self.buffer(&ix.expr).is_some() => {
                let (v, offset) = self.buffer(&ix.expr).unwrap_or((0, None));
                let index = self.tokens(&ix.index)?;
                Ok(E::Load(v, offset_by(offset, index), sp))
            }
            syn::Expr::Index(ix) => match self.var_of(&ix.expr) {
                Some(v) if self.vars[v].kind == VKind::IBuf => Ok(E::Const(e.to_token_stream())),
                _ => err(&ix.expr, "index a slice parameter or a local buffer by name (`x[i]`)"),
            },
            syn::Expr::MethodCall(m) => self.method(m, depth, pre),
            syn::Expr::Call(c) => {
                let last = match &*c.func {
                    syn::Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                if let Some(op) = last.as_deref().and_then(crate::primitives::math_function) {
                    if c.args.len() == 1 {
                        let a = self.float(&c.args[0], depth, pre)?;
                        return Ok(E::Op(op, vec![a], sp));
                    }
                }
                let (func, vjp, args) = self.call_parts(c, depth, pre)?;
                if args.iter().all(|a| matches!(a, Arg::Other(_))) {
                    return Ok(E::Const(e.to_token_stream()));
                }
                if args.iter().any(|a| matches!(a, Arg::Buf { mutable: true, .. })) {
                    return err(c, "a call that writes a `&mut` buffer is a statement: write `g(.., &mut v);` on its own line");
                }
                Ok(E::Call { func, vjp, args, span: sp })
            }
            syn::Expr::Block(b)
                if b.block.stmts.len() == 1
                    && matches!(b.block.stmts[0], syn::Stmt::Expr(_, None)) =>
            {
                // `{ e }` (rustfmt's form of a long closure body) is `e`
                match &b.block.stmts[0] {
                    syn::Stmt::Expr(inner, None) => self.float(inner, depth, pre),
                    _ => err(e, "expected a float here"),
                }
            }
            syn::Expr::If(_) | syn::Expr::Block(_) => {
                err(e, "give a branch's value a name first: `let m = if c { a } else { b };`")
            }
            syn::Expr::Closure(_) => err(e, crate::errors::closure()),
            syn::Expr::Macro(_) => err(e, crate::errors::macro_call()),
            _ => err(e, "unsupported float expression in a function over slices"),
        }
    }

    fn method(&mut self, m: &syn::ExprMethodCall, depth: usize, pre: &mut Vec<S>) -> R<E> {
        let name = m.method.to_string();
        let sp = m.span();
        if name == "sum" && m.args.is_empty() {
            return self.reduction(m, depth, pre);
        }
        let Some((op, arity)) = Op::from_method(&name) else {
            return err(&m.method, crate::errors::unknown_method(&name));
        };
        if m.args.len() != arity {
            return err(m, format!("`{name}` takes {arity} argument(s)"));
        }
        let mut args = vec![self.float(&m.receiver, depth, pre)?];
        for a in &m.args {
            if matches!(op, Op::Powi) {
                args.push(E::Const(a.to_token_stream()));
            } else {
                args.push(self.float(a, depth, pre)?);
            }
        }
        Ok(E::Op(op, args, sp))
    }

    /// `x.iter().sum()`, `x.iter().map(|v| e).sum()`, `(a..b).map(|i| e).sum()`: a loop
    /// adding into a new accumulator.
    fn reduction(&mut self, m: &syn::ExprMethodCall, depth: usize, pre: &mut Vec<S>) -> R<E> {
        let bad = || {
            err(m, "reduce with `x.iter().sum::<f64>()`, `x.iter().map(|v| ..).sum::<f64>()` or `(a..b).map(|i| ..).sum::<f64>()`")
        };
        let (source, closure) = match &*m.receiver {
            syn::Expr::MethodCall(map) if map.method == "map" && map.args.len() == 1 => {
                match &map.args[0] {
                    syn::Expr::Closure(c) if c.inputs.len() == 1 => (&*map.receiver, Some(c)),
                    _ => return bad(),
                }
            }
            other => (other, None),
        };
        let acc_ident = self.hidden("sum");
        let acc = self.new_var(acc_ident, VKind::Float, depth, None);
        // -0.0, as std's `Sum` for floats starts (an empty sum is -0.0; -0.0 + v is v)
        pre.push(S::Set {
            place: Place::Var(acc),
            upd: Upd::Set,
            value: E::Const(quote!(-0.0)),
            fresh: depth == 0,
            save: Save::Tape,
        });
        let closure_param = |c: &syn::ExprClosure| -> R<Ident> {
            match &c.inputs[0] {
                syn::Pat::Ident(p) => Ok(p.ident.clone()),
                syn::Pat::Reference(r) => match &*r.pat {
                    syn::Pat::Ident(p) => Ok(p.ident.clone()),
                    other => err(other, crate::errors::for_pattern()),
                },
                other => err(other, crate::errors::for_pattern()),
            }
        };
        let source = match source {
            syn::Expr::Paren(p) => &*p.expr,
            other => other,
        };
        match source {
            syn::Expr::Range(r) => {
                let Some(c) = closure else { return bad() };
                let (Some(lo), Some(hi)) = (&r.start, &r.end) else {
                    return err(r, crate::errors::for_range());
                };
                let (lo, hi) = (self.tokens(lo)?, self.tokens(hi)?);
                let i = closure_param(c)?;
                let n = names::user(&i);
                let saved = self.scope.insert(n.clone(), Binding::Index);
                let mut body = Vec::new();
                let value = self.float(&c.body, depth + 1, &mut body);
                match saved {
                    Some(b) => self.scope.insert(n, b),
                    None => self.scope.remove(&n),
                };
                body.push(S::Set {
                    place: Place::Var(acc),
                    upd: Upd::Add,
                    value: value?,
                    fresh: false,
                    save: Save::Tape,
                });
                pre.push(S::For {
                    pat: quote!(#i),
                    lo,
                    hi,
                    inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                    body,
                });
            }
            syn::Expr::MethodCall(it) if it.method == "iter" && it.args.is_empty() => {
                let Some((buf, offset, hi)) = self.elements(&it.receiver) else {
                    return bad();
                };
                let j = self.hidden("j");
                let load = E::Load(buf, offset_by(offset, quote!(#j)), it.span());
                let mut body = Vec::new();
                let value = match closure {
                    None => load,
                    Some(c) => {
                        let v = closure_param(c)?;
                        // The closure's parameter is its own: a name the function already
                        // uses for something else gets a variable of its own while the body
                        // is lowered.
                        let name = names::user(&v);
                        let taken = match self.scope.get(&name) {
                            Some(Binding::Var(u)) => self.vars[*u].kind != VKind::Float,
                            Some(_) => true,
                            None => false,
                        };
                        let (var, saved) = if taken {
                            let own = self.hidden(&name);
                            let var = self.new_var(own, VKind::Float, depth + 1, None);
                            (var, self.scope.insert(name.clone(), Binding::Var(var)))
                        } else {
                            (self.declare(&v, VKind::Float, depth + 1, None)?.0, None)
                        };
                        body.push(S::Set {
                            place: Place::Var(var),
                            upd: Upd::Set,
                            value: load,
                            fresh: false,
                            save: Save::Tape,
                        });
                        let value = self.float(&c.body, depth + 1, &mut body);
                        if let Some(b) = saved {
                            self.scope.insert(name, b);
                        }
                        value?
                    }
                };
                body.push(S::Set {
                    place: Place::Var(acc),
                    upd: Upd::Add,
                    value,
                    fresh: false,
                    save: Save::Tape,
                });
                pre.push(S::For {
                    pat: quote!(#j),
                    lo: quote!(0),
                    hi,
                    inclusive: false,
                    body,
                });
            }
            _ => return bad(),
        }
        Ok(E::Var(acc))
    }

    /// The callee, its pullback's path (`g` -> `g_vjp`) and the arguments.
    fn call_parts(
        &mut self,
        c: &syn::ExprCall,
        depth: usize,
        pre: &mut Vec<S>,
    ) -> R<(syn::Path, syn::Path, Vec<Arg>)> {
        let syn::Expr::Path(p) = &*c.func else {
            return err(&c.func, "call a function by its name or path");
        };
        let func = p.path.clone();
        let mut vjp = func.clone();
        if let Some(last) = vjp.segments.last_mut() {
            last.ident = names::vjp_fn(&last.ident);
            last.ident.set_span(c.func.span());
        }
        let mut args = Vec::new();
        for a in &c.args {
            args.push(self.arg(a, depth, pre)?);
        }
        Ok((func, vjp, args))
    }

    fn arg(&mut self, a: &syn::Expr, depth: usize, pre: &mut Vec<S>) -> R<Arg> {
        let sp = a.span();
        let (inner, mutable) = match a {
            syn::Expr::Reference(r) => (&*r.expr, r.mutability.is_some()),
            other => (other, false),
        };
        let (base, range) = match inner {
            syn::Expr::Index(ix) if matches!(&*ix.index, syn::Expr::Range(_)) => {
                let i = &ix.index;
                (&*ix.expr, quote!([#i]))
            }
            other => (other, TokenStream::new()),
        };
        if let Some(Binding::View(k)) = self.lookup(base) {
            // `&v[c..d]` of a view `v = &x[a..b]` is `&x[a + c..a + d]`, `v` is `&x[a..b]`
            let v = &self.views[k];
            let (start, end) = (v.start.clone(), v.end.clone());
            let var = v.base;
            let range = match inner {
                syn::Expr::Index(ix) => {
                    let syn::Expr::Range(r) = &*ix.index else {
                        return err(ix, "index a view with a range");
                    };
                    let lo = match &r.start {
                        Some(c) => {
                            let c = self.tokens(c)?;
                            quote!((#start) + (#c))
                        }
                        None => start,
                    };
                    let hi = match &r.end {
                        Some(d) => {
                            let d = self.tokens(d)?;
                            let s = &self.views[k].start;
                            quote!((#s) + (#d))
                        }
                        None => end.unwrap_or_default(),
                    };
                    quote!([#lo..#hi])
                }
                _ => match end {
                    Some(e) => quote!([#start..#e]),
                    None => quote!([#start..]),
                },
            };
            return Ok(Arg::Buf {
                var,
                range,
                mutable,
                span: sp,
                known: None,
            });
        }
        if let Some(v) = self.var_of(base) {
            // a `&mut` parameter passed on as it is (`out`, not `&mut out[..]`) stays `&mut`
            let bare = !matches!(a, syn::Expr::Reference(_)) && range.is_empty();
            let mutable = mutable || bare && self.vars[v].mutable;
            match self.vars[v].kind {
                VKind::FBuf => {
                    return Ok(Arg::Buf {
                        var: v,
                        range,
                        mutable,
                        span: sp,
                        known: None,
                    })
                }
                VKind::IBuf => return Ok(Arg::Other(a.to_token_stream())),
                _ => {}
            }
        }
        if matches!(a, syn::Expr::Reference(_)) {
            return err(
                a,
                "pass a float slice (`&x`, `&x[a..b]`, `&mut v[..]`), a float or an integer",
            );
        }
        match self.ty(a) {
            Ty::Float => Ok(Arg::Float(self.float(a, depth, pre)?)),
            _ => Ok(Arg::Other(self.tokens(a)?)),
        }
    }
}

/// `vec![0.0; n]` or `[0.0; N]`: the initializer of a local float buffer, and its element.
fn local_buf(e: &syn::Expr) -> Option<(TokenStream, TokenStream)> {
    match e {
        syn::Expr::Repeat(r) if is_float_zero(&r.expr) => {
            Some((e.to_token_stream(), r.expr.to_token_stream()))
        }
        syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => {
            let t = &m.mac.tokens;
            let inner: syn::ExprRepeat = syn::parse2(quote!([#t])).ok()?;
            is_float_zero(&inner.expr).then(|| (e.to_token_stream(), inner.expr.to_token_stream()))
        }
        _ => None,
    }
}

/// `offset + index`, or `index`.
fn offset_by(offset: Option<TokenStream>, index: TokenStream) -> TokenStream {
    match offset {
        Some(o) => quote!((#o) + (#index)),
        None => index,
    }
}

fn is_float_zero(e: &syn::Expr) -> bool {
    matches!(
        e,
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(_),
            ..
        })
    )
}

/// A loop's bounds are read again by the reverse sweep: the loop must not assign what they
/// read.
fn check_bounds(bounds: &[&TokenStream], body: &[S], vars: &[Var], at: &syn::Expr) -> R<()> {
    let mut read = Vec::new();
    for b in bounds {
        idents(b, &mut read);
    }
    let mut assigned = Vec::new();
    assigns(body, &mut assigned);
    for v in assigned {
        let name = vars[v].ident.to_string();
        if read.contains(&name) {
            return err(at, format!("the loop assigns `{name}`, which its bounds read; copy it first (`let end = {name};`) and loop to `end`"));
        }
    }
    Ok(())
}

fn assigns(stmts: &[S], out: &mut Vec<usize>) {
    for s in stmts {
        match s {
            S::Set {
                place: Place::Var(v),
                ..
            }
            | S::Other { var: v, .. } => out.push(*v),
            S::For { body, .. } => assigns(body, out),
            S::If { then, else_, .. } => {
                assigns(then, out);
                assigns(else_, out);
            }
            _ => {}
        }
    }
}
