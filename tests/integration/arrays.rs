//! `#[differentiable]` over slices, arrays and `&mut` buffers: every construct's gradient
//! against central differences (eps 1e-6, 1e-6 relative), the `_vjp` contract (shadows are
//! added into, buffers restored), composition through `&mut` sub-slices, and the runtime over
//! 1-D arrays where it can express the function.
//!
//! The functions index as ADBench's C and Rust ports do (`for i in 0..d { out[i] = .. }`).
#![allow(clippy::needless_range_loop)]

use crate::grad_common::partials;
use dezero::differentiable;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

fn assert_grad(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(*g, *w),
            "component {k}: {g} vs central difference {w}"
        );
    }
}

/// `grad(x)` (an `f_grad`): its value is exactly `f(x)` and its gradient `f`'s central
/// differences; returns the gradient.
fn checked_grad(
    f: impl Fn(&[f64]) -> f64 + Copy,
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    x: &[f64],
) -> Vec<f64> {
    let (v, g) = grad(x);
    assert_eq!(v, f(x));
    assert_grad(&g, &partials(f, x));
    g
}

#[differentiable]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

#[test]
fn dot_product_gradients_are_the_other_vector() {
    let (x, y) = ([1.0, 2.0, 3.0], [4.0, -5.0, 6.0]);
    let (v, (gx, gy)) = dot_grad(&x, &y);
    assert_eq!(v, 4.0 - 10.0 + 18.0);
    assert_eq!(dot(&x, &y), v);
    assert_eq!(gx, y.to_vec());
    assert_eq!(gy, x.to_vec());
}

#[differentiable]
fn subtract(d: usize, x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = x[i] - y[i];
    }
}

#[differentiable(wrt(y))]
fn sq_dist(x: &[f64], y: &[f64]) -> f64 {
    let mut d = vec![0.0; x.len()];
    subtract(x.len(), x, y, &mut d);
    d.iter().map(|v| v * v).sum::<f64>()
}

#[test]
fn a_call_writing_a_mut_buffer_composes() {
    let (x, y) = ([1.0, 2.0, 3.0], [0.5, 4.0, -1.0]);
    let (v, gy) = sq_dist_grad(&x, &y);
    assert_eq!(v, 0.25 + 4.0 + 16.0);
    assert_eq!(sq_dist(&x, &y), v);
    // d/dy sum (x - y)^2 = -2 (x - y)
    assert_eq!(gy, vec![-1.0, 4.0, -8.0]);
}

#[test]
fn vjp_adds_into_shadows_and_takes_the_output_shadow_as_seed() {
    let (x, y) = ([1.0, 2.0], [3.0, 5.0]);
    let mut out = [10.0, 20.0];
    let (mut xb, mut yb, mut ob) = ([1.0, 1.0], [0.0, 0.0], [2.0, -3.0]);
    subtract_vjp(2, &x, &mut xb, &y, &mut yb, &mut out, &mut ob);
    assert_eq!(xb, [3.0, -2.0]); // 1 + seed
    assert_eq!(yb, [-2.0, 3.0]);
    // the initial contents were overwritten: no influence
    assert_eq!(ob, [0.0, 0.0]);
    // Nothing reads `out`, so `_vjp` leaves out the code that writes it: it holds what it held
    // (the contents of a `&mut` buffer after `_vjp` are unspecified; call `subtract` for them)
    assert_eq!(out, [10.0, 20.0]);
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

#[test]
fn log_sum_exp_gradient_is_the_softmax() {
    let x = [0.5, -1.0, 2.0, 1.5];
    let (v, g) = log_sum_exp_grad(&x);
    let z: f64 = x.iter().map(|v| v.exp()).sum();
    assert!(close(v, z.ln()));
    let softmax: Vec<f64> = x.iter().map(|v| v.exp() / z).collect();
    assert_grad(&g, &softmax);
    assert_grad(&g, &partials(log_sum_exp, &x));
}

/// Overwrites a buffer in place, each new element from its neighbour's old value.
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

#[test]
fn a_loop_that_overwrites_an_array_restores_what_it_reads() {
    let x = [0.3, -0.7, 1.1, 0.2];
    let (_, g) = mixing_grad(&x);
    let f = |v: &[f64]| mixing(&[v[0], v[1], v[2], v[3]]);
    assert_grad(&g, &partials(f, &x));
}

/// GMM's triangular product: `out = Q x`, Q lower triangular with diagonal `exp(q)` and the
/// strict lower part `l` stored by columns.
#[differentiable]
fn qtimesx(d: usize, q: &[f64], l: &[f64], x: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = q[i].exp() * x[i];
    }
    let mut lparamsidx = 0;
    for i in 0..d {
        for j in i + 1..d {
            out[j] += l[lparamsidx] * x[i];
            lparamsidx += 1;
        }
    }
}

