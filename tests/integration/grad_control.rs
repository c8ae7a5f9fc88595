//! Control flow and program structure under `#[differentiable]`: `for` loops, branches, early
//! return, composition, reuse, shadowing, `let mut`, blocks, custom rules, tuple results, `f32`,
//! integer and `bool` parameters, renamed outputs. Each gradient equals the analytic one and
//! the central difference (eps 1e-6, 1e-6 relative); where the `f64` runtime can express the
//! function (not for `f32`, tuple results or integer exponents), also the runtime's (1e-12).
use dezero::functions::{cos, exp, log, sin, sqrt, tanh};
use dezero::{differentiable, Variable};

use crate::grad_common::functions::{
    clamp_soft, clamp_soft_grad, inner_grad, on2, outer, outer_grad, outer_rt, piecewise,
    piecewise_grad, taylor_sin, taylor_sin_grad, taylor_sin_rt,
};
use crate::grad_common::{assert_cd, assert_exact, assert_grad, central_diff, partials};

#[test]
fn taylor_sin_loop_differentiates_to_cos() {
    for x in [0.0, 0.5, -1.2, 2.0] {
        // 20 terms of sin x: y = sin x, dy/dx = cos x (remainder < 1e-15 for |x| <= 2)
        let (y, g) = taylor_sin_grad(x, 20);
        assert_exact(y, x.sin());
        approx::assert_relative_eq!(g, x.cos(), max_relative = 1e-12, epsilon = 1e-14);
        assert_grad(
            &[g],
            |v| taylor_sin(v[0], 20),
            |v| taylor_sin_rt(&v[0], 20),
            &[x],
        );
        // 3 terms: y = x - x^3/6 + x^5/120, dy/dx = 1 - x^2/2 + x^4/24
        let (_, g3) = taylor_sin_grad(x, 3);
        assert_exact(g3, 1.0 - x * x / 2.0 + x.powi(4) / 24.0);
    }
    // 0 terms: the loop never runs, y = 0 and dy/dx = 0
    assert_eq!(taylor_sin_grad(0.7, 0), (0.0, 0.0));
}

/// An inclusive range and a loop over a parameter-dependent range with a product recurrence.
#[differentiable]
fn rising_product(x: f64, n: u32) -> f64 {
    let mut p = 1.0;
    for i in 1..=n {
        p *= x + i as f64;
    }
    p
}

#[test]
fn inclusive_range_product() {
    // p = (x + 1)(x + 2)(x + 3); dp/dx = (x+2)(x+3) + (x+1)(x+3) + (x+1)(x+2)
    for x in [0.0, 0.5, -2.5] {
        let (p, g) = rising_product_grad(x, 3);
        assert_exact(p, (x + 1.0) * (x + 2.0) * (x + 3.0));
        assert_exact(
            g,
            (x + 2.0) * (x + 3.0) + (x + 1.0) * (x + 3.0) + (x + 1.0) * (x + 2.0),
        );
        assert_cd(g, central_diff(|x| rising_product(x, 3), x));
        // the runtime: the same product of three Variables
        let rt = |v: &[Variable]| (&v[0] + 1.0) * (&v[0] + 2.0) * (&v[0] + 3.0);
        assert_grad(&[g], |v| rising_product(v[0], 3), rt, &[x]);
    }
    // at 0: p = 6, dp/dx = 6 + 3 + 2 = 11
    assert_eq!(rising_product_grad(0.0, 3), (6.0, 11.0));
}

/// A 100-step recurrence x_{k+1} = x_k - 0.1 sin(x_k) (gradient descent on -cos).
#[differentiable]
fn recurrence(x: f64, steps: usize) -> f64 {
    let mut z = x;
    for _ in 0..steps {
        z -= 0.1 * z.sin();
    }
    z
}

#[test]
fn long_recurrence_chains_one_hundred_derivatives() {
    for x in [0.3_f64, 1.0, 2.5] {
        // dz_{k+1}/dx = (1 - 0.1 cos z_k) dz_k/dx, multiplied over 100 steps
        let (mut z, mut d) = (x, 1.0);
        for _ in 0..100 {
            d *= 1.0 - 0.1 * z.cos();
            z -= 0.1 * z.sin();
        }
        let (value, g) = recurrence_grad(x, 100);
        assert_exact(value, z);
        assert_exact(g, d);
        assert_cd(g, central_diff(|x| recurrence(x, 100), x));
        let rt = |v: &[Variable]| {
            let mut z = v[0].clone();
            for _ in 0..100 {
                z = &z - 0.1 * sin(&z);
            }
            z
        };
        assert_grad(&[g], |v| recurrence(v[0], 100), rt, &[x]);
    }
}

