//! Forward mode (one float parameter) against reverse mode: each body is annotated twice, as
//! `f(x)` (whose `_grad`/`_vjp` run in forward mode) and as a twin `f2(x, _z)` with an unused
//! second float parameter (reverse mode). Binary primitives get both operands active, so every
//! tangent rule's two-sided form runs; loops and branches carry tangents.
//!
//! Checks: forward == reverse to 1e-12 relative (the two modes only round differently),
//! == the central difference (eps 1e-6, 1e-6 relative), the value is `f`'s bit for bit, and
//! `f_vjp(x, seed)` is exactly `seed * f_grad(x).1`.
use dezero::differentiable;

use crate::grad_common::{assert_cd, central_diff};

/// One case: the body twice (forward- and reverse-mode expansions) and a table row.
macro_rules! cases {
    ($($f:ident, $grad:ident, $vjp:ident, $f2:ident, $grad2:ident:
        |$x:ident| $body:block at [$($p:expr),+ $(,)?];)+) => {
        $(
            #[differentiable(grad = $grad, vjp = $vjp)]
            fn $f($x: f64) -> f64 $body

            #[differentiable(grad = $grad2)]
            fn $f2($x: f64, _z: f64) -> f64 $body
        )+

        /// `(name, f, f_grad, f_vjp, reverse-mode twin, its grad, points)`.
        #[allow(clippy::type_complexity)]
        fn table() -> Vec<(
            &'static str,
            fn(f64) -> f64,
            fn(f64) -> (f64, f64),
            fn(f64, f64) -> f64,
            fn(f64, f64) -> f64,
            fn(f64, f64) -> (f64, (f64, f64)),
            Vec<f64>,
        )> {
            vec![$((stringify!($f), $f, $grad, $vjp, $f2, $grad2, vec![$($p),+])),+]
        }
    };
}

cases! {
    // y = (x^2 + 1) / (sin x + 2): a / b with a and b active
    quotient, quotient_grad, quotient_vjp, quotient2, quotient2_grad:
        |x| { (x * x + 1.0) / (x.sin() + 2.0) } at [-1.3, 0.0, 0.4, 2.5];
    // y = (x^2 + 1)^cos x: powf with base and exponent active
    power, power_grad, power_vjp, power2, power2_grad:
        |x| { (x * x + 1.0).powf(x.cos()) } at [-0.8, 0.3, 1.7];
    // hypot(x, e^x) and atan2(sin x, x^2 + 0.5)
    angles, angles_grad, angles_vjp, angles2, angles2_grad:
        |x| { x.hypot(x.exp()) + x.sin().atan2(x * x + 0.5) } at [-1.1, 0.2, 0.9];
    // max(x, x^2) then min(., 2 - x), away from the kinks
    kinks, kinks_grad, kinks_vjp, kinks2, kinks2_grad:
        |x| { x.max(x * x).min(2.0 - x) } at [-3.0, -0.5, 0.5, 1.5, 3.0];
    // y = x e^x - x / 3 + x^3 - x^(-2) + sqrt(x) ln(x)
    products, products_grad, products_vjp, products2, products2_grad:
        |x| { x * x.exp() - x / 3.0 + x.powi(3) - x.powi(-2) + x.sqrt() * x.ln() } at [0.3, 1.0, 2.2];
    // a loop whose body branches on a carried value: both paths taken across iterations
    looped, looped_grad, looped_vjp, looped2, looped2_grad:
        |x| {
            let mut s = x;
            for i in 0..6 {
                if s > 1.0 {
                    s = s.sqrt() + x * (i as f64);
                } else {
                    s = s * x + 0.5;
                }
            }
            s
        } at [0.3, 0.8, 1.4];
    // early return and a loop with an integer-dependent tangent-free factor
    early, early_grad, early_vjp, early2, early2_grad:
        |x| {
            if x < 0.0 {
                return x.tanh();
            }
            let mut p = 1.0;
            let mut acc = 0.0;
            for k in 1..=4 {
                p *= x / (k as f64);
                acc += p;
            }
            acc
        } at [-0.7, 0.25, 1.9];
}

#[test]
fn forward_mode_matches_reverse_mode_and_central_differences() {
    for (name, f, grad, vjp, f2, grad2, points) in table() {
        for x in points {
            let (y, g) = grad(x);
            let (y2, (g2, gz)) = grad2(x, 0.0);
            assert_eq!(
                y.to_bits(),
                f(x).to_bits(),
                "{name}({x}): value is f's, bit for bit"
            );
            assert_eq!(
                f2(x, 0.0).to_bits(),
                y.to_bits(),
                "{name}({x}): the twin's value"
            );
            assert_eq!(y2.to_bits(), y.to_bits(), "{name}({x}): both modes' values");
            assert_eq!(gz, 0.0, "{name}: the unused parameter has no gradient");
            let scale = g.abs().max(y.abs()).max(1.0);
            assert!(
                (g - g2).abs() <= 1e-12 * scale,
                "{name}'({x}): forward {g} vs reverse {g2}"
            );
            assert_cd(g, central_diff(f, x));
            for seed in [1.0, -2.5, 0.0] {
                assert_eq!(vjp(x, seed).to_bits(), (seed * g).to_bits(), "{name}_vjp");
            }
        }
    }
}
