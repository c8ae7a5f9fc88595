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
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

impl Lower {
    pub(super) fn int_operand(&mut self, e: &syn::Expr) -> Operand {
        if mentions_float(e, self) {
            self.errs.spanned(e, errors::for_range());
        }
        self.constant(e, None)
    }

    /// An expression that mentions no float: inline if trivial, else one verbatim `let`.
    pub(super) fn constant(&mut self, e: &syn::Expr, hint: Option<&Hint>) -> Operand {
        match e {
            syn::Expr::Lit(l) => Operand::Const(l.to_token_stream(), lit_ty(&l.lit, self.float)),
            syn::Expr::Paren(p) => self.constant(&p.expr, hint),
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

    pub(super) fn expr(&mut self, e: &syn::Expr, hint: Option<&Hint>) -> Operand {
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
                None if self.unknown_read(e) => self.dummy(),
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
                let name = names::user(&m.method);
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
                        self.errs.spanned(&m.method, unknown_method(&name));
                        self.dummy()
                    }
                }
            }
            E::Call(c) => {
                let mut v = self.call(c, &[hint.map(|h| h.clone_hint())]);
                v.pop().unwrap_or_else(|| self.dummy())
            }
            E::Cast(c) => match ast::scalar(&c.ty) {
                // `x as f32` in an `f64` function would round: one float type per function.
                Some(Scalar::Float(ft)) if ft != self.float => {
                    self.errs.spanned(&c.ty, errors::mixed_float());
                    self.dummy()
                }
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

    pub(super) fn unsupported(&mut self, e: &syn::Expr) -> Operand {
        self.errs.spanned(e, errors::unsupported_expr());
        self.dummy()
    }

    pub(super) fn dummy(&self) -> Operand {
        Operand::Const(quote!(0.0), self.float_ty())
    }

    /// A method argument: `powi`'s exponent is an integer constant, the others floats.
    pub(super) fn arg(&mut self, op: &Op, a: &syn::Expr) -> Operand {
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
                n
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
                        return self.dummy();
                    }
                }
                self.expr(a, None)
            }
        }
    }

    pub(super) fn binary(&mut self, b: &syn::ExprBinary, hint: Option<&Hint>) -> Operand {
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
        let (l, r) = match op {
            Op::Logic(_) => (self.expr(&b.left, None), self.expr(&b.right, None)),
            _ => (self.float_operand(&b.left), self.float_operand(&b.right)),
        };
        self.inst(op, vec![l, r], hint, span)
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

    /// `g(args)` for an annotated `g` (its `_vjp` is called in the reverse sweep), `f64::exp(x)`,
    /// or `sigmoid(x)`. Returns one value per element of `hints`.
    pub(super) fn call(&mut self, c: &syn::ExprCall, hints: &[Option<Hint>]) -> Vec<Operand> {
        let span = c.span();
        let syn::Expr::Path(p) = &*c.func else {
            self.errs.spanned(&c.func, errors::call_target());
            return vec![self.dummy(); hints.len()];
        };
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| names::user(&s.ident))
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
                    let name = format!("{}::{last}", segs[0]);
                    self.errs.spanned(c, errors::call_arity(&name, n + 1));
                    vec![self.dummy()]
                }
                None if last == "from" && c.args.len() == 1 => {
                    let arg = &c.args[0];
                    let msg = errors::float_from(&cast_operand(arg), &segs[0]);
                    self.errs.spanned(c, msg);
                    vec![self.dummy()]
                }
                None => {
                    self.errs.spanned(&c.func, unknown_method(&last));
                    vec![self.dummy()]
                }
            };
        }
        let math = crate::primitives::math_function(&last);
        if let Some(op) = math.filter(|_| segs.len() == 1 || segs.iter().any(|s| s == "math")) {
            if c.args.len() != 1 {
                let name = p.path.to_token_stream().to_string().replace(' ', "");
                self.errs.spanned(c, errors::call_arity(&name, 1));
                return vec![self.dummy()];
            }
            let a = self.expr(&c.args[0], None);
            return vec![self.inst(op, vec![a], hint, span)];
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
                    if Op::from_method(&names::user(&m.method)).is_some()
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
                            .map(|s| names::user(&s.ident))
                            .collect();
                        if segs.first().is_some_and(|s| s == "f64" || s == "f32")
                            || segs
                                .last()
                                .is_some_and(|s| crate::primitives::math_function(s).is_some())
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
