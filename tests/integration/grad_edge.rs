//! Edge cases of `#[differentiable]`: trivial bodies, unused and `mut` parameters, empty
//! loops, nested loops with loop-carried values at both levels, shadowing and calls inside
//! loops and branches, nested early returns, ties of `max`/`min`, f32 loops. Each gradient is
//! checked against its analytic value (1e-12 relative) and the central difference (eps 1e-6,
//! 1e-6 relative), see `grad_common`.
use dezero::differentiable;

use crate::grad_common::{assert_cd, assert_exact, central_diff, partials};

#[differentiable]
fn identity(x: f64) -> f64 {
    x
}

#[differentiable]
fn constant(x: f64) -> f64 {
    let _unused = x;
    3.0
}

#[differentiable]
fn ignores_y(x: f64, y: f64) -> f64 {
    let _ = y;
    x * 2.0
}

#[test]
fn trivial_bodies() {
    // f = x: f' = 1
    assert_eq!(identity_grad(4.0), (4.0, 1.0));
    // f = 3: f' = 0
    assert_eq!(constant_grad(4.0), (3.0, 0.0));
    // f = 2x: grad = (2, 0) with y unused
    assert_eq!(ignores_y_grad(1.5, -7.0), (3.0, (2.0, 0.0)));
    assert_eq!(identity(1.0) + constant(1.0) + ignores_y(1.0, 0.0), 6.0);
}

/// A `mut` parameter updated in place.
#[differentiable]
fn mut_param(mut x: f64, y: f64) -> f64 {
    x *= y;
    x += 1.0;
    x * x
}

#[test]
fn mut_parameter() {
    // f = (x y + 1)^2: df/dx = 2 (x y + 1) y, df/dy = 2 (x y + 1) x; at (2, 3): 49, (42, 28)
    assert_eq!(mut_param_grad(2.0, 3.0), (49.0, (42.0, 28.0)));
    assert_eq!(mut_param(2.0, 3.0), 49.0);
}

/// Loops whose bounds leave them empty (`5..n` with n <= 5, `3..=m` with m < 3) run zero times.
#[differentiable]
fn empty_loops(x: f64, n: usize, m: usize) -> f64 {
    let mut y = x;
    for _ in 5..n {
        y *= x;
    }
    for _ in 3..=m {
        y *= x;
    }
    y
}

#[test]
fn empty_loops_leave_the_value_alone() {
    // n = 2 < 5, m = 2 < 3: no iteration, f = x, f' = 1
    assert_eq!(empty_loops_grad(1.7, 2, 2), (1.7, 1.0));
    // n = 7, m = 2: two iterations of y *= x, f = x^3, f' = 3 x^2; at 2: (8, 12)
    assert_eq!(empty_loops_grad(2.0, 7, 2), (8.0, 12.0));
    // n = 5, m = 3: one iteration of the second loop, f = x^2, f' = 2x
    assert_eq!(empty_loops_grad(2.0, 5, 3), (4.0, 4.0));
    assert_eq!(empty_loops(2.0, 7, 2), 8.0);
}

/// Nested loops: `s` is carried through both levels, `p` only through the inner one.
#[differentiable]
fn nested(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let mut p = 1.0;
        for _ in 0..i {
            p *= x;
        }
        s += p * y;
        s *= 0.5;
    }
    s
}

fn nested_native(x: f64, y: f64) -> f64 {
    // s = ((y/2 + x y)/2 + x^2 y)/2 = y/8 + x y/4 + x^2 y/2
    y / 8.0 + x * y / 4.0 + x * x * y / 2.0
}

#[test]
fn nested_loops_carry_values_at_both_levels() {
    for (x, y) in [(0.5, 2.0), (-1.3, 0.7), (2.0, -1.0)] {
        let (f, (gx, gy)) = nested_grad(x, y);
        assert_exact(f, nested_native(x, y));
        // df/dx = y/4 + x y, df/dy = 1/8 + x/4 + x^2/2
        assert_exact(gx, y / 4.0 + x * y);
        assert_exact(gy, 1.0 / 8.0 + x / 4.0 + x * x / 2.0);
        let cd = partials(|v| nested(v[0], v[1]), &[x, y]);
        assert_cd(gx, cd[0]);
        assert_cd(gy, cd[1]);
    }
}

#[differentiable]
fn cube(x: f64) -> f64 {
    x * x * x
}

