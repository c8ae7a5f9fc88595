//! Expressions: one instruction per primitive, constants copied verbatim.
//!
//! ```text
//! x * x + y.exp()      =>  t0 = mul(x, x); t1 = exp(y); out = add(t0, t1)
//! (2 * i + 2) as f64   =>  t2 = const<2 * i + 2>(); k = cast<f64>(t2)
//! g(x, n)              =>  t3 = call<g>(x, n)
//! ```

use super::{Hint, Lower};
use crate::ast::{self, FloatTy, Scalar};
use crate::errors;
use crate::ir::{Inst, Op, Operand, Stmt, VarId};
use crate::names;
use crate::tree::{span, walk};
use proc_macro2::Span;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

impl Lower {
    pub(super) fn int_operand(&mut self, e: &syn::Expr) -> Operand {
        if mentions_float(e, self) {
            self.errs.spanned(e, errors::for_range());
        }
        self.constant(e, None)
    }

    /// An expression that mentions no float: inline if trivial, else one verbatim `let`.
    pub(super) fn constant(&mut self, mut e: &syn::Expr, hint: Option<&Hint>) -> Operand {
        while let syn::Expr::Paren(p) = e {
            e = &p.expr;
        }
        match e {
            syn::Expr::Lit(l) => Operand::Const(l.to_token_stream(), lit_ty(&l.lit, self.float)),
            syn::Expr::Path(p) => match local_name(e).and_then(|n| self.lookup(&n)) {
                Some(o) => o,
                None if self.unknown_read(e) => self.dummy(),
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

    pub(super) fn verbatim(&mut self, e: &syn::Expr, hint: Option<&Hint>, ty: Scalar) -> Operand {
        // Copied, renamed and printed recursively: bounded (a constant this deep is not code).
        if walk::depth(e) > VERBATIM_DEPTH {
            let msg = errors::nested_too_deep(VERBATIM_DEPTH);
            self.errs.at(span::span(e, None, None), msg);
            return self.dummy();
        }
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
    /// Reports a read of a lowercase name that is not a local (`z`) as an unknown variable;
    /// names that by Rust's convention are constants (`SCALE`, `f64::consts::PI`) are left to
    /// rustc. Rustc alone would not do: once a `compile_error!` is emitted it reports no
    /// unresolved names, so a second unknown variable would go unmentioned.
    pub(super) fn unknown_read(&mut self, e: &syn::Expr) -> bool {
        let Some(name) = local_name(e) else {
            return false;
        };
        let variable = name.starts_with(|c: char| c.is_lowercase() || c == '_');
        if variable {
            self.errs.spanned(e, errors::unknown_variable(&name));
        }
        variable
    }

    /// A float expression, one instruction per primitive; the root takes `hint`.
    pub(super) fn expr(&mut self, e: &syn::Expr, hint: Option<&Hint>) -> Operand {
        let work = vec![Work::Expr {
            e,
            hint: hint.cloned(),
            first: None,
            last: None,
        }];
        let mut vals = self.run(work, Vec::new());
        vals.pop().unwrap_or_else(|| self.dummy())
    }

    /// `g(args)` for an annotated `g` (its `_vjp` is called in the reverse sweep), `f64::exp(x)`,
    /// or `sigmoid(x)`. Returns one value per element of `hints`.
    pub(super) fn call(&mut self, c: &syn::ExprCall, hints: &[Option<Hint>]) -> Vec<Operand> {
        let mut work = Vec::new();
        let mut vals = Vec::new();
        self.call_step(c, hints.to_vec(), false, &mut work, &mut vals);
        self.run(work, vals)
    }

    /// Runs the steps on `work` (the last first) and returns the values they leave.
    ///
    /// Lowering one expression is a post-order walk: an operator's operands are lowered, left
    /// to right, before its instruction is appended. It runs from this explicit stack rather
    /// than by recursion, because a long chain `a + b + ..` is a tree as deep as it is long.
    fn run<'a>(&mut self, mut work: Vec<Work<'a>>, mut vals: Vec<Operand>) -> Vec<Operand> {
        // The scopes may have changed since the last walk (which memoized `is_float`).
        self.epoch += 1;
        let mut floats: Vec<bool> = Vec::new();
        while let Some(w) = work.pop() {
            match w {
                Work::Expr {
                    e,
                    hint,
                    first,
                    last,
                } => self.expr_step(e, hint, first, last, &mut work, &mut vals),
                Work::Arg(op, a) => self.arg_step(&op, a, &mut work, &mut vals),
                Work::Value(v) => vals.push(v),
                Work::CallArg(a) => {
                    let float = self.is_float(a);
                    floats.push(float);
                    if float {
                        work.push(Work::expr(a));
                    } else {
                        let v = self.constant(a, None);
                        vals.push(v);
                    }
                }
                Work::Inst { op, n, hint, span } => {
                    let args = vals.split_off(vals.len().saturating_sub(n));
                    let v = self.inst(op, args, hint.as_ref(), span);
                    vals.push(v);
                }
                Work::Neg { hint, span } => {
                    let v = match vals.pop().unwrap_or_else(|| self.dummy()) {
                        Operand::Const(t, ty) => Operand::Const(quote!(-#t), ty),
                        a => self.inst(Op::Neg, vec![a], hint.as_ref(), span),
                    };
                    vals.push(v);
                }
                Work::Call {
                    path,
                    hints,
                    n,
                    span,
                    one,
                } => {
                    let args = vals.split_off(vals.len().saturating_sub(n));
                    let float_args = floats.split_off(floats.len().saturating_sub(n));
                    let mut out = self.call_inst(path, args, float_args, &hints, span);
                    if one {
                        let v = out.pop().unwrap_or_else(|| self.dummy());
                        vals.push(v);
                    } else {
                        vals.append(&mut out);
                    }
                }
            }
        }
        vals
    }

    /// One expression: a value pushed on `vals`, or the steps that will push it on `work`.
    fn expr_step<'a>(
        &mut self,
        e: &'a syn::Expr,
        hint: Option<Hint>,
        first: Option<Span>,
        last: Option<Span>,
        work: &mut Vec<Work<'a>>,
        vals: &mut Vec<Operand>,
    ) {
        if !self.is_float(e) {
            let v = self.constant(e, hint.as_ref());
            vals.push(v);
            return;
        }
        // Spans from the first and last tokens: a left operand starts where its parent does.
        let first = first.unwrap_or_else(|| span::first_token(e));
        let inner_first = span::attrs(e).is_empty().then_some(first);
        let at = |last: Option<Span>| span::span(e, Some(first), last);
        use syn::Expr as E;
        let v = match e {
            E::Lit(l) => Operand::Const(l.to_token_stream(), self.float_ty()),
            E::Paren(p) => {
                return work.push(Work::Expr {
                    e: &p.expr,
                    hint,
                    first: None,
                    last: None,
                })
            }
            E::Group(g) => {
                return work.push(Work::Expr {
                    e: &g.expr,
                    hint,
                    first: None,
                    last: None,
                })
            }
            E::Path(p) => match local_name(e).and_then(|n| self.lookup(&n)) {
                Some(o) => o,
                None if self.unknown_read(e) => self.dummy(),
                None => Operand::Const(p.to_token_stream(), self.float_ty()),
            },
            E::Binary(b) => {
                use syn::BinOp as B;
                let op = match b.op {
                    B::Add(_) => Op::Add,
                    B::Sub(_) => Op::Sub,
                    B::Mul(_) => Op::Mul,
                    B::Div(_) => Op::Div,
                    B::Lt(_) | B::Le(_) | B::Gt(_) | B::Ge(_) | B::Eq(_) | B::Ne(_) => {
                        Op::Cmp(b.op)
                    }
                    B::And(_) | B::Or(_) => Op::Logic(b.op),
                    op if ast::is_compound(&op) => {
                        self.compound(b);
                        self.epoch += 1; // it assigned
                        return vals.push(self.dummy());
                    }
                    op => {
                        let s = op.to_token_stream().to_string();
                        self.errs.spanned(b.op, errors::binary_op(&s));
                        return vals.push(self.dummy());
                    }
                };
                let logic = matches!(op, Op::Logic(_));
                let last = last.unwrap_or_else(|| span::last_token(&b.right));
                let span = at(Some(last));
                work.push(Work::Inst {
                    op,
                    n: 2,
                    hint,
                    span,
                });
                // An integer literal in float arithmetic or a comparison: the float it means
                // (see [`Lower::float_operand`]).
                let literal = |l: &Self, e: &syn::Expr| match logic {
                    true => None,
                    false => l.int_literal_as_float(e),
                };
                work.push(match literal(self, &b.right) {
                    Some(v) => Work::Value(v),
                    None => Work::Expr {
                        e: &b.right,
                        hint: None,
                        first: None,
                        last: Some(last),
                    },
                });
                return work.push(match literal(self, &b.left) {
                    Some(v) => Work::Value(v),
                    None => Work::Expr {
                        e: &b.left,
                        hint: None,
                        first: inner_first,
                        last: None,
                    },
                });
            }
            E::Unary(u) => {
                let last = last.unwrap_or_else(|| span::last_token(&u.expr));
                let span = at(Some(last));
                let step = match u.op {
                    syn::UnOp::Neg(_) => Work::Neg { hint, span },
                    syn::UnOp::Not(_) => Work::Inst {
                        op: Op::Not,
                        n: 1,
                        hint,
                        span,
                    },
                    _ => return vals.push(self.unsupported(e)),
                };
                work.push(step);
                return work.push(Work::Expr {
                    e: &u.expr,
                    hint: None,
                    first: None,
                    last: Some(last),
                });
            }
            E::MethodCall(m) => {
                let name = names::user(&m.method);
                match Op::from_method(&name) {
                    Some((op, n)) if n == m.args.len() => {
                        let span = at(last);
                        work.push(Work::Inst {
                            op: op.clone(),
                            n: n + 1,
                            hint,
                            span,
                        });
                        for a in m.args.iter().rev() {
                            work.push(Work::Arg(op.clone(), a));
                        }
                        return work.push(Work::Expr {
                            e: &m.receiver,
                            hint: None,
                            first: inner_first,
                            last: None,
                        });
                    }
                    Some((_, n)) => {
                        self.errs.spanned(e, errors::method_arity(&name, n));
                        self.dummy()
                    }
                    None => {
                        self.errs.spanned(&m.method, unknown_method(&name));
                        self.dummy()
                    }
                }
            }
            E::Call(c) => {
                let span = at(last);
                return self.call_at(c, vec![hint], true, span, work, vals);
            }
            E::Cast(c) => match ast::scalar(&c.ty) {
                // `x as f32` in an `f64` function would round: one float type per function.
                Some(Scalar::Float(ft)) if ft != self.float => {
                    self.errs.spanned(&c.ty, errors::mixed_float());
                    self.dummy()
                }
                Some(Scalar::Float(_)) if self.is_float(&c.expr) => {
                    return work.push(Work::Expr {
                        e: &c.expr,
                        hint,
                        first: inner_first,
                        last: None,
                    });
                }
                Some(Scalar::Float(_)) => {
                    let span = at(last);
                    let a = self.constant(&c.expr, None);
                    let ty = c.ty.to_token_stream();
                    self.inst(Op::Cast(ty), vec![a], hint.as_ref(), span)
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
                let vs = self.value(e, false, hint.as_ref());
                self.epoch += 1; // its branches bound and merged names
                self.single(vs, e)
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
        };
        vals.push(v);
    }

    pub(super) fn unsupported(&mut self, e: &syn::Expr) -> Operand {
        self.errs.spanned(e, errors::unsupported_expr());
        self.dummy()
    }

    pub(super) fn dummy(&self) -> Operand {
        Operand::Const(quote!(0.0), self.float_ty())
    }

    /// A method argument: `powi`'s exponent is an integer constant, the others floats.
    fn arg_step<'a>(
        &mut self,
        op: &Op,
        a: &'a syn::Expr,
        work: &mut Vec<Work<'a>>,
        vals: &mut Vec<Operand>,
    ) {
        match op {
            Op::Powi => {
                if mentions_float(a, self) {
                    self.errs.spanned(a, errors::powi_exponent());
                }
                let n = self.constant(a, None);
                // An integer parameter of another type than `i32` (`n: usize`).
                if let Some(ty) = n.var().and_then(|v| self.int_types.get(&v)) {
                    if ty != "i32" {
                        let msg = errors::powi_int_type(&a.to_token_stream().to_string(), ty);
                        self.errs.spanned(a, msg);
                    }
                }
                vals.push(n);
            }
            _ => {
                // `x.powf(2)`: rustc would report the integer literal here and again in the
                // generated code; one message at the literal instead.
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i),
                    ..
                }) = a
                {
                    if !matches!(i.suffix(), "f32" | "f64") {
                        let name = op.method().unwrap_or("this function");
                        let msg = errors::int_literal_arg(name, i.base10_digits());
                        self.errs.spanned(a, msg);
                        return vals.push(self.dummy());
                    }
                }
                work.push(Work::expr(a));
            }
        }
    }

    /// An operand of float arithmetic or of a float comparison. An integer literal there
    /// (`x * 2`, `x > 0`) is a type error rustc reports in the user's function, with "consider
    /// using a floating-point literal" at the literal; the generated code reads it as the float
    /// it means, so that error is the only one (not repeated at the attribute).
    ///
    /// ```text
    /// x * 2      =>  out = mul(x, 2.0)
    /// ```
    pub(super) fn float_operand(&mut self, e: &syn::Expr) -> Operand {
        match self.int_literal_as_float(e) {
            Some(v) => v,
            None => self.expr(e, None),
        }
    }

    /// An integer literal where a float belongs, as the float (see [`Lower::float_operand`]).
    pub(super) fn int_literal_as_float(&self, e: &syn::Expr) -> Option<Operand> {
        let (neg, lit) = int_literal(e)?;
        let float = syn::LitFloat::new(&format!("{}.0", lit.base10_digits()), lit.span());
        let t = if neg { quote!(-#float) } else { quote!(#float) };
        Some(Operand::Const(t, self.float_ty()))
    }

    /// `o` as a float when it is an integer literal and `other` a float (the two values of an
    /// `if`), else `o`.
    pub(super) fn float_beside(&self, o: Operand, other: &Operand) -> Operand {
        let Operand::Const(t, Scalar::Int) = &o else {
            return o;
        };
        let lit = syn::parse2::<syn::Expr>(t.clone()).ok();
        match lit.filter(|_| matches!(self.ty(other), Scalar::Float(_))) {
            Some(e) => self.int_literal_as_float(&e).unwrap_or(o),
            None => o,
        }
    }

    /// The steps of a call (see [`Lower::call`]), which leave one value per hint.
    fn call_step<'a>(
        &mut self,
        c: &'a syn::ExprCall,
        hints: Vec<Option<Hint>>,
        one: bool,
        work: &mut Vec<Work<'a>>,
        vals: &mut Vec<Operand>,
    ) {
        self.call_at(c, hints, one, span::of_call(c), work, vals);
    }

    /// [`Lower::call_step`] for a call spanning `span`; `one`: in an expression, leave the
    /// (single) result only.
    fn call_at<'a>(
        &mut self,
        c: &'a syn::ExprCall,
        hints: Vec<Option<Hint>>,
        one: bool,
        span: Span,
        work: &mut Vec<Work<'a>>,
        vals: &mut Vec<Operand>,
    ) {
        let syn::Expr::Path(p) = &*c.func else {
            self.errs.spanned(&c.func, errors::call_target());
            let n = if one { 1 } else { hints.len() };
            return vals.extend((0..n).map(|_| self.dummy()));
        };
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| names::user(&s.ident))
            .collect();
        let hint = hints.first().cloned().flatten();
        let last = segs.last().cloned().unwrap_or_default();
        if segs.len() == 2 && (segs[0] == "f64" || segs[0] == "f32") {
            match Op::from_method(&last) {
                Some((op, n)) if n + 1 == c.args.len() => {
                    work.push(Work::Inst {
                        op: op.clone(),
                        n: n + 1,
                        hint,
                        span,
                    });
                    for (k, a) in c.args.iter().enumerate().rev() {
                        work.push(if k == 0 {
                            Work::expr(a)
                        } else {
                            Work::Arg(op.clone(), a)
                        });
                    }
                }
                Some((_, n)) => {
                    let name = format!("{}::{last}", segs[0]);
                    self.errs.spanned(c, errors::call_arity(&name, n + 1));
                    vals.push(self.dummy());
                }
                None if last == "from" && c.args.len() == 1 => {
                    let arg = &c.args[0];
                    let msg = errors::float_from(&cast_operand(arg), &segs[0]);
                    self.errs.spanned(c, msg);
                    vals.push(self.dummy());
                }
                None => {
                    self.errs.spanned(&c.func, unknown_method(&last));
                    vals.push(self.dummy());
                }
            }
            return;
        }
        let math = crate::primitives::math_function(&last);
        if let Some(op) = math.filter(|_| segs.len() == 1 || segs.iter().any(|s| s == "math")) {
            if c.args.len() != 1 {
                let name = p.path.to_token_stream().to_string().replace(' ', "");
                self.errs.spanned(c, errors::call_arity(&name, 1));
                return vals.push(self.dummy());
            }
            work.push(Work::Inst {
                op,
                n: 1,
                hint,
                span,
            });
            return work.push(Work::expr(&c.args[0]));
        }
        work.push(Work::Call {
            path: &p.path,
            hints,
            n: c.args.len(),
            span,
            one,
        });
        for a in c.args.iter().rev() {
            work.push(Work::CallArg(a));
        }
    }

    /// `dsts = path(args)` for an annotated function; its results, one per hint.
    fn call_inst(
        &mut self,
        path: &syn::Path,
        args: Vec<Operand>,
        float_args: Vec<bool>,
        hints: &[Option<Hint>],
        span: Span,
    ) -> Vec<Operand> {
        let mut vjp = path.clone();
        if let Some(seg) = vjp.segments.last_mut() {
            seg.ident = names::vjp_fn(&seg.ident);
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
                func: path.clone(),
                vjp,
                float_args,
            },
            args,
            span,
        }));
        dsts.into_iter().map(Operand::Var).collect()
    }

    /// [`mentions_float`], memoized for every expression under `e` while the scopes stay as
    /// they are (each walk of [`Lower::run`] starts afresh): asked once per primitive of a
    /// long chain, it would otherwise cost the square of the chain.
    fn is_float(&mut self, e: &syn::Expr) -> bool {
        let key = |e: &syn::Expr| e as *const syn::Expr as usize;
        let epoch = self.epoch;
        let known = |memo: &std::collections::HashMap<usize, (u64, bool)>, e: &syn::Expr| {
            memo.get(&key(e)).filter(|m| m.0 == epoch).map(|m| m.1)
        };
        if let Some(v) = known(&self.float_memo, e) {
            return v;
        }
        let mut stack = vec![(e, false)];
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                let v = float_children(n)
                    .into_iter()
                    .any(|c| known(&self.float_memo, c) == Some(true));
                self.float_memo.insert(key(n), (epoch, v));
                continue;
            }
            if known(&self.float_memo, n).is_some() {
                continue;
            }
            match float_leaf(n, self) {
                Some(v) => {
                    self.float_memo.insert(key(n), (epoch, v));
                }
                None => {
                    stack.push((n, true));
                    stack.extend(float_children(n).into_iter().map(|c| (c, false)));
                }
            }
        }
        known(&self.float_memo, e).unwrap_or(false)
    }
}