#[differentiable(wrt(q, l))]
fn qnorm(d: usize, q: &[f64], l: &[f64], x: &[f64]) -> f64 {
    let mut y = vec![0.0; d];
    qtimesx(d, q, l, x, &mut y);
    let mut s = 0.0;
    for i in 0..d {
        s += y[i] * y[i];
    }
    0.5 * s
}

#[test]
fn triangular_product_through_a_workspace() {
    let d = 3;
    let q = [0.1, -0.2, 0.3];
    let l = [0.5, -1.0, 2.0];
    let x = [1.0, 2.0, -0.5];
    let (_, (gq, gl)) = qnorm_grad(d, &q, &l, &x);
    assert_grad(&gq, &partials(|v| qnorm(d, v, &l, &x), &q));
    assert_grad(&gl, &partials(|v| qnorm(d, &q, v, &x), &l));
}

#[differentiable(wrt(a))]
fn scaled(a: f64, b: f64, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x {
        let t = a * v + b;
        s += t.tanh();
    }
    s
}

#[test]
fn wrt_names_the_differentiated_parameters() {
    let x = [0.1, 0.2, -0.3];
    let (_, ga) = scaled_grad(0.7, 0.2, &x);
    assert!(close(ga, partials(|v| scaled(v[0], 0.2, &x), &[0.7])[0]));
    // `_vjp` returns every float scalar's gradient (0 outside `wrt`), shadows for every slice
    let mut xb = [0.0; 3];
    let (da, db) = scaled_vjp(0.7, 0.2, &x, &mut xb, 1.0);
    assert_eq!((da, db), (ga, 0.0));
    assert_eq!(xb, [0.0; 3]);
}

#[differentiable]
fn piecewise(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let m = if x[i] > 0.0 { x[i] * x[i] } else { -x[i] };
        s += m * (i as f64 + 1.0);
    }
    s
}

#[test]
fn branches_inside_loops() {
    let x = [0.5, -1.5, 2.0];
    let (v, g) = piecewise_grad(&x);
    assert_eq!(v, piecewise(&x));
    assert_eq!(v, 0.25 + 1.5 * 2.0 + 4.0 * 3.0);
    assert_eq!(g, vec![1.0, -2.0, 12.0]);
}

#[differentiable]
fn range_sum(n: usize, x: &[f64]) -> f64 {
    (0..n).map(|i| x[i] * x[n - 1 - i]).sum::<f64>()
}

#[test]
fn a_range_reduction() {
    let x = [1.0, 2.0, 3.0];
    let (v, g) = range_sum_grad(3, &x);
    assert_eq!(v, 3.0 + 4.0 + 3.0);
    assert_eq!(range_sum(3, &x), v);
    assert_eq!(g, vec![6.0, 4.0, 2.0]); // d/dx_k sum_i x_i x_(2-i) = 2 x_(2-k)
}

/// A local reset to a constant inside a loop (`let mut f = 0.0;` each iteration): its
/// adjoint restarts at zero there, so the iterations do not add up each other's.
#[differentiable]
fn weighted_norms(x: &[f64]) -> f64 {
    let mut out = 0.0;
    for j in 0..2 {
        let mut f = 0.0;
        for l in 0..x.len() {
            f += x[l] * x[l];
        }
        out += f * (j as f64 + 1.0);
    }
    out
}

#[test]
fn an_accumulator_reset_in_a_loop_starts_its_adjoint_again() {
    let x = [0.5, -2.0];
    let (v, g) = weighted_norms_grad(&x);
    assert_eq!(v, weighted_norms(&x));
    assert_eq!(v, 3.0 * 4.25);
    assert_eq!(g, vec![3.0, -12.0]); // 2 x (1 + 2)
}

