//! The functions several test crates differentiate, each written once: `#[differentiable]`
//! (so `<fn>_grad`, `<fn>_vjp` and `<fn>_op` exist) beside its runtime twin `<fn>_rt`, the same
//! formula composed from runtime ops on `&Variable`s of any shape.
//!
//! SPEC.md's functions (sphere, matyas, Goldstein–Price, the square/exp chain, sigmoid∘tanh)
//! and the macro's test functions (rosenbrock, Taylor sin with `n` terms, a piecewise function,
//! a function with early returns, a composition of annotated functions). The twins of the
//! functions with branches choose the branch per element with 0/1 masks, so they also hold on
//! arrays. Use [`on1`] / [`on2`] to pass a twin where a `&[Variable]` closure is expected.
#![allow(dead_code)]

use dezero::functions::{exp, sigmoid, sin, square, tanh};
use dezero::{differentiable, Variable};
use ndarray::IxDyn;

/// A one-input twin as a function of a slice of inputs (for `assert_grad`).
pub fn on1(f: fn(&Variable) -> Variable) -> impl Fn(&[Variable]) -> Variable {
    move |v| f(&v[0])
}

/// A two-input twin as a function of a slice of inputs (for `assert_grad`).
pub fn on2(f: fn(&Variable, &Variable) -> Variable) -> impl Fn(&[Variable]) -> Variable {
    move |v| f(&v[0], &v[1])
}

// ---- SPEC.md ----

/// Sphere: z = x^2 + y^2.
#[differentiable]
pub fn sphere(x: f64, y: f64) -> f64 {
    x * x + y * y
}

/// [`sphere`] from runtime ops.
pub fn sphere_rt(x: &Variable, y: &Variable) -> Variable {
    square(x) + square(y)
}

/// Matyas: z = 0.26 (x^2 + y^2) - 0.48 x y.
#[differentiable]
pub fn matyas(x: f64, y: f64) -> f64 {
    0.26 * (x * x + y * y) - 0.48 * x * y
}

/// [`matyas`] from runtime ops.
pub fn matyas_rt(x: &Variable, y: &Variable) -> Variable {
    0.26 * (square(x) + square(y)) - 0.48 * x * y
}

/// Goldstein–Price: (1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2))
///                * (30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)).
#[differentiable]
pub fn goldstein(x: f64, y: f64) -> f64 {
    let a = 1.0
        + (x + y + 1.0).powi(2)
            * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2));
    let b = 30.0
        + (2.0 * x - 3.0 * y).powi(2)
            * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y + 27.0 * y.powi(2));
    a * b
}

/// [`goldstein`] from runtime ops.
pub fn goldstein_rt(x: &Variable, y: &Variable) -> Variable {
    let a = 1.0
        + (x + y + 1.0).pow(2.0)
            * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0));
    let b = 30.0
        + (2.0 * x - 3.0 * y).pow(2.0)
            * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y + 27.0 * y.pow(2.0));
    a * b
}

/// Steps 2–6: y = square(exp(square(x))) = (e^(x^2))^2.
#[differentiable]
pub fn square_exp_square(x: f64) -> f64 {
    x.powi(2).exp().powi(2)
}

/// [`square_exp_square`] from runtime ops.
pub fn square_exp_square_rt(x: &Variable) -> Variable {
    square(exp(square(x)))
}

/// The notes' PyTorch comparison: y = sigmoid(tanh(x)).
#[differentiable]
pub fn sigmoid_tanh(x: f64) -> f64 {
    dezero::math::sigmoid(x.tanh())
}

/// [`sigmoid_tanh`] from runtime ops.
pub fn sigmoid_tanh_rt(x: &Variable) -> Variable {
    sigmoid(tanh(x))
}

// ---- the macro's test functions ----

/// Rosenbrock: f = 100 (y - x^2)^2 + (1 - x)^2.
#[differentiable]
pub fn rosenbrock(x: f64, y: f64) -> f64 {
    100.0 * (y - x * x).powi(2) + (1.0 - x).powi(2)
}

