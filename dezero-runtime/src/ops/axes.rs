//! Reductions over chosen axes (DeZero step 39 and `functions.py`): `sum_axes`, `mean` /
//! `mean_axes`, `max` / `max_axes`, `min` / `min_axes`, each with NumPy's `keepdims`.
//!
//! Axes are `usize`s (no negative axes), each at most once, in any order; an empty list of
//! axes reduces nothing (NumPy's `axis=()`). The all-elements forms give a 0-dim result.

use ndarray::{ArrayD, Axis, Zip};

use crate::builtin::{apply1, builtin_function, Builtin};
use crate::function::{apply, Function};
use crate::ops::reduce::{broadcast_to, sum};
use crate::ops::shape::reshape;
use crate::variable::Variable;

/// `axes` sorted, after checking that each is an axis of `shape` and none repeats.
///
/// # Panics
/// Otherwise, naming `op`, the axes and the shape.
#[track_caller]
pub(crate) fn check_axes(op: &str, shape: &[usize], axes: &[usize]) -> Vec<usize> {
    let mut sorted = axes.to_vec();
    sorted.sort_unstable();
    if let Some(&bad) = sorted.iter().find(|&&a| a >= shape.len()) {
        panic!(
            "{op}: axis {bad} is out of range for shape {shape:?} ({} axes)",
            shape.len()
        );
    }
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        panic!("{op}: axes {axes:?} repeat an axis (shape {shape:?})");
    }
    sorted
}

/// `shape` with each of the (sorted) `axes` set to 1: the shape of a `keepdims` result.
pub(crate) fn kept_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    let mut kept = shape.to_vec();
    for &a in axes {
        kept[a] = 1;
    }
    kept
}

/// `x` reduced by `f` over the sorted `axes`, with the reduced axes kept as length 1.
fn reduce_kept(
    x: &ArrayD<f64>,
    axes: &[usize],
    f: impl Fn(Axis, &ArrayD<f64>) -> ArrayD<f64>,
) -> ArrayD<f64> {
    let Some((&last, rest)) = axes.split_last() else {
        return x.clone();
    };
    // Highest axis first: keeping each reduced axis (length 1) leaves the others' numbers valid.
    let mut y = f(Axis(last), x).insert_axis(Axis(last));
    for &a in rest.iter().rev() {
        y = f(Axis(a), &y).insert_axis(Axis(a));
    }
    y
}

/// `y` (reduced with the axes kept) with the reduced axes removed unless `keepdims`.
fn drop_axes(mut y: ArrayD<f64>, axes: &[usize], keepdims: bool) -> ArrayD<f64> {
    if !keepdims {
        for &a in axes.iter().rev() {
            y = y.index_axis_move(Axis(a), 0);
        }
    }
    y
}

/// gy (of shape `kept` if `keepdims`, else with the axes removed) broadcast back to the
/// shape of x: DeZero's `reshape_sum_backward` followed by `broadcast_to`.
fn spread(gy: &Variable, x: &Variable, axes: &[usize]) -> Variable {
    let shape = x.shape();
    let g = reshape(gy, &kept_shape(&shape, axes));
    broadcast_to(&g, &shape)
}

/// y = x summed over `axes`. Backward: gx = broadcast_to(gy with the axes kept, shape of x).
///
/// Applied directly with [`apply`] it checks the axes as [`sum_axes`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::SumAxes, Variable};
/// let x = Variable::new(ndarray::ArrayD::ones(vec![2, 3]));
/// let y = apply(SumAxes { axes: vec![1], keepdims: true }, &[&x]).remove(0);
/// assert_eq!(*y.data(), ndarray::array![[3.0], [3.0]].into_dyn());
/// ```
#[derive(Debug, Clone)]
pub struct SumAxes {
    /// The axes summed over, in any order, each at most once.
    pub axes: Vec<usize>,
    /// Whether the summed axes stay, with length 1.
    pub keepdims: bool,
}

impl Builtin for SumAxes {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "sum"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let axes = check_axes("sum", xs[0].shape(), &self.axes);
        let y = reduce_kept(xs[0], &axes, |a, y| y.sum_axis(a));
        drop_axes(y, &axes, self.keepdims)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        gxs.push(spread(&gys[0], &xs[0], &self.axes));
    }
}

builtin_function!(SumAxes);

/// Which extreme [`Extreme`] takes.
///
/// ```
/// use dezero_runtime::{functions::{max, Extremum}, Variable};
/// let y = max(Variable::from(vec![1.0, 2.0]));
/// assert_eq!(y.creator().unwrap().name(), "max");
/// assert_ne!(Extremum::Max, Extremum::Min);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extremum {
    /// The largest element.
    Max,
    /// The smallest element.
    Min,
}

