//! Forward-mode (tangent) rules: `<fn>_grad` and `<fn>_vjp` of a function with ONE float
//! parameter.
//!
//! With one input the gradient is one directional derivative, so `_grad` carries each value's
//! tangent `v_dot = dv/dx` along with it in a single forward sweep (seeded `x_dot = 1.0`),
//! instead of a forward sweep, a tape and a reverse sweep. A loop then runs once, like a
//! hand-written derivative. `_vjp` runs the same sweep and returns `seed * out_dot` (one input:
//! the pullback of `seed` is `seed` times the derivative).
//!
//! ```text
//! let t0 = x * x;   let t0_dot = x_dot * (2.0 * x);
//! let out = t0.sin();   let out_dot = t0_dot * t0.cos();
//! ```
//!
//! Functions that call other annotated functions keep reverse-mode `_grad` and `_vjp` (a
//! callee exposes only its pullback).

use crate::ir::{Inst, Operand, Program};
use crate::primitives;
use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};

/// Whether `_grad` of `p` is emitted in forward mode: one float parameter, no calls.
pub fn applies(p: &Program, float_params: usize) -> bool {
    float_params == 1 && !p.body.calls()
}

/// What a rule needs to print operands.
pub struct Ctx<'a> {
    pub p: &'a Program,
    /// `f64` or `f32`.
    pub float: TokenStream,
}

impl Ctx<'_> {
    /// `v_dot` of an active variable; `None` for constants and inactive values (tangent 0).
    pub fn dot(&self, o: &Operand) -> Option<TokenStream> {
        match o {
            Operand::Var(v) if self.p.vars[*v].active => {
                let d = dot_ident(&self.p.vars[*v].name);
                Some(quote!(#d))
            }
            _ => None,
        }
    }

    /// The tangent of `i`'s result, `None` when it is zero: `y' = Σ ± a_i' · c_i` over the
    /// active arguments, with the coefficients of [`primitives::partials`].
    ///
    /// ```text
    /// y = a * b   =>  y_dot = a_dot * b + b_dot * a
    /// y = cos(a)  =>  y_dot = -(a_dot * a.sin())
    /// ```
    pub fn rule(&self, i: &Inst) -> Option<TokenStream> {
        let &y = i.dsts.first()?;
        if !self.p.vars[y].active {
            return None;
        }
        let sp = i.span;
        let mut sum: Option<TokenStream> = None;
        for part in primitives::partials(&self.float, i) {
            let Some(d) = self.dot(&i.args[part.arg]) else {
                continue;
            };
            let term = match &part.coeff {
                Some(c) => {
                    let c = crate::emit::term(self.p, c, &[]);
                    quote_spanned!(sp=> #d * #c)
                }
                None => d,
            };
            sum = Some(match (sum, part.neg) {
                (None, false) => term,
                (None, true) if part.coeff.is_none() => quote_spanned!(sp=> -#term),
                (None, true) => quote_spanned!(sp=> -(#term)),
                (Some(s), false) => quote_spanned!(sp=> #s + #term),
                (Some(s), true) => quote_spanned!(sp=> #s - #term),
            });
        }
        sum
    }
}

/// `x_dot` for `x`: a generated local, so it never captures a user's `x_dot`.
pub fn dot_ident(name: &str) -> Ident {
    crate::names::local(&format!("{name}_dot"))
}
