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

use crate::ir::{Inst, Op, Operand, Program};
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

    fn val(&self, o: &Operand) -> TokenStream {
        self.p.tokens(o)
    }

    fn method(&self, a: &Operand, name: &str, args: &[TokenStream]) -> TokenStream {
        self.p.method_call(a, &self.float, name, args)
    }

    /// The tangent of `i`'s result, `None` when it is zero.
    pub fn rule(&self, i: &Inst) -> Option<TokenStream> {
        let (&y, a) = (i.dsts.first()?, i.args.first()?);
        if !self.p.vars[y].active {
            return None;
        }
        let sp = i.span;
        let yv = self.p.vars[y].ident();
        let av = self.val(a);
        let b = i.args.get(1);
        let bv = b.map(|b| self.val(b));
        let da = self.dot(a);
        let db = b.and_then(|b| self.dot(b));
        let float = &self.float;
        // d(term) = da * fa + db * fb, dropping zero tangents.
        let sum = |fa: Option<TokenStream>, fb: Option<TokenStream>| -> Option<TokenStream> {
            let ta = da
                .as_ref()
                .zip(fa)
                .map(|(d, f)| quote_spanned!(sp=> #d * #f));
            let tb = db
                .as_ref()
                .zip(fb)
                .map(|(d, f)| quote_spanned!(sp=> #d * #f));
            match (ta, tb) {
                (Some(ta), Some(tb)) => Some(quote_spanned!(sp=> #ta + #tb)),
                (t, None) | (None, t) => t,
            }
        };
        match &i.op {
            // y = a + b  =>  y' = a' + b'
            Op::Add => match (&da, &db) {
                (Some(x), Some(z)) => Some(quote_spanned!(sp=> #x + #z)),
                (Some(t), None) | (None, Some(t)) => Some(t.clone()),
                (None, None) => None,
            },
            // y = a - b  =>  y' = a' - b'
            Op::Sub => match (&da, &db) {
                (Some(x), Some(z)) => Some(quote_spanned!(sp=> #x - #z)),
                (Some(t), None) => Some(t.clone()),
                (None, Some(t)) => Some(quote_spanned!(sp=> -#t)),
                (None, None) => None,
            },
            // y = a * a  =>  y' = a' (2 a)
            Op::Mul if b.is_some_and(|b| b.same(a)) => {
                da.map(|d| quote_spanned!(sp=> #d * (2.0 * #av)))
            }
            // y = a * b  =>  y' = a' b + b' a
            Op::Mul => sum(bv.clone(), Some(av.clone())),
            // y = a / b  =>  y' = a' (1 / b) - b' (y / b)
            Op::Div => {
                let b = b?;
                let inv = self.method(b, "recip", &[]);
                let ta = da.map(|d| quote_spanned!(sp=> #d * #inv));
                let tb = db.map(|d| quote_spanned!(sp=> #d * (#yv / #bv)));
                match (ta, tb) {
                    (Some(ta), Some(tb)) => Some(quote_spanned!(sp=> #ta - #tb)),
                    (Some(t), None) => Some(t),
                    (None, Some(t)) => Some(quote_spanned!(sp=> -(#t))),
                    (None, None) => None,
                }
            }
            // y = -a  =>  y' = -a'
            Op::Neg => da.map(|d| quote_spanned!(sp=> -#d)),
            // y = a  =>  y' = a'
            Op::Copy => da,
            // y = a^n  =>  y' = a' n a^(n - 1)
            Op::Powi => {
                let n = b?;
                let f = match n.int_literal().filter(|k| i32::try_from(*k).is_ok()) {
                    Some(0) => return None,
                    Some(1) => return da,
                    Some(2) => quote_spanned!(sp=> 2.0 * #av),
                    Some(k) => {
                        let kf = proc_macro2::Literal::f64_unsuffixed(k as f64);
                        let k1 = proc_macro2::Literal::i64_unsuffixed(k - 1);
                        let pow = self.method(a, "powi", &[quote_spanned!(sp=> #k1)]);
                        quote_spanned!(sp=> #kf * #pow)
                    }
                    // n a^(n - 1), and 0 for n = 0 (the shared convention, dezero_runtime::kinks)
                    None => Program::kink_call("powi_slope", &[av.clone(), self.val(n)]),
                };
                da.map(|d| quote_spanned!(sp=> #d * (#f)))
            }
            // y = a^b  =>  y' = a' b a^(b - 1) + b' y ln(a), each 0 where the conventions say so
            // (b = 0; a = 0 <= b); a nonzero literal exponent needs no check
            Op::Powf => {
                let b = b?;
                let bv = bv?;
                let slope = if b.nonzero_float_literal() {
                    let pow = self.method(a, "powf", &[quote_spanned!(sp=> #bv - 1.0)]);
                    quote_spanned!(sp=> (#bv * #pow))
                } else {
                    Program::kink_call("powf_base_slope", &[av.clone(), bv.clone()])
                };
                let yt = quote!(#yv);
                sum(
                    Some(slope),
                    Some(Program::kink_call("powf_exponent_slope", &[av, bv, yt])),
                )
            }
            // y = exp(a)  =>  y' = a' y
            Op::Exp => sum(Some(quote!(#yv)), None),
            // y = ln(a)  =>  y' = a' (1 / a)
            Op::Ln => sum(Some(self.method(a, "recip", &[])), None),
            // y = log10(a)  =>  y' = a' / (a ln 10)
            Op::Log10 => sum(
                Some(quote_spanned!(sp=> (#av * ::core::#float::consts::LN_10).recip())),
                None,
            ),
            // y = sqrt(a)  =>  y' = a' (0.5 / y)
            Op::Sqrt => sum(Some(quote_spanned!(sp=> (0.5 / #yv))), None),
            // y = sin(a)  =>  y' = a' cos(a)
            Op::Sin => sum(Some(self.method(a, "cos", &[])), None),
            // y = cos(a)  =>  y' = -a' sin(a)
            Op::Cos => {
                let s = self.method(a, "sin", &[]);
                da.map(|d| quote_spanned!(sp=> -(#d * #s)))
            }
            // y = tan(a)  =>  y' = a' (1 + y^2)
            Op::Tan => sum(Some(quote_spanned!(sp=> (1.0 + #yv * #yv))), None),
            // y = tanh(a)  =>  y' = a' (1 - y^2)
            Op::Tanh => sum(Some(quote_spanned!(sp=> (1.0 - #yv * #yv))), None),
            // y = sinh(a)  =>  y' = a' cosh(a)
            Op::Sinh => sum(Some(self.method(a, "cosh", &[])), None),
            // y = cosh(a)  =>  y' = a' sinh(a)
            Op::Cosh => sum(Some(self.method(a, "sinh", &[])), None),
            // y = |a|  =>  y' = a' sign(a), 0 at a = 0 (dezero_runtime::kinks)
            Op::Abs => sum(Some(Program::kink_call("abs_slope", &[av])), None),
            // y = 1 / a  =>  y' = -a' y^2
            Op::Recip => da.map(|d| quote_spanned!(sp=> -(#d * (#yv * #yv)))),
            // y = max(a, b)  =>  y' = a' s + b' (1 - s), with s the share of the argument max
            // returns: 1 or 0, 0.5 on ties (dezero_runtime::kinks)
            Op::Max | Op::Min => {
                let bv = bv?;
                let share = if matches!(i.op, Op::Max) {
                    "max_share"
                } else {
                    "min_share"
                };
                let s = Program::kink_call(share, &[av, bv]);
                sum(Some(s.clone()), Some(quote_spanned!(sp=> (1.0 - #s))))
            }
            // y = hypot(a, b)  =>  y' = a' (a / y) + b' (b / y)
            Op::Hypot => {
                let bv = bv?;
                sum(
                    Some(quote_spanned!(sp=> (#av / #yv))),
                    Some(quote_spanned!(sp=> (#bv / #yv))),
                )
            }
            // y = atan2(a, b)  =>  y' = (a' b - b' a) / (a^2 + b^2)
            Op::Atan2 => {
                let bv = bv?;
                let r = quote_spanned!(sp=> (#av * #av + #bv * #bv));
                let ta = da.map(|d| quote_spanned!(sp=> #d * (#bv / #r)));
                let tb = db.map(|d| quote_spanned!(sp=> #d * (#av / #r)));
                match (ta, tb) {
                    (Some(ta), Some(tb)) => Some(quote_spanned!(sp=> #ta - #tb)),
                    (Some(t), None) => Some(t),
                    (None, Some(t)) => Some(quote_spanned!(sp=> -(#t))),
                    (None, None) => None,
                }
            }
            // y = sigmoid(a)  =>  y' = a' y (1 - y)
            Op::Sigmoid => sum(Some(quote_spanned!(sp=> (#yv * (1.0 - #yv)))), None),
            // constants and booleans: no tangent; calls are excluded by `applies`
            Op::Cast(_) | Op::Cmp(_) | Op::Logic(_) | Op::Not | Op::Expr(_) | Op::Call { .. } => {
                None
            }
        }
    }
}

/// `x_dot` for `x`: a generated local, so it never captures a user's `x_dot`.
pub fn dot_ident(name: &str) -> Ident {
    crate::names::local(&format!("{name}_dot"))
}
