//! Parsing an item whose parentheses nest deeper than syn's recursive parser can.
//!
//! syn parses one level of `x * (y + (..))` in about 17 KB of an unoptimized stack (how proc
//! macros are built by default), so on rustc's 8 MiB it stops near 490 levels. A token tree
//! deeper than [`PIECE`] is therefore parsed in pieces: each parenthesized operand with
//! [`PIECE`] levels under it is cut out (its place taken by a placeholder identifier spanning
//! it) and parsed on its own, then the pieces are put back where their placeholders are, from
//! an explicit stack. The tree is the one syn would have built, spans included. Shallower
//! items, which is nearly all of them, go to syn unchanged.
//!
//! What cannot be cut (blocks, brackets, parentheses that are not operands, and `else if`
//! chains, each a level) may nest [`MAX_UNSPLIT`] levels, and nothing deeper than
//! [`MAX_DEPTH`]: beyond, the error says so at the group that crosses the line. Measured on an
//! 8 MiB thread with the crate unoptimized (as proc macros are built by default): nested
//! `if`s and blocks expand at 200 levels and overflow at 250; parentheses expand at 8,000.

use super::drop::Take;
use crate::errors;
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use syn::visit_mut::VisitMut;

/// Parentheses this deep are parsed as a separate piece.
pub const PIECE: usize = 32;

/// How deep groups that are not cut into pieces may nest (see the module docs).
pub const MAX_UNSPLIT: usize = 128;

/// How deep any group may nest (see the module docs).
pub const MAX_DEPTH: usize = 4000;

/// `tokens` as an item, parsed in pieces where they nest deeper than [`PIECE`].
pub fn item(tokens: TokenStream) -> syn::Result<syn::Item> {
    let (depth, deepest) = measure(&tokens);
    if depth <= PIECE {
        return syn::parse2(tokens);
    }
    if depth > MAX_DEPTH {
        return Err(syn::Error::new(deepest, errors::nested_too_deep(MAX_DEPTH)));
    }
    let mut cut = Cut {
        prefix: placeholder_prefix(&tokens),
        pieces: Vec::new(),
        unsplit: 0,
        unsplit_at: Span::call_site(),
    };
    let tokens = cut.stream(tokens);
    if cut.unsplit > MAX_UNSPLIT {
        let msg = errors::nested_too_deep(MAX_UNSPLIT);
        return Err(syn::Error::new(cut.unsplit_at, msg));
    }
    let mut item: syn::Item = syn::parse2(tokens)?;
    let mut pieces = Vec::with_capacity(cut.pieces.len());
    for (_, group) in &cut.pieces {
        pieces.push(Some(syn::parse2::<syn::Expr>(TokenStream::from(
            TokenTree::Group(group.clone()),
        ))?));
    }
    let mut fill = Fill {
        prefix: &cut.prefix,
        pieces: &mut pieces,
        filled: 0,
    };
    let mut roots = Vec::new();
    Take(&mut roots).visit_item_mut(&mut item);
    for root in &mut roots {
        fill.rewrite(root);
    }
    super::drop::Put(roots.into_iter()).visit_item_mut(&mut item);
    if fill.filled != cut.pieces.len() {
        // A placeholder stood where no expression goes (a deep tuple type or pattern).
        let at = cut.pieces.iter().zip(&pieces).find(|(_, p)| p.is_some());
        let span = at.map_or_else(Span::call_site, |((_, g), _)| g.span());
        return Err(syn::Error::new(span, errors::nested_too_deep(PIECE)));
    }
    Ok(item)
}

/// The deepest group nesting in `tokens` and the opening span of a group that deep. An
/// `else if` counts as a level too: syn nests each in the one before, and so do the passes.
fn measure(tokens: &TokenStream) -> (usize, Span) {
    let mut max = (0, Span::call_site());
    // (the stream, its depth, `else if`s so far in it, whether the last token was `else`)
    let mut stack: Vec<(proc_macro2::token_stream::IntoIter, usize, usize, bool)> =
        vec![(tokens.clone().into_iter(), 0, 0, false)];
    while let Some((mut it, depth, elifs, after_else)) = stack.pop() {
        let Some(t) = it.next() else { continue };
        let (elifs, after_else) = chain(&t, elifs, after_else);
        stack.push((it, depth, elifs, after_else));
        if let TokenTree::Group(g) = t {
            let d = depth + 1 + elifs;
            if d > max.0 {
                max = (d, g.span_open());
            }
            stack.push((g.stream().into_iter(), d, 0, false));
        }
    }
    max
}

/// Counts `else if`s through one stream: the count and whether `t` is an `else`.
fn chain(t: &TokenTree, elifs: usize, after_else: bool) -> (usize, bool) {
    match t {
        TokenTree::Ident(i) if i == "if" && after_else => (elifs + 1, false),
        TokenTree::Ident(i) if i == "else" => (elifs, true),
        TokenTree::Punct(p) if p.as_char() == ';' => (0, false),
        _ => (elifs, false),
    }
}

