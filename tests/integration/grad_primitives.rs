//! Every primitive `#[differentiable]` accepts, alone, against its analytic derivative
//! (1e-12 relative), the runtime's gradient (1e-12 relative) and the central difference
//! (eps 1e-6, 1e-6 relative), at several points inside its domain and away from kinks.
use dezero::functions as F;
use dezero::{differentiable, Variable};

use crate::grad_common::{assert_exact, assert_grad};

/// One single-input primitive: `f`, its generated `f_grad`, `f'`, and the runtime twin.
struct Unary {
    name: &'static str,
    primal: fn(f64) -> f64,
    grad: fn(f64) -> (f64, f64),
    vjp: fn(f64, f64) -> f64,
    derivative: fn(f64) -> f64,
    runtime: fn(&Variable) -> Variable,
    points: &'static [f64],
}

#[differentiable]
fn neg(x: f64) -> f64 {
    -x
}
#[differentiable]
fn exp(x: f64) -> f64 {
    x.exp()
}
#[differentiable]
fn exp_path(x: f64) -> f64 {
    f64::exp(x)
}
#[differentiable]
fn ln(x: f64) -> f64 {
    x.ln()
}
#[differentiable]
fn log10(x: f64) -> f64 {
    x.log10()
}
#[differentiable]
fn sqrt(x: f64) -> f64 {
    x.sqrt()
}
#[differentiable]
fn sin(x: f64) -> f64 {
    x.sin()
}
#[differentiable]
fn cos(x: f64) -> f64 {
    x.cos()
}
#[differentiable]
fn tan(x: f64) -> f64 {
    x.tan()
}
#[differentiable]
fn tanh(x: f64) -> f64 {
    x.tanh()
}
#[differentiable]
fn sinh(x: f64) -> f64 {
    x.sinh()
}
#[differentiable]
fn cosh(x: f64) -> f64 {
    x.cosh()
}
#[differentiable]
fn abs(x: f64) -> f64 {
    x.abs()
}
#[differentiable]
fn recip(x: f64) -> f64 {
    x.recip()
}
#[differentiable]
fn sigmoid(x: f64) -> f64 {
    dezero::math::sigmoid(x)
}
#[differentiable]
fn powi_cube(x: f64) -> f64 {
    x.powi(3)
}
#[differentiable]
fn powi_negative(x: f64) -> f64 {
    x.powi(-2)
}
#[differentiable]
fn powf_const(x: f64) -> f64 {
    x.powf(2.5)
}
#[differentiable]
fn literal_arithmetic(x: f64) -> f64 {
    (2.0 * x + 1.0) / 4.0 - 3.0
}

const POINTS: &[f64] = &[-2.0, -0.7, 0.3, 1.0, 2.5];
const POSITIVE: &[f64] = &[0.2, 0.9, 1.0, 3.7];