/// [`rosenbrock`] from runtime ops.
pub fn rosenbrock_rt(x: &Variable, y: &Variable) -> Variable {
    100.0 * (y - x * x).pow(2.0) + (1.0 - x).pow(2.0)
}

/// sin x by its Taylor series with `n` terms: a loop-carried `term` and `i as f64`; `n` is a
/// plain value of `_op`.
#[differentiable]
pub fn taylor_sin(x: f64, n: usize) -> f64 {
    let mut y = 0.0;
    let mut term = x;
    for i in 0..n {
        y += term;
        let k = 2.0 * (i as f64) + 2.0;
        term = -term * x * x / (k * (k + 1.0));
    }
    y
}

/// [`taylor_sin`] from runtime ops.
pub fn taylor_sin_rt(x: &Variable, n: usize) -> Variable {
    let mut y = 0.0 * x;
    let mut term = x.clone();
    for i in 0..n {
        y = &y + &term;
        let k = 2.0 * (i as f64) + 2.0;
        term = -&term * x * x / (k * (k + 1.0));
    }
    y
}

/// A piecewise function: three branches with `else if`, continuous at the joins.
#[differentiable]
pub fn piecewise(x: f64) -> f64 {
    if x < 0.0 {
        x * x
    } else if x < 1.0 {
        x.sin()
    } else {
        let s = 1.0_f64.sin();
        s + (x - 1.0) * 2.0
    }
}

/// An element-wise 0/1 mask of `cond` over `x`'s data: a constant of the graph.
fn mask(x: &Variable, cond: impl Fn(f64) -> bool) -> Variable {
    Variable::new(x.data().mapv(|v| if cond(v) { 1.0 } else { 0.0 }))
}

/// [`piecewise`] from runtime ops, the branch chosen per element by masks.
pub fn piecewise_rt(x: &Variable) -> Variable {
    let (m0, m1) = (mask(x, |v| v < 0.0), mask(x, |v| (0.0..1.0).contains(&v)));
    let m2 = mask(x, |v| v >= 1.0);
    m0 * (x * x) + m1 * sin(x) + m2 * (1.0_f64.sin() + (x - 1.0) * 2.0)
}

/// Early return: the first `return` taken decides the derivative.
#[differentiable]
pub fn clamp_soft(x: f64, y: f64) -> f64 {
    if x > y {
        return x * y;
    }
    let d = y - x;
    if d > 2.0 {
        return 2.0 * x;
    }
    x + d * d
}

/// [`clamp_soft`] from runtime ops, the branch chosen per element of the broadcast inputs.
pub fn clamp_soft_rt(x: &Variable, y: &Variable) -> Variable {
    let (xd, yd) = (x.data().clone(), y.data().clone());
    let shape = dezero::functions::add(x, y).shape();
    let (xb, yb) = (
        xd.broadcast(IxDyn(&shape)).unwrap().to_owned(),
        yd.broadcast(IxDyn(&shape)).unwrap().to_owned(),
    );
    let pick = |f: &dyn Fn(f64, f64) -> bool| {
        let mut m = xb.clone();
        ndarray::Zip::from(&mut m)
            .and(&xb)
            .and(&yb)
            .for_each(|m, &a, &b| *m = if f(a, b) { 1.0 } else { 0.0 });
        Variable::new(m)
    };
    let m0 = pick(&|a, b| a > b);
    let m1 = pick(&|a, b| a <= b && b - a > 2.0);
    let m2 = pick(&|a, b| a <= b && b - a <= 2.0);
    let d = y - x;
    m0 * (x * y) + m1 * (2.0 * x) + m2 * (x + &d * &d)
}

/// x e^y, called by [`outer`].
#[differentiable]
pub fn inner(x: f64, y: f64) -> f64 {
    x * y.exp()
}

/// Composition: annotated functions calling annotated functions.
#[differentiable]
pub fn outer(x: f64, y: f64) -> f64 {
    let a = inner(x, y);
    let b = inner(y, x);
    a * b + inner(a, 0.5)
}

/// [`outer`] from runtime ops.
pub fn outer_rt(x: &Variable, y: &Variable) -> Variable {
    let a = x * exp(y);
    let b = y * exp(x);
    &a * &b + &a * 0.5_f64.exp()
}
