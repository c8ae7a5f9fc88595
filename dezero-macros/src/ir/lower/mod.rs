//! ast -> IR: one instruction per primitive, SSA versions for shadowing and reassignment.
//!
//! ```text
//! let y = x * x + 1.0;      =>   y0 = mul(x, x); y = add(y0, 1.0)   (the root takes the name)
//! y += x;                   =>   y_1 = add(y, x)
//! if c { return a; } rest   =>   if c { a } else { rest }
//! ```
//! Statements and control flow are in `stmt`, expressions in `expr`.
//! Expressions that mention no float (integer and bool arithmetic on constants) are copied
//! verbatim with locals renamed ([`Op::Expr`]): they are constants, with no adjoint.

mod expr;
mod stmt;

use super::{Block, Inst, Op, Operand, Program, Stmt, VarId, VarInfo};
use crate::ast::{FloatTy, Function, Scalar};
use crate::errors::{self, Errors};
use crate::names::Namer;
use proc_macro2::Span;
use std::collections::{HashMap, HashSet};
use syn::visit::Visit;

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
        outputs: func.outputs,
        int_types: HashMap::new(),
        epoch: 0,
        float_memo: HashMap::new(),
    };
    let mut params = Vec::new();
    for p in &func.params {
        let name = crate::names::user(&p.ident);
        l.bound.insert(name.clone());
        let v = l.new_var(name.clone(), p.ident.span(), p.scalar, p.is_float());
        if let (Scalar::Int, syn::Type::Path(t)) = (p.scalar, &p.ty) {
            if let Some(last) = t.path.segments.last() {
                l.int_types.insert(v, last.ident.to_string());
            }
        }
        l.scopes[0].insert(name, Operand::Var(v));
        params.push(v);
    }
    let out = Hint::Named("out");
    let mut body = stmt::block_stmts(&func.item.block);
    // `fn f(..) -> f64 { ..; y; }`: reported at the `;`, and lowered as if it were not there.
    if let Some(last) = body.last_mut() {
        if let stmt::S::Stmt(syn::Stmt::Expr(e, Some(semi))) = *last {
            if has_value(e) {
                l.errs.spanned(semi, errors::result_semicolon());
                *last = stmt::S::Expr(e, false);
            }
        }
    }
    let outputs = l.stmts(body, true, Some(&out));
    if l.errs.is_empty() && outputs.is_empty() {
        l.missing_result(&func.item.block);
    } else if l.errs.is_empty() && outputs.len() != func.outputs {
        // The whole returned expression is underlined, not only its first token.
        let msg = errors::output_count(func.outputs, outputs.len());
        match func.item.block.stmts.last() {
            Some(last) => l.errs.spanned(last, msg),
            None => l.errs.spanned(&func.item.block, msg),
        }
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
#[derive(Clone)]
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
    /// How many results the function declares.
    outputs: usize,
    /// The declared type of each integer parameter (`usize`), for `powi`'s `i32` exponent.
    int_types: HashMap<VarId, String>,
    /// Counts expression walks; a memoized `is_float` holds within one (see `expr.rs`).
    epoch: u64,
    /// Expression (by address) -> (walk, whether it mentions a float).
    float_memo: HashMap<usize, (u64, bool)>,
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
        self.new_var(name, span, ty, active)
    }

    /// The value of a `let x: T = ..` (or of an assignment to such an `x`), typed: a variable
    /// made while lowering the value takes the annotation, anything else (a literal, an
    /// existing variable) is copied into a variable that does, so every version of `x` is
    /// declared `T` in the generated code, as `x` is in the user's.
    ///
    /// ```text
    /// let mut s: f64 = 1.0;        =>  s = copy(1.0)          let s: f64 = 1.0;
    /// for _ in 0..n { s = .. }         s_1 = loop(s, ..)      let mut s_1 = s;
    /// ```
    fn typed(
        &mut self,
        v: Operand,
        annot: syn::Type,
        before: usize,
        hint: &Hint,
        span: Span,
    ) -> Operand {
        if let Operand::Var(id) = v {
            if id >= before {
                // Made for this value (or its alias made for it): the value's type is `T`.
                self.vars[id].annot = Some(annot);
                return v;
            }
        }
        let (ty, active) = (self.ty(&v), self.active(&v));
        let dst = self.define(Some(hint), ty, active);
        self.vars[dst].annot = Some(annot);
        self.cur.push(Stmt::Inst(Inst {
            dsts: vec![dst],
            op: Op::Copy,
            args: vec![v],
            span,
        }));
        Operand::Var(dst)
    }

    /// The annotation of the user variable `name` as currently bound (`let x: f64`), if any.
    fn annot_of(&self, name: &str) -> Option<syn::Type> {
        match self.lookup(name)? {
            Operand::Var(v) => self.vars[v].annot.clone(),
            Operand::Const(..) => None,
        }
    }

    /// The body gives no result: reported at its last statement (or at the empty body).
    fn missing_result(&mut self, body: &syn::Block) {
        let msg = errors::missing_result(&self.result_ty());
        match body.stmts.last() {
            Some(last) => self.errs.spanned(last, msg),
            None => self.errs.spanned(body, msg),
        }
    }

    /// The declared result type as written in messages: `f64`, or `(f64, f64)`.
    fn result_ty(&self) -> String {
        errors::result_ty(self.float, self.outputs)
    }

    /// Reports a result (a tail value or a `return`'s) with the wrong number of values, at it.
    fn check_outputs(&mut self, e: &syn::Expr, got: usize) {
        if got != self.outputs {
            self.errs
                .spanned(e, errors::output_count(self.outputs, got));
        }
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
        let args = self.distinct(&op, args, span);
        let dst = self.define(hint, ty, active);
        self.cur.push(Stmt::Inst(Inst {
            dsts: vec![dst],
            op,
            args,
            span,
        }));
        Operand::Var(dst)
    }

    /// Copies the second operand when both operands of `-`, `/`, a comparison, `&&`/`||`,
    /// `max` or `min` are the same value (an alias, or a repeated constant): the generated code
    /// must never put one name on both sides of an operator clippy's `eq_op` checks (nor of the
    /// comparison `max`/`min`'s adjoint makes).
    ///
    /// ```text
    /// let t = x; t - x       =>   t0 = copy(x); y = sub(x, t0)     (not `x - x`)
    /// ```
    fn distinct(&mut self, op: &Op, mut args: Vec<Operand>, span: Span) -> Vec<Operand> {
        let checked = matches!(
            op,
            Op::Sub | Op::Div | Op::Cmp(_) | Op::Logic(_) | Op::Max | Op::Min
        );
        if checked && args.len() == 2 && args[0].same(&args[1]) {
            let (ty, active) = (self.ty(&args[1]), self.active(&args[1]));
            let copy = self.define(None, ty, active);
            self.cur.push(Stmt::Inst(Inst {
                dsts: vec![copy],
                op: Op::Copy,
                args: vec![args[1].clone()],
                span,
            }));
            args[1] = Operand::Var(copy);
        }
        args
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
}