/// [`piecewise`] as a runtime user writes it for one value: the branch chosen by `if` (the
/// shared `piecewise_rt` masks per element).
fn piecewise_branch_rt(v: &[Variable]) -> Variable {
    let x = &v[0];
    if x.item() < 0.0 {
        x * x
    } else if x.item() < 1.0 {
        sin(x)
    } else {
        1.0_f64.sin() + (x - 1.0) * 2.0
    }
}

#[test]
fn piecewise_takes_the_derivative_of_the_branch_taken() {
    // x < 0: y = x^2, dy/dx = 2x; at -1.5: -3
    assert_eq!(piecewise_grad(-1.5), (2.25, -3.0));
    // 0 <= x < 1: y = sin x, dy/dx = cos x
    let (y, g) = piecewise_grad(0.5);
    assert_exact(y, 0.5_f64.sin());
    assert_exact(g, 0.5_f64.cos());
    // x >= 1: y = sin 1 + 2 (x - 1), dy/dx = 2
    assert_eq!(piecewise_grad(3.0).1, 2.0);
    for x in [-1.5, -0.2, 0.3, 0.9, 1.2, 4.0] {
        let (_, g) = piecewise_grad(x);
        assert_grad(&[g], |v| piecewise(v[0]), piecewise_branch_rt, &[x]);
    }
}

/// [`clamp_soft`] as a runtime user writes it for one value: early `return`s (the shared
/// `clamp_soft_rt` masks per element).
fn clamp_soft_branch_rt(v: &[Variable]) -> Variable {
    let (x, y) = (&v[0], &v[1]);
    if x.item() > y.item() {
        return x * y;
    }
    let d = y - x;
    if d.item() > 2.0 {
        return 2.0 * x;
    }
    x + &d * &d
}

#[test]
fn early_return_both_paths() {
    // x > y: f = x y, grad = (y, x); at (3, 2): (2, 3)
    assert_eq!(clamp_soft_grad(3.0, 2.0), (6.0, (2.0, 3.0)));
    // y - x > 2: f = 2x, grad = (2, 0); at (0, 5)
    assert_eq!(clamp_soft_grad(0.0, 5.0), (0.0, (2.0, 0.0)));
    // otherwise f = x + (y - x)^2, grad = (1 - 2(y - x), 2(y - x)); at (1, 2): (-1, 2)
    assert_eq!(clamp_soft_grad(1.0, 2.0), (2.0, (-1.0, 2.0)));
    for (x, y) in [(3.0, 2.0), (0.0, 5.0), (1.0, 2.0), (-0.5, 0.25)] {
        let (_, (gx, gy)) = clamp_soft_grad(x, y);
        let cd = partials(|v| clamp_soft(v[0], v[1]), &[x, y]);
        assert_cd(gx, cd[0]);
        assert_cd(gy, cd[1]);
        assert_grad(
            &[gx, gy],
            |v| clamp_soft(v[0], v[1]),
            clamp_soft_branch_rt,
            &[x, y],
        );
    }
}

#[test]
fn composition_of_annotated_functions() {
    // inner(x, y) = x e^y: d/dx = e^y, d/dy = x e^y
    let (v, (gx, gy)) = inner_grad(2.0, 0.0);
    assert_eq!((v, gx, gy), (2.0, 1.0, 2.0));
    // outer = a b + a e^0.5 with a = x e^y, b = y e^x, so a b = x y e^(x+y):
    // d/dx = (y + x y) e^(x+y) + e^y e^0.5, d/dy = (x + x y) e^(x+y) + x e^y e^0.5
    for (x, y) in [(0.5, -0.25), (1.0, 1.0), (-1.0, 0.3)] {
        let (_, (gx, gy)) = outer_grad(x, y);
        let e = (x + y).exp();
        assert_exact(gx, (y + x * y) * e + y.exp() * 0.5_f64.exp());
        assert_exact(gy, (x + x * y) * e + x * y.exp() * 0.5_f64.exp());
        assert_grad(&[gx, gy], |v| outer(v[0], v[1]), on2(outer_rt), &[x, y]);
    }
}

/// `x` used many times, through shadowing, `let mut`, compound assignment and a block.
#[differentiable]
fn reuse(x: f64) -> f64 {
    let y = x * x * x + x;
    let y = y * x - x;
    let mut acc = x;
    acc += y;
    acc -= x * 0.5;
    acc *= x;
    acc /= 2.0;
    let block = {
        let t = x + 1.0;
        t * t
    };
    acc + block + x
}

