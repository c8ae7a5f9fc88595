//! Reductions and broadcasting: `sum` (all elements), `sum_to` and `broadcast_to`, each the
//! other's backward.

use ndarray::{ArrayD, Axis, IxDyn};

use crate::broadcast::broadcasts_to;
use crate::builtin::{apply1, builtin_function, Builtin};
use crate::variable::Variable;

/// Sums `x` down to `shape`: over the leading axes `x` has in excess, then over each axis
/// where `shape` has 1 and `x` does not (NumPy/DeZero `sum_to`).
///
/// The common cases of a contiguous `x` run on its slice without per-row arrays: summing the
/// leading axes (a bias gradient, `(n, k) → (k)` or `(n, k) → (1, k)`) accumulates the rows into
/// one buffer, in row order; summing the trailing axes (`(n, k) → (n, 1)`) sums each row.
pub(crate) fn sum_to_array(x: &ArrayD<f64>, shape: &[usize]) -> ArrayD<f64> {
    if x.shape() == shape {
        return x.clone();
    }
    if let Some(y) = sum_to_contiguous(x, shape) {
        return y;
    }
    let lead = x.ndim() - shape.len();
    let mut y = x.clone();
    for _ in 0..lead {
        y = y.sum_axis(Axis(0));
    }
    for (axis, &n) in shape.iter().enumerate() {
        if n == 1 && y.shape()[axis] != 1 {
            y = y.sum_axis(Axis(axis)).insert_axis(Axis(axis));
        }
    }
    y
}

/// [`sum_to_array`] for a contiguous `x` whose summed axes are all before, or all after, its
/// kept ones; `None` otherwise.
fn sum_to_contiguous(x: &ArrayD<f64>, shape: &[usize]) -> Option<ArrayD<f64>> {
    let data = x.as_slice()?;
    let lead = x.ndim() - shape.len();
    // `shape` aligned to x's axes: leading 1s for the axes x has in excess.
    let aligned = || (0..x.ndim()).map(|i| if i < lead { 1 } else { shape[i - lead] });
    // Summed axes: those where the aligned shape has 1 and x does not (x's 1s are either).
    let summed: Vec<bool> = aligned()
        .zip(x.shape())
        .map(|(t, &n)| t == 1 && n != 1)
        .collect();
    let first_kept = summed.iter().position(|&s| !s).unwrap_or(summed.len());
    let last_summed = summed.iter().rposition(|&s| s).map_or(0, |i| i + 1);
    let dim = IxDyn(shape);
    if summed[first_kept..].iter().all(|&s| !s) {
        // Leading axes summed: accumulate the rows of length `width`.
        let width: usize = x.shape()[first_kept..].iter().product();
        let mut acc = vec![0.0; width];
        if width > 0 {
            for row in data.chunks_exact(width) {
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += v;
                }
            }
        }
        return ArrayD::from_shape_vec(dim, acc).ok();
    }
    let last_kept = summed.iter().rposition(|&s| !s).map_or(0, |i| i + 1);
    if last_kept <= summed.iter().position(|&s| s).unwrap_or(0) && last_summed == summed.len() {
        // Trailing axes summed: one sum per row of length `width`.
        let width: usize = x.shape()[last_kept..].iter().product();
        if width == 0 {
            return None;
        }
        let sums = data
            .chunks_exact(width)
            .map(|row| ndarray::ArrayView1::from(row).sum())
            .collect();
        return ArrayD::from_shape_vec(dim, sums).ok();
    }
    None
}

/// y = sum of all elements of x (a 0-dim result). Backward: gx = broadcast_to(gy, shape of x).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum;

impl Builtin for Sum {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "sum"
    }
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        ndarray::arr0(xs[0].sum()).into_dyn()
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        gxs.push(broadcast_to(&gys[0], &xs[0].shape()));
    }
}

/// y = x summed down to a shape. Backward: gx = broadcast_to(gy, shape of x).
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`sum_to`]: if the shapes do not fit (the message
/// names `sum_to` and both shapes), or it is not given exactly one input.
#[derive(Debug, Clone)]
pub struct SumTo(pub Vec<usize>);

impl Builtin for SumTo {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "sum_to"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let from = xs[0].shape();
        if !broadcasts_to(&self.0, from) {
            panic!("sum_to: shape {from:?} cannot be summed to {:?}", self.0);
        }
        sum_to_array(xs[0], &self.0)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        gxs.push(broadcast_to(&gys[0], &xs[0].shape()));
    }
}

/// y = x broadcast to a shape. Backward: gx = sum_to(gy, shape of x).
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`broadcast_to`]: if the shapes do not fit (the message
/// names `broadcast_to` and both shapes), or it is not given exactly one input.
#[derive(Debug, Clone)]
pub struct BroadcastTo(pub Vec<usize>);

impl Builtin for BroadcastTo {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "broadcast_to"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let from = xs[0].shape();
        match xs[0].broadcast(IxDyn(&self.0)) {
            Some(view) if broadcasts_to(from, &self.0) => view.to_owned(),
            _ => panic!(
                "broadcast_to: shape {from:?} cannot be broadcast to {:?}",
                self.0
            ),
        }
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        gxs.push(sum_to(&gys[0], &xs[0].shape()));
    }
}

