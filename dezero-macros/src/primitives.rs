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
//! `dezero_runtime::kinks` and called from the generated code ([`Program::kink_call`]), which
//! the runtime's backward rules use too.

use crate::ir::{Inst, Op, Operand, Program};
use proc_macro2::TokenStream;
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
/// A coefficient prints as one factor: an operand, a method call, or a parenthesized
/// expression, so `y_bar * coeff` and `a_dot * coeff` need no more parentheses.
pub struct Partial {
    /// Which argument of the instruction.
    pub arg: usize,
    /// Whether the part is subtracted.
    pub neg: bool,
    pub coeff: Option<TokenStream>,
}

impl Partial {
    fn new(arg: usize, neg: bool, coeff: Option<TokenStream>) -> Partial {
        Partial { arg, neg, coeff }
    }
}

/// The nonzero parts of the derivative of `i`, one per argument that has one (constant
/// arguments are included: each sweep skips what is not active). Empty for primitives without
/// a derivative (comparisons, casts, constants) and for calls, whose pullback is the callee's.
pub fn partials(p: &Program, float: &TokenStream, i: &Inst) -> Vec<Partial> {
    let (Some(&y), Some(a)) = (i.dsts.first(), i.args.first()) else {
        return Vec::new();
    };
    let sp = i.span;
    let yv = p.vars[y].ident();
    let av = p.tokens(a);
    let b = i.args.get(1);
    let bv = b.map(|b| p.tokens(b));
    let method =
        |o: &Operand, name: &str, args: &[TokenStream]| p.method_call(o, float, name, args);
    let one = |coeff: TokenStream| vec![Partial::new(0, false, Some(coeff))];
    let two = |ca: TokenStream, neg_b: bool, cb: TokenStream| {
        vec![
            Partial::new(0, false, Some(ca)),
            Partial::new(1, neg_b, Some(cb)),
        ]
    };
    match (&i.op, b, bv) {
        // y = a + b  =>  dy = da + db
        (Op::Add, Some(_), _) => vec![Partial::new(0, false, None), Partial::new(1, false, None)],
        // y = a - b  =>  dy = da - db
        (Op::Sub, Some(_), _) => vec![Partial::new(0, false, None), Partial::new(1, true, None)],
        // y = a * a  =>  dy = da (2 a)   (one part; exact: doubling does not round)
        (Op::Mul, Some(b), _) if b.same(a) => one(quote_spanned!(sp=> (2.0 * #av))),
        // y = a * b  =>  dy = da b + db a
        (Op::Mul, Some(_), Some(bv)) => two(bv, false, av),
        // y = a / b  =>  dy = da (1 / b) - db (y / b)
        // (the reciprocal and `y / b` are forward values, off the adjoint's dependency chain)
        (Op::Div, Some(b), Some(bv)) => two(
            method(b, "recip", &[]),
            true,
            quote_spanned!(sp=> (#yv / #bv)),
        ),
        // y = -a  =>  dy = -da
        (Op::Neg, ..) => vec![Partial::new(0, true, None)],
        // y = a  =>  dy = da
        (Op::Copy, ..) => vec![Partial::new(0, false, None)],
        // y = a^n  =>  dy = da n a^(n - 1)
        (Op::Powi, Some(n), Some(nv)) => {
            match n.int_literal().filter(|k| i32::try_from(*k).is_ok()) {
                Some(0) => Vec::new(),
                Some(1) => vec![Partial::new(0, false, None)],
                Some(2) => one(quote_spanned!(sp=> (2.0 * #av))),
                Some(k) => {
                    let kf = proc_macro2::Literal::f64_unsuffixed(k as f64);
                    let k1 = proc_macro2::Literal::i64_unsuffixed(k - 1);
                    let pow = method(a, "powi", &[quote_spanned!(sp=> #k1)]);
                    one(quote_spanned!(sp=> (#kf * #pow)))
                }
                // n a^(n - 1), and 0 for n = 0 (the convention, dezero_runtime::kinks)
                None => one(Program::kink_call("powi_slope", &[av, nv])),
            }
        }
        // y = a^b  =>  dy = da b a^(b - 1) + db y ln(a), each 0 where the conventions say so
        // (b = 0; a = 0 <= b); a nonzero literal exponent needs no check
        (Op::Powf, Some(b), Some(bv)) => {
            let base = if b.nonzero_float_literal() {
                let pow = method(a, "powf", &[quote_spanned!(sp=> #bv - 1.0)]);
                quote_spanned!(sp=> (#bv * #pow))
            } else {
                Program::kink_call("powf_base_slope", &[av.clone(), bv.clone()])
            };
            let exponent = Program::kink_call("powf_exponent_slope", &[av, bv, quote!(#yv)]);
            two(base, false, exponent)
        }
        // y = exp(a)  =>  dy = da y
        (Op::Exp, ..) => one(quote!(#yv)),
        // y = ln(a)  =>  dy = da (1 / a)
        (Op::Ln, ..) => one(method(a, "recip", &[])),
        // y = log10(a)  =>  dy = da / (a ln 10)
        (Op::Log10, ..) => one(quote_spanned!(sp=> (#av * ::core::#float::consts::LN_10).recip())),
        // y = sqrt(a)  =>  dy = da (0.5 / y)
        (Op::Sqrt, ..) => one(quote_spanned!(sp=> (0.5 / #yv))),
        // y = sin(a)  =>  dy = da cos(a)
        (Op::Sin, ..) => one(method(a, "cos", &[])),
        // y = cos(a)  =>  dy = -da sin(a)
        (Op::Cos, ..) => vec![Partial::new(0, true, Some(method(a, "sin", &[])))],
        // y = tan(a)  =>  dy = da (1 + y^2)
        (Op::Tan, ..) => one(quote_spanned!(sp=> (1.0 + #yv * #yv))),
        // y = tanh(a)  =>  dy = da (1 - y^2)
        (Op::Tanh, ..) => one(quote_spanned!(sp=> (1.0 - #yv * #yv))),
        // y = sinh(a)  =>  dy = da cosh(a)
        (Op::Sinh, ..) => one(method(a, "cosh", &[])),
        // y = cosh(a)  =>  dy = da sinh(a)
        (Op::Cosh, ..) => one(method(a, "sinh", &[])),
        // y = |a|  =>  dy = da sign(a), 0 at a = 0 (dezero_runtime::kinks)
        (Op::Abs, ..) => one(Program::kink_call("abs_slope", &[av])),
        // y = 1 / a  =>  dy = -da y^2
        (Op::Recip, ..) => vec![Partial::new(
            0,
            true,
            Some(quote_spanned!(sp=> (#yv * #yv))),
        )],
        // y = max(a, b)  =>  dy = da s + db (1 - s), s the share of the argument max returns:
        // 1 or 0, and 0.5 on ties (dezero_runtime::kinks); min alike
        (Op::Max | Op::Min, Some(_), Some(bv)) => {
            let share = if matches!(i.op, Op::Max) {
                "max_share"
            } else {
                "min_share"
            };
            let s = Program::kink_call(share, &[av, bv]);
            two(s.clone(), false, quote_spanned!(sp=> (1.0 - #s)))
        }
        // y = hypot(a, b)  =>  dy = da (a / y) + db (b / y)
        (Op::Hypot, Some(_), Some(bv)) => two(
            quote_spanned!(sp=> (#av / #yv)),
            false,
            quote_spanned!(sp=> (#bv / #yv)),
        ),
        // y = atan2(a, b)  =>  dy = (da b - db a) / (a^2 + b^2)
        (Op::Atan2, Some(_), Some(bv)) => {
            let r = quote_spanned!(sp=> (#av * #av + #bv * #bv));
            two(
                quote_spanned!(sp=> (#bv / #r)),
                true,
                quote_spanned!(sp=> (#av / #r)),
            )
        }
        // y = atan(a)  =>  dy = da / (1 + a^2)
        (Op::Atan, ..) => one(quote_spanned!(sp=> (1.0 + #av * #av).recip())),
        // y = asin(a)  =>  dy = da / sqrt(1 - a^2)
        (Op::Asin, ..) => one(quote_spanned!(sp=> (1.0 - #av * #av).sqrt().recip())),
        // y = acos(a)  =>  dy = -da / sqrt(1 - a^2)
        (Op::Acos, ..) => vec![Partial::new(
            0,
            true,
            Some(quote_spanned!(sp=> (1.0 - #av * #av).sqrt().recip())),
        )],
        // y = asinh(a)  =>  dy = da / sqrt(a^2 + 1)
        (Op::Asinh, ..) => one(quote_spanned!(sp=> (#av * #av + 1.0).sqrt().recip())),
        // y = acosh(a)  =>  dy = da / sqrt(a^2 - 1)
        (Op::Acosh, ..) => one(quote_spanned!(sp=> (#av * #av - 1.0).sqrt().recip())),
        // y = atanh(a)  =>  dy = da / (1 - a^2)
        (Op::Atanh, ..) => one(quote_spanned!(sp=> (1.0 - #av * #av).recip())),
        // y = cbrt(a)  =>  dy = da / (3 y^2)
        (Op::Cbrt, ..) => one(quote_spanned!(sp=> (3.0 * #yv * #yv).recip())),
        // y = ln(1 + a)  =>  dy = da / (1 + a)
        (Op::Ln1p, ..) => one(quote_spanned!(sp=> (1.0 + #av).recip())),
        // y = e^a - 1  =>  dy = da (y + 1)
        (Op::ExpM1, ..) => one(quote_spanned!(sp=> (#yv + 1.0))),
        // y = 2^a  =>  dy = da y ln 2
        (Op::Exp2, ..) => one(quote_spanned!(sp=> (#yv * ::core::#float::consts::LN_2))),
        // y = log2(a)  =>  dy = da / (a ln 2)
        (Op::Log2, ..) => one(quote_spanned!(sp=> (#av * ::core::#float::consts::LN_2).recip())),
        // y = a b + c  =>  dy = da b + db a + dc
        (Op::MulAdd, Some(_), Some(bv)) => vec![
            Partial::new(0, false, Some(bv)),
            Partial::new(1, false, Some(av)),
            Partial::new(2, false, None),
        ],
        // y = clamp(a, lo, hi)  =>  dy = da [lo <= a <= hi] + dlo [a < lo] + dhi [a > hi]
        // (the bounds inclusive for a, dezero_runtime::kinks)
        (Op::Clamp, Some(_), Some(lo)) => {
            let hi = i.args.get(2).map(|h| p.tokens(h)).unwrap_or_default();
            vec![
                Partial::new(
                    0,
                    false,
                    Some(Program::kink_call(
                        "clamp_slope",
                        &[av.clone(), lo.clone(), hi.clone()],
                    )),
                ),
                Partial::new(
                    1,
                    false,
                    Some(Program::kink_call("below_share", &[av.clone(), lo])),
                ),
                Partial::new(2, false, Some(Program::kink_call("above_share", &[av, hi]))),
            ]
        }
        // piecewise constant: derivative 0 (also at the jumps, where it does not exist)
        (Op::Signum | Op::Floor | Op::Ceil | Op::Round | Op::Trunc, ..) => Vec::new(),
        // y = sigmoid(a)  =>  dy = da y (1 - y)
        (Op::Sigmoid, ..) => one(quote_spanned!(sp=> (#yv * (1.0 - #yv)))),
        // y = ln(1 + e^a)  =>  dy = da sigmoid(a)
        (Op::Softplus, ..) => one(quote_spanned!(sp=> ::dezero::__private::sigmoid(#av))),
        // y = erf(a)  =>  dy = da (2 / sqrt(pi)) e^(-a^2)
        (Op::Erf, ..) => one(
            quote_spanned!(sp=> (::core::#float::consts::FRAC_2_SQRT_PI * (-(#av * #av)).exp())),
        ),
        // y = erfc(a)  =>  dy = -da (2 / sqrt(pi)) e^(-a^2)
        (Op::Erfc, ..) => vec![Partial::new(
            0,
            true,
            Some(
                quote_spanned!(sp=> (::core::#float::consts::FRAC_2_SQRT_PI * (-(#av * #av)).exp())),
            ),
        )],
        // constants and booleans: no derivative; a call's pullback is the callee's
        _ => Vec::new(),
    }
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