fn reuse_native(x: f64) -> f64 {
    // y = x^4 + x^2 - x; acc = (x + y - x/2) x / 2 = (x^5 + x^3 - x^2/2) / 2
    let y = (x * x * x + x) * x - x;
    (x + y - 0.5 * x) * x / 2.0 + (x + 1.0) * (x + 1.0) + x
}

fn reuse_rt(v: &[Variable]) -> Variable {
    let x = &v[0];
    let y = (x * x * x + x) * x - x;
    (x + y - 0.5 * x) * x / 2.0 + (x + 1.0) * (x + 1.0) + x
}

#[test]
fn a_variable_used_many_times_accumulates() {
    // f = (x^5 + x^3 - x^2/2) / 2 + (x + 1)^2 + x
    // df/dx = (5x^4 + 3x^2 - x) / 2 + 2(x + 1) + 1; at 1: 7/2 + 4 + 1 = 8.5
    assert_eq!(reuse_grad(1.0).1, 8.5);
    for x in [1.0, -0.6, 2.0, 0.0] {
        let (f, g) = reuse_grad(x);
        assert_exact(f, reuse_native(x));
        assert_exact(
            g,
            (5.0 * x.powi(4) + 3.0 * x * x - x) / 2.0 + 2.0 * (x + 1.0) + 1.0,
        );
        assert_grad(&[g], |v| reuse(v[0]), reuse_rt, &[x]);
    }
}

