//! The functions of SPEC.md (steps 2–24 and the sigmoid/tanh notes) as `#[differentiable]`
//! functions: `<fn>_grad` equals the seeds' printed values, the runtime's gradient (1e-12
//! relative) and the central difference (eps 1e-6, 1e-6 relative); see `grad_common`.
use crate::grad_common::functions::*;
use crate::grad_common::{assert_exact, assert_grad};

#[test]
fn sphere_matches_spec_runtime_and_central_difference() {
    // z = x^2 + y^2 at (1, 1): z = 2, dz/dx = 2x = 2, dz/dy = 2y = 2 (SPEC step 24)
    let (z, (gx, gy)) = sphere_grad(1.0, 1.0);
    assert_eq!((z, gx, gy), (2.0, 2.0, 2.0));
    // at (2, 3): z = 13, dz/dx = 4, dz/dy = 6 (SPEC step 13)
    assert_eq!(sphere_grad(2.0, 3.0), (13.0, (4.0, 6.0)));
    for (x, y) in [(1.0, 1.0), (2.0, 3.0), (-0.7, 0.25), (1e-3, -4.5)] {
        let (_, (gx, gy)) = sphere_grad(x, y);
        // dz/dx = 2x, dz/dy = 2y exactly
        assert_exact(gx, 2.0 * x);
        assert_exact(gy, 2.0 * y);
        assert_grad(&[gx, gy], |v| sphere(v[0], v[1]), on2(sphere_rt), &[x, y]);
    }
}

#[test]
fn matyas_matches_spec_runtime_and_central_difference() {
    // dz/dx = 0.52 x - 0.48 y; at (1, 1): 0.04 each, printed 0.040000000000000036 (step 24)
    let (_, (gx, gy)) = matyas_grad(1.0, 1.0);
    assert_exact(gx, 0.040000000000000036);
    assert_exact(gy, 0.040000000000000036);
    for (x, y) in [(1.0, 1.0), (0.5, -2.0), (-3.0, 1.5), (0.0, 0.0)] {
        let (z, (gx, gy)) = matyas_grad(x, y);
        assert_exact(z, matyas(x, y));
        // dz/dx = 0.52 x - 0.48 y, dz/dy = 0.52 y - 0.48 x
        assert_exact(gx, 0.52 * x - 0.48 * y);
        assert_exact(gy, 0.52 * y - 0.48 * x);
        assert_grad(&[gx, gy], |v| matyas(v[0], v[1]), on2(matyas_rt), &[x, y]);
    }
}

/// The analytic gradient: with A = 1 + a^2 p, B = 30 + c^2 q (a = x+y+1, c = 2x-3y),
/// f_x = A_x B + A B_x, A_x = A_y = 2 a p + a^2 (-14 + 6x + 6y),
/// B_x = 4 c q + c^2 (-32 + 24x - 36y), B_y = -6 c q + c^2 (48 - 36x + 54y).
/// Also returns the sum of the magnitudes of every product summed, the scale of the rounding
/// error (at the local minimum (1.8, 0.2) terms of ~1e3 cancel to a gradient of ~1e-12).
fn goldstein_analytic(x: f64, y: f64) -> (f64, f64, f64) {
    let (a, c) = (x + y + 1.0, 2.0 * x - 3.0 * y);
    let p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
    let q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
    let (big_a, big_b) = (1.0 + a * a * p, 30.0 + c * c * q);
    let a_xy = 2.0 * a * p + a * a * (-14.0 + 6.0 * x + 6.0 * y);
    let b_x = 4.0 * c * q + c * c * (-32.0 + 24.0 * x - 36.0 * y);
    let b_y = -6.0 * c * q + c * c * (48.0 - 36.0 * x + 54.0 * y);
    let a_terms = (2.0 * a * p).abs() + (a * a * (-14.0 + 6.0 * x + 6.0 * y)).abs();
    let b_terms = (6.0 * c * q).abs()
        + (c * c * (-32.0 + 24.0 * x - 36.0 * y)).abs()
        + (c * c * (48.0 - 36.0 * x + 54.0 * y)).abs();
    let scale = a_terms * big_b.abs() + big_a.abs() * b_terms;
    (
        a_xy * big_b + big_a * b_x,
        a_xy * big_b + big_a * b_y,
        scale,
    )
}