fn unaries() -> Vec<Unary> {
    vec![
        // d/dx (-x) = -1
        Unary {
            name: "neg",
            primal: neg,
            grad: neg_grad,
            vjp: neg_vjp,
            derivative: |_| -1.0,
            runtime: |x| -x,
            points: POINTS,
        },
        // d/dx e^x = e^x, both as a method and as the path `f64::exp(x)`
        Unary {
            name: "exp",
            primal: exp,
            grad: exp_grad,
            vjp: exp_vjp,
            derivative: f64::exp,
            runtime: |x| F::exp(x),
            points: POINTS,
        },
        Unary {
            name: "exp_path",
            primal: exp_path,
            grad: exp_path_grad,
            vjp: exp_path_vjp,
            derivative: f64::exp,
            runtime: |x| F::exp(x),
            points: POINTS,
        },
        // d/dx ln x = 1 / x
        Unary {
            name: "ln",
            primal: ln,
            grad: ln_grad,
            vjp: ln_vjp,
            derivative: |x| 1.0 / x,
            runtime: |x| F::log(x),
            points: POSITIVE,
        },
        // d/dx log10 x = 1 / (x ln 10)
        Unary {
            name: "log10",
            primal: log10,
            grad: log10_grad,
            vjp: log10_vjp,
            derivative: |x| 1.0 / (x * std::f64::consts::LN_10),
            runtime: |x| F::log10(x),
            points: POSITIVE,
        },
        // d/dx sqrt x = 1 / (2 sqrt x)
        Unary {
            name: "sqrt",
            primal: sqrt,
            grad: sqrt_grad,
            vjp: sqrt_vjp,
            derivative: |x| 0.5 / x.sqrt(),
            runtime: |x| F::sqrt(x),
            points: POSITIVE,
        },
        // d/dx sin x = cos x
        Unary {
            name: "sin",
            primal: sin,
            grad: sin_grad,
            vjp: sin_vjp,
            derivative: f64::cos,
            runtime: |x| F::sin(x),
            points: POINTS,
        },
        // d/dx cos x = -sin x
        Unary {
            name: "cos",
            primal: cos,
            grad: cos_grad,
            vjp: cos_vjp,
            derivative: |x| -x.sin(),
            runtime: |x| F::cos(x),
            points: POINTS,
        },
        // d/dx tan x = 1 + tan^2 x (away from the poles at pi/2 + k pi)
        Unary {
            name: "tan",
            primal: tan,
            grad: tan_grad,
            vjp: tan_vjp,
            derivative: |x| 1.0 + x.tan().powi(2),
            runtime: |x| F::tan(x),
            points: &[-1.2, -0.7, 0.3, 1.0],
        },
        // d/dx tanh x = 1 - tanh^2 x
        Unary {
            name: "tanh",
            primal: tanh,
            grad: tanh_grad,
            vjp: tanh_vjp,
            derivative: |x| 1.0 - x.tanh().powi(2),
            runtime: |x| F::tanh(x),
            points: POINTS,
        },
        // d/dx sinh x = cosh x
        Unary {
            name: "sinh",
            primal: sinh,
            grad: sinh_grad,
            vjp: sinh_vjp,
            derivative: f64::cosh,
            runtime: |x| F::sinh(x),
            points: POINTS,
        },
        // d/dx cosh x = sinh x
        Unary {
            name: "cosh",
            primal: cosh,
            grad: cosh_grad,
            vjp: cosh_vjp,
            derivative: f64::sinh,
            runtime: |x| F::cosh(x),
            points: POINTS,
        },
        // d/dx |x| = sign x (away from the kink at 0)
        Unary {
            name: "abs",
            primal: abs,
            grad: abs_grad,
            vjp: abs_vjp,
            derivative: f64::signum,
            runtime: |x| F::abs(x),
            points: POINTS,
        },
        // d/dx 1/x = -1 / x^2
        Unary {
            name: "recip",
            primal: recip,
            grad: recip_grad,
            vjp: recip_vjp,
            derivative: |x| -1.0 / (x * x),
            runtime: |x| F::recip(x),
            points: POINTS,
        },
        // d/dx s(x) = s(x) (1 - s(x)), s(x) = 1 / (1 + e^-x)
        Unary {
            name: "sigmoid",
            primal: sigmoid,
            grad: sigmoid_grad,
            vjp: sigmoid_vjp,
            derivative: |x| {
                let s = 1.0 / (1.0 + (-x).exp());
                s * (1.0 - s)
            },
            runtime: |x| F::sigmoid(x),
            points: POINTS,
        },
        // d/dx x^3 = 3 x^2
        Unary {
            name: "powi_cube",
            primal: powi_cube,
            grad: powi_cube_grad,
            vjp: powi_cube_vjp,
            derivative: |x| 3.0 * x * x,
            runtime: |x| x.pow(3.0),
            points: POINTS,
        },
        // d/dx x^-2 = -2 x^-3
        Unary {
            name: "powi_negative",
            primal: powi_negative,
            grad: powi_negative_grad,
            vjp: powi_negative_vjp,
            derivative: |x| -2.0 / (x * x * x),
            runtime: |x| x.pow(-2.0),
            points: POINTS,
        },
        // d/dx x^2.5 = 2.5 x^1.5
        Unary {
            name: "powf_const",
            primal: powf_const,
            grad: powf_const_grad,
            vjp: powf_const_vjp,
            derivative: |x| 2.5 * x.powf(1.5),
            runtime: |x| x.pow(2.5),
            points: POSITIVE,
        },
        // d/dx ((2x + 1) / 4 - 3) = 1/2
        Unary {
            name: "literal_arithmetic",
            primal: literal_arithmetic,
            grad: literal_arithmetic_grad,
            vjp: literal_arithmetic_vjp,
            derivative: |_| 0.5,
            runtime: |x| (2.0 * x + 1.0) / 4.0 - 3.0,
            points: POINTS,
        },
    ]
}

#[test]
fn every_unary_primitive() {
    for u in unaries() {
        for &x in u.points {
            let (y, g) = (u.grad)(x);
            assert_exact(y, (u.primal)(x));
            assert!(
                (g - (u.derivative)(x)).abs() <= 1e-12 * g.abs().max(1.0),
                "{}'({x}): generated {g}, analytic {}",
                u.name,
                (u.derivative)(x)
            );
            // vjp(x, seed) = seed f'(x)
            assert_exact((u.vjp)(x, -1.5), -1.5 * g);
            let runtime = u.runtime;
            assert_grad(&[g], |v| (u.primal)(v[0]), |v| runtime(&v[0]), &[x]);
        }
    }
}

/// One two-input primitive.
struct Binary {
    name: &'static str,
    primal: fn(f64, f64) -> f64,
    grad: fn(f64, f64) -> (f64, (f64, f64)),
    /// (df/da, df/db)
    derivative: fn(f64, f64) -> (f64, f64),
    runtime: fn(&Variable, &Variable) -> Variable,
    points: &'static [(f64, f64)],
}