/// A pending step of lowering one expression (see [`Lower::run`]).
pub(super) enum Work<'a> {
    /// Lower `e` (its root taking `hint`) and push its value; `first` and `last` are the
    /// spans of its first and last tokens when its parent knows them.
    Expr {
        e: &'a syn::Expr,
        hint: Option<Hint>,
        first: Option<Span>,
        last: Option<Span>,
    },
    /// Push this value (an operand already lowered, such as an integer literal read as a
    /// float).
    Value(Operand),
    /// A method argument (see [`Lower::arg_step`]).
    Arg(Op, &'a syn::Expr),
    /// An argument of an annotated function: a float is lowered, anything else a constant.
    CallArg(&'a syn::Expr),
    /// Pop `n` values and push `op(values)`.
    Inst {
        op: Op,
        n: usize,
        hint: Option<Hint>,
        span: Span,
    },
    /// Pop a value and push its negation (a constant's is a constant).
    Neg { hint: Option<Hint>, span: Span },
    /// Pop the `n` arguments of a call of an annotated function and push its results (only
    /// the one with `one`).
    Call {
        path: &'a syn::Path,
        hints: Vec<Option<Hint>>,
        n: usize,
        span: Span,
        one: bool,
    },
}

impl<'a> Work<'a> {
    fn expr(e: &'a syn::Expr) -> Self {
        Work::Expr {
            e,
            hint: None,
            first: None,
            last: None,
        }
    }
}

/// Expressions deeper than this are not copied verbatim (see [`Lower::verbatim`]).
const VERBATIM_DEPTH: usize = 500;

/// Renames locals in a verbatim expression to their current SSA variable.
///
/// Where renaming makes the two sides of `-`, `/`, a comparison or `&&`/`||` read the same
/// (`let k = n; k < n`), the right side is first copied to a fresh local, as
/// [`Lower::distinct`] does for float operators, so the output never reads `n < n`.
struct Rename<'l>(&'l mut Lower);

