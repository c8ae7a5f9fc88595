//! `<fn>_op`: a `#[differentiable]` (or `#[custom_vjp]`) function applied to runtime variables
//! as ONE graph node. Its value and gradients equal the runtime composition of the same formula
//! and the generated `_grad` element by element (exactly). Tolerance against the composition,
//! as in tests/grad_common: 1e-12 relative to max(1, |value|, |gradient|) where |value| is the
//! largest output (at Goldstein–Price's local minimum (1.8, 0.2) terms of ~1e3 cancel to a
//! gradient of ~1e-12, whose rounding differs with the order of operations).
//! The exhaustive comparison (sizes, every SPEC function) lives in tests/integration/fused.rs.
use dezero::functions::sqrt;
use dezero::{custom_vjp, Variable};
use ndarray::{array, ArrayD, IxDyn};

use crate::grad_common::functions::{
    goldstein_grad, goldstein_op, goldstein_rt, taylor_sin_grad, taylor_sin_op,
};

/// sqrt(x² + eps) with a hand-written pullback.
#[custom_vjp(smooth_abs_pullback)]
fn smooth_abs(x: f64, eps: f64) -> f64 {
    (x * x + eps).sqrt()
}

fn smooth_abs_pullback(x: f64, eps: f64, seed: f64) -> (f64, f64) {
    let r = (x * x + eps).sqrt();
    (seed * x / r, seed * 0.5 / r)
}

fn assert_close(a: &ArrayD<f64>, b: &ArrayD<f64>, value_scale: f64, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    for (p, q) in a.iter().zip(b) {
        let scale = value_scale.max(1.0).max(p.abs()).max(q.abs());
        assert!((p - q).abs() <= 1e-12 * scale, "{what}: {p} vs {q}");
    }
}

fn grad(v: &Variable) -> ArrayD<f64> {
    v.grad().expect("a gradient").data().clone()
}

/// Runs `fused` and `composed` on fresh copies of `x`, `y`; compares value and both gradients.
fn compare(
    x: ArrayD<f64>,
    y: ArrayD<f64>,
    fused: impl Fn(&Variable, &Variable) -> Variable,
    composed: impl Fn(&Variable, &Variable) -> Variable,
) {
    let (x1, y1) = (Variable::new(x.clone()), Variable::new(y.clone()));
    let (x2, y2) = (Variable::new(x), Variable::new(y));
    let (z1, z2) = (fused(&x1, &y1), composed(&x2, &y2));
    assert_close(&z1.data(), &z2.data(), 1.0, "value");
    let value_scale = z2.data().iter().fold(0f64, |m, v| m.max(v.abs()));
    z1.backward();
    z2.backward();
    assert_close(&grad(&x1), &grad(&x2), value_scale, "dz/dx");
    assert_close(&grad(&y1), &grad(&y2), value_scale, "dz/dy");
}

#[test]
fn goldstein_op_at_the_minimum_matches_spec() {
    // SPEC step 24: Goldstein–Price at (1, 1) is 1876, gradient (-5376, 8064)
    let (x, y) = (Variable::from(1.0), Variable::from(1.0));
    let z = goldstein_op(&x, &y);
    z.backward();
    assert_eq!(z.item(), 1876.0);
    assert_eq!(x.grad().unwrap().item(), -5376.0);
    assert_eq!(y.grad().unwrap().item(), 8064.0);
    // the global minimum f(0, -1) = 3 with gradient 0
    let (x, y) = (Variable::from(0.0), Variable::from(-1.0));
    let z = goldstein_op(&x, &y);
    z.backward();
    assert_eq!(z.item(), 3.0);
    assert_eq!(
        (x.grad().unwrap().item(), y.grad().unwrap().item()),
        (0.0, 0.0)
    );
}

#[test]
fn goldstein_op_equals_the_runtime_composition_on_arrays() {
    let x = array![-2.0, -0.5, 0.0, 0.3, 1.0, 1.8].into_dyn();
    let y = array![1.5, -1.0, -1.0, 0.7, 1.0, 0.2].into_dyn();
    compare(x, y, goldstein_op, goldstein_rt);
}

#[test]
fn goldstein_op_broadcasts_like_the_runtime() {
    // column (3, 1) against row (4,): a (3, 4) grid; gradients summed back to each shape
    let x = array![[-1.0], [0.0], [1.5]].into_dyn();
    let y = array![-1.0, -0.25, 0.5, 2.0].into_dyn();
    compare(x, y, goldstein_op, goldstein_rt);
    // a 0-dim variable against a matrix
    let x = ArrayD::from_elem(IxDyn(&[]), 0.4);
    let y = array![[0.1, -0.2], [0.3, -1.1]].into_dyn();
    compare(x, y, goldstein_op, goldstein_rt);
}

#[test]
fn goldstein_op_matches_goldstein_grad_element_by_element() {
    let xs = [-1.5, 0.0, 0.25, 1.8];
    let ys = [0.5, -1.0, 2.0, 0.2];
    let (x, y) = (Variable::from(xs.to_vec()), Variable::from(ys.to_vec()));
    let z = goldstein_op(&x, &y);
    z.backward();
    let (gx, gy) = (grad(&x), grad(&y));
    for k in 0..xs.len() {
        let (v, (dx, dy)) = goldstein_grad(xs[k], ys[k]);
        assert_eq!(z.data()[[k]], v);
        assert_eq!((gx[[k]], gy[[k]]), (dx, dy));
    }
}

