//! The terms of the reverse sweep (and the coefficients of the primitive table) as data.
//!
//! A contribution `x_bar += t0_bar * x.cos()` is the term `Bar(t0) * Method(Val(x), cos)`:
//! adjoint reads, forward operands, float literals with their value, and the few expression
//! forms the rules write. Every pass reads the structure (which adjoints and values a term
//! reads, whether it is one factor, the value of a literal), and only `emit` and `dot` turn
//! terms into tokens, through one printer ([`crate::emit::term`]).
//!
//! Each node prints exactly as the rules spelled it: `Paren` is an explicit pair of
//! parentheses, `Bin` prints `l op r` with none added, and a node's span is the span its
//! operators and parentheses carry (the user's expression for rule-made terms, call site for
//! those the passes build).

use crate::ir::{Operand, VarId};
use proc_macro2::{Ident, Literal, Span, TokenStream, TokenTree};

/// A term of the reverse sweep, or a coefficient of a primitive's derivative.
#[derive(Clone, Debug)]
pub enum Term {
    /// The adjoint `v_bar` of a variable.
    Bar(VarId),
    /// The `k`-th seed: `1.0` in `_grad`, `seed`/`seed{k}` in `_vjp`.
    Seed(usize),
    /// A gradient a `_vjp` call returned into a temporary (`d0`).
    Temp(Ident),
    /// A forward value or constant operand.
    Val(Operand),
    /// A literal, with its value when it is a plain decimal float (`24.0`).
    Lit(Lit),
    /// A path that reads no value (`::core::f64::consts::LN_2`).
    Path(TokenStream),
    /// `l op r`, no parentheses added.
    Bin(Box<Term>, BinOp, Box<Term>, Span),
    /// `-t`.
    Neg(Box<Term>, Span),
    /// `(t)`.
    Paren(Box<Term>, Span),
    /// `(m1 * m2 * ..)`: a product of two or more factors, at call site.
    Prod(Vec<Term>),
    /// `recv.name(args..)`.
    Method(Box<Term>, Ident, Vec<Term>, Span),
    /// `path(args..)`.
    Call(TokenStream, Vec<Term>, Span),
}

/// The binary operators of terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A literal of a term, with its value when it is a plain decimal float (`24.0`, not `2`,
/// `1e3` or `2.0f32`): the value constant folding reads.
#[derive(Clone, Debug)]
pub struct Lit {
    pub lit: Literal,
    pub value: Option<f64>,
}

impl Term {
    /// A float literal of value `v`, spanned at `span`.
    pub fn float(v: f64, span: Span) -> Term {
        let mut lit = Literal::f64_unsuffixed(v);
        lit.set_span(span);
        Term::Lit(Lit {
            lit,
            value: Some(v),
        })
    }

    /// An operand: a single plain float literal becomes a [`Term::Lit`] with its value.
    pub fn operand(o: &Operand) -> Term {
        if let Operand::Const(t, _) = o {
            let mut it = t.clone().into_iter();
            if let (Some(TokenTree::Literal(l)), None) = (it.next(), it.next()) {
                return Term::Lit(Lit {
                    value: plain_float(&l),
                    lit: l,
                });
            }
        }
        Term::Val(o.clone())
    }

    /// `l op r` at `span`.
    pub fn bin(l: Term, op: BinOp, r: Term, span: Span) -> Term {
        Term::Bin(Box::new(l), op, Box::new(r), span)
    }

    /// `(t)` at `span`.
    pub fn paren(t: Term, span: Span) -> Term {
        Term::Paren(Box::new(t), span)
    }

    /// Calls `f` on every node, in print order (iterative: terms can be long sums).
    pub fn walk(&self, mut f: impl FnMut(&Term)) {
        let mut stack: Vec<&Term> = vec![self];
        while let Some(t) = stack.pop() {
            f(t);
            match t {
                Term::Bin(l, _, r, _) => {
                    stack.push(r);
                    stack.push(l);
                }
                Term::Neg(t, _) | Term::Paren(t, _) => stack.push(t),
                Term::Method(recv, _, args, _) => {
                    stack.extend(args.iter().rev());
                    stack.push(recv);
                }
                Term::Prod(ts) | Term::Call(_, ts, _) => stack.extend(ts.iter().rev()),
                _ => {}
            }
        }
    }

    /// The adjoints this term reads, once each for every read, in print order.
    pub fn bars(&self, out: &mut Vec<VarId>) {
        self.walk(|t| {
            if let Term::Bar(v) = t {
                out.push(*v);
            }
        });
    }

