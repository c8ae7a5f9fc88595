//! The one convention at kinks, ties and NaNs (`dezero::kinks`), checked at exactly those
//! points in every engine: `#[differentiable]` in forward mode (one float parameter) and in
//! reverse mode (two), its fused `_op` node, and the runtime's ops.
use dezero::{differentiable, functions as F, Variable};

// ---- the functions, one per convention point; `_t` twins run forward (tangent) mode ----

#[differentiable]
fn abs_t(x: f64) -> f64 {
    x.abs()
}

#[differentiable]
fn abs_r(x: f64, y: f64) -> f64 {
    x.abs() + 0.0 * y
}

#[differentiable]
fn max_r(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[differentiable]
fn min_r(x: f64, y: f64) -> f64 {
    x.min(y)
}

#[differentiable]
fn max_t(x: f64) -> f64 {
    x.max(1.0)
}

#[differentiable]
fn min_t(x: f64) -> f64 {
    x.min(1.0)
}

#[differentiable]
fn powi_t(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[differentiable]
fn powi_r(x: f64, y: f64, n: i32) -> f64 {
    x.powi(n) + 0.0 * y
}

#[differentiable]
fn powf_r(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[differentiable]
fn powf_zero_t(x: f64) -> f64 {
    x.powf(0.0)
}

#[differentiable]
fn zero_base_t(y: f64) -> f64 {
    f64::powf(0.0, y)
}

/// Value and gradient of a two-input runtime graph.
fn runtime2(f: impl Fn(&Variable, &Variable) -> Variable, a: f64, b: f64) -> (f64, (f64, f64)) {
    let (x, y) = (Variable::from(a), Variable::from(b));
    let z = f(&x, &y);
    z.backward();
    let g = |v: &Variable| v.grad().map_or(0.0, |g| g.item());
    (z.item(), (g(&x), g(&y)))
}

/// Value and gradient of a one-input runtime graph.
fn runtime1(f: impl Fn(&Variable) -> Variable, a: f64) -> (f64, f64) {
    let x = Variable::from(a);
    let z = f(&x);
    z.backward();
    (z.item(), x.grad().map_or(0.0, |g| g.item()))
}

/// Bitwise equality that treats every NaN as equal (the values here are exact).
#[track_caller]
fn same(got: (f64, (f64, f64)), want: (f64, (f64, f64))) {
    let eq = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
    assert!(
        eq(got.0, want.0) && eq(got.1 .0, want.1 .0) && eq(got.1 .1, want.1 .1),
        "got {got:?}, want {want:?}"
    );
}

#[test]
fn abs_at_zero_has_slope_zero_in_every_engine() {
    for x in [0.0, -0.0] {
        assert_eq!(abs_t_grad(x), (0.0, 0.0));
        same(abs_r_grad(x, 1.0), (0.0, (0.0, 0.0)));
        assert_eq!(runtime1(|x| F::abs(x), x), (0.0, 0.0));
        same(runtime2(abs_r_op, x, 1.0), (0.0, (0.0, 0.0)));
    }
    // away from the kink: the sign, as before
    assert_eq!(abs_t_grad(-2.0), (2.0, -1.0));
    assert_eq!(runtime1(|x| F::abs(x), -2.0), (2.0, -1.0));
}

#[test]
fn max_and_min_ties_split_and_nan_operands_get_nothing() {
    let nan = f64::NAN;
    // (x, y, max value, max gradient, min value, min gradient)
    let cases = [
        (2.0, 1.0, 2.0, (1.0, 0.0), 1.0, (0.0, 1.0)),
        (1.0, 2.0, 2.0, (0.0, 1.0), 1.0, (1.0, 0.0)),
        (1.0, 1.0, 1.0, (0.5, 0.5), 1.0, (0.5, 0.5)),
        // Rust's f64::max/min ignore a NaN operand: all of the gradient to the other one
        (nan, 1.0, 1.0, (0.0, 1.0), 1.0, (0.0, 1.0)),
        (1.0, nan, 1.0, (1.0, 0.0), 1.0, (1.0, 0.0)),
        // both NaN: the value is NaN, the shares still sum to 1
        (nan, nan, nan, (1.0, 0.0), nan, (1.0, 0.0)),
    ];
    for (x, y, vmax, gmax, vmin, gmin) in cases {
        same(max_r_grad(x, y), (vmax, gmax));
        same(runtime2(|a, b| F::maximum(a, b), x, y), (vmax, gmax));
        same(runtime2(max_r_op, x, y), (vmax, gmax));
        same(min_r_grad(x, y), (vmin, gmin));
        same(runtime2(|a, b| F::minimum(a, b), x, y), (vmin, gmin));
        same(runtime2(min_r_op, x, y), (vmin, gmin));
    }
    // forward mode against the constant 1.0: a tie gives half, a NaN input gets nothing
    assert_eq!(max_t_grad(1.0), (1.0, 0.5));
    assert_eq!(min_t_grad(1.0), (1.0, 0.5));
    assert_eq!(max_t_grad(f64::NAN), (1.0, 0.0));
    assert_eq!(min_t_grad(f64::NAN), (1.0, 0.0));
    assert_eq!(max_t_grad(3.0), (3.0, 1.0));
}

#[test]
fn power_zero_has_derivative_zero_everywhere() {
    // d x^0 / dx = 0, also at x = 0 where n x^(n-1) would be 0 * inf = NaN
    for x in [0.0, -0.0, 2.0] {
        assert_eq!(powi_t_grad(x, 0), (1.0, 0.0));
        same(powi_r_grad(x, 1.0, 0), (1.0, (0.0, 0.0)));
        assert_eq!(powf_zero_t_grad(x), (1.0, 0.0));
        assert_eq!(runtime1(|v| F::pow(v, 0.0), x), (1.0, 0.0));
        // powf(x, y) at y = 0: value 1, d/dx = 0; d/dy = ln x (0 at x = 0 by convention)
        let dy = if x == 0.0 { 0.0 } else { x.ln() };
        same(powf_r_grad(x, 0.0), (1.0, (0.0, dy)));
        same(runtime2(|a, b| F::powf(a, b), x, 0.0), (1.0, (0.0, dy)));
        same(runtime2(powf_r_op, x, 0.0), (1.0, (0.0, dy)));
    }
    // away from the special points: the power rule
    assert_eq!(powi_t_grad(2.0, 3), (8.0, 12.0));
    assert_eq!(runtime1(|v| F::pow(v, 3.0), 2.0), (8.0, 12.0));
}

#[test]
fn zero_base_has_exponent_derivative_zero() {
    // 0^y for y >= 0: d/dy = 0, not 0 * ln 0 = 0 * -inf = NaN
    for y in [0.0, 0.5, 2.0] {
        let v = 0.0_f64.powf(y);
        assert_eq!(zero_base_t_grad(y), (v, 0.0));
        // d/dx at x = 0: y x^(y-1): 0 for y = 0 (convention) and y = 2; +inf for y = 0.5
        let dx = if y == 0.0 {
            0.0
        } else {
            y * 0.0_f64.powf(y - 1.0)
        };
        same(powf_r_grad(0.0, y), (v, (dx, 0.0)));
        same(runtime2(|a, b| F::powf(a, b), 0.0, y), (v, (dx, 0.0)));
        same(runtime2(powf_r_op, 0.0, y), (v, (dx, 0.0)));
    }
}

#[test]
fn runtime_kinks_hold_under_create_graph() {
    // The masked rules are written in Variable ops: a second derivative through them is the
    // second derivative of the smooth piece (x^2 at x = 0 via powf: d2/dx2 = 2).
    let x = Variable::from(0.0);
    let y = F::powf(&x, Variable::from(2.0));
    y.backward_with(dezero::BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = x.grad().unwrap();
    assert_eq!(gx.item(), 0.0);
    x.cleargrad();
    gx.backward();
    assert_eq!(x.grad().unwrap().item(), 2.0);
}

#[differentiable]
fn clamp_t(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

#[test]
fn clamp_and_clip_keep_the_gradient_on_the_closed_interval() {
    // d clamp(x, 0, 1)/dx = 1 on [0, 1] (bounds included), 0 outside, in every engine
    for (x, want) in [
        (-0.5_f64, 0.0),
        (0.0, 1.0),
        (0.5, 1.0),
        (1.0, 1.0),
        (1.5, 0.0),
    ] {
        let v = x.clamp(0.0, 1.0);
        assert_eq!(clamp_t_grad(x), (v, want));
        assert_eq!(runtime1(|t| F::clip(t, 0.0, 1.0), x), (v, want));
        assert_eq!(
            runtime1(|t| F::relu(t), x),
            (x.max(0.0), if x > 0.0 { 1.0 } else { 0.0 })
        );
    }
    // relu at its kink: 0, as abs
    assert_eq!(runtime1(|t| F::relu(t), 0.0), (0.0, 0.0));
}