/// y = max (or min) of x over `axes`. Backward: gx = gy (with the axes kept, broadcast) times
/// w, where w = 1/k on each of the k elements equal to their group's extreme and 0 elsewhere
/// (ties split evenly).
///
/// NaN elements are skipped, as `f64::max` does; a group of only NaNs gives NaN, and its
/// gradient is split evenly among them. Applied directly with [`apply`] it checks the axes
/// as [`max_axes`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::{Extreme, Extremum}, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 5.0], [4.0, 2.0]]);
/// let f = Extreme { kind: Extremum::Min, axes: vec![0], keepdims: false };
/// assert_eq!(*apply(f, &[&x])[0].data(), ndarray::array![1.0, 2.0].into_dyn());
/// ```
#[derive(Debug, Clone)]
pub struct Extreme {
    /// Max or min.
    pub kind: Extremum,
    /// The axes reduced over, in any order, each at most once.
    pub axes: Vec<usize>,
    /// Whether the reduced axes stay, with length 1.
    pub keepdims: bool,
}

impl Extreme {
    /// The axes, sorted, after checking them against `shape` (none repeated, none of length 0).
    ///
    /// # Panics
    /// Otherwise, naming `max` or `min` and the shape.
    #[track_caller]
    fn sorted_axes(&self, shape: &[usize]) -> Vec<usize> {
        let name = self.name();
        let axes = check_axes(name, shape, &self.axes);
        if let Some(&a) = axes.iter().find(|&&a| shape[a] == 0) {
            panic!(
                "{name}: cannot reduce axis {a} of length 0 (shape {shape:?}): an empty group has no {name}"
            );
        }
        axes
    }

    /// The extreme of each group over the sorted `axes`, with them kept as length 1.
    fn kept(&self, x: &ArrayD<f64>, axes: &[usize]) -> ArrayD<f64> {
        let pick: fn(f64, f64) -> f64 = match self.kind {
            Extremum::Max => f64::max,
            Extremum::Min => f64::min,
        };
        reduce_kept(x, axes, |a, y| {
            y.fold_axis(a, f64::NAN, |&acc, &v| pick(acc, v))
        })
    }
}

impl Function for Extreme {
    fn name(&self) -> &str {
        match self.kind {
            Extremum::Max => "max",
            Extremum::Min => "min",
        }
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        let axes = self.sorted_axes(xs[0].shape());
        vec![drop_axes(self.kept(xs[0], &axes), &axes, self.keepdims)]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let weights = {
            let x = xs[0].data();
            let axes = self.sorted_axes(x.shape());
            let y = self.kept(&x, &axes);
            let y = y.broadcast(x.raw_dim()).expect("kept axes broadcast");
            let hit = Zip::from(&*x)
                .and(&y)
                .map_collect(|&x, &y| f64::from(u8::from(x == y || (x.is_nan() && y.is_nan()))));
            let count = reduce_kept(&hit, &axes, |a, h| h.sum_axis(a));
            hit / count
        };
        vec![spread(&gys[0], &xs[0], &self.axes) * Variable::new(weights)]
    }
}

/// Sums over `axes` (DeZero's `sum(x, axis, keepdims)`; [`sum`] sums everything).
///
/// Derivative: each element feeds its group's sum with weight 1, so gx is gy broadcast back
/// over the summed axes.
///
/// # Panics
/// If an axis is out of range or repeated (the message names `sum` and the shape).
///
/// ```
/// use dezero_runtime::{functions::sum_axes, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let y = sum_axes(&x, &[0], false);
/// assert_eq!(*y.data(), ndarray::array![5.0, 7.0, 9.0].into_dyn());
/// assert_eq!(sum_axes(&x, &[1], true).shape(), vec![2, 1]);
/// y.backward();
/// assert_eq!(*x.grad().unwrap().data(), ndarray::ArrayD::ones(vec![2, 3]));
/// ```
#[track_caller]
pub fn sum_axes(x: impl AsRef<Variable>, axes: &[usize], keepdims: bool) -> Variable {
    let x = x.as_ref();
    let axes = check_axes("sum", &x.shape(), axes);
    apply1(SumAxes { axes, keepdims }, x)
}

/// The mean of all elements, as a 0-dim variable (DeZero's `mean` / `average` without an
/// axis).
///
/// Derivative: ∂y/∂xᵢ = 1/n for n elements. The mean of an empty array is NaN (0/0).
///
/// ```
/// use dezero_runtime::{functions::mean, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0], [3.0, 6.0]]);
/// let y = mean(&x);
/// y.backward();
/// assert_eq!(y.item(), 3.0);
/// assert_eq!(*x.grad().unwrap().data(), ndarray::ArrayD::from_elem(vec![2, 2], 0.25));
/// ```
pub fn mean(x: impl AsRef<Variable>) -> Variable {
    let x = x.as_ref();
    sum(x) / x.size() as f64
}

