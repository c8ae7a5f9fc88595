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