/// A custom rule: `softplus` with a hand-written, numerically stable pullback.
#[dezero::custom_vjp(softplus_pullback)]
fn softplus(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

/// d softplus / dx = sigmoid(x); the pullback scales it by the seed.
fn softplus_pullback(x: f64, seed: f64) -> f64 {
    seed * dezero::math::sigmoid(x)
}

#[differentiable]
fn uses_softplus(x: f64, y: f64) -> f64 {
    softplus(x * y) + y
}

#[test]
fn custom_vjp_rule_is_used() {
    // uses_softplus = softplus(x y) + y: d/dx = s(xy) y, d/dy = s(xy) x + 1
    for (x, y) in [(0.5, 2.0), (-1.0, 0.3), (0.0, 0.0)] {
        let (f, (gx, gy)) = uses_softplus_grad(x, y);
        let s = 1.0 / (1.0 + (-(x * y)).exp());
        assert_exact(f, (1.0 + (x * y).exp()).ln() + y);
        assert_exact(gx, s * y);
        assert_exact(gy, s * x + 1.0);
        let cd = partials(|v| uses_softplus(v[0], v[1]), &[x, y]);
        assert_cd(gx, cd[0]);
        assert_cd(gy, cd[1]);
        // the runtime differentiates ln(1 + e^(xy)) + y through its own rules
        let rt = |v: &[Variable]| log(&(1.0 + exp(&(&v[0] * &v[1])))) + &v[1];
        assert_grad(&[gx, gy], |v| uses_softplus(v[0], v[1]), rt, &[x, y]);
    }
}

/// Two outputs: polar to cartesian.
#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

#[test]
fn tuple_result_pullback_takes_one_seed_per_output() {
    // x = r cos t, y = r sin t. vjp(seed0, seed1) = seed0 (cos t, -r sin t) + seed1 (sin t, r cos t)
    for (r, t) in [(2.0, 0.5), (1.0, -1.0), (0.5, 3.0)] {
        let (gr, gt) = polar_vjp(r, t, 1.0, 0.0);
        assert_exact(gr, t.cos());
        assert_exact(gt, -r * t.sin());
        let (gr, gt) = polar_vjp(r, t, 0.0, 1.0);
        assert_exact(gr, t.sin());
        assert_exact(gt, r * t.cos());
        let (gr, gt) = polar_vjp(r, t, 2.0, -3.0);
        assert_exact(gr, 2.0 * t.cos() - 3.0 * t.sin());
        assert_exact(gt, -2.0 * r * t.sin() - 3.0 * r * t.cos());
        // the first output against the central difference
        let cd = partials(|v| polar(v[0], v[1]).0, &[r, t]);
        let (gr, gt) = polar_vjp(r, t, 1.0, 0.0);
        assert_cd(gr, cd[0]);
        assert_cd(gt, cd[1]);
    }
}

#[differentiable]
fn uses_polar(r: f64, t: f64) -> f64 {
    let (x, y) = polar(r, t);
    x * y
}

#[test]
fn tuple_results_bind_with_let() {
    // x y = r^2 cos t sin t = r^2 sin(2t) / 2: d/dr = r sin 2t, d/dt = r^2 cos 2t
    for (r, t) in [(2.0, 0.5), (1.5, -0.7)] {
        let (f, (gr, gt)) = uses_polar_grad(r, t);
        assert_exact(f, uses_polar(r, t));
        assert_exact(f, r * t.cos() * r * t.sin());
        assert_exact(gr, r * (2.0 * t).sin());
        assert_exact(gt, r * r * (2.0 * t).cos());
    }
}

/// `f32` works as well as `f64`.
#[differentiable]
fn single(x: f32, y: f32) -> f32 {
    x * x * y + y.sin()
}

#[test]
fn f32_functions_differentiate_in_f32() {
    // f = x^2 y + sin y: df/dx = 2 x y, df/dy = x^2 + cos y; at (1.5, 0.5)
    let (f, (gx, gy)): (f32, (f32, f32)) = single_grad(1.5, 0.5);
    assert_eq!(f, single(1.5, 0.5));
    approx::assert_relative_eq!(f, 1.125 + 0.5_f32.sin(), max_relative = 1e-6);
    approx::assert_relative_eq!(gx, 1.5, max_relative = 1e-6);
    approx::assert_relative_eq!(gy, 2.25 + 0.5_f32.cos(), max_relative = 1e-6);
    // vjp of a one-output f32 function with seed 2: twice the gradient
    let (vx, vy) = single_vjp(1.5, 0.5, 2.0);
    approx::assert_relative_eq!(vx, 3.0, max_relative = 1e-6);
    approx::assert_relative_eq!(vy, 2.0 * gy, max_relative = 1e-6);
}

/// Integer and `bool` parameters are constants: only `x` is differentiated.
#[differentiable]
fn scaled_power(x: f64, k: i32, scale: u8, negate: bool) -> f64 {
    let y = x.powi(k) * (scale as f64);
    if negate {
        -y
    } else {
        y
    }
}

#[test]
fn integer_and_bool_parameters_are_constants() {
    // y = 3 x^4: dy/dx = 12 x^3; at 2: y = 48, dy/dx = 96
    assert_eq!(scaled_power_grad(2.0, 4, 3, false), (48.0, 96.0));
    // negated: -48, -96
    assert_eq!(scaled_power_grad(2.0, 4, 3, true), (-48.0, -96.0));
    // vjp with one float parameter returns a bare float: seed 0.5 gives 48
    assert_eq!(scaled_power_vjp(2.0, 4, 3, false, 0.5), 48.0);
    for x in [0.5, -1.3] {
        let (_, g) = scaled_power_grad(x, 3, 2, false);
        // y = 2 x^3: dy/dx = 6 x^2
        assert_exact(g, 6.0 * x * x);
        assert_cd(g, central_diff(|x| scaled_power(x, 3, 2, false), x));
    }
}

/// `grad = ..`, `vjp = ..` rename the generated functions.
#[differentiable(grad = hyp_value_and_grad, vjp = hyp_pullback)]
fn hyp(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt() + (x * y).tanh() + (x - y).cos() + (1.0 + x * x).ln()
}

fn hyp_rt(v: &[Variable]) -> Variable {
    let (x, y) = (&v[0], &v[1]);
    sqrt(&(x * x + y * y)) + tanh(&(x * y)) + cos(&(x - y)) + log(&(1.0 + x * x))
}

#[test]
fn renamed_outputs() {
    for (x, y) in [(3.0, 4.0), (-0.5, 1.2)] {
        let (f, (gx, gy)) = hyp_value_and_grad(x, y);
        assert_exact(f, hyp(x, y));
        // d/dx = x / r + y sech^2(xy) - sin(x - y) + 2x / (1 + x^2), r = sqrt(x^2 + y^2)
        let r = (x * x + y * y).sqrt();
        let sech2 = 1.0 - (x * y).tanh().powi(2);
        assert_exact(
            gx,
            x / r + y * sech2 - (x - y).sin() + 2.0 * x / (1.0 + x * x),
        );
        assert_exact(gy, y / r + x * sech2 + (x - y).sin());
        assert_grad(&[gx, gy], |v| hyp(v[0], v[1]), hyp_rt, &[x, y]);
        let (px, py) = hyp_pullback(x, y, -2.0);
        assert_exact(px, -2.0 * gx);
        assert_exact(py, -2.0 * gy);
    }
}