/// A placeholder name no identifier of the item starts with.
fn placeholder_prefix(tokens: &TokenStream) -> String {
    let mut prefix = "__dezero_piece".to_string();
    let mut idents = Vec::new();
    let mut stack = vec![tokens.clone()];
    while let Some(ts) = stack.pop() {
        for t in ts {
            match t {
                TokenTree::Ident(i) => idents.push(i.to_string()),
                TokenTree::Group(g) => stack.push(g.stream()),
                _ => {}
            }
        }
    }
    while idents.iter().any(|i| i.starts_with(&prefix)) {
        prefix.push('_');
    }
    prefix
}

/// Cuts the deep parenthesized operands out of a token stream.
struct Cut {
    prefix: String,
    /// Each piece: its placeholder's number and the group it replaced.
    pieces: Vec<(usize, Group)>,
    /// The deepest nesting left after cutting, and where.
    unsplit: usize,
    unsplit_at: Span,
}

/// A group being rebuilt: what it had so far and how deep that nests.
struct Frame {
    group: Option<Group>,
    rest: proc_macro2::token_stream::IntoIter,
    out: Vec<TokenTree>,
    changed: bool,
    height: usize,
    /// The two tokens before the one being read, for telling operands.
    prev: Option<TokenTree>,
    prev2: Option<TokenTree>,
    /// Whether the group is an operand where it stands.
    operand: bool,
    /// `else if`s so far in this stream, and whether the last token was `else`.
    elifs: usize,
    after_else: bool,
}

impl Cut {
    /// `tokens` with the deep operands replaced by placeholders (bottom-up, from a stack).
    fn stream(&mut self, tokens: TokenStream) -> TokenStream {
        let mut stack = vec![Frame {
            group: None,
            rest: tokens.into_iter(),
            out: Vec::new(),
            changed: false,
            height: 0,
            prev: None,
            prev2: None,
            operand: false,
            elifs: 0,
            after_else: false,
        }];
        loop {
            let top = stack.len() - 1;
            let next = stack[top].rest.next();
            if let Some(t) = &next {
                let f = &mut stack[top];
                (f.elifs, f.after_else) = chain(t, f.elifs, f.after_else);
            }
            match next {
                Some(TokenTree::Group(g)) => {
                    let f = &stack[top];
                    let operand = g.delimiter() == Delimiter::Parenthesis
                        && starts_operand(f.prev2.as_ref(), f.prev.as_ref(), f.group.as_ref());
                    let f = &mut stack[top];
                    f.prev2 = f.prev.replace(TokenTree::Group(g.clone()));
                    stack.push(Frame {
                        rest: g.stream().into_iter(),
                        group: Some(g),
                        out: Vec::new(),
                        changed: false,
                        height: 0,
                        prev: None,
                        prev2: None,
                        operand,
                        elifs: 0,
                        after_else: false,
                    });
                }
                Some(t) => {
                    let f = &mut stack[top];
                    f.prev2 = f.prev.replace(t.clone());
                    f.out.push(t);
                }
                None => {
                    let f = stack.pop().expect("a frame");
                    let Some(g) = f.group else {
                        return f.out.into_iter().collect();
                    };
                    let height = f.height + 1;
                    let rebuilt = if f.changed {
                        let mut n = Group::new(g.delimiter(), f.out.into_iter().collect());
                        n.set_span(g.span());
                        n
                    } else {
                        g
                    };
                    let parent = stack.last_mut().expect("a parent frame");
                    if f.operand && height >= PIECE {
                        let k = self.pieces.len();
                        let name = format!("{}_{k}", self.prefix);
                        parent
                            .out
                            .push(TokenTree::Ident(Ident::new(&name, rebuilt.span())));
                        self.pieces.push((k, rebuilt));
                        parent.changed = true;
                    } else {
                        if height + parent.elifs > self.unsplit {
                            self.unsplit = height + parent.elifs;
                            self.unsplit_at = rebuilt.span_open();
                        }
                        parent.changed |= f.changed;
                        parent.height = parent.height.max(height + parent.elifs);
                        parent.out.push(TokenTree::Group(rebuilt));
                    }
                }
            }
        }
    }
}

/// Whether a parenthesized group after `prev2 prev` (in `group`) is an operand: after an
/// operator, a `,` or `;`, an `=`, a keyword taking an expression, or first in parentheses,
/// brackets or a block. Not after a name (a call), a `:` (a type), `.`, `<`/`>` or a macro's
/// `name!`.
fn starts_operand(
    prev2: Option<&TokenTree>,
    prev: Option<&TokenTree>,
    group: Option<&Group>,
) -> bool {
    match prev {
        None => group.is_some(),
        Some(TokenTree::Punct(p))
            if p.as_char() == '!' && matches!(prev2, Some(TokenTree::Ident(_))) =>
        {
            false
        }
        Some(TokenTree::Punct(p)) => matches!(
            p.as_char(),
            '+' | '-' | '*' | '/' | '%' | '^' | '!' | '&' | '|' | '=' | ',' | ';'
        ),
        Some(TokenTree::Ident(i)) => {
            matches!(
                i.to_string().as_str(),
                "return" | "in" | "if" | "match" | "break"
            )
        }
        _ => false,
    }
}

