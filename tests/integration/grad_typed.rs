//! Typed `let`s under `#[differentiable]`: every annotation a user writes (`let s: f64`,
//! `let mut s: f64`, `let s: f32` in `f32` functions, integer and `bool` annotations) keeps its
//! type in the generated code, in loops (reverse mode with a tape, forward mode), branches and
//! nested blocks. Without it, `let mut s: f64 = 1.0; for .. { s = s.sin() .. }` does not compile
//! (the literal's type is ambiguous where `sin` is called) and `let mut k: u64 = 1` would count in
//! `i32`. Each gradient equals the analytic one or the central difference (eps 1e-6), and each
//! `_vjp` equals `seed` times the gradient.
use dezero::differentiable;

use crate::grad_common::{assert_cd, assert_exact, central_diff, partials};

/// The accumulator: s_0 = 1, s_{k+1} = x sin(s_k) + y (two floats: reverse mode, a tape).
#[differentiable]
fn accumulate(x: f64, y: f64, n: usize) -> f64 {
    let mut s: f64 = 1.0;
    for _ in 0..n {
        s = s.sin() * x + y;
    }
    s
}

/// s_{k+1} = x sin(s_k), s_0 = 1 (one float: forward mode).
#[differentiable]
fn accumulate_one(x: f64, n: usize) -> f64 {
    let mut s: f64 = 1.0;
    for _ in 0..n {
        s = s.sin() * x;
    }
    s
}

/// The recurrences by hand, with their derivatives, for the assertions.
fn recurrence(x: f64, y: f64, n: usize) -> (f64, f64, f64) {
    // s' = x sin s + y: ds'/dx = sin s + x cos s ds/dx, ds'/dy = 1 + x cos s ds/dy
    let (mut s, mut dx, mut dy) = (1.0_f64, 0.0, 0.0);
    for _ in 0..n {
        let c = x * s.cos();
        (s, dx, dy) = (x * s.sin() + y, s.sin() + c * dx, 1.0 + c * dy);
    }
    (s, dx, dy)
}

#[test]
fn typed_accumulator_in_a_loop_reverse_mode() {
    for (x, y) in [(0.5, 0.25), (1.5, -0.5), (-0.8, 2.0)] {
        let (want, dx, dy) = recurrence(x, y, 7);
        let (v, (gx, gy)) = accumulate_grad(x, y, 7);
        assert_exact(v, want);
        assert_exact(gx, dx);
        assert_exact(gy, dy);
        let cd = partials(|v| accumulate(v[0], v[1], 7), &[x, y]);
        assert_cd(gx, cd[0]);
        assert_cd(gy, cd[1]);
        let (px, py) = accumulate_vjp(x, y, 7, 0.5);
        assert_exact(px, 0.5 * gx);
        assert_exact(py, 0.5 * gy);
    }
    // more iterations than the stack tape holds: the heap tape keeps the type too
    let (_, (gx, _)) = accumulate_grad(0.9, 0.1, 100);
    assert_cd(gx, central_diff(|x| accumulate(x, 0.1, 100), 0.9));
    // no iteration: s = 1, a constant
    assert_eq!(accumulate_grad(0.9, 0.1, 0), (1.0, (0.0, 0.0)));
}

#[test]
fn typed_accumulator_in_a_loop_forward_mode() {
    for x in [0.5, 1.5, -0.8] {
        let (want, dx, _) = recurrence(x, 0.0, 6);
        let (v, g) = accumulate_one_grad(x, 6);
        assert_exact(v, want);
        assert_exact(g, dx);
        assert_cd(g, central_diff(|x| accumulate_one(x, 6), x));
        assert_exact(accumulate_one_vjp(x, 6, -2.0), -2.0 * g);
    }
}

/// `f32`: s_{k+1} = x cos(s_k), s_0 = 0.5, plus a typed `t: f32` from a literal.
#[differentiable]
fn accumulate_f32(x: f32, y: f32, n: usize) -> f32 {
    let mut s: f32 = 0.5;
    let t: f32 = 2.0;
    for _ in 0..n {
        s = s.cos() * x + t.sqrt() * y;
    }
    s
}

/// `f32` with one float parameter (forward mode).
#[differentiable]
fn accumulate_f32_one(x: f32, n: usize) -> f32 {
    let mut s: f32 = 0.5;
    for _ in 0..n {
        s = s.cos() * x;
    }
    s
}

#[test]
fn typed_f32_accumulators() {
    // s' = x cos s + sqrt(2) y: ds'/dx = cos s - x sin s ds/dx, ds'/dy = sqrt 2 - x sin s ds/dy
    let (x, y) = (0.7_f64, 0.3_f64);
    let (mut s, mut dx, mut dy) = (0.5_f64, 0.0, 0.0);
    for _ in 0..4 {
        let d = -x * s.sin();
        (s, dx, dy) = (
            x * s.cos() + 2f64.sqrt() * y,
            s.cos() + d * dx,
            2f64.sqrt() + d * dy,
        );
    }
    let (v, (gx, gy)) = accumulate_f32_grad(x as f32, y as f32, 4);
    assert_eq!(v, accumulate_f32(x as f32, y as f32, 4));
    approx::assert_relative_eq!(v as f64, s, max_relative = 1e-5);
    approx::assert_relative_eq!(gx as f64, dx, max_relative = 1e-5);
    approx::assert_relative_eq!(gy as f64, dy, max_relative = 1e-5);
    let (v, g) = accumulate_f32_one_grad(x as f32, 4);
    assert_eq!(v, accumulate_f32_one(x as f32, 4));
    let (mut s, mut d) = (0.5_f64, 0.0);
    for _ in 0..4 {
        (s, d) = (x * s.cos(), s.cos() - x * s.sin() * d);
    }
    approx::assert_relative_eq!(v as f64, s, max_relative = 1e-5);
    approx::assert_relative_eq!(g as f64, d, max_relative = 1e-5);
}

