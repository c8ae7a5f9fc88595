// Functions over slices compile without warnings and their generated code with them:
// indexing, writes, reductions, views, local buffers, calls with sub-slices, `&mut f64` and
// array results, `wrt(..)` and the runtime node.
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use dezero::differentiable;

#[differentiable]
fn subtract(d: usize, x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = x[i] - y[i];
    }
}

#[differentiable]
fn log_sum_exp(x: &[f64]) -> f64 {
    let mut mx = f64::NEG_INFINITY;
    for i in 0..x.len() {
        if mx < x[i] {
            mx = x[i];
        }
    }
    x.iter().map(|v| (v - mx).exp()).sum::<f64>().ln() + mx
}

#[differentiable(wrt(y))]
fn centred_lse(x: &[f64], y: &[f64]) -> f64 {
    let mut d = vec![0.0; x.len()];
    subtract(x.len(), x, y, &mut d);
    let t = &d[1..];
    log_sum_exp(&d) + t.iter().sum::<f64>()
}

#[differentiable]
fn norm(x: &[f64; 3], out: &mut f64) {
    *out = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
}

#[differentiable]
fn swap_scale(a: f64, x: &[f64; 2]) -> [f64; 2] {
    [a * x[1], a * x[0]]
}

pub fn main() {
    let (v, g) = centred_lse_grad(&[1.0, 2.0], &[0.5, 0.5]);
    assert!(v.is_finite() && g.len() == 2);
    let (mut xb, mut n, mut nb) = ([0.0; 3], 0.0, 1.0);
    norm_vjp(&[3.0, 4.0, 0.0], &mut xb, &mut n, &mut nb);
    assert!((xb[0] - 0.6).abs() < 1e-15 && (xb[1] - 0.8).abs() < 1e-15 && xb[2] == 0.0);
    let mut xb = [0.0; 2];
    let da = swap_scale_vjp(2.0, &[1.0, 3.0], &mut xb, [1.0, 0.0]);
    assert_eq!((da, xb), (3.0, [0.0, 2.0]));
    let x = dezero::Variable::from(vec![0.0, 0.0]);
    let y = log_sum_exp_op(&x);
    y.backward();
    assert_eq!(x.grad().unwrap().data().iter().copied().collect::<Vec<_>>(), vec![0.5, 0.5]);
}