/// The mean over `axes` (DeZero's `mean(x, axis, keepdims)`).
///
/// Derivative: ∂y/∂xᵢ = 1/k, k the number of elements averaged into xᵢ's group.
///
/// # Panics
/// If an axis is out of range or repeated (the message names `mean` and the shape).
///
/// ```
/// use dezero_runtime::{functions::mean_axes, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let y = mean_axes(&x, &[1], true);
/// assert_eq!(*y.data(), ndarray::array![[2.0], [5.0]].into_dyn());
/// ```
#[track_caller]
pub fn mean_axes(x: impl AsRef<Variable>, axes: &[usize], keepdims: bool) -> Variable {
    let x = x.as_ref();
    let shape = x.shape();
    let sorted = check_axes("mean", &shape, axes);
    let count: usize = sorted.iter().map(|&a| shape[a]).product();
    sum_axes(x, &sorted, keepdims) / count as f64
}

#[track_caller]
fn extreme(kind: Extremum, x: &Variable, axes: &[usize], keepdims: bool) -> Variable {
    let f = Extreme {
        kind,
        axes: axes.to_vec(),
        keepdims,
    };
    f.sorted_axes(&x.shape());
    apply(f, &[x]).remove(0)
}

/// The largest element of `x`, as a 0-dim variable (DeZero's `max(x)`).
///
/// Derivative: 1 at the maximum, 0 elsewhere; k tied maxima get 1/k each. NaNs are skipped
/// (`f64::max`).
///
/// # Panics
/// If `x` has no elements.
///
/// ```
/// use dezero_runtime::{functions::max, Variable};
/// let x = Variable::from(ndarray::array![1.0, 3.0, 3.0, 2.0]);
/// let y = max(&x);
/// y.backward();
/// assert_eq!(y.item(), 3.0);
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![0.0, 0.5, 0.5, 0.0].into_dyn());
/// ```
#[track_caller]
pub fn max(x: impl AsRef<Variable>) -> Variable {
    let x = x.as_ref();
    let axes: Vec<usize> = (0..x.ndim()).collect();
    extreme(Extremum::Max, x, &axes, false)
}

/// The maximum over `axes` (DeZero's `max(x, axis, keepdims)`).
///
/// Derivative: in each group, 1 at the maximum and 0 elsewhere; k tied maxima get 1/k each.
///
/// # Panics
/// If an axis is out of range, repeated, or of length 0 (the message names `max` and the
/// shape).
///
/// ```
/// use dezero_runtime::{functions::max_axes, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 5.0], [4.0, 2.0]]);
/// let y = max_axes(&x, &[1], false);
/// y.backward();
/// assert_eq!(*y.data(), ndarray::array![5.0, 4.0].into_dyn());
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![[0.0, 1.0], [1.0, 0.0]].into_dyn());
/// ```
#[track_caller]
pub fn max_axes(x: impl AsRef<Variable>, axes: &[usize], keepdims: bool) -> Variable {
    extreme(Extremum::Max, x.as_ref(), axes, keepdims)
}

/// The smallest element of `x`, as a 0-dim variable (DeZero's `min(x)`).
///
/// Derivative: 1 at the minimum, 0 elsewhere; k tied minima get 1/k each. NaNs are skipped
/// (`f64::min`).
///
/// # Panics
/// If `x` has no elements.
///
/// ```
/// use dezero_runtime::{functions::min, Variable};
/// let x = Variable::from(ndarray::array![2.0, -1.0, 4.0]);
/// let y = min(&x);
/// y.backward();
/// assert_eq!(y.item(), -1.0);
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![0.0, 1.0, 0.0].into_dyn());
/// ```
#[track_caller]
pub fn min(x: impl AsRef<Variable>) -> Variable {
    let x = x.as_ref();
    let axes: Vec<usize> = (0..x.ndim()).collect();
    extreme(Extremum::Min, x, &axes, false)
}

/// The minimum over `axes` (DeZero's `min(x, axis, keepdims)`).
///
/// Derivative: in each group, 1 at the minimum and 0 elsewhere; k tied minima get 1/k each.
///
/// # Panics
/// If an axis is out of range, repeated, or of length 0 (the message names `min` and the
/// shape).
///
/// ```
/// use dezero_runtime::{functions::min_axes, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 5.0], [4.0, 2.0]]);
/// let y = min_axes(&x, &[0], true);
/// assert_eq!(*y.data(), ndarray::array![[1.0, 2.0]].into_dyn());
/// ```
#[track_caller]
pub fn min_axes(x: impl AsRef<Variable>, axes: &[usize], keepdims: bool) -> Variable {
    extreme(Extremum::Min, x.as_ref(), axes, keepdims)
}
