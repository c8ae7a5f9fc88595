//! The elementary functions beyond the first primitives (`atan`, `asin`, .., `cbrt`, `ln_1p`,
//! `exp_m1`, `exp2`, `log2`, the rounding functions, `mul_add`, `clamp`, and `dezero::math`'s
//! `softplus`, `erf`, `erfc`), each in forward mode (one float parameter), in reverse mode (a
//! two-parameter twin), against the analytic derivative (1e-12 relative), the runtime's twin
//! (value and gradient, 1e-12), the central difference (eps 1e-6, 1e-6 relative), and the
//! runtime's second derivative by double backprop against a central difference of its first.
use dezero::functions as F;
use dezero::{differentiable, math, BackwardOptions, Variable};

use crate::grad_common::{assert_cd, assert_exact, central_diff};

macro_rules! elementary {
    ($($name:ident, $rev:ident: |$x:ident| $body:expr;)*) => {
        $(
            #[differentiable]
            fn $name($x: f64) -> f64 {
                $body
            }
            #[differentiable]
            fn $rev($x: f64, w: f64) -> f64 {
                w * $body
            }
        )*
    };
}

elementary! {
    atan_f, atan_r: |x| x.atan();
    asin_f, asin_r: |x| x.asin();
    acos_f, acos_r: |x| x.acos();
    asinh_f, asinh_r: |x| x.asinh();
    acosh_f, acosh_r: |x| x.acosh();
    atanh_f, atanh_r: |x| x.atanh();
    cbrt_f, cbrt_r: |x| x.cbrt();
    ln_1p_f, ln_1p_r: |x| x.ln_1p();
    exp_m1_f, exp_m1_r: |x| x.exp_m1();
    exp2_f, exp2_r: |x| x.exp2();
    log2_f, log2_r: |x| x.log2();
    softplus_f, softplus_r: |x| math::softplus(x);
    erf_f, erf_r: |x| math::erf(x);
    erfc_f, erfc_r: |x| dezero::math::erfc(x);
    floor_f, floor_r: |x| x.floor() * x;
    ceil_f, ceil_r: |x| x.ceil() * x;
    round_f, round_r: |x| x.round() * x;
    trunc_f, trunc_r: |x| x.trunc() * x;
    signum_f, signum_r: |x| x.signum() * x;
}

type Grad = fn(f64) -> (f64, f64);
type RevGrad = fn(f64, f64) -> (f64, (f64, f64));

struct Case {
    name: &'static str,
    primal: fn(f64) -> f64,
    grad: Grad,
    rev: RevGrad,
    derivative: fn(f64) -> f64,
    runtime: fn(&Variable) -> Variable,
    points: &'static [f64],
}

const INSIDE_UNIT: &[f64] = &[-0.7, -0.2, 0.3, 0.9];
const ANY: &[f64] = &[-2.3, -0.4, 0.6, 1.7];
const ABOVE_ONE: &[f64] = &[1.2, 2.0, 3.5];
const POSITIVE: &[f64] = &[0.3, 1.0, 4.5];
/// Away from the rounding functions' jumps (and from 0 for signum).
const OFF_JUMPS: &[f64] = &[-2.3, -0.4, 0.6, 1.7];

