//! The built-in functions, by family: arithmetic (with broadcasting and the operator
//! overloads), element-wise math, and reductions/shape functions.

pub(crate) mod arith;
pub(crate) mod math;
pub(crate) mod overload;
pub(crate) mod reduce;

use ndarray::ArrayD;

/// `x.mapv(f)`, with a fast path for 0-dim arrays (the scalars of a scalar graph), which skips
/// ndarray's general n-dim iteration.
#[inline]
pub(crate) fn map(x: &ArrayD<f64>, f: impl Fn(f64) -> f64) -> ArrayD<f64> {
    if x.ndim() == 0 {
        // Cloning keeps the (empty) shape and strides: cheaper than building an IxDyn.
        let mut y = x.clone();
        let v = y.first_mut().expect("a 0-dim array has one element");
        *v = f(*v);
        y
    } else {
        x.mapv(f)
    }
}

/// `x0 op x1` with NumPy broadcasting, with a fast path for two 0-dim arrays.
#[inline]
pub(crate) fn zip_map(
    x0: &ArrayD<f64>,
    x1: &ArrayD<f64>,
    f: impl Fn(f64, f64) -> f64,
    general: impl FnOnce(&ArrayD<f64>, &ArrayD<f64>) -> ArrayD<f64>,
) -> ArrayD<f64> {
    if x0.ndim() == 0 && x1.ndim() == 0 {
        let b = *x1.first().expect("a 0-dim array has one element");
        map(x0, |a| f(a, b))
    } else {
        general(x0, x1)
    }
}
