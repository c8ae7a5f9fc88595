//! The primitive table: each primitive's method name and arity, and its derivative, written
//! once.
//!
//! Every primitive's derivative is linear in the tangents of its arguments,
//! `y' = Σ ± a_i' · c_i`, with coefficients `c_i` made of forward values (JAX's `defjvp`).
//! [`partials`] gives those coefficients, and both sweeps print them:
//!
//! ```text
//! forward mode (tangent.rs):  y_dot = a_dot * c_a + b_dot * c_b
//! reverse mode (reverse/):    a_bar += y_bar * c_a;  b_bar += y_bar * c_b   (the transpose)
//! ```
//!
//! so the two modes cannot disagree. Kinks, ties and NaNs follow one convention, written in
//! `dezero_runtime::kinks` and called from the generated code (`::dezero::__private::abs_slope(x)`, ..), which
//! the runtime's backward rules use too.

use crate::ir::{Inst, Op, Operand};
use crate::reverse::term::{self, BinOp, BinOp::*, Term};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

/// The method-style primitives: the method's name, the primitive, and its number of
/// arguments besides the receiver (`x.powi(n)`: 1).
const METHODS: &[(&str, Op, usize)] = &[
    ("powi", Op::Powi, 1),
    ("powf", Op::Powf, 1),
    ("exp", Op::Exp, 0),
    ("ln", Op::Ln, 0),
    ("log10", Op::Log10, 0),
    ("sqrt", Op::Sqrt, 0),
    ("sin", Op::Sin, 0),
    ("cos", Op::Cos, 0),
    ("tan", Op::Tan, 0),
    ("tanh", Op::Tanh, 0),
    ("sinh", Op::Sinh, 0),
    ("cosh", Op::Cosh, 0),
    ("abs", Op::Abs, 0),
    ("recip", Op::Recip, 0),
    ("max", Op::Max, 1),
    ("min", Op::Min, 1),
    ("hypot", Op::Hypot, 1),
    ("atan2", Op::Atan2, 1),
    ("atan", Op::Atan, 0),
    ("asin", Op::Asin, 0),
    ("acos", Op::Acos, 0),
    ("asinh", Op::Asinh, 0),
    ("acosh", Op::Acosh, 0),
    ("atanh", Op::Atanh, 0),
    ("cbrt", Op::Cbrt, 0),
    ("ln_1p", Op::Ln1p, 0),
    ("exp_m1", Op::ExpM1, 0),
    ("exp2", Op::Exp2, 0),
    ("log2", Op::Log2, 0),
    ("mul_add", Op::MulAdd, 2),
    ("clamp", Op::Clamp, 2),
    ("signum", Op::Signum, 0),
    ("floor", Op::Floor, 0),
    ("ceil", Op::Ceil, 0),
    ("round", Op::Round, 0),
    ("trunc", Op::Trunc, 0),
];

/// Float methods of `std` with no rule here (yet): the message for them points to
/// `#[custom_vjp]`, which can give one; any other unknown name is the user's own method.
const STD_WITHOUT_RULE: &[&str] = &[
    "abs_sub",
    "copysign",
    "div_euclid",
    "fract",
    "log",
    "midpoint",
    "rem_euclid",
    "round_ties_even",
    "sin_cos",
    "to_degrees",
    "to_radians",
];

/// Whether `name` is a float method of `std` without a rule in this table.
pub fn std_without_rule(name: &str) -> bool {
    STD_WITHOUT_RULE.contains(&name)
}

/// The scalar functions of `dezero::math` the macro differentiates, called by a path ending
/// in their name (`sigmoid(x)`, `math::erf(x)`, `dezero::math::softplus(x)`).
const MATH_FUNCTIONS: &[(&str, Op)] = &[
    ("sigmoid", Op::Sigmoid),
    ("softplus", Op::Softplus),
    ("erf", Op::Erf),
    ("erfc", Op::Erfc),
];

/// The primitive of a `dezero::math` function name (`"erf"` -> `Op::Erf`).
pub fn math_function(name: &str) -> Option<Op> {
    MATH_FUNCTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, op)| op.clone())
}

