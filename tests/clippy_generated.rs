//! The items `#[differentiable]` and `#[custom_vjp]` generate are clean under clippy's `all`,
//! `pedantic` and `nursery` groups: a user who denies them gets lints only for their own code.
//! This file is checked by `cargo clippy --all-targets -- -D warnings` (CI); the functions'
//! own bodies are written to be clean, so any lint here is in generated code. The test below
//! checks the values.
#![deny(clippy::all, clippy::pedantic, clippy::nursery)]
// Math in this file names values x, y, m, as math does; the lint is about the file's own style.
#![allow(clippy::many_single_char_names)]

use dezero::{custom_vjp, differentiable, Variable};

/// Reverse mode with products, sums, a branch, max, powf and a loop over a parameter.
#[differentiable]
fn mixed(x: f64, y: f64, n: usize) -> f64 {
    let mut s = x * y;
    let mut k = 0.0;
    for _ in 0..n {
        s = (s.sin() + k) * y;
        k += 1.0;
    }
    if s > 0.0 {
        s = s.max(x) - y.abs();
    }
    s.powf(y) + (x - y).exp() / x.powi(2).sqrt()
}

/// Forward mode (one float parameter) with a literal loop.
#[differentiable]
fn taylor(x: f64) -> f64 {
    let mut term = x;
    let mut sum = 0.0;
    let mut two_k = 0.0;
    for _ in 0..8 {
        sum += term;
        term = -term * x.powi(2) / ((two_k + 2.0) * (two_k + 3.0));
        two_k += 2.0;
    }
    sum
}

/// Loops over i32 ranges (literal bounds with a nonzero start, and a parameter bound): the
/// tapes index by `(i - lo) as usize`.
#[differentiable]
#[allow(clippy::float_cmp)] // copied onto the generated items, which repeat the comparison
fn shifted(x: f64, y: f64, m: i32) -> f64 {
    let mut s = x;
    for _ in 2..6 {
        s = (s + 1.0) * y;
    }
    for _ in -3..m {
        s = (s - x).sin();
    }
    if s == x {
        return x;
    }
    s
}

/// A call of another annotated function, and a tuple result.
#[differentiable]
fn caller(x: f64, y: f64) -> (f64, f64) {
    let m = mixed(x, y, 2);
    (m * x, taylor(y) - m)
}

/// An array result: each of its elements is a product of a parameter declared lines above.
#[differentiable]
fn scaled_pair(a: f64, x: &[f64; 2]) -> [f64; 2] {
    [a * x[1], a * x[0]]
}

/// Slices, a `&mut` buffer and a costly value in a loop (kept on the tape).
#[differentiable(wrt(a, x))]
fn exp_weights(a: f64, x: &[f64], out: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        out[i] = (a * x[i]).exp();
        s += out[i] * x[i];
    }
    s
}

/// A hand-written pullback.
#[custom_vjp(soft_pullback)]
fn soft(x: f64, eps: f64) -> f64 {
    x.hypot(eps)
}

fn soft_pullback(x: f64, eps: f64, seed: f64) -> (f64, f64) {
    let r = x.hypot(eps);
    (seed * x / r, seed * eps / r)
}

#[test]
#[allow(clippy::float_cmp)] // the values compared are exact
fn generated_items_compute_as_usual() {
    // taylor(x) is the 8-term Taylor sine: at 0.5 it equals sin and its derivative cos
    let (v, d) = taylor_grad(0.5);
    approx::assert_relative_eq!(v, 0.5_f64.sin(), max_relative = 1e-14);
    approx::assert_relative_eq!(d, 0.5_f64.cos(), max_relative = 1e-12);
    // d(m x)/dx = (dm/dx) x + m, the first output's row of caller's Jacobian
    let (m, (mx, _)) = mixed_grad(1.5, 0.7, 2);
    let (first, _) = caller(1.5, 0.7);
    approx::assert_relative_eq!(first, m * 1.5, max_relative = 1e-14);
    let (ax, _) = caller_vjp(1.5, 0.7, 1.0, 0.0);
    approx::assert_relative_eq!(ax, mx.mul_add(1.5, m), max_relative = 1e-12);
    // shifted with an empty second loop (m = -3): s = (((x + 1) y + 1) y + 1) y + 1) y, four
    // times: 3, 8, 18, 38 at (0.5, 2)
    let (v, (gx, _)) = shifted_grad(0.5, 2.0, -3);
    assert_eq!(v, 38.0);
    // ds/dx = y^4 = 16
    assert_eq!(gx, 16.0);
    assert_eq!(scaled_pair(2.0, &[3.0, 5.0]), [10.0, 6.0]);
    let mut out = [0.0; 2];
    assert_eq!(exp_weights(0.0, &[1.0, 2.0], &mut out), 3.0);
    // d(a x1, a x0) / da seeded with (1, 0) is x1
    let mut x_bar = [0.0; 2];
    let a_bar = scaled_pair_vjp(2.0, &[3.0, 5.0], &mut x_bar, [1.0, 0.0]);
    assert_eq!((a_bar, x_bar), (5.0, [0.0, 2.0]));
    // s = sum x e^(a x): ds/da = sum x^2 e^(a x), at a = 0 the sum of squares
    let (mut x_bar, mut out, mut out_bar) = ([0.0; 2], [0.0; 2], [0.0; 2]);
    let a_bar = exp_weights_vjp(0.0, &[1.0, 2.0], &mut x_bar, &mut out, &mut out_bar, 1.0);
    assert_eq!((a_bar, x_bar), (5.0, [1.0, 1.0]));
    let (x, eps) = (Variable::from(3.0), Variable::from(4.0));
    let z = soft_op(&x, &eps);
    z.backward();
    assert_eq!((z.item(), x.grad().unwrap().item()), (5.0, 0.6));
}