fn cases() -> Vec<Case> {
    vec![
        // d atan = 1 / (1 + x^2)
        Case {
            name: "atan",
            primal: atan_f,
            grad: atan_f_grad,
            rev: atan_r_grad,
            derivative: |x| 1.0 / (1.0 + x * x),
            runtime: |x| F::atan(x),
            points: ANY,
        },
        // d asin = 1 / sqrt(1 - x^2)
        Case {
            name: "asin",
            primal: asin_f,
            grad: asin_f_grad,
            rev: asin_r_grad,
            derivative: |x| 1.0 / (1.0 - x * x).sqrt(),
            runtime: |x| F::asin(x),
            points: INSIDE_UNIT,
        },
        // d acos = -1 / sqrt(1 - x^2)
        Case {
            name: "acos",
            primal: acos_f,
            grad: acos_f_grad,
            rev: acos_r_grad,
            derivative: |x| -1.0 / (1.0 - x * x).sqrt(),
            runtime: |x| F::acos(x),
            points: INSIDE_UNIT,
        },
        // d asinh = 1 / sqrt(x^2 + 1)
        Case {
            name: "asinh",
            primal: asinh_f,
            grad: asinh_f_grad,
            rev: asinh_r_grad,
            derivative: |x| 1.0 / (x * x + 1.0).sqrt(),
            runtime: |x| F::asinh(x),
            points: ANY,
        },
        // d acosh = 1 / sqrt(x^2 - 1)
        Case {
            name: "acosh",
            primal: acosh_f,
            grad: acosh_f_grad,
            rev: acosh_r_grad,
            derivative: |x| 1.0 / (x * x - 1.0).sqrt(),
            runtime: |x| F::acosh(x),
            points: ABOVE_ONE,
        },
        // d atanh = 1 / (1 - x^2)
        Case {
            name: "atanh",
            primal: atanh_f,
            grad: atanh_f_grad,
            rev: atanh_r_grad,
            derivative: |x| 1.0 / (1.0 - x * x),
            runtime: |x| F::atanh(x),
            points: INSIDE_UNIT,
        },
        // d cbrt = 1 / (3 cbrt(x)^2), negative x included
        Case {
            name: "cbrt",
            primal: cbrt_f,
            grad: cbrt_f_grad,
            rev: cbrt_r_grad,
            derivative: |x| 1.0 / (3.0 * x.cbrt() * x.cbrt()),
            runtime: |x| F::cbrt(x),
            points: ANY,
        },
        // d ln(1 + x) = 1 / (1 + x)
        Case {
            name: "ln_1p",
            primal: ln_1p_f,
            grad: ln_1p_f_grad,
            rev: ln_1p_r_grad,
            derivative: |x| 1.0 / (1.0 + x),
            runtime: |x| F::log1p(x),
            points: POSITIVE,
        },
        // d (e^x - 1) = e^x
        Case {
            name: "exp_m1",
            primal: exp_m1_f,
            grad: exp_m1_f_grad,
            rev: exp_m1_r_grad,
            derivative: f64::exp,
            runtime: |x| F::expm1(x),
            points: ANY,
        },
        // d 2^x = 2^x ln 2
        Case {
            name: "exp2",
            primal: exp2_f,
            grad: exp2_f_grad,
            rev: exp2_r_grad,
            derivative: |x| x.exp2() * std::f64::consts::LN_2,
            runtime: |x| F::exp2(x),
            points: ANY,
        },
        // d log2 x = 1 / (x ln 2)
        Case {
            name: "log2",
            primal: log2_f,
            grad: log2_f_grad,
            rev: log2_r_grad,
            derivative: |x| 1.0 / (x * std::f64::consts::LN_2),
            runtime: |x| F::log2(x),
            points: POSITIVE,
        },
        // d softplus = sigmoid
        Case {
            name: "softplus",
            primal: softplus_f,
            grad: softplus_f_grad,
            rev: softplus_r_grad,
            derivative: |x| 1.0 / (1.0 + (-x).exp()),
            runtime: |x| F::softplus(x),
            points: ANY,
        },
        // d erf = 2/sqrt(pi) e^(-x^2)
        Case {
            name: "erf",
            primal: erf_f,
            grad: erf_f_grad,
            rev: erf_r_grad,
            derivative: |x| std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp(),
            runtime: |x| F::erf(x),
            points: ANY,
        },
        // d erfc = -2/sqrt(pi) e^(-x^2)
        Case {
            name: "erfc",
            primal: erfc_f,
            grad: erfc_f_grad,
            rev: erfc_r_grad,
            derivative: |x| -std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp(),
            runtime: |x| F::erfc(x),
            points: ANY,
        },
        // d (floor(x) x) = floor(x): the rounding functions have derivative 0
        Case {
            name: "floor",
            primal: floor_f,
            grad: floor_f_grad,
            rev: floor_r_grad,
            derivative: f64::floor,
            runtime: |x| F::floor(x) * x,
            points: OFF_JUMPS,
        },
        Case {
            name: "ceil",
            primal: ceil_f,
            grad: ceil_f_grad,
            rev: ceil_r_grad,
            derivative: f64::ceil,
            runtime: |x| F::ceil(x) * x,
            points: OFF_JUMPS,
        },
        Case {
            name: "round",
            primal: round_f,
            grad: round_f_grad,
            rev: round_r_grad,
            derivative: f64::round,
            runtime: |x| F::round(x) * x,
            points: OFF_JUMPS,
        },
        Case {
            name: "trunc",
            primal: trunc_f,
            grad: trunc_f_grad,
            rev: trunc_r_grad,
            derivative: f64::trunc,
            runtime: |x| F::trunc(x) * x,
            points: OFF_JUMPS,
        },
        Case {
            name: "signum",
            primal: signum_f,
            grad: signum_f_grad,
            rev: signum_r_grad,
            derivative: f64::signum,
            runtime: |x| F::sign(x) * x,
            points: OFF_JUMPS,
        },
    ]
}