/// Whether computing `op` again costs more than keeping its value on a tape: a libm call
/// (tens of cycles) against a push and a pop. Arithmetic, `abs`, `min`/`max`, `mul_add`,
/// `clamp` and the piecewise-constant ones are cheaper to compute again.
pub fn costly(op: &Op) -> bool {
    use Op::*;
    matches!(
        op,
        Powi | Powf
            | Exp
            | Ln
            | Log10
            | Sqrt
            | Sin
            | Cos
            | Tan
            | Tanh
            | Sinh
            | Cosh
            | Hypot
            | Atan2
            | Atan
            | Asin
            | Acos
            | Asinh
            | Acosh
            | Atanh
            | Cbrt
            | Ln1p
            | ExpM1
            | Exp2
            | Log2
            | Sigmoid
            | Softplus
            | Erf
            | Erfc
    )
}

/// The `dezero::math` function name of a primitive (`Op::Erf` -> `"erf"`).
pub fn math_function_name(op: &Op) -> Option<&'static str> {
    MATH_FUNCTIONS
        .iter()
        .find(|(_, o)| std::mem::discriminant(o) == std::mem::discriminant(op))
        .map(|(name, _)| *name)
}

/// The method name of a method-style primitive (`Op::Exp` -> `exp`).
pub fn method_name(op: &Op) -> Option<&'static str> {
    METHODS
        .iter()
        .find(|(_, o, _)| std::mem::discriminant(o) == std::mem::discriminant(op))
        .map(|(name, ..)| *name)
}

/// The primitive of a method name, with its number of arguments besides the receiver.
pub fn from_method(name: &str) -> Option<(Op, usize)> {
    METHODS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, op, arity)| (op.clone(), *arity))
}

/// Every method the macro differentiates, as `` `powi`, `powf`, .. `` for messages.
pub fn method_list() -> String {
    let names: Vec<String> = METHODS.iter().map(|(n, ..)| format!("`{n}`")).collect();
    names.join(", ")
}

/// One argument's part of a primitive's derivative: `± a_i' · coeff` (`coeff` `None` is 1).
///
/// A coefficient is a [`Term`] that prints as one factor: an operand, a method call, or a
/// parenthesized expression, so `y_bar * coeff` and `a_dot * coeff` need no more parentheses.
pub struct Partial {
    /// Which argument of the instruction.
    pub arg: usize,
    /// Whether the part is subtracted.
    pub neg: bool,
    pub coeff: Option<Term>,
}

impl Partial {
    fn new(arg: usize, neg: bool, coeff: Option<Term>) -> Partial {
        Partial { arg, neg, coeff }
    }
}