impl VisitMut for Rename<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Call(c) = e {
            // `len(n)`: the callee is a function, not a variable.
            for a in &mut c.args {
                self.visit_expr_mut(a);
            }
            return;
        }
        if let syn::Expr::Binary(b) = e {
            if !eq_op_checked(&b.op) {
                return syn::visit_mut::visit_expr_mut(self, e);
            }
            let text = |e: &syn::Expr| e.to_token_stream().to_string();
            let differ = text(&b.left) != text(&b.right);
            self.visit_expr_mut(&mut b.left);
            self.visit_expr_mut(&mut b.right);
            if differ && text(&b.left) == text(&b.right) {
                let span = b.right.span();
                let copy = self.0.define(None, Scalar::Int, false);
                self.0.cur.push(Stmt::Inst(Inst {
                    dsts: vec![copy],
                    op: Op::Expr(b.right.clone()),
                    args: Vec::new(),
                    span,
                }));
                let id = self.0.vars[copy].ident();
                *b.right = syn::parse_quote!(#id);
            }
            return;
        }
        if let Some(name) = local_name(e) {
            match self.0.lookup(&name) {
                Some(Operand::Var(v)) => {
                    let id = self.0.vars[v].ident();
                    *e = syn::parse_quote!(#id);
                }
                Some(Operand::Const(t, _)) => *e = syn::parse_quote!((#t)),
                None => {
                    self.0.unknown_read(e);
                }
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// The binary operators clippy's `eq_op` checks for the same operand on both sides.
fn eq_op_checked(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::Sub(_)
            | B::Div(_)
            | B::Rem(_)
            | B::Eq(_)
            | B::Ne(_)
            | B::Lt(_)
            | B::Le(_)
            | B::Gt(_)
            | B::Ge(_)
            | B::And(_)
            | B::Or(_)
            | B::BitAnd(_)
            | B::BitOr(_)
            | B::BitXor(_)
    )
}

pub(super) fn local_name(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(names::user),
        _ => None,
    }
}

/// The message for a method with no primitive: a `std` one has no rule yet, another is unknown.
fn unknown_method(name: &str) -> String {
    if crate::primitives::std_without_rule(name) {
        errors::no_rule(name)
    } else {
        errors::unknown_method(name)
    }
}

/// `e` as the operand of `as`: `i`, `n.pow(2)`, or `(n + 1)` in parentheses.
pub(super) fn cast_operand(e: &syn::Expr) -> String {
    let text = e.to_token_stream().to_string();
    match e {
        syn::Expr::Path(_) | syn::Expr::Lit(_) | syn::Expr::MethodCall(_) | syn::Expr::Paren(_) => {
            text
        }
        _ => format!("({text})"),
    }
}

/// An integer literal, perhaps negated or in parentheses (`2`, `-2`, `(2)`, `2i32`): whether
/// it is negated, and the literal.
fn int_literal(e: &syn::Expr) -> Option<(bool, &syn::LitInt)> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) if !matches!(i.suffix(), "f32" | "f64") => Some((false, i)),
        syn::Expr::Paren(p) => int_literal(&p.expr),
        syn::Expr::Group(g) => int_literal(&g.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            int_literal(&u.expr).map(|(neg, i)| (!neg, i))
        }
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
pub(super) fn mentions_float(e: &syn::Expr, l: &Lower) -> bool {
    let mut stack = vec![e];
    while let Some(n) = stack.pop() {
        match float_leaf(n, l) {
            Some(true) => return true,
            Some(false) => {}
            None => stack.extend(float_children(n)),
        }
    }
    false
}

/// Whether `e` alone decides [`mentions_float`]: a literal, a name, a cast to a float, a float
/// method or function; `None` for the others, which are floats if a child is.
fn float_leaf(e: &syn::Expr, l: &Lower) -> Option<bool> {
    Some(match e {
        syn::Expr::Lit(lit) => matches!(lit_ty(&lit.lit, l.float), Scalar::Float(_)),
        syn::Expr::Path(p) => match local_name(e).and_then(|n| l.lookup(&n)) {
            Some(o) => matches!(l.ty(&o), Scalar::Float(_)),
            None => p
                .path
                .segments
                .iter()
                .any(|s| s.ident == "f64" || s.ident == "f32"),
        },
        syn::Expr::Cast(c) if matches!(ast::scalar(&c.ty), Some(Scalar::Float(_))) => true,
        syn::Expr::MethodCall(m)
            if Op::from_method(&names::user(&m.method)).is_some()
                && m.method != "max"
                && m.method != "min"
                && m.method != "abs" =>
        {
            true
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(p) = &*c.func else {
                return None;
            };
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| names::user(&s.ident))
                .collect();
            if segs.first().is_some_and(|s| s == "f64" || s == "f32")
                || segs
                    .last()
                    .is_some_and(|s| crate::primitives::math_function(s).is_some())
            {
                true
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// What [`mentions_float`] looks at under `e`: a cast's operand (not its type), else every
/// sub-expression.
fn float_children(e: &syn::Expr) -> Vec<&syn::Expr> {
    match e {
        syn::Expr::Cast(c) => vec![&c.expr],
        _ => walk::children(e),
    }
}
