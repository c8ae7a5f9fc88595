//! Dropping a parsed function level by level.
//!
//! syn's types drop recursively, one frame per level of nesting. [`drop_fn`] first moves
//! every sub-expression out of its parent (leaving an empty `Verbatim` in its place), so each
//! drop is shallow.

use syn::visit_mut::VisitMut;

/// Moves the expressions a `VisitMut` reaches next out of the node it visits (in visit order).
pub struct Take<'s>(pub &'s mut Vec<syn::Expr>);

impl VisitMut for Take<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        let empty = syn::Expr::Verbatim(proc_macro2::TokenStream::new());
        self.0.push(std::mem::replace(e, empty));
    }
}

/// Drops `item` without recursing once per level of its body.
pub fn drop_fn(mut item: syn::ItemFn) {
    let mut stack = Vec::new();
    Take(&mut stack).visit_item_fn_mut(&mut item);
    drop(item);
    drop_all(stack);
}

/// Drops `item` (any kind) without recursing once per level of it.
pub fn drop_item(mut item: syn::Item) {
    let mut stack = Vec::new();
    Take(&mut stack).visit_item_mut(&mut item);
    drop(item);
    drop_all(stack);
}

fn drop_all(mut stack: Vec<syn::Expr>) {
    while let Some(mut e) = stack.pop() {
        syn::visit_mut::visit_expr_mut(&mut Take(&mut stack), &mut e);
        drop(e);
    }
}

/// Puts expressions back into the places [`Take`] emptied, in the same order.
pub struct Put<I>(pub I);

impl<I: Iterator<Item = syn::Expr>> VisitMut for Put<I> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let Some(next) = self.0.next() {
            *e = next;
        }
    }
}