    /// The adjoints this term reads, sorted, each once.
    pub fn bar_set(&self) -> Vec<VarId> {
        let mut out = Vec::new();
        self.bars(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether the term reads an adjoint.
    pub fn has_bar(&self) -> bool {
        let mut any = false;
        self.walk(|t| any |= matches!(t, Term::Bar(_)));
        any
    }

    /// Whether the term prints as one token (`x_bar`, `2.0`, `seed`).
    pub fn is_single_token(&self) -> bool {
        match self {
            Term::Bar(_) | Term::Seed(_) | Term::Temp(_) | Term::Lit(_) => true,
            Term::Val(Operand::Var(_)) => true,
            Term::Val(Operand::Const(t, _)) | Term::Path(t) => t.clone().into_iter().count() == 1,
            _ => false,
        }
    }

    /// Whether the term binds as one operand of `*`: no operator at its top level but the `.`
    /// of a method call.
    pub fn is_operand(&self) -> bool {
        match self {
            Term::Bar(_) | Term::Seed(_) | Term::Temp(_) | Term::Lit(_) => true,
            Term::Paren(..) | Term::Prod(_) => true,
            Term::Val(Operand::Var(_)) => true,
            Term::Val(Operand::Const(t, _)) | Term::Path(t) => tokens_are_operand(t),
            Term::Method(recv, ..) => recv.is_operand(),
            Term::Call(path, ..) => tokens_are_operand(path),
            Term::Bin(..) | Term::Neg(..) => false,
        }
    }

    /// Whether the term is plain arithmetic (no method call, no cast): cheap to repeat.
    pub fn is_arithmetic(&self) -> bool {
        let mut plain = true;
        self.walk(|t| match t {
            Term::Method(..) => plain = false,
            Term::Val(Operand::Const(ts, _)) | Term::Path(ts) | Term::Call(ts, ..) => {
                plain &= tokens_are_arithmetic(ts);
            }
            _ => {}
        });
        plain
    }

    /// Whether the term names anything (a value, an adjoint, a function), unlike a literal.
    pub fn has_ident(&self) -> bool {
        let mut any = false;
        self.walk(|t| {
            any |= match t {
                Term::Bar(_) | Term::Seed(_) | Term::Temp(_) | Term::Method(..) => true,
                Term::Val(Operand::Var(_)) => true,
                Term::Val(Operand::Const(ts, _)) | Term::Path(ts) | Term::Call(ts, ..) => {
                    tokens_have_ident(ts)
                }
                _ => false,
            }
        });
        any
    }

    /// The value of a whole-number float literal of at least 1 (`24.0`), which constant
    /// folding may multiply exactly.
    pub fn whole(&self) -> Option<f64> {
        match self {
            Term::Lit(Lit { value: Some(v), .. }) if v.fract() == 0.0 && *v >= 1.0 => Some(*v),
            _ => None,
        }
    }
}

/// The value of a literal written as digits with a `.` (`24.0`, `0.5`).
fn plain_float(l: &Literal) -> Option<f64> {
    let s = l.to_string();
    if !s.contains('.') || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse().ok()
}

/// Whether constant tokens bind as one operand: no top-level operator but `.`, no `as`.
fn tokens_are_operand(t: &TokenStream) -> bool {
    t.clone().into_iter().all(|tt| match tt {
        TokenTree::Punct(p) => p.as_char() == '.',
        TokenTree::Ident(i) => i != "as",
        _ => true,
    })
}

/// Whether constant tokens hold no method call (`.`) and no cast (`as`).
fn tokens_are_arithmetic(t: &TokenStream) -> bool {
    t.clone().into_iter().all(|tt| match tt {
        TokenTree::Punct(p) => p.as_char() != '.',
        TokenTree::Group(g) => tokens_are_arithmetic(&g.stream()),
        TokenTree::Ident(i) => i != "as",
        TokenTree::Literal(_) => true,
    })
}

/// Whether constant tokens hold an identifier.
fn tokens_have_ident(t: &TokenStream) -> bool {
    t.clone().into_iter().any(|tt| match tt {
        TokenTree::Ident(_) => true,
        TokenTree::Group(g) => tokens_have_ident(&g.stream()),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::{BinOp, Term};
    use crate::ast::Scalar;
    use crate::ir::Operand;
    use proc_macro2::Span;

    fn konst(src: &str) -> Term {
        Term::operand(&Operand::Const(src.parse().expect("tokens"), Scalar::Int))
    }

    #[test]
    fn only_a_single_operand_is_a_multiplier() {
        let sp = Span::call_site();
        let x = || Term::Val(Operand::Var(0));
        let cos = Term::Method(
            Box::new(x()),
            proc_macro2::Ident::new("cos", sp),
            vec![],
            sp,
        );
        let twice = Term::paren(Term::bin(Term::float(2.0, sp), BinOp::Mul, x(), sp), sp);
        for yes in [x(), twice, cos, Term::float(2.0, sp)] {
            assert!(yes.is_operand(), "{yes:?}");
        }
        let sum = Term::bin(x(), BinOp::Add, Term::Val(Operand::Var(1)), sp);
        let neg = Term::Neg(Box::new(Term::float(2.0, sp)), sp);
        for no in [sum, neg, konst("n as f64")] {
            assert!(!no.is_operand(), "{no:?}");
        }
    }

    #[test]
    fn plain_float_literals_carry_their_value() {
        assert_eq!(konst("24.0").whole(), Some(24.0));
        assert_eq!(konst("0.5").whole(), None); // not whole
        for other in ["2", "1e3", "2.0f32"] {
            assert!(
                matches!(konst(other), Term::Lit(l) if l.value.is_none()),
                "{other}"
            );
        }
    }
}
