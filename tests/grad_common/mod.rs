//! Shared checks for the `grad_*` tests: central differences and runtime gradients.
//!
//! Tolerances used throughout, unless a test says otherwise:
//! - macro vs runtime: both exact reverse mode, only the rounding order differs: 1e-12 relative
//!   to max(1, |f|, |grad|) (a gradient that cancels to ~0 keeps the rounding of its terms);
//! - macro vs central difference with eps = 1e-6: truncation eps^2 f'''/6 plus rounding
//!   1e-16 |f| / eps stay below 1e-6 relative, or 1e-6 absolute near a zero gradient (at
//!   Goldstein–Price's minimum, f''' ~ 1e5 leaves the quotient 4e-8 away from the exact 0).
#![allow(dead_code)]

use dezero::Variable;

pub mod functions;

/// Central-difference step used by [`central_diff`] and [`partials`].
pub const EPS: f64 = 1e-6;

/// `(f(x + eps) - f(x - eps)) / 2 eps` with eps = [`EPS`].
pub fn central_diff(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    (f(x + EPS) - f(x - EPS)) / (2.0 * EPS)
}

/// Every partial derivative of `f` at `v` by central differences with eps = [`EPS`].
pub fn partials(f: impl Fn(&[f64]) -> f64, v: &[f64]) -> Vec<f64> {
    (0..v.len())
        .map(|i| {
            let (mut plus, mut minus) = (v.to_vec(), v.to_vec());
            plus[i] += EPS;
            minus[i] -= EPS;
            (f(&plus) - f(&minus)) / (2.0 * EPS)
        })
        .collect()
}

/// Builds the runtime graph of `f` at `v`, runs `backward` and returns value and gradient.
pub fn runtime_grad(f: impl Fn(&[Variable]) -> Variable, v: &[f64]) -> (f64, Vec<f64>) {
    let inputs: Vec<Variable> = v.iter().map(|&x| Variable::from(x)).collect();
    let out = f(&inputs);
    out.backward();
    let grads = inputs
        .iter()
        .map(|x| x.grad().map_or(0.0, |g| g.item()))
        .collect();
    (out.item(), grads)
}

/// Asserts `got` equals the exact `want` to 1e-12 relative (1e-12 absolute near zero).
#[track_caller]
pub fn assert_exact(got: f64, want: f64) {
    approx::assert_relative_eq!(got, want, max_relative = 1e-12, epsilon = 1e-12);
}

/// Asserts `got` equals the central difference `cd` to 1e-6 relative (1e-6 absolute near zero).
#[track_caller]
pub fn assert_cd(got: f64, cd: f64) {
    approx::assert_relative_eq!(got, cd, max_relative = 1e-6, epsilon = 1e-6);
}

/// Asserts a macro gradient against the runtime's (exact) and the central difference.
#[track_caller]
pub fn assert_grad(
    grad: &[f64],
    primal: impl Fn(&[f64]) -> f64,
    runtime: impl Fn(&[Variable]) -> Variable,
    v: &[f64],
) {
    let (rt_value, rt_grad) = runtime_grad(runtime, v);
    assert_exact(primal(v), rt_value);
    let cd = partials(&primal, v);
    let scale = grad
        .iter()
        .fold(rt_value.abs().max(1.0), |m, g| m.max(g.abs()));
    for i in 0..v.len() {
        assert!(
            (grad[i] - rt_grad[i]).abs() <= 1e-12 * scale,
            "d/dv{i} at {v:?}: generated {} vs runtime {}",
            grad[i],
            rt_grad[i]
        );
        assert_cd(grad[i], cd[i]);
    }
}