#[test]
fn the_node_is_one_function_named_after_the_rust_function() {
    let (x, y) = (Variable::from(vec![1.0, 2.0]), Variable::from(0.5));
    let z = goldstein_op(&x, &y);
    let node = z.creator().expect("a creator");
    assert_eq!(node.name(), "goldstein");
    assert_eq!(node.inputs().len(), 2);
    assert!(node.inputs()[0].ptr_eq(&x) && node.inputs()[1].ptr_eq(&y));
    // the inputs are leaves: the whole formula is one node deep
    assert!(node.inputs().iter().all(|v| v.creator().is_none()));
    assert_eq!(z.generation(), 1);
    // under no_grad nothing is recorded
    let _guard = dezero::no_grad();
    assert!(goldstein_op(&x, &y).creator().is_none());
}

#[test]
fn taylor_sin_op_takes_the_term_count_as_a_plain_value() {
    // 20 terms of the series: sin and its derivative cos to rounding on [-2, 2]
    let xs = [-2.0, -0.7, 0.0, 0.5, std::f64::consts::FRAC_PI_2, 2.0];
    let x = Variable::from(xs.to_vec());
    let y = taylor_sin_op(&x, 20);
    y.backward();
    assert_eq!(y.creator().unwrap().name(), "taylor_sin");
    let gx = grad(&x);
    for (k, &xk) in xs.iter().enumerate() {
        assert!((y.data()[[k]] - xk.sin()).abs() < 1e-15, "sin({xk})");
        assert!((gx[[k]] - xk.cos()).abs() < 1e-15, "cos({xk})");
        assert_eq!((y.data()[[k]], gx[[k]]), taylor_sin_grad(xk, 20));
    }
    // two terms: x - x³/6, derivative 1 - x²/2; at 0.5: 0.4791666.., 0.875
    let x = Variable::from(0.5);
    let y = taylor_sin_op(&x, 2);
    y.backward();
    assert_eq!(y.item(), 0.5 - 0.125 / 6.0);
    assert_eq!(x.grad().unwrap().item(), 0.875);
}

#[test]
fn custom_vjp_functions_get_an_op_too() {
    let composed = |x: &Variable, eps: &Variable| sqrt(&(x * x + eps));
    let x = array![-3.0, -0.1, 0.0, 0.2, 4.0].into_dyn();
    let eps = ArrayD::from_elem(IxDyn(&[]), 1e-2);
    compare(x, eps, smooth_abs_op, composed);
    let z = smooth_abs_op(&Variable::from(3.0), &Variable::from(16.0));
    assert_eq!(z.item(), 5.0);
    assert_eq!(z.creator().unwrap().name(), "smooth_abs");
}

#[test]
fn an_op_composes_with_runtime_ops_in_one_graph() {
    // loss = sum(goldstein(x, y)) / n; dloss/dx = goldstein_x / n per element
    let xs = [0.0, 1.0, -0.5];
    let ys = [-1.0, 1.0, 0.25];
    let (x, y) = (Variable::from(xs.to_vec()), Variable::from(ys.to_vec()));
    let loss = dezero::functions::sum(goldstein_op(&x, &y)) / 3.0;
    loss.backward();
    let gx = grad(&x);
    for k in 0..3 {
        let (_, (dx, _)) = goldstein_grad(xs[k], ys[k]);
        assert!((gx[[k]] - dx / 3.0).abs() <= 1e-12 * dx.abs().max(1.0));
    }
}

/// Parameters named like the function (`sphere`) or its companions (`named_vjp`, `named_op`),
/// and an integer parameter named `seed`: `_op`'s body still calls the function and its pullback.
#[dezero::differentiable]
fn sphere(sphere: f64, y: f64) -> f64 {
    sphere * sphere + y * y
}

#[dezero::differentiable]
fn named(named_vjp: f64, named_op: f64, named_grad: f64) -> f64 {
    named_vjp * named_op + named_grad
}

#[dezero::differentiable]
fn seeded(x: f64, seed: i32) -> f64 {
    x.powi(seed)
}

#[test]
fn parameters_named_like_the_companions_do_not_shadow_them() {
    let (a, b) = (Variable::from(3.0), Variable::from(4.0));
    let z = sphere_op(&a, &b);
    z.backward();
    // z = a^2 + b^2 at (3, 4): 25, gradient (6, 8)
    assert_eq!(z.item(), 25.0);
    assert_eq!(
        (a.grad().unwrap().item(), b.grad().unwrap().item()),
        (6.0, 8.0)
    );

    let (p, q, r) = (
        Variable::from(2.0),
        Variable::from(5.0),
        Variable::from(1.0),
    );
    let z = named_op(&p, &q, &r);
    z.backward();
    // z = p q + r at (2, 5, 1): 11, gradient (5, 2, 1)
    assert_eq!(z.item(), 11.0);
    let g = |v: &Variable| v.grad().unwrap().item();
    assert_eq!((g(&p), g(&q), g(&r)), (5.0, 2.0, 1.0));

    let x = Variable::from(2.0);
    let z = seeded_op(&x, 3);
    z.backward();
    // z = x^3 at 2: 8, dz/dx = 3 x^2 = 12
    assert_eq!((z.item(), x.grad().unwrap().item()), (8.0, 12.0));
}