/// Puts the pieces back where their placeholders are.
struct Fill<'p> {
    prefix: &'p str,
    pieces: &'p mut [Option<syn::Expr>],
    filled: usize,
}

impl Fill<'_> {
    /// The piece `e` stands for, if it is a placeholder.
    fn piece(&mut self, e: &syn::Expr) -> Option<syn::Expr> {
        let syn::Expr::Path(p) = e else { return None };
        let id = p.path.get_ident()?.to_string();
        let k: usize = id
            .strip_prefix(self.prefix)?
            .strip_prefix('_')?
            .parse()
            .ok()?;
        let piece = self.pieces.get_mut(k)?.take()?;
        self.filled += 1;
        Some(piece)
    }

    /// Replaces every placeholder under `root` (pieces hold placeholders too), from a stack:
    /// each expression's children are moved out, filled, and moved back.
    fn rewrite(&mut self, root: &mut syn::Expr) {
        struct Open {
            node: syn::Expr,
            kids: std::vec::IntoIter<syn::Expr>,
            done: Vec<syn::Expr>,
        }
        let open = |fill: &mut Self, mut node: syn::Expr| {
            while let Some(p) = fill.piece(&node) {
                node = p;
            }
            let mut kids = Vec::new();
            syn::visit_mut::visit_expr_mut(&mut Take(&mut kids), &mut node);
            Open {
                node,
                kids: kids.into_iter(),
                done: Vec::new(),
            }
        };
        let empty = syn::Expr::Verbatim(TokenStream::new());
        let first = open(self, std::mem::replace(root, empty));
        let mut stack = vec![first];
        while let Some(top) = stack.last_mut() {
            match top.kids.next() {
                Some(kid) => {
                    let o = open(self, kid);
                    stack.push(o);
                }
                None => {
                    let mut f = stack.pop().expect("an open node");
                    syn::visit_mut::visit_expr_mut(
                        &mut super::drop::Put(f.done.into_iter()),
                        &mut f.node,
                    );
                    match stack.last_mut() {
                        Some(parent) => parent.done.push(f.node),
                        None => *root = f.node,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn nested(depth: usize) -> String {
        let mut s = String::from("fn f(x: f64, y: f64) -> f64 { ");
        for k in 0..depth {
            s.push_str(if k % 2 == 0 { "x * (" } else { "y + (" });
        }
        s.push('x');
        s.push_str(&")".repeat(depth));
        s.push_str(" }");
        s
    }

    #[test]
    fn pieces_make_the_tree_syn_makes() {
        // syn's own parse (the reference) needs rustc's stack at these depths.
        let check = || {
            for depth in [PIECE - 1, PIECE, PIECE + 1, 3 * PIECE + 5, 200] {
                let tokens: TokenStream = nested(depth).parse().expect("tokens");
                let ours = item(tokens.clone()).expect("parses in pieces");
                let syns: syn::Item = syn::parse2(tokens).expect("syn parses");
                assert!(ours == syns, "depth {depth}");
                assert_eq!(
                    ours.to_token_stream().to_string(),
                    syns.to_token_stream().to_string()
                );
            }
        };
        let big = std::thread::Builder::new().stack_size(64 << 20);
        big.spawn(check)
            .expect("thread")
            .join()
            .expect("same trees");
    }

    #[test]
    fn operands_are_cut_and_other_groups_are_not() {
        let src = format!(
            "fn f(x: f64) -> f64 {{ let a = g({}x{}); let t: (f64, f64) = (a, a); t.0 }}",
            "(".repeat(PIECE + 3),
            ")".repeat(PIECE + 3)
        );
        let tokens: TokenStream = src.parse().expect("tokens");
        let ours = item(tokens.clone()).expect("parses in pieces");
        assert!(ours == syn::parse2::<syn::Item>(tokens).expect("syn"));
    }

    #[test]
    fn too_deep_is_one_error_at_the_group() {
        let deep = format!(
            "fn f() {{ {}1{} }}",
            "[".repeat(MAX_UNSPLIT + 1),
            "]".repeat(MAX_UNSPLIT + 1)
        );
        let err = item(deep.parse().expect("tokens")).expect_err("an error");
        assert_eq!(err.to_string(), errors::nested_too_deep(MAX_UNSPLIT));
        let deeper = nested(MAX_DEPTH + 1);
        let err = item(deeper.parse().expect("tokens")).expect_err("an error");
        assert_eq!(err.to_string(), errors::nested_too_deep(MAX_DEPTH));
    }
}
