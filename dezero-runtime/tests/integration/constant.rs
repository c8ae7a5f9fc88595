//! `Variable::constant`: a leaf backward gives no grad, while every other gradient is exactly
//! what it is with `Variable::new` (matmul and linear skip the constant's gradient only).

use crate::support::Rng;
use dezero_runtime::functions as F;
use dezero_runtime::{BackwardOptions, Variable};
use ndarray::ArrayD;

/// Grads of (w1, b1, w2) for a two-layer net on the batch `x`.
fn grads(x: &Variable, w1: &ArrayD<f64>, b1: &ArrayD<f64>, w2: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let (w1, b1, w2) = (
        Variable::new(w1.clone()),
        Variable::new(b1.clone()),
        Variable::new(w2.clone()),
    );
    let h = F::sigmoid(F::linear(x, &w1, Some(&b1)));
    let loss = F::softmax_cross_entropy(F::matmul(&h, &w2), &[0, 2, 1, 1]);
    loss.backward();
    [w1, b1, w2]
        .iter()
        .map(|v| v.grad().expect("a parameter gets its grad").data().clone())
        .collect()
}

#[test]
fn a_constant_input_gets_no_grad_and_changes_no_other_gradient() {
    let mut rng = Rng::new(7);
    let xs = rng.array(&[4, 5], -1.0, 1.0);
    let (w1, b1, w2) = (
        rng.array(&[5, 6], -1.0, 1.0),
        rng.array(&[6], -1.0, 1.0),
        rng.array(&[6, 3], -1.0, 1.0),
    );
    let x = Variable::new(xs.clone());
    let want = grads(&x, &w1, &b1, &w2);
    assert!(
        x.grad().is_some(),
        "Variable::new: DeZero gives every leaf a grad"
    );
    let c = Variable::constant(xs);
    let got = grads(&c, &w1, &b1, &w2);
    assert!(c.grad().is_none());
    assert!(!c.requires_grad() && x.requires_grad());
    assert_eq!(got, want, "the same computation for every other gradient");
}

#[test]
fn a_constant_in_a_recorded_backward_gets_no_grad() {
    // d/dw of sum(c · w)² with create_graph, then differentiated again: c stays without grad.
    let c = Variable::constant(ndarray::array![[1.0, 2.0]].into_dyn());
    let w = Variable::new(ndarray::array![[3.0], [4.0]].into_dyn());
    let y = F::sum(F::pow(F::matmul(&c, &w), 2.0));
    y.backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    assert!(c.grad().is_none());
    // gw = 2 (c·w) cᵀ = 2 · 11 · [1, 2]ᵀ
    let gw = w.grad().unwrap();
    assert_eq!(*gw.data(), ndarray::array![[22.0], [44.0]].into_dyn());
    w.cleargrad();
    F::sum(&gw).backward();
    // d/dw Σ 2 (c·w) cᵀ = 2 (1 + 2) cᵀ = [6, 12]ᵀ
    assert_eq!(
        *w.grad().unwrap().data(),
        ndarray::array![[6.0], [12.0]].into_dyn()
    );
    assert!(c.grad().is_none());
}