/// A view `let v = &x[a..];` indexes its buffer from `a`.
#[differentiable]
fn tail_dot(x: &[f64], a: usize) -> f64 {
    let t = &x[a..];
    let mut s = 0.0;
    for i in 0..t.len() {
        s += t[i] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn a_view_into_a_slice() {
    let x = [9.0, 1.0, 2.0];
    let (v, g) = tail_dot_grad(&x, 1);
    assert_eq!(v, tail_dot(&x, 1));
    assert_eq!(v, 1.0 + 4.0);
    assert_eq!(g, vec![0.0, 1.0, 2.0]);
}

#[differentiable]
fn doubled(d: usize, x: &[f64], out: &mut [f64]) {
    for k in 0..d {
        out[k] = 2.0 * x[k];
    }
}

/// One workspace, rewritten by a helper for each row: the pullback of each call must see
/// the workspace as it was before that call (the helper's pullback leaves its results in it).
#[differentiable]
fn rows_sumsq(n: usize, d: usize, x: &[f64]) -> f64 {
    let mut ws = vec![0.0; d];
    let mut s = 0.0;
    for i in 0..n {
        doubled(d, &x[i * d..], &mut ws);
        s += dot(&ws, &ws) * (i as f64 + 1.0);
    }
    s
}

#[test]
fn a_workspace_rewritten_by_a_helper_in_a_loop() {
    let x = [1.0, -2.0, 0.5, 3.0];
    let (v, g) = rows_sumsq_grad(2, 2, &x);
    assert_eq!(v, rows_sumsq(2, 2, &x));
    assert_eq!(v, 4.0 * 5.0 + 2.0 * 4.0 * 9.25);
    assert_eq!(g, vec![8.0, -16.0, 8.0, 48.0]); // 8 x (i + 1)
}

/// `out[k] += x[k]^2`: reads what `out` held before, so a caller's pullback must give it
/// back as it was.
#[differentiable]
fn add_squares(x: &[f64], out: &mut [f64]) {
    for k in 0..out.len() {
        out[k] += x[k] * x[k];
    }
}

/// A buffer made just before each call (in a loop, in a branch, at the top): the reverse
/// sweep fills it again instead of saving it; a second call into the same buffer finds the
/// first call's results, which are saved. The floats of the branch are not saved either.
#[differentiable]
fn fresh_buffers(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        let mut acc = [0.0; 2];
        add_squares(&x[i..], &mut acc);
        s += acc[0] * acc[1] * x[i];
    }
    if x[0] > 0.0 {
        let mut once = [0.0; 2];
        add_squares(&x[1..], &mut once);
        add_squares(&x[2..], &mut once);
        // floats declared in a branch: their `let`s overwrite nothing the reverse sweep needs
        let t = x[3].sin();
        let u = t * t.cos();
        s += once[0] * once[1] * u;
    }
    let mut top = vec![0.0; 2];
    add_squares(x, &mut top);
    add_squares(&x[1..], &mut top);
    s + top[0] * top[1]
}

#[test]
fn buffers_made_just_before_a_call_are_filled_again_not_saved() {
    for x in [[0.5, -1.5, 2.0, 0.25], [-0.5, 1.5, -2.0, 3.0]] {
        checked_grad(fresh_buffers, fresh_buffers_grad, &x);
    }
}

/// Values a variable already holds, taken from it by the reverse sweep (`let c = t.cos()`
/// gives `d/dt sin t = c`), and the places where that would be wrong: a variable of a branch
/// the use is outside of, a buffer written after, an integer that changes.
#[differentiable]
fn held_values(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    let t = x[0] * x[1];
    let c = t.cos();
    s += t.sin() * c;
    if x[0] > 0.0 {
        let r = x[2].sqrt();
        s += r * x[2].sqrt().ln();
    }
    // outside the branch `r` may be 0: sqrt(x[2]) is computed again
    s += x[2].sqrt().exp();
    for i in 0..2 {
        s += x[k + i].exp() * t.sin();
    }
    s
}

#[test]
fn values_held_by_variables_are_reused_only_where_certain() {
    for x in [[0.5, -1.5, 2.0, 0.25], [-0.5, 1.5, 3.0, 0.75]] {
        let f = |v: &[f64]| held_values(v, 1);
        let (v, g) = held_values_grad(&x, 1);
        assert_eq!(v, f(&x));
        assert_grad(&g, &partials(f, &x));
    }
}

/// In loops, the costly values a derivative reads are kept on the tape by the forward sweep
/// and popped by the reverse sweep: from a loop-local `let`, nested (`ln` of a sum holding an
/// `exp`), in a branch, in `p = p * e` (the overwritten `p` goes on the tape after them), in
/// `s *= e`; and through the halves a caller runs.
#[differentiable]
fn kept_values(x: &[f64]) -> f64 {
    let mut s = 1.0;
    let mut p = 0.5;
    for i in 0..x.len() {
        let e = x[i].exp();
        s += (1.0 + e).ln() * x[i].cos().sqrt();
        if x[i] > 0.0 {
            s += x[i].sqrt().tanh();
        }
        p = p * (p * x[i]).exp();
        s *= (x[i] * 0.1).exp();
    }
    s + p
}

#[differentiable]
fn kept_twice(x: &[f64]) -> f64 {
    let a = kept_values(x);
    a * kept_values(&x[1..])
}

#[test]
fn costly_values_are_kept_on_the_tape_in_loops() {
    let x = [0.7, -0.4, 1.3, 0.2];
    let g = checked_grad(kept_values, kept_values_grad, &x);
    let mut x_bar = [0.0; 4];
    kept_values_vjp(&x, &mut x_bar, 1.0);
    assert_eq!(x_bar.to_vec(), g);
    checked_grad(kept_twice, kept_twice_grad, &x);
}

/// `sum tanh(a v + b)` over `x`, differentiated in every parameter.
#[differentiable]
fn tanh_sum(a: f64, b: f64, x: &[f64]) -> f64 {
    x.iter().map(|v| (a * v + b).tanh()).sum()
}

/// `sum x^2` over a slice: a helper whose value calls use.
#[differentiable]
fn sumsq(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// Calls of array helpers inside expressions, through the helpers' halves (forward half in
/// the forward sweep, reverse half in the reverse sweep, last call first) and where they are
/// not (under a method, inside another call's argument, in the result): every pairing the
/// tape must keep in order.
#[differentiable]
fn calls_in_expressions(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut p = 1.0;
    for i in 0..2 {
        // two calls in one value, and an overwritten product (saved over the calls' records)
        s += sumsq(&x[i..]) * log_sum_exp(&x[..i + 2]) - 0.5 * sumsq(&x[2..]);
        p *= sumsq(&x[i + 1..]);
    }
    let m = sumsq(x).sqrt() + tanh_sum(2.0, sumsq(&x[1..]), &x[2..]);
    s + p + m + log_sum_exp(x)
}

#[test]
fn calls_in_expressions_pair_their_halves() {
    for x in [[0.5, -1.5, 2.0, 0.25], [-0.3, 0.7, -1.1, 1.9]] {
        let g = checked_grad(calls_in_expressions, calls_in_expressions_grad, &x);
        let mut bar = [0.0; 4];
        calls_in_expressions_vjp(&x, &mut bar, 1.0);
        assert_eq!(bar.to_vec(), g);
    }
}

/// An index that hops around the slice (`k = 3k mod n`: saved, not undone) and a branch in
/// the loop, in `f64` (integers and directions on the float tape, recording halves for the
/// caller) and in `f32` (an integer tape of its own, replaying halves). Written once, through
/// `macro_rules!`: a `$f:ty` reaches the attribute wrapped in an invisible group.
macro_rules! hops {
    ($hops:ident, $twice:ident, $square:ident, $f:ty) => {
        #[differentiable]
        fn $square(v: $f) -> $f {
            v * v
        }

        #[differentiable]
        fn $hops(x: &[$f]) -> $f {
            let mut k: usize = 1;
            let mut s = 0.0;
            for _ in 0..4 {
                k = (k * 3) % x.len();
                if x[k] > 0.0 {
                    s += $square(x[k]);
                } else {
                    s -= x[k];
                }
            }
            s
        }

        #[differentiable]
        fn $twice(x: &[$f]) -> $f {
            2.0 * $hops(x) + $hops(&x[1..])
        }
    };
}
hops!(hops, hops_twice, square, f64);
hops!(hops32, hops_twice32, square32, f32);

#[test]
fn integers_saved_on_the_tape_in_f64_and_f32() {
    let x = [0.5, -1.5, 2.0, 0.25, -0.75];
    let g = checked_grad(hops_twice, hops_twice_grad, &x);
    let x32 = x.map(|v| v as f32);
    let (v32, g32) = hops_twice32_grad(&x32);
    assert_eq!(v32, hops_twice32(&x32));
    // the same visits and branches: the same gradient, exact in both types (small integers
    // and halves)
    assert_eq!(g32, g.iter().map(|v| *v as f32).collect::<Vec<f32>>());
}

/// Local array literals `[a, b, c]`: at the top, inside a loop (made again each iteration,
/// what the last one held saved), passed to a helper and read back.
#[differentiable]
fn literals(x: &[f64]) -> f64 {
    let v = [x[0] * x[1], x[1].sin(), 2.0];
    let mut s = sumsq(&v);
    for i in 0..3 {
        let w = [x[i], x[i + 1] * v[i]];
        s += w[0] * w[1] + log_sum_exp(&w);
    }
    s
}

#[test]
fn local_array_literals() {
    let x = [0.5, -1.5, 2.0, 0.25];
    checked_grad(literals, literals_grad, &x);
}

/// `*out += x . x`: a `&mut f64` result, passed on by callers.
#[differentiable]
fn add_sumsq(x: &[f64], out: &mut f64) {
    for i in 0..x.len() {
        *out += x[i] * x[i];
    }
}

/// A `&mut f64` parameter passed on to helpers, and its value read after them.
#[differentiable]
fn norm_into(x: &[f64], out: &mut f64) {
    *out = 0.0;
    add_sumsq(x, out);
    add_sumsq(&x[1..], out);
    *out = (*out).sqrt() * x[0];
}

#[test]
fn a_mut_f64_passed_on() {
    let x = [0.5, -1.5, 2.0];
    let mut out = 0.0;
    norm_into(&x, &mut out);
    let (mut x_bar, mut out_bar) = ([0.0; 3], 1.0);
    norm_into_vjp(&x, &mut x_bar, &mut out, &mut out_bar);
    let f = |v: &[f64]| {
        let mut o = 0.0;
        norm_into(v, &mut o);
        o
    };
    assert_grad(&x_bar, &partials(f, &x));
}

#[test]
fn the_split_pullback_gives_every_jacobian_row_from_one_forward_half() {
    let x = [0.3, -1.2, 2.5];
    let mut record = Vec::new();
    let value = scaled3_vjp_fwd(1.5, &x, &mut record);
    assert_eq!(value, scaled3(1.5, &x));
    for row in 0..3 {
        let mut seed = [0.0; 3];
        seed[row] = 1.0;
        let (mut split, mut joint) = ([0.0; 3], [0.0; 3]);
        let mut tape = record.clone();
        let da = scaled3_vjp_rev(1.5, &x, &mut split, seed, &mut tape);
        assert!(
            tape.is_empty(),
            "the reverse half pops what the forward half pushed"
        );
        assert_eq!((da, split), (scaled3_vjp(1.5, &x, &mut joint, seed), joint));
    }
}

/// Integer state the reverse half must get back: a parameter the loop reassigns (saved each
/// time), and an annotated integer declared in the loop.
#[differentiable]
fn countdown(mut n: usize, x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        let k: usize = (i * 7 + n) % x.len();
        out[i] = x[k] * x[i] + n as f64;
        n = (n * 3 + 1) % 5;
    }
}

#[differentiable]
fn countdown_sum(x: &[f64]) -> f64 {
    let mut ws = [0.0; 4];
    countdown(2, x, &mut ws);
    ws[0] * ws[1] + ws[2] * ws[3]
}

#[test]
fn integer_state_comes_back_to_the_reverse_half() {
    let x = [0.5, -1.5, 2.0, 0.25];
    checked_grad(countdown_sum, countdown_sum_grad, &x);
}

mod as_a_runtime_node {
    use super::*;
    use dezero::Variable;
    use ndarray::arr1;

    #[test]
    fn log_sum_exp_op_is_one_node_with_the_softmax_as_gradient() {
        let x = Variable::new(arr1(&[0.5, -1.0, 2.0]).into_dyn());
        // y = lse(2 x): one node after a runtime multiplication
        let y = log_sum_exp_op(&(&x * 2.0));
        assert_eq!(y.creator().unwrap().name(), "log_sum_exp");
        y.backward();
        let xs = [1.0, -2.0, 4.0];
        assert!(close(y.item(), log_sum_exp(&xs)));
        let z: f64 = xs.iter().map(|v| v.exp()).sum();
        let g = x.grad().unwrap().data().to_owned();
        for (k, v) in xs.iter().enumerate() {
            assert!(close(g[k], 2.0 * v.exp() / z), "{k}");
        }
    }

    #[test]
    fn constants_pass_through_and_arrays_take_any_shape() {
        // `a` is a plain integer; the 2 x 2 input is read in standard order: 9, 1, 2, 3
        let x = ndarray::Array::from_shape_vec((2, 2), vec![9.0, 1.0, 2.0, 3.0]).unwrap();
        let x = Variable::new(x.into_dyn());
        let y = tail_dot_op(&x, 1);
        y.backward();
        assert_eq!(y.item(), 1.0 + 2.0 * 2.0 + 3.0 * 3.0);
        let g = x.grad().unwrap().data().to_owned();
        assert_eq!(g.shape(), &[2, 2]);
        assert_eq!(
            g.iter().copied().collect::<Vec<_>>(),
            vec![0.0, 1.0, 2.0, 3.0]
        );
    }

    #[test]
    #[should_panic(expected = "mixing_op: `x` needs 4 elements, got 3")]
    fn an_array_parameter_needs_its_length() {
        let x = Variable::new(arr1(&[1.0, 2.0, 3.0]).into_dyn());
        mixing_op(&x);
    }
}

/// An array result, written as an array literal: its Jacobian rows come from `_vjp` with
/// unit seeds.
#[differentiable]
fn polar(p: &[f64; 2]) -> [f64; 2] {
    let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
    [r, p[1].atan2(p[0])]
}

/// An array result held in a local array.
#[differentiable]
fn scaled3(a: f64, x: &[f64]) -> [f64; 3] {
    let mut v = [0.0; 3];
    for i in 0..3 {
        v[i] = a * x[i];
    }
    v
}

#[test]
fn array_results_give_jacobian_rows() {
    let p = [3.0, 4.0];
    let row = |k: usize| {
        let mut seed = [0.0; 2];
        seed[k] = 1.0;
        let mut g = [0.0; 2];
        polar_vjp(&p, &mut g, seed);
        g
    };
    // d r / d p = p / r; d theta / d p = (-y, x) / r^2
    assert_grad(&row(0), &[0.6, 0.8]);
    assert_grad(&row(1), &[-4.0 / 25.0, 3.0 / 25.0]);
    assert_eq!(polar(&p), [5.0, 4f64.atan2(3.0)]);
    let x = [1.0, 2.0, 3.0];
    let mut xb = [0.0; 3];
    // <seed, a x> with seed (1, 0, 2): d/da = 1 + 6 = 7, d/dx = a (1, 0, 2)
    let da = scaled3_vjp(2.0, &x, &mut xb, [1.0, 0.0, 2.0]);
    assert_eq!(da, 7.0);
    assert_eq!(xb, [2.0, 0.0, 4.0]);
    assert_eq!(scaled3(2.0, &x), [2.0, 4.0, 6.0]);
}

/// A `&mut f64` result beside a slice one: `*out = e` and reads of `*out`.
#[differentiable]
fn norm_and_unit(x: &[f64], norm: &mut f64, unit: &mut [f64]) {
    *norm = 0.0;
    for i in 0..x.len() {
        *norm += x[i] * x[i];
    }
    *norm = (*norm).sqrt();
    for i in 0..x.len() {
        unit[i] = x[i] / *norm;
    }
}

#[test]
fn a_mut_f64_result() {
    let x = [3.0, 4.0];
    let (mut n, mut u) = (0.0, [0.0; 2]);
    norm_and_unit(&x, &mut n, &mut u);
    assert_eq!((n, u), (5.0, [0.6, 0.8]));
    // seed on the norm only: d|x|/dx = x / |x|
    let (mut xb, mut nb, mut ub) = ([0.0; 2], 1.0, [0.0; 2]);
    norm_and_unit_vjp(&x, &mut xb, &mut n, &mut nb, &mut u, &mut ub);
    assert_grad(&xb, &[0.6, 0.8]);
    // seed on unit[0]: d(x0/|x|)/dx = (1/|x| - x0^2/|x|^3, -x0 x1/|x|^3)
    let (mut xb, mut nb, mut ub) = ([0.0; 2], 0.0, [1.0, 0.0]);
    norm_and_unit_vjp(&x, &mut xb, &mut n, &mut nb, &mut u, &mut ub);
    assert_grad(&xb, &[0.2 - 9.0 / 125.0, -12.0 / 125.0]);
}

/// Macro bugs the array property test (`tests/property.rs`) found, fixed; each stays a test.
mod bugs {
    use dezero::differentiable;

    #[differentiable]
    fn empty_range_sum(x: &[f64], n: usize) -> f64 {
        (0..n).map(|i| x[i] * x[i]).sum::<f64>()
    }

    /// An empty reduction is -0.0 in `_grad` as in the primal (std's float sum starts there).
    #[test]
    fn an_empty_reduction_has_the_primal_s_signed_zero() {
        let x = [1.0, 2.0];
        assert_eq!(empty_range_sum(&x, 0).to_bits(), (-0.0f64).to_bits());
        let (v, g) = empty_range_sum_grad(&x, 0);
        assert_eq!(v.to_bits(), empty_range_sum(&x, 0).to_bits());
        assert_eq!(g, vec![0.0, 0.0]);
    }

    #[differentiable]
    fn let_if_outside_loops(x: &[f64]) -> f64 {
        let m = if x[0] > 0.0 { x[1] } else { x[2] };
        m * x[0]
    }

    /// `let m = if c { a } else { b };` outside loops (it compiled only inside loops).
    #[test]
    fn a_let_of_an_if_outside_loops_compiles() {
        let (v, g) = let_if_outside_loops_grad(&[1.0, 2.0, 3.0]);
        assert_eq!((v, let_if_outside_loops(&[1.0, 2.0, 3.0])), (2.0, 2.0));
        assert_eq!(g, vec![2.0, 1.0, 0.0]);
        let (v, g) = let_if_outside_loops_grad(&[-1.0, 2.0, 3.0]);
        assert_eq!(v, -3.0);
        assert_eq!(g, vec![3.0, 0.0, -1.0]);
    }

    #[rustfmt::skip]
    #[differentiable]
    fn block_closure_body(x: &[f64]) -> f64 {
        x.iter().map(|u| { u * u }).sum::<f64>()
    }

    /// A block closure body, rustfmt's form of a long closure (it was rejected as a branch).
    #[test]
    fn a_block_closure_body_in_a_reduction_compiles() {
        let (v, g) = block_closure_body_grad(&[1.0, -2.0, 3.0]);
        assert_eq!((v, block_closure_body(&[1.0, -2.0, 3.0])), (14.0, 14.0));
        assert_eq!(g, vec![2.0, -4.0, 6.0]);
    }

    #[differentiable]
    fn scaled_product(x: &[f64]) -> f64 {
        let mut s: f64 = 1.0;
        for i in 0..x.len() {
            s *= x[i];
        }
        s /= 2.0;
        s
    }

    /// `s *= e` is printed as written (it was `s = s * e`, which clippy's `assign_op_pattern`
    /// flagged in the generated code).
    #[test]
    fn a_compound_product_on_a_float_local() {
        let (v, g) = scaled_product_grad(&[2.0, 3.0, 4.0]);
        assert_eq!(v, 12.0);
        assert_eq!(g, vec![6.0, 4.0, 3.0]);
    }

    #[differentiable]
    fn closure_named_like_a_buffer(x: &[f64]) -> f64 {
        let mut v = vec![0.0; x.len()];
        for i in 0..x.len() {
            v[i] = 2.0 * x[i];
        }
        v.iter().map(|v| v * v).sum::<f64>()
    }

    /// A closure parameter named like a buffer of the function is its own variable.
    #[test]
    fn a_closure_parameter_may_shadow_a_buffer() {
        let (v, g) = closure_named_like_a_buffer_grad(&[1.0, 2.0]);
        assert_eq!(v, 20.0);
        assert_eq!(g, vec![8.0, 16.0]);
    }
}