/// Whether `e` as a last expression would be a value (so a `;` after it discards the result):
/// not an assignment, a loop or an `if` without `else`.
fn has_value(e: &syn::Expr) -> bool {
    use syn::Expr as E;
    match e {
        E::Assign(_) | E::ForLoop(_) | E::While(_) | E::Loop(_) | E::Return(_) => false,
        E::Binary(b) => !crate::ast::is_compound(&b.op),
        E::If(i) => i.else_branch.is_some(),
        _ => true,
    }
}

/// Every identifier in the function, so generated names never collide with the user's.
/// (A `Visit` that queues expressions and visits them from a stack: bodies of any depth.)
fn collect_idents(item: &syn::ItemFn, out: &mut Vec<String>) {
    struct Find<'o, 'ast>(&'o mut Vec<String>, Vec<&'ast syn::Expr>);
    impl<'ast> Visit<'ast> for Find<'_, 'ast> {
        fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
            self.0.push(crate::names::user(i));
        }
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            self.1.push(e);
        }
    }
    let mut find = Find(out, Vec::new());
    find.visit_item_fn(item);
    while let Some(e) = find.1.pop() {
        syn::visit::visit_expr(&mut find, e);
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;

    /// The generated code, whitespace-normalised (`quote`'s spacing), for one function.
    fn expansion(src: &str) -> String {
        let item: TokenStream = src.parse().expect("tokens");
        crate::expand::differentiable(TokenStream::new(), item).to_string()
    }

    #[test]
    fn aliases_never_put_one_name_on_both_sides() {
        let out = expansion(
            "fn f(x: f64, n: usize) -> f64 { let t = x; let k = n; let c = 1.5; \
             let a = if t > x && k < n { t - x } else { x / t }; \
             a + t.max(x) + x.min(x) + c - 1.5 }",
        );
        assert!(!out.contains("compile_error"), "{out}");
        // Only the generated functions: the user's own `x.min(x)` stays as written.
        let out = &out[out.find("fn f_grad").expect("f_grad")..];
        for same in [
            "x > x",
            "x - x",
            "x / x",
            "n < n",
            "x >= x",
            "x <= x",
            "1.5 - 1.5",
        ] {
            assert!(!out.contains(same), "`{same}` in {out}");
        }
    }

    #[test]
    fn distinct_operands_get_no_copy() {
        let item: syn::ItemFn = syn::parse_quote!(
            fn f(x: f64, y: f64) -> f64 {
                x - y
            }
        );
        let func = crate::ast::Function::from_syn(TokenStream::new(), &item).expect("function");
        let ir = super::lower(&func).expect("lowers").to_string();
        assert!(!ir.contains("copy"), "{ir}");
        let item: syn::ItemFn = syn::parse_quote!(
            fn f(x: f64) -> f64 {
                let t = x;
                t - x
            }
        );
        let func = crate::ast::Function::from_syn(TokenStream::new(), &item).expect("function");
        let ir = super::lower(&func).expect("lowers").to_string();
        assert!(ir.contains("= copy(x)"), "{ir}");
    }
}