#[test]
fn goldstein_price_matches_spec_runtime_and_central_difference() {
    // at (1, 1): f = 28 * 67 = 1876, grad = (-5376, 8064) (SPEC step 24)
    assert_eq!(goldstein_grad(1.0, 1.0), (1876.0, (-5376.0, 8064.0)));
    // at the global minimum (0, -1): f = 3, grad = (0, 0)
    assert_eq!(goldstein_grad(0.0, -1.0), (3.0, (0.0, 0.0)));
    for (x, y) in [
        (1.0, 1.0),
        (0.0, -1.0),
        (0.5, -0.3),
        (-1.2, 0.8),
        (1.8, 0.2),
    ] {
        let (f, (gx, gy)) = goldstein_grad(x, y);
        assert_exact(f, goldstein(x, y));
        let (ax, ay, scale) = goldstein_analytic(x, y);
        // exact up to rounding: 1e-12 relative to the summed magnitudes of the terms
        assert!(
            (gx - ax).abs() <= 1e-12 * scale.max(1.0),
            "d/dx at ({x}, {y}): {gx} vs {ax}"
        );
        assert!(
            (gy - ay).abs() <= 1e-12 * scale.max(1.0),
            "d/dy at ({x}, {y}): {gy} vs {ay}"
        );
        assert_grad(
            &[gx, gy],
            |v| goldstein(v[0], v[1]),
            on2(goldstein_rt),
            &[x, y],
        );
    }
}

#[test]
fn rosenbrock_matches_analytic_runtime_and_central_difference() {
    // at (0, 2): df/dx = -400 x (y - x^2) - 2 (1 - x) = -2, df/dy = 200 (y - x^2) = 400
    assert_eq!(rosenbrock_grad(0.0, 2.0), (401.0, (-2.0, 400.0)));
    // at the minimum (1, 1): f = 0, grad = (0, 0)
    assert_eq!(rosenbrock_grad(1.0, 1.0), (0.0, (0.0, 0.0)));
    for (x, y) in [(0.0, 2.0), (1.0, 1.0), (-1.5, 2.5), (0.3, -0.4)] {
        let (_, (gx, gy)) = rosenbrock_grad(x, y);
        assert_exact(gx, -400.0 * x * (y - x * x) - 2.0 * (1.0 - x));
        assert_exact(gy, 200.0 * (y - x * x));
        assert_grad(
            &[gx, gy],
            |v| rosenbrock(v[0], v[1]),
            on2(rosenbrock_rt),
            &[x, y],
        );
    }
}

#[test]
fn square_exp_square_matches_the_printed_values() {
    // at 0.5: y = e^0.5 = 1.648721270700128, dy/dx = 4x e^(2x^2) = 2 e^0.5 = 3.297442541400256
    let (y, g) = square_exp_square_grad(0.5);
    assert_exact(y, 1.648721270700128);
    assert_exact(g, 3.297442541400256);
    // the seeds' numerical derivative (eps 1e-4) printed 3.2974426293330694: within 1e-7
    approx::assert_relative_eq!(g, 3.2974426293330694, max_relative = 1e-7);
    for x in [0.5, -0.3, 0.0, 1.1] {
        let (_, g) = square_exp_square_grad(x);
        assert_exact(g, 4.0 * x * (2.0 * x * x).exp());
        assert_grad(
            &[g],
            |v| square_exp_square(v[0]),
            on1(square_exp_square_rt),
            &[x],
        );
    }
}

#[test]
fn sigmoid_tanh_matches_the_printed_value() {
    // dy/dx = s(t) (1 - s(t)) (1 - t^2), t = tanh x; at 1.0: 0.09112821805819912
    let (_, g) = sigmoid_tanh_grad(1.0);
    assert_exact(g, 0.09112821805819912);
    for x in [1.0, -0.4, 0.0, 2.5] {
        let (y, g) = sigmoid_tanh_grad(x);
        let t = x.tanh();
        let s = 1.0 / (1.0 + (-t).exp());
        assert_exact(y, s);
        assert_exact(g, s * (1.0 - s) * (1.0 - t * t));
        assert_grad(&[g], |v| sigmoid_tanh(v[0]), on1(sigmoid_tanh_rt), &[x]);
    }
}