/// Shadowing, a branch and a call to an annotated function inside a loop body.
#[differentiable]
fn loop_body_features(x: f64) -> f64 {
    let mut acc = x;
    for i in 0..4 {
        let acc2 = acc * 0.5;
        let acc2 = acc2 + (i as f64) * 0.1;
        if i % 2 == 0 {
            acc = cube(acc2.sin());
        } else {
            acc = acc2 + x;
        }
    }
    acc
}

fn loop_body_features_native(x: f64) -> f64 {
    let mut acc = x;
    for i in 0..4 {
        let acc2 = acc * 0.5 + (i as f64) * 0.1;
        acc = if i % 2 == 0 {
            acc2.sin().powi(3)
        } else {
            acc2 + x
        };
    }
    acc
}

#[test]
fn shadowing_branches_and_calls_inside_a_loop() {
    for x in [0.3, -0.8, 1.9] {
        let (f, g) = loop_body_features_grad(x);
        assert_exact(f, loop_body_features_native(x));
        assert_cd(g, central_diff(loop_body_features, x));
    }
}

/// Nested early returns in a top-level `if`, then an `if`/`else` tail.
#[differentiable]
fn nested_returns(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        if y > 0.0 {
            return x * y;
        }
        let z = x + y;
        return z * z;
    }
    if y > x {
        y - x
    } else {
        x * 3.0
    }
}

#[test]
fn nested_early_returns() {
    // x, y > 0: f = x y, grad = (y, x)
    assert_eq!(nested_returns_grad(2.0, 3.0), (6.0, (3.0, 2.0)));
    // x > 0 >= y: f = (x + y)^2, grad = (2(x + y), 2(x + y)); at (2, -1): 1, (2, 2)
    assert_eq!(nested_returns_grad(2.0, -1.0), (1.0, (2.0, 2.0)));
    // x <= 0, y > x: f = y - x, grad = (-1, 1)
    assert_eq!(nested_returns_grad(-1.0, 0.5), (1.5, (-1.0, 1.0)));
    // x <= 0, y <= x: f = 3x, grad = (3, 0)
    assert_eq!(nested_returns_grad(-1.0, -2.0), (-3.0, (3.0, 0.0)));
    assert_eq!(nested_returns(-1.0, -2.0), -3.0);
}

#[differentiable]
fn max_min(x: f64, y: f64) -> f64 {
    x.max(y) + 2.0 * x.min(y)
}

#[test]
fn max_and_min_send_the_gradient_to_one_side() {
    // x > y: f = x + 2y, grad = (1, 2); x < y: f = y + 2x, grad = (2, 1)
    assert_eq!(max_min_grad(3.0, 1.0), (5.0, (1.0, 2.0)));
    assert_eq!(max_min_grad(1.0, 3.0), (5.0, (2.0, 1.0)));
    // a tie splits the gradient evenly (dezero_runtime::kinks): max gives (0.5, 0.5), 2 min
    // gives (1, 1); the total derivative along x = y is still 3
    let (_, (gx, gy)) = max_min_grad(2.0, 2.0);
    assert_eq!((gx, gy), (1.5, 1.5));
    assert_eq!(gx + gy, 3.0);
    assert_eq!(max_min(2.0, 2.0), 6.0);
}

/// An `f32` loop: the product of (1 + x/k) for k = 1..=n.
#[differentiable]
fn f32_loop(x: f32, n: u32) -> f32 {
    let mut p = 1.0;
    for k in 1..=n {
        p *= 1.0 + x / (k as f32);
    }
    p
}

#[test]
fn f32_loops() {
    // n = 2: p = (1 + x)(1 + x/2), dp/dx = (1 + x/2) + (1 + x)/2; at 1: 3, 1.5 + 1 = 2.5
    let (p, g) = f32_loop_grad(1.0, 2);
    approx::assert_relative_eq!(p, 3.0_f32, max_relative = 1e-6);
    approx::assert_relative_eq!(g, 2.5_f32, max_relative = 1e-6);
    assert_eq!(f32_loop(1.0, 2), p);
}

/// Many uses of one value through a long straight-line chain (50 products).
#[differentiable]
fn long_chain(x: f64) -> f64 {
    let mut y = 1.0;
    for _ in 0..50 {
        y = y * x + x;
    }
    y
}

#[test]
fn long_chain_matches_the_central_difference() {
    for x in [0.5, -0.9, 0.99] {
        let (_, g) = long_chain_grad(x);
        assert_cd(g, central_diff(long_chain, x));
    }
}