/// Typed values from branches: `a` from an `if` of literals, `b` set to a literal in each
/// branch (so the first value is never read), `c` from a nested block with a typed local.
#[differentiable]
#[allow(unused_assignments)]
fn branches(x: f64, y: f64) -> f64 {
    let a: f64 = if x > y { 1.0 } else { 2.0 };
    let mut b: f64 = 0.0;
    if x > 0.0 {
        b = 3.0;
    } else {
        b = 4.0;
    }
    let c: f64 = {
        let t: f64 = 0.5;
        t.exp()
    };
    a.sin() * x + b.ln() * y + c * x * y
}

/// [`branches`] with one float parameter (forward mode).
#[differentiable]
#[allow(unused_assignments)]
fn branches_one(x: f64) -> f64 {
    let a: f64 = if x > 1.0 { 1.0 } else { 2.0 };
    let mut b: f64 = 0.0;
    if x > 0.0 {
        b = 3.0;
    } else {
        b = 4.0;
    }
    a.sin() * x + b.ln() * x * x
}

#[test]
fn typed_values_from_branches() {
    let e = 0.5_f64.exp();
    for (x, y) in [(2.0, 1.0), (0.5, 1.0), (-1.0, 0.5)] {
        // f = sin(a) x + ln(b) y + e^0.5 x y: df/dx = sin a + e^0.5 y, df/dy = ln b + e^0.5 x
        let a: f64 = if x > y { 1.0 } else { 2.0 };
        let b: f64 = if x > 0.0 { 3.0 } else { 4.0 };
        let (v, (gx, gy)) = branches_grad(x, y);
        assert_exact(v, branches(x, y));
        assert_exact(gx, a.sin() + e * y);
        assert_exact(gy, b.ln() + e * x);
        let cd = partials(|v| branches(v[0], v[1]), &[x, y]);
        assert_cd(gx, cd[0]);
        assert_cd(gy, cd[1]);
        assert_eq!(branches_vjp(x, y, 1.0), (gx, gy));
    }
    for x in [2.0, 0.5, -1.0] {
        // f = sin(a) x + ln(b) x^2: df/dx = sin a + 2 ln(b) x
        let a: f64 = if x > 1.0 { 1.0 } else { 2.0 };
        let b: f64 = if x > 0.0 { 3.0 } else { 4.0 };
        let (_, g) = branches_one_grad(x);
        assert_exact(g, a.sin() + 2.0 * b.ln() * x);
        assert_cd(g, central_diff(branches_one, x));
    }
}

/// Typed values inside a loop: a literal assigned in a branch, then a method on it; an
/// accumulator initialised from a parameter; nested loops with typed accumulators.
#[differentiable]
#[allow(unused_assignments)]
fn loop_bodies(x: f64, y: f64, n: usize) -> f64 {
    let mut acc: f64 = x;
    for i in 0..n {
        let mut s: f64 = 0.0;
        if i % 2 == 0 {
            s = 1.0;
        } else {
            s = 2.0;
        }
        let mut inner: f64 = 1.0;
        for _ in 0..2 {
            inner = inner.cos() * y;
        }
        acc = acc + s.sin() * x + inner;
    }
    acc
}

#[test]
fn typed_values_in_loop_bodies() {
    for (x, y) in [(0.5, 0.25), (1.5, -0.5)] {
        // inner = y cos(y cos 1); acc = x + n/2 (sin 1 + sin 2) x + n inner  (n even)
        // df/dx = 1 + n/2 (sin 1 + sin 2), df/dy = n d(inner)/dy
        let n = 4;
        let inner = y * (y * 1f64.cos()).cos();
        let d_inner = (y * 1f64.cos()).cos() - y * (y * 1f64.cos()).sin() * 1f64.cos();
        let (v, (gx, gy)) = loop_bodies_grad(x, y, n);
        let half = (n / 2) as f64;
        assert_exact(
            v,
            x + half * (1f64.sin() + 2f64.sin()) * x + n as f64 * inner,
        );
        assert_exact(gx, 1.0 + half * (1f64.sin() + 2f64.sin()));
        assert_exact(gy, n as f64 * d_inner);
        let cd = partials(|v| loop_bodies(v[0], v[1], n), &[x, y]);
        assert_cd(gx, cd[0]);
        assert_cd(gy, cd[1]);
    }
}

/// Integer and `bool` annotations keep their type: `k` counts in `u64` (3^25 overflows `i32`).
#[differentiable]
fn typed_constants(x: f64, n: usize) -> f64 {
    let mut k: u64 = 1;
    let mut flip: bool = false;
    for _ in 0..n {
        k *= 3;
        flip = !flip;
    }
    let sign: f64 = if flip { -1.0 } else { 1.0 };
    (k as f64).ln() * x * sign
}

#[test]
fn typed_integer_and_bool_constants() {
    // k = 3^25, flip after 25 steps: f = -25 ln(3) x, df/dx = -25 ln 3
    let (v, g) = typed_constants_grad(2.0, 25);
    assert_exact(v, -25.0 * 3f64.ln() * 2.0);
    assert_exact(g, -25.0 * 3f64.ln());
    let (_, g) = typed_constants_grad(2.0, 4);
    assert_exact(g, 4.0 * 3f64.ln());
}