#[differentiable]
fn add(a: f64, b: f64) -> f64 {
    a + b
}
#[differentiable]
fn sub(a: f64, b: f64) -> f64 {
    a - b
}
#[differentiable]
fn mul(a: f64, b: f64) -> f64 {
    a * b
}
#[differentiable]
fn div(a: f64, b: f64) -> f64 {
    a / b
}
#[differentiable]
fn powf_var(a: f64, b: f64) -> f64 {
    a.powf(b)
}
#[differentiable]
fn max(a: f64, b: f64) -> f64 {
    a.max(b)
}
#[differentiable]
fn min(a: f64, b: f64) -> f64 {
    a.min(b)
}
#[differentiable]
fn hypot(a: f64, b: f64) -> f64 {
    a.hypot(b)
}
#[differentiable]
fn atan2(a: f64, b: f64) -> f64 {
    a.atan2(b)
}
#[differentiable]
fn compound(a: f64, b: f64) -> f64 {
    let mut y = a;
    y += b;
    y *= a;
    y -= b;
    y /= b;
    y
}

const PAIRS: &[(f64, f64)] = &[(1.5, -0.5), (-2.0, 0.75), (0.3, 2.0), (-1.1, -1.7)];
const POSITIVE_BASE: &[(f64, f64)] = &[(1.5, -0.5), (2.0, 0.75), (0.3, 2.0), (1.1, -1.7)];

fn binaries() -> Vec<Binary> {
    vec![
        // a + b: (1, 1)
        Binary {
            name: "add",
            primal: add,
            grad: add_grad,
            derivative: |_, _| (1.0, 1.0),
            runtime: |a, b| a + b,
            points: PAIRS,
        },
        // a - b: (1, -1)
        Binary {
            name: "sub",
            primal: sub,
            grad: sub_grad,
            derivative: |_, _| (1.0, -1.0),
            runtime: |a, b| a - b,
            points: PAIRS,
        },
        // a b: (b, a)
        Binary {
            name: "mul",
            primal: mul,
            grad: mul_grad,
            derivative: |a, b| (b, a),
            runtime: |a, b| a * b,
            points: PAIRS,
        },
        // a / b: (1 / b, -a / b^2)
        Binary {
            name: "div",
            primal: div,
            grad: div_grad,
            derivative: |a, b| (1.0 / b, -a / (b * b)),
            runtime: |a, b| a / b,
            points: PAIRS,
        },
        // a^b: (b a^(b-1), a^b ln a), a > 0
        Binary {
            name: "powf_var",
            primal: powf_var,
            grad: powf_var_grad,
            derivative: |a, b| (b * a.powf(b - 1.0), a.powf(b) * a.ln()),
            runtime: |a, b| F::powf(a, b),
            points: POSITIVE_BASE,
        },
        // max(a, b): (1, 0) if a > b else (0, 1); no ties at these points
        Binary {
            name: "max",
            primal: max,
            grad: max_grad,
            derivative: |a, b| if a > b { (1.0, 0.0) } else { (0.0, 1.0) },
            runtime: |a, b| F::maximum(a, b),
            points: PAIRS,
        },
        // min(a, b): (1, 0) if a < b else (0, 1)
        Binary {
            name: "min",
            primal: min,
            grad: min_grad,
            derivative: |a, b| if a < b { (1.0, 0.0) } else { (0.0, 1.0) },
            runtime: |a, b| F::minimum(a, b),
            points: PAIRS,
        },
        // hypot(a, b) = sqrt(a^2 + b^2) = h: (a / h, b / h)
        Binary {
            name: "hypot",
            primal: hypot,
            grad: hypot_grad,
            derivative: |a, b| {
                let h = a.hypot(b);
                (a / h, b / h)
            },
            runtime: |a, b| F::hypot(a, b),
            points: PAIRS,
        },
        // atan2(a, b), the angle of (b, a): (b / (a^2 + b^2), -a / (a^2 + b^2))
        Binary {
            name: "atan2",
            primal: atan2,
            grad: atan2_grad,
            derivative: |a, b| {
                let r2 = a * a + b * b;
                (b / r2, -a / r2)
            },
            runtime: |a, b| F::atan2(a, b),
            points: PAIRS,
        },
        // ((a + b) a - b) / b = a^2 / b + a - 1: (2a / b + 1, -a^2 / b^2)
        Binary {
            name: "compound",
            primal: compound,
            grad: compound_grad,
            derivative: |a, b| (2.0 * a / b + 1.0, -a * a / (b * b)),
            runtime: |a, b| ((a + b) * a - b) / b,
            points: PAIRS,
        },
    ]
}

#[test]
fn every_binary_primitive() {
    for p in binaries() {
        for &(a, b) in p.points {
            let (y, (ga, gb)) = (p.grad)(a, b);
            assert_exact(y, (p.primal)(a, b));
            let (da, db) = (p.derivative)(a, b);
            for (got, want, wrt) in [(ga, da, "a"), (gb, db, "b")] {
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "d{}/d{wrt} at ({a}, {b}): generated {got}, analytic {want}",
                    p.name
                );
            }
            let runtime = p.runtime;
            assert_grad(
                &[ga, gb],
                |v| (p.primal)(v[0], v[1]),
                |v| runtime(&v[0], &v[1]),
                &[a, b],
            );
        }
    }
}