builtin_function!(Sum, SumTo, BroadcastTo);

/// Sums all elements into a 0-dim variable.
///
/// Derivative: ∂y/∂xᵢ = 1 for every element, so the gradient is `gy` broadcast to x's shape.
///
/// ```
/// use dezero_runtime::{functions::sum, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
/// let y = sum(&x);
/// y.backward();
/// assert_eq!(y.item(), 10.0);
/// assert_eq!(*x.grad().unwrap().data(), ndarray::ArrayD::ones(vec![2, 2]));
/// ```
#[track_caller]
pub fn sum(x: impl AsRef<Variable>) -> Variable {
    apply1(Sum, x.as_ref())
}

/// Sums `x` down to `shape` (undoes a broadcast).
///
/// Derivative: each input element feeds one output element with weight 1, so the gradient is
/// `gy` broadcast back to x's shape.
///
/// Stricter than DeZero: DeZero's `sum_to` sums the leading axes x has in excess and the axes
/// where `shape` has 1, and silently returns whatever results, so `sum_to(x, (4, 3))` on x of
/// shape `(2, 3)` gives `(2, 3)` and `sum_to(x, (2,))` gives `(3,)`. Here a target shape that
/// does not broadcast to x's shape panics, so the result always has exactly `shape`.
///
/// # Panics
/// If `shape` does not broadcast to x's shape (the message names `sum_to` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::sum_to, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let y = sum_to(&x, &[1, 3]);
/// assert_eq!(*y.data(), ndarray::array![[5.0, 7.0, 9.0]].into_dyn());
/// ```
#[track_caller]
pub fn sum_to(x: impl AsRef<Variable>, shape: &[usize]) -> Variable {
    apply1(SumTo(shape.to_vec()), x.as_ref())
}

/// Broadcasts `x` to `shape` (copies along new or size-1 axes), like NumPy.
///
/// Derivative: the gradient is `gy` summed back to x's shape.
///
/// # Panics
/// If x's shape does not broadcast to `shape` (the message names `broadcast_to` and both
/// shapes).
///
/// ```
/// use dezero_runtime::{functions::broadcast_to, Variable};
/// let x = Variable::from(ndarray::array![1.0, 2.0]);
/// let y = broadcast_to(&x, &[3, 2]);
/// y.backward();
/// assert_eq!(y.shape(), vec![3, 2]);
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![3.0, 3.0].into_dyn());
/// ```
#[track_caller]
pub fn broadcast_to(x: impl AsRef<Variable>, shape: &[usize]) -> Variable {
    apply1(BroadcastTo(shape.to_vec()), x.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reduction axis by axis with ndarray's `sum_axis` (the definition).
    fn reference(x: &ArrayD<f64>, shape: &[usize]) -> ArrayD<f64> {
        let mut y = x.clone();
        for _ in 0..x.ndim() - shape.len() {
            y = y.sum_axis(Axis(0));
        }
        for (axis, &n) in shape.iter().enumerate() {
            if n == 1 && y.shape()[axis] != 1 {
                y = y.sum_axis(Axis(axis)).insert_axis(Axis(axis));
            }
        }
        y
    }

    #[test]
    fn sum_to_array_matches_the_axis_by_axis_sums() {
        let cases: &[(&[usize], &[usize])] = &[
            (&[30, 3], &[3]),
            (&[30, 3], &[1, 3]),
            (&[30, 3], &[30, 1]),
            (&[30, 3], &[1, 1]),
            (&[30, 3], &[]),
            (&[1, 3], &[3]),
            (&[4, 5, 6], &[6]),
            (&[4, 5, 6], &[5, 6]),
            (&[4, 5, 6], &[4, 1, 6]),
            (&[4, 5, 6], &[4, 1, 1]),
            (&[4, 5, 6], &[1, 5, 1]),
            (&[0, 3], &[3]),
            (&[3, 0], &[3, 1]),
        ];
        for &(from, to) in cases {
            let n: usize = from.iter().product();
            let values = (0..n).map(|k| (k as f64 * 0.37).sin()).collect();
            let x = ArrayD::from_shape_vec(IxDyn(from), values).unwrap();
            let want = reference(&x, to);
            let close = |got: ArrayD<f64>| {
                assert_eq!(got.shape(), to, "{from:?} -> {to:?}");
                for (a, b) in got.iter().zip(&want) {
                    assert!((a - b).abs() <= 1e-14, "{from:?} -> {to:?}: {a} vs {b}");
                }
            };
            close(sum_to_array(&x, to));
            // A transposed (non-contiguous) x takes the general path.
            if from.len() == 2 {
                let xt = x.t().as_standard_layout().into_owned().reversed_axes();
                assert!(xt.as_slice().is_none() || from.iter().any(|&n| n <= 1));
                close(sum_to_array(&xt, to));
            }
        }
    }
}
