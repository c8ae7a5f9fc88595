//! Memory of the pullbacks over slices, under a counting allocator (a binary of its own: the
//! allocator is global): no allocation per call for fixed-size arrays and literal loop bounds
//! once the thread's tape pool is warm, and flat memory over many calls of a pullback that
//! composes helpers and allocates its own workspaces.
#![allow(clippy::needless_range_loop)]

#[path = "../dezero-runtime/tests/counting/mod.rs"]
mod counting;

use dezero::differentiable;

/// Overwrites an array in place: the tape holds the overwritten values.
#[differentiable]
fn mixing(x: &[f64; 4]) -> f64 {
    let mut v = [0.0; 4];
    for i in 0..4 {
        v[i] = x[i].sin();
    }
    for _ in 0..3 {
        for i in 0..4 {
            v[i] = v[i] * v[(i + 1) % 4] + x[i];
        }
    }
    v.iter().sum::<f64>()
}

#[differentiable]
fn subtract(d: usize, x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = x[i] - y[i];
    }
}

#[differentiable]
fn sqnorm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

#[differentiable(wrt(y))]
fn rows_dist(n: usize, d: usize, x: &[f64], y: &[f64]) -> f64 {
    let mut ws = vec![0.0; d];
    let mut s = 0.0;
    for i in 0..n {
        subtract(d, &x[i * d..], y, &mut ws);
        s += sqnorm(&ws);
    }
    s
}

#[test]
fn a_fixed_size_pullback_allocates_nothing_once_warm() {
    let x = [0.3, -0.7, 1.1, 0.2];
    let mut g = [0.0; 4];
    mixing_vjp(&x, &mut g, 1.0); // takes the thread's tape the first time
    let before = counting::allocations();
    for _ in 0..1000 {
        mixing_vjp(&x, &mut g, 1.0);
    }
    assert_eq!(counting::allocations() - before, 0);
    assert_eq!(mixing(&x), mixing_grad(&x).0);
}

#[test]
fn memory_stays_flat_over_many_composed_pullbacks() {
    let (n, d) = (50, 4);
    let x: Vec<f64> = (0..n * d).map(|k| (k as f64 * 0.37).sin()).collect();
    let y = [0.1, 0.2, 0.3, 0.4];
    let (mut xb, mut yb) = (vec![0.0; n * d], [0.0; 4]);
    rows_dist_vjp(n, d, &x, &mut xb, &y, &mut yb, 1.0);
    let live = counting::live();
    for _ in 0..200 {
        rows_dist_vjp(n, d, &x, &mut xb, &y, &mut yb, 1.0);
    }
    assert_eq!(counting::live(), live);
    // d/dy sum_i |x_i - y|^2 = -2 sum_i (x_i - y), 201 calls added into yb
    for k in 0..d {
        let want: f64 = (0..n).map(|i| -2.0 * (x[i * d + k] - y[k])).sum();
        assert!(
            (yb[k] - 201.0 * want).abs() <= 1e-9 * want.abs().max(1.0),
            "{k}"
        );
    }
}
