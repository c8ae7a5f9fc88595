//! Numerical differentiation (DeZero step 4) and [`gradient_check`], which compares a
//! function's `backward` with it.

use ndarray::{ArrayD, Dimension};

use crate::config::no_grad;
use crate::error::GradCheckError;
use crate::variable::Variable;

/// The default step of the central difference, as in DeZero.
pub const DEFAULT_EPS: f64 = 1e-4;

/// The gradient of `sum(f(x))` with respect to each element of `x`, by central difference:
/// `(f(x + eps) - f(x - eps)) / (2 eps)`, one element at a time.
///
/// For a scalar `x` and scalar `f` this is DeZero's `numerical_diff`; for arrays it is what
/// `backward` computes (which seeds the output's grad with ones, i.e. differentiates the sum of
/// the outputs). `f` runs with backprop disabled. Returns an array of `x`'s shape.
///
/// # Panics
/// If `x` has no data.
///
/// ```
/// use dezero_runtime::{functions::{exp, square}, numerical_diff, Variable};
/// let f = |x: &Variable| square(&exp(&square(x)));
/// let dy = numerical_diff(f, &Variable::from(0.5), 1e-4);
/// assert_eq!(dy.first().copied(), Some(3.2974426293330694));
/// ```
#[track_caller]
pub fn numerical_diff(f: impl Fn(&Variable) -> Variable, x: &Variable, eps: f64) -> ArrayD<f64> {
    let _guard = no_grad();
    let base = x.data().to_owned();
    let mut grad = ArrayD::zeros(base.raw_dim());
    let mut probe = base.clone();
    for (index, g) in grad.indexed_iter_mut() {
        let v = base[&index];
        probe[&index] = v - eps;
        let y0 = f(&Variable::new(probe.clone())).data().sum();
        probe[&index] = v + eps;
        let y1 = f(&Variable::new(probe.clone())).data().sum();
        probe[&index] = v;
        *g = (y1 - y0) / (2.0 * eps);
    }
    grad
}

/// Checks `backward` of `f` at `x` against [`numerical_diff`] with DeZero's tolerances
/// (`rtol = 1e-4`, `atol = 1e-5`, `eps = 1e-4`). Use it to test your own [`Function`](crate::Function)s.
///
/// # Errors
/// [`GradCheckError`] naming the first element where `|backward - numerical| > atol + rtol |numerical|`.
///
/// # Panics
/// If `x` has no data, or as [`Variable::backward`].
///
/// ```
/// use dezero_runtime::{functions::{sin, tanh}, gradient_check, Variable};
/// let x = Variable::from(ndarray::array![0.1, 0.5, 2.0]);
/// assert!(gradient_check(|x| tanh(&sin(x)), &x).is_ok());
/// ```
#[track_caller]
pub fn gradient_check(
    f: impl Fn(&Variable) -> Variable,
    x: &Variable,
) -> Result<(), GradCheckError> {
    gradient_check_with(f, x, DEFAULT_EPS, 1e-4, 1e-5)
}

/// [`gradient_check`] with an explicit step and tolerances.
///
/// # Errors
/// [`GradCheckError`] at the first element outside `atol + rtol |numerical|`.
///
/// # Panics
/// As [`gradient_check`].
///
/// ```
/// use dezero_runtime::{functions::exp, gradient_check_with, Variable};
/// assert!(gradient_check_with(|x| exp(x), &Variable::from(1.0), 1e-6, 1e-6, 0.0).is_ok());
/// ```
#[track_caller]
pub fn gradient_check_with(
    f: impl Fn(&Variable) -> Variable,
    x: &Variable,
    eps: f64,
    rtol: f64,
    atol: f64,
) -> Result<(), GradCheckError> {
    let leaf = Variable::new(x.data().to_owned());
    f(&leaf).backward();
    let backward = match leaf.grad() {
        Some(g) => g.data().to_owned(),
        None => ArrayD::zeros(leaf.dim()),
    };
    let numerical = numerical_diff(&f, x, eps);
    for ((index, &b), &n) in backward.indexed_iter().zip(numerical.iter()) {
        // Written so that a NaN on either side fails the check.
        let close = (b - n).abs() <= atol + rtol * n.abs();
        if !close {
            return Err(GradCheckError {
                index: index.slice().to_vec(),
                backward: b,
                numerical: n,
            });
        }
    }
    Ok(())
}
