//! Walking syn expressions from an explicit stack.
//!
//! [`children`] lists the sub-expressions syn's own `Visit` would call `visit_expr` on next
//! (through statements, blocks, types and patterns, but never inside another expression), in
//! the same order, so a walk built on it sees what a recursive `Visit` sees, in the same
//! order, at any depth.

use syn::visit::Visit;

/// Collects the expressions a `Visit` reaches next, without descending into them.
struct Collect<'ast>(Vec<&'ast syn::Expr>);

impl<'ast> Visit<'ast> for Collect<'ast> {
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        self.0.push(e);
    }
}

/// The direct sub-expressions of `e`, in `Visit` order.
pub fn children(e: &syn::Expr) -> Vec<&syn::Expr> {
    let mut c = Collect(Vec::new());
    syn::visit::visit_expr(&mut c, e);
    c.0
}

/// The top-level expressions of a statement (a `let`'s initializer and `else`, an
/// expression statement, the expressions inside an item), in `Visit` order.
pub fn stmt_exprs(s: &syn::Stmt) -> Vec<&syn::Expr> {
    let mut c = Collect(Vec::new());
    syn::visit::visit_stmt(&mut c, s);
    c.0
}

/// Calls `f` on `roots` and every expression under them, in pre-order (as a recursive `Visit`
/// would), descending below an expression only where `f` returns `true`.
pub fn preorder<'a>(roots: Vec<&'a syn::Expr>, mut f: impl FnMut(&'a syn::Expr) -> bool) {
    let mut stack = roots;
    stack.reverse();
    while let Some(e) = stack.pop() {
        if f(e) {
            let at = stack.len();
            stack.extend(children(e));
            stack[at..].reverse();
        }
    }
}

/// Whether `f` holds for `e` or any expression under it (a pre-order search that stops at the
/// first hit and does not descend below expressions where `descend` is false).
pub fn any(
    e: &syn::Expr,
    mut hit: impl FnMut(&syn::Expr) -> bool,
    mut descend: impl FnMut(&syn::Expr) -> bool,
) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if hit(e) {
            return true;
        }
        if descend(e) {
            stack.extend(children(e));
        }
    }
    false
}

/// The nesting depth of `e` (1 for a leaf).
pub fn depth(e: &syn::Expr) -> usize {
    let mut max = 0;
    let mut stack = vec![(e, 1)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_the_next_expressions_in_visit_order() {
        let e: syn::Expr = syn::parse_quote!(
            a.f(b, {
                let c = d;
                c
            }) + -e
        );
        let shown: Vec<String> = children(&e)
            .iter()
            .map(|c| quote::ToTokens::to_token_stream(c).to_string())
            .collect();
        assert_eq!(shown, ["a . f (b , { let c = d ; c })", "- e"]);
        let call = children(&e)[0];
        let shown: Vec<String> = children(call)
            .iter()
            .map(|c| quote::ToTokens::to_token_stream(c).to_string())
            .collect();
        assert_eq!(shown, ["a", "b", "{ let c = d ; c }"]);
        let block = children(call)[2];
        assert_eq!(children(block).len(), 2); // `d` and the tail `c`
    }

    #[test]
    fn preorder_matches_a_recursive_visit() {
        let e: syn::Expr = syn::parse_quote!((a + b * c).g(if d { e } else { f }, [h; 2]));
        struct Rec(Vec<String>);
        impl<'ast> Visit<'ast> for Rec {
            fn visit_expr(&mut self, e: &'ast syn::Expr) {
                self.0.push(quote::ToTokens::to_token_stream(e).to_string());
                syn::visit::visit_expr(self, e);
            }
        }
        let mut rec = Rec(Vec::new());
        rec.visit_expr(&e);
        let mut ours = Vec::new();
        preorder(vec![&e], |x| {
            ours.push(quote::ToTokens::to_token_stream(x).to_string());
            true
        });
        assert_eq!(ours, rec.0);
        assert_eq!(depth(&e), 5); // call > paren > add > mul > b
    }
}
