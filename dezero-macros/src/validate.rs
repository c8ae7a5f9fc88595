//! Whole-function checks: where `return` may appear.
//!
//! `return` is lowered by turning `if c { ..; return e; } rest` into `if c { ..; e } else { rest }`,
//! which works at the top level of the body and inside the branches of such `if`s (the "tail
//! positions"); a `return` anywhere else (a loop body, a `let` initializer, an operand) is an error.

use crate::ast::Function;
use crate::errors::{self, Errors};
use crate::tree::walk;

impl Function<'_> {
    /// Checks what needs the whole body: `return` placement.
    pub fn validate(&self) -> syn::Result<()> {
        let mut errs = Errors::default();
        tail_stmts(&self.item.block.stmts, &mut errs);
        errs.finish()
    }
}

/// Statements of a block in tail position: `return` may end it or sit in a top-level `if`.
fn tail_stmts(stmts: &[syn::Stmt], errs: &mut Errors) {
    for stmt in stmts {
        match stmt {
            syn::Stmt::Expr(e, _) => tail_expr(e, errs),
            syn::Stmt::Local(l) => {
                if let Some(init) = &l.init {
                    no_return(&init.expr, errs);
                }
            }
            _ => {}
        }
    }
}

fn tail_expr(e: &syn::Expr, errs: &mut Errors) {
    match e {
        syn::Expr::Return(r) => {
            if let Some(v) = &r.expr {
                no_return(v, errs);
            }
        }
        syn::Expr::If(i) => {
            no_return(&i.cond, errs);
            tail_stmts(&i.then_branch.stmts, errs);
            if let Some((_, els)) = &i.else_branch {
                tail_expr(els, errs);
            }
        }
        syn::Expr::Block(b) if b.label.is_none() => tail_stmts(&b.block.stmts, errs),
        other => no_return(other, errs),
    }
}

/// Reports every `return` under `e` (closures aside: their `return` is theirs), in source
/// order, from a stack.
fn no_return(e: &syn::Expr, errs: &mut Errors) {
    walk::preorder(vec![e], |e| match e {
        syn::Expr::Return(r) => {
            errs.spanned(r, errors::return_position());
            false
        }
        syn::Expr::Closure(_) => false,
        _ => true,
    });
}

/// Whether the statements always end in `return` (so what follows them never runs).
pub fn diverges(stmts: &[syn::Stmt]) -> bool {
    match stmts.last() {
        Some(syn::Stmt::Expr(e, _)) => expr_diverges(e),
        _ => false,
    }
}

pub fn expr_diverges(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Return(_) => true,
        syn::Expr::If(i) => match &i.else_branch {
            Some((_, els)) => diverges(&i.then_branch.stmts) && expr_diverges(els),
            None => false,
        },
        syn::Expr::Block(b) => diverges(&b.block.stmts),
        _ => false,
    }
}

/// Whether `return` occurs anywhere in the expression.
pub fn has_return_expr(e: &syn::Expr) -> bool {
    walk::any(e, |e| matches!(e, syn::Expr::Return(_)), |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(src: &str) -> Vec<syn::Stmt> {
        syn::parse_str::<syn::Block>(src).expect("block").stmts
    }

    #[test]
    fn divergence() {
        assert!(diverges(&body("{ let a = 1.0; return a; }")));
        assert!(diverges(&body(
            "{ if c { return 1.0; } else { return 2.0; } }"
        )));
        assert!(!diverges(&body("{ if c { return 1.0; } }")));
        assert!(!diverges(&body("{ x }")));
    }

    #[test]
    fn return_placement() {
        let ok: syn::ItemFn = syn::parse_quote! {
            fn f(x: f64) -> f64 { if x < 0.0 { return -x; } else if x > 1.0 { return 1.0; } x }
        };
        let bad: syn::ItemFn = syn::parse_quote! {
            fn f(x: f64, n: usize) -> f64 { for i in 0..n { return x; } let y = { return x; }; y }
        };
        let check = |f: &syn::ItemFn| {
            let mut errs = Errors::default();
            tail_stmts(&f.block.stmts, &mut errs);
            errs.finish()
        };
        assert!(check(&ok).is_ok());
        let err = check(&bad).expect_err("two misplaced returns");
        assert_eq!(err.into_iter().count(), 2);
    }
}