/// `a.name(args)`, or `f64::name(a, args)` when `a` is a literal (whose type is ambiguous).
fn method(a: &Operand, float: &TokenStream, name: &str, args: Vec<Term>) -> Term {
    let m = Ident::new(name, Span::call_site());
    match a {
        Operand::Var(_) => Term::Method(Box::new(Term::operand(a)), m, args, Span::call_site()),
        Operand::Const(..) => {
            let mut all = vec![Term::operand(a)];
            all.extend(args);
            Term::Call(quote!(#float::#m), all, Span::call_site())
        }
    }
}

/// `t.name()` at `sp`.
fn call0(t: Term, name: &str, sp: Span) -> Term {
    Term::Method(Box::new(t), Ident::new(name, sp), Vec::new(), sp)
}

/// A call of one of the shared kink conventions, `::dezero::__private::name(args..)`
/// (dezero-runtime's `kinks` module: the runtime's backward rules call the same functions).
fn kink(name: &str, args: Vec<Term>) -> Term {
    let f = Ident::new(name, Span::call_site());
    Term::Call(quote!(::dezero::__private::#f), args, Span::call_site())
}

/// The nonzero parts of the derivative of `i`, one per argument that has one (constant
/// arguments are included: each sweep skips what is not active). Empty for primitives without
/// a derivative (comparisons, casts, constants) and for calls, whose pullback is the callee's.
pub fn partials(float: &TokenStream, i: &Inst) -> Vec<Partial> {
    let (Some(&y), Some(a)) = (i.dsts.first(), i.args.first()) else {
        return Vec::new();
    };
    let sp = i.span;
    let yv = || Term::Val(Operand::Var(y));
    let av = || Term::operand(a);
    let b = i.args.get(1);
    let bv = || {
        b.map(Term::operand)
            .unwrap_or(Term::Path(TokenStream::new()))
    };
    let lit = |v: f64| Term::float(v, sp);
    let bin = |l: Term, op: BinOp, r: Term| Term::bin(l, op, r, sp);
    let paren = |t: Term| Term::paren(t, sp);
    let konst = |name: &str| {
        let c = Ident::new(name, sp);
        Term::Path(quote_spanned!(sp=> ::core::#float::consts::#c))
    };
    let one = |coeff: Term| vec![Partial::new(0, false, Some(coeff))];
    let two = |ca: Term, neg_b: bool, cb: Term| {
        vec![
            Partial::new(0, false, Some(ca)),
            Partial::new(1, neg_b, Some(cb)),
        ]
    };
    // a * a, as one factor's inside
    let square = |t: &dyn Fn() -> Term| bin(t(), Mul, t());
    match (&i.op, b) {
        // y = a + b  =>  dy = da + db
        (Op::Add, Some(_)) => vec![Partial::new(0, false, None), Partial::new(1, false, None)],
        // y = a - b  =>  dy = da - db
        (Op::Sub, Some(_)) => vec![Partial::new(0, false, None), Partial::new(1, true, None)],
        // y = a * a  =>  dy = da (2 a)   (one part; exact: doubling does not round)
        (Op::Mul, Some(b)) if b.same(a) => one(paren(bin(lit(2.0), Mul, av()))),
        // y = a * b  =>  dy = da b + db a
        (Op::Mul, Some(_)) => two(bv(), false, av()),
        // y = a / b  =>  dy = da (1 / b) - db (y / b)
        // (the reciprocal and `y / b` are forward values, off the adjoint's dependency chain)
        (Op::Div, Some(b)) => two(
            method(b, float, "recip", Vec::new()),
            true,
            paren(bin(yv(), Div, bv())),
        ),
        // y = -a  =>  dy = -da
        (Op::Neg, ..) => vec![Partial::new(0, true, None)],
        // y = a  =>  dy = da
        (Op::Copy, ..) => vec![Partial::new(0, false, None)],
        // y = a^n  =>  dy = da n a^(n - 1)
        (Op::Powi, Some(n)) => match n.int_literal().filter(|k| i32::try_from(*k).is_ok()) {
            Some(0) => Vec::new(),
            Some(1) => vec![Partial::new(0, false, None)],
            Some(2) => one(paren(bin(lit(2.0), Mul, av()))),
            Some(k) => {
                let mut k1 = proc_macro2::Literal::i64_unsuffixed(k - 1);
                k1.set_span(sp);
                let k1 = Term::Lit(term::Lit {
                    lit: k1,
                    value: None,
                });
                let pow = method(a, float, "powi", vec![k1]);
                one(paren(bin(lit(k as f64), Mul, pow)))
            }
            // n a^(n - 1), and 0 for n = 0 (the convention, dezero_runtime::kinks)
            None => one(kink("powi_slope", vec![av(), bv()])),
        },
        // y = a^b  =>  dy = da b a^(b - 1) + db y ln(a), each 0 where the conventions say so
        // (b = 0; a = 0 <= b); a nonzero literal exponent needs no check
        (Op::Powf, Some(b)) => {
            let base = if b.nonzero_float_literal() {
                let pow = method(a, float, "powf", vec![bin(bv(), Sub, lit(1.0))]);
                paren(bin(bv(), Mul, pow))
            } else {
                kink("powf_base_slope", vec![av(), bv()])
            };
            let exponent = kink("powf_exponent_slope", vec![av(), bv(), yv()]);
            two(base, false, exponent)
        }
        // y = exp(a)  =>  dy = da y
        (Op::Exp, ..) => one(yv()),
        // y = ln(a)  =>  dy = da (1 / a)
        (Op::Ln, ..) => one(method(a, float, "recip", Vec::new())),
        // y = log10(a)  =>  dy = da / (a ln 10)
        (Op::Log10, ..) => one(call0(paren(bin(av(), Mul, konst("LN_10"))), "recip", sp)),
        // y = sqrt(a)  =>  dy = da (0.5 / y)
        (Op::Sqrt, ..) => one(paren(bin(lit(0.5), Div, yv()))),
        // y = sin(a)  =>  dy = da cos(a)
        (Op::Sin, ..) => one(method(a, float, "cos", Vec::new())),
        // y = cos(a)  =>  dy = -da sin(a)
        (Op::Cos, ..) => vec![Partial::new(
            0,
            true,
            Some(method(a, float, "sin", Vec::new())),
        )],
        // y = tan(a)  =>  dy = da (1 + y^2)
        (Op::Tan, ..) => one(paren(bin(lit(1.0), Add, square(&yv)))),
        // y = tanh(a)  =>  dy = da (1 - y^2)
        (Op::Tanh, ..) => one(paren(bin(lit(1.0), Sub, square(&yv)))),
        // y = sinh(a)  =>  dy = da cosh(a)
        (Op::Sinh, ..) => one(method(a, float, "cosh", Vec::new())),
        // y = cosh(a)  =>  dy = da sinh(a)
        (Op::Cosh, ..) => one(method(a, float, "sinh", Vec::new())),
        // y = |a|  =>  dy = da sign(a), 0 at a = 0 (dezero_runtime::kinks)
        (Op::Abs, ..) => one(kink("abs_slope", vec![av()])),
        // y = 1 / a  =>  dy = -da y^2
        (Op::Recip, ..) => vec![Partial::new(0, true, Some(paren(square(&yv))))],
        // y = max(a, b)  =>  dy = da s + db (1 - s), s the share of the argument max returns:
        // 1 or 0, and 0.5 on ties (dezero_runtime::kinks); min alike
        (Op::Max | Op::Min, Some(_)) => {
            let share = if matches!(i.op, Op::Max) {
                "max_share"
            } else {
                "min_share"
            };
            let s = kink(share, vec![av(), bv()]);
            two(s.clone(), false, paren(bin(lit(1.0), Sub, s)))
        }
        // y = hypot(a, b)  =>  dy = da (a / y) + db (b / y)
        (Op::Hypot, Some(_)) => two(
            paren(bin(av(), Div, yv())),
            false,
            paren(bin(bv(), Div, yv())),
        ),
        // y = atan2(a, b)  =>  dy = (da b - db a) / (a^2 + b^2)
        (Op::Atan2, Some(_)) => {
            let r = paren(bin(square(&av), Add, square(&bv)));
            two(
                paren(bin(bv(), Div, r.clone())),
                true,
                paren(bin(av(), Div, r)),
            )
        }
        // y = atan(a)  =>  dy = da / (1 + a^2)
        (Op::Atan, ..) => one(call0(paren(bin(lit(1.0), Add, square(&av))), "recip", sp)),
        // y = asin(a)  =>  dy = da / sqrt(1 - a^2)
        (Op::Asin, ..) => one(inv_sqrt(paren(bin(lit(1.0), Sub, square(&av))), sp)),
        // y = acos(a)  =>  dy = -da / sqrt(1 - a^2)
        (Op::Acos, ..) => vec![Partial::new(
            0,
            true,
            Some(inv_sqrt(paren(bin(lit(1.0), Sub, square(&av))), sp)),
        )],
        // y = asinh(a)  =>  dy = da / sqrt(a^2 + 1)
        (Op::Asinh, ..) => one(inv_sqrt(paren(bin(square(&av), Add, lit(1.0))), sp)),
        // y = acosh(a)  =>  dy = da / sqrt(a^2 - 1)
        (Op::Acosh, ..) => one(inv_sqrt(paren(bin(square(&av), Sub, lit(1.0))), sp)),
        // y = atanh(a)  =>  dy = da / (1 - a^2)
        (Op::Atanh, ..) => one(call0(paren(bin(lit(1.0), Sub, square(&av))), "recip", sp)),
        // y = cbrt(a)  =>  dy = da / (3 y^2)
        (Op::Cbrt, ..) => one(call0(
            paren(bin(bin(lit(3.0), Mul, yv()), Mul, yv())),
            "recip",
            sp,
        )),
        // y = ln(1 + a)  =>  dy = da / (1 + a)
        (Op::Ln1p, ..) => one(call0(paren(bin(lit(1.0), Add, av())), "recip", sp)),
        // y = e^a - 1  =>  dy = da (y + 1)
        (Op::ExpM1, ..) => one(paren(bin(yv(), Add, lit(1.0)))),
        // y = 2^a  =>  dy = da y ln 2
        (Op::Exp2, ..) => one(paren(bin(yv(), Mul, konst("LN_2")))),
        // y = log2(a)  =>  dy = da / (a ln 2)
        (Op::Log2, ..) => one(call0(paren(bin(av(), Mul, konst("LN_2"))), "recip", sp)),
        // y = a b + c  =>  dy = da b + db a + dc
        (Op::MulAdd, Some(_)) => vec![
            Partial::new(0, false, Some(bv())),
            Partial::new(1, false, Some(av())),
            Partial::new(2, false, None),
        ],
        // y = clamp(a, lo, hi)  =>  dy = da [lo <= a <= hi] + dlo [a < lo] + dhi [a > hi]
        // (the bounds inclusive for a, dezero_runtime::kinks)
        (Op::Clamp, Some(_)) => {
            let hi = || {
                i.args
                    .get(2)
                    .map_or(Term::Path(TokenStream::new()), Term::operand)
            };
            vec![
                Partial::new(0, false, Some(kink("clamp_slope", vec![av(), bv(), hi()]))),
                Partial::new(1, false, Some(kink("below_share", vec![av(), bv()]))),
                Partial::new(2, false, Some(kink("above_share", vec![av(), hi()]))),
            ]
        }
        // piecewise constant: derivative 0 (also at the jumps, where it does not exist)
        (Op::Signum | Op::Floor | Op::Ceil | Op::Round | Op::Trunc, ..) => Vec::new(),
        // y = sigmoid(a)  =>  dy = da y (1 - y)
        (Op::Sigmoid, ..) => one(paren(bin(yv(), Mul, paren(bin(lit(1.0), Sub, yv()))))),
        // y = ln(1 + e^a)  =>  dy = da sigmoid(a)
        (Op::Softplus, ..) => one(Term::Call(
            quote_spanned!(sp=> ::dezero::__private::sigmoid),
            vec![av()],
            sp,
        )),
        // y = erf(a)  =>  dy = da (2 / sqrt(pi)) e^(-a^2)
        (Op::Erf, ..) => one(gauss(konst("FRAC_2_SQRT_PI"), square(&av), sp)),
        // y = erfc(a)  =>  dy = -da (2 / sqrt(pi)) e^(-a^2)
        (Op::Erfc, ..) => vec![Partial::new(
            0,
            true,
            Some(gauss(konst("FRAC_2_SQRT_PI"), square(&av), sp)),
        )],
        // constants and booleans: no derivative; a call's pullback is the callee's
        _ => Vec::new(),
    }
}

/// `t.sqrt().recip()` at `sp`.
fn inv_sqrt(t: Term, sp: Span) -> Term {
    call0(call0(t, "sqrt", sp), "recip", sp)
}

/// `(k * (-(a2)).exp())` at `sp`, `a2` the square inside.
fn gauss(k: Term, a2: Term, sp: Span) -> Term {
    let e = Term::paren(Term::Neg(Box::new(Term::paren(a2, sp)), sp), sp);
    Term::paren(Term::bin(k, Mul, call0(e, "exp", sp), sp), sp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip_through_the_table() {
        for (name, op, arity) in METHODS {
            assert_eq!(method_name(op), Some(*name));
            let (back, n) = from_method(name).expect("in the table");
            assert_eq!(method_name(&back), Some(*name));
            assert_eq!(n, *arity);
        }
        assert!(from_method("from").is_none());
        for (name, op) in MATH_FUNCTIONS {
            assert_eq!(
                math_function_name(&math_function(name).expect("listed")),
                Some(*name)
            );
            assert_eq!(math_function_name(op), Some(*name));
        }
        assert!(method_list().starts_with("`powi`, `powf`"));
    }
}