/// Value and first derivative of the runtime twin, and its second derivative by double
/// backprop (`create_graph`).
fn runtime_derivatives(f: fn(&Variable) -> Variable, x0: f64) -> (f64, f64, f64) {
    let x = Variable::from(x0);
    let y = f(&x);
    y.backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = x.grad().expect("a gradient");
    x.cleargrad();
    gx.backward();
    let second = x.grad().map_or(0.0, |g| g.item());
    (y.item(), gx.item(), second)
}

#[test]
fn every_elementary_function_in_every_engine() {
    for c in cases() {
        for &x in c.points {
            let (v, d) = (c.grad)(x);
            assert_exact(v, (c.primal)(x));
            let want = (c.derivative)(x);
            assert!(
                (d - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{}'({x}): generated {d}, analytic {want}",
                c.name
            );
            // reverse mode: f = w g(x), df/dx = w g'(x), df/dw = g(x), at w = 1.5
            let (rv, (rx, rw)) = (c.rev)(x, 1.5);
            assert_exact(rv, 1.5 * v);
            assert_exact(rx, 1.5 * d);
            assert_exact(rw, v);
            assert_cd(d, central_diff(c.primal, x));
            // the runtime twin: value, gradient, and a second derivative that matches the
            // central difference of its first
            let (rt_v, rt_d, rt_dd) = runtime_derivatives(c.runtime, x);
            assert_exact(rt_v, v);
            assert_exact(rt_d, d);
            let first = |t: f64| runtime_derivatives(c.runtime, t).1;
            approx::assert_relative_eq!(
                rt_dd,
                central_diff(first, x),
                max_relative = 1e-5,
                epsilon = 1e-6
            );
        }
    }
}

#[differentiable]
fn mul_add_r(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

#[differentiable]
fn clamp_r(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}

#[test]
fn mul_add_and_clamp() {
    // a b + c at (2, 3, 1): 7, gradient (b, a, 1) = (3, 2, 1); the runtime's MulAdd agrees
    assert_eq!(mul_add_r_grad(2.0, 3.0, 1.0), (7.0, (3.0, 2.0, 1.0)));
    let (a, b, c) = (
        Variable::from(2.0),
        Variable::from(3.0),
        Variable::from(1.0),
    );
    let y = F::mul_add(&a, &b, &c);
    y.backward();
    let g = |v: &Variable| v.grad().unwrap().item();
    assert_eq!((y.item(), g(&a), g(&b), g(&c)), (7.0, 3.0, 2.0, 1.0));
    // clamp: all of the gradient to x on the closed interval, else to the bound it returns
    assert_eq!(clamp_r_grad(0.5, 0.0, 1.0), (0.5, (1.0, 0.0, 0.0)));
    assert_eq!(clamp_r_grad(0.0, 0.0, 1.0), (0.0, (1.0, 0.0, 0.0)));
    assert_eq!(clamp_r_grad(1.0, 0.0, 1.0), (1.0, (1.0, 0.0, 0.0)));
    assert_eq!(clamp_r_grad(-2.0, 0.0, 1.0), (0.0, (0.0, 1.0, 0.0)));
    assert_eq!(clamp_r_grad(3.0, 0.0, 1.0), (1.0, (0.0, 0.0, 1.0)));
}
