//! The span of an expression from its first and last tokens, without printing it.
//!
//! `syn::spanned::Spanned::span` prints the whole expression to find its first and last
//! tokens, which costs its size (so the lowering's span per primitive costs the square of a
//! long chain) and recurses as deep as the tree. [`span`] gives the same span,
//! `first.join(last)` or, where spans do not join (stable rustc), the first token's span, by
//! following the first and last operands of the kinds the lowering meets; other kinds take
//! syn's way, on themselves only.

use proc_macro2::Span;
use syn::spanned::Spanned;

/// The span of `e` as `Spanned::span` gives it; `first` and `last`, when known (a left operand
/// starts where its parent does), save walking down to them.
pub fn span(e: &syn::Expr, first: Option<Span>, last: Option<Span>) -> Span {
    let first = first.unwrap_or_else(|| first_token(e));
    let last = last.unwrap_or_else(|| last_token(e));
    first.join(last).unwrap_or(first)
}

/// The span of the first token `e` prints.
pub fn first_token(mut e: &syn::Expr) -> Span {
    use syn::Expr as E;
    loop {
        if let Some(a) = attrs(e).first() {
            return a.pound_token.span;
        }
        e = match e {
            E::Binary(b) => &b.left,
            E::Cast(c) => &c.expr,
            E::MethodCall(m) => &m.receiver,
            E::Call(c) => &c.func,
            E::Assign(a) => &a.left,
            E::Paren(p) => return p.paren_token.span.join(),
            E::Tuple(t) => return t.paren_token.span.join(),
            E::Group(g) => return g.group_token.span,
            E::Unary(u) => return u.op.span(),
            E::Lit(l) => return l.lit.span(),
            E::If(i) => return i.if_token.span,
            E::Return(r) => return r.return_token.span,
            E::ForLoop(f) => match &f.label {
                Some(l) => return l.name.apostrophe,
                None => return f.for_token.span,
            },
            E::Block(b) => match &b.label {
                Some(l) => return l.name.apostrophe,
                None => return b.block.brace_token.span.join(),
            },
            E::Path(p) => match (&p.qself, &p.path.leading_colon, p.path.segments.first()) {
                (Some(q), _, _) => return q.lt_token.span,
                (None, Some(c), _) => return c.spans[0],
                (None, None, Some(s)) => return s.ident.span(),
                (None, None, None) => return whole_first(e),
            },
            other => return whole_first(other),
        };
    }
}

/// The span of the last token `e` prints.
pub fn last_token(mut e: &syn::Expr) -> Span {
    use syn::Expr as E;
    loop {
        e = match e {
            E::Binary(b) => &b.right,
            E::Unary(u) => &u.expr,
            E::Assign(a) => &a.right,
            E::Paren(p) => return p.paren_token.span.join(),
            E::Tuple(t) => return t.paren_token.span.join(),
            E::Group(g) => return g.group_token.span,
            E::MethodCall(m) => return m.paren_token.span.join(),
            E::Call(c) => return c.paren_token.span.join(),
            E::Lit(l) => return l.lit.span(),
            E::Block(b) => return b.block.brace_token.span.join(),
            E::ForLoop(f) => return f.body.brace_token.span.join(),
            E::If(i) => match &i.else_branch {
                Some((_, els)) => els,
                None => return i.then_branch.brace_token.span.join(),
            },
            E::Return(r) => match &r.expr {
                Some(v) => v,
                None => return r.return_token.span,
            },
            // A type or a path: small, printed whole.
            E::Cast(c) => return last_of(c.ty.span(), &c.ty),
            E::Path(p) => return last_of(p.span(), p),
            other => return last_of(other.span(), other),
        };
    }
}

/// The span of a call, as `Spanned::span` gives it.
pub fn of_call(c: &syn::ExprCall) -> Span {
    let first = match c.attrs.first() {
        Some(a) => a.pound_token.span,
        None => first_token(&c.func),
    };
    let last = c.paren_token.span.join();
    first.join(last).unwrap_or(first)
}

/// The outer attributes of the kinds [`first_token`] follows.
pub fn attrs(e: &syn::Expr) -> &[syn::Attribute] {
    use syn::Expr as E;
    match e {
        E::Binary(x) => &x.attrs,
        E::Cast(x) => &x.attrs,
        E::MethodCall(x) => &x.attrs,
        E::Call(x) => &x.attrs,
        E::Assign(x) => &x.attrs,
        E::Paren(x) => &x.attrs,
        E::Tuple(x) => &x.attrs,
        E::Group(x) => &x.attrs,
        E::Unary(x) => &x.attrs,
        E::Lit(x) => &x.attrs,
        E::If(x) => &x.attrs,
        E::Return(x) => &x.attrs,
        E::ForLoop(x) => &x.attrs,
        E::Block(x) => &x.attrs,
        E::Path(x) => &x.attrs,
        _ => &[],
    }
}

/// The first token's span of an expression of another kind, the way syn finds it.
fn whole_first(e: &syn::Expr) -> Span {
    quote::ToTokens::to_token_stream(e)
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// The last token's span of `t` (whose joined span is `joined`, for the empty case).
fn last_of(joined: Span, t: &impl quote::ToTokens) -> Span {
    t.to_token_stream()
        .into_iter()
        .last()
        .map_or(joined, |t| t.span())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column of both ends (the tests enable proc-macro2's `span-locations`).
    fn ends(s: Span) -> (usize, usize, usize, usize) {
        let (a, b) = (s.start(), s.end());
        (a.line, a.column, b.line, b.column)
    }

    #[test]
    fn spans_are_syns() {
        let src = [
            "a + b * c",
            "-x.sin() as f64",
            "f(x, y)",
            "(a, b)",
            "if c { a } else if d { b } else { e }",
            "#[allow(x)] a",
            "::core::f64::consts::PI",
            "return a + 1.0",
            "x.powi(2)",
            "<f64 as T>::f(x) + { 1.0 }",
            "2 * i + 2",
            "(x as f64).max(y)",
        ];
        for s in src {
            let ts: proc_macro2::TokenStream = s.parse().expect("tokens");
            let e: syn::Expr = syn::parse2(ts).expect("expr");
            assert_eq!(ends(span(&e, None, None)), ends(e.span()), "{s}");
            let printed: Vec<_> = quote::ToTokens::to_token_stream(&e).into_iter().collect();
            let first = printed.first().map(|t| ends(t.span()));
            let last = printed.last().map(|t| ends(t.span()));
            assert_eq!(Some(ends(first_token(&e))), first, "{s}");
            assert_eq!(Some(ends(last_token(&e))), last, "{s}");
        }
    }
}
