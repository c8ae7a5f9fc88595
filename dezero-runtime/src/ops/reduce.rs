//! Reductions and broadcasting: `sum` (all elements), `sum_to` and `broadcast_to`, each the
//! other's backward.

use ndarray::{ArrayD, Axis, IxDyn};

use crate::function::{apply1, check_backward_arity, Function};
use crate::variable::Variable;

/// Sums `x` down to `shape`: over the leading axes `x` has in excess, then over each axis
/// where `shape` has 1 and `x` does not (NumPy/DeZero `sum_to`).
pub(crate) fn sum_to_array(x: &ArrayD<f64>, shape: &[usize]) -> ArrayD<f64> {
    if x.shape() == shape {
        return x.clone();
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

/// Whether `from` broadcasts to exactly `to` under NumPy's rules (so an array of shape `to`
/// can be summed down to `from`): `from` has no more axes, and each of its axes, aligned
/// from the right, is 1 or equal to `to`'s.
pub(crate) fn broadcasts_to(from: &[usize], to: &[usize]) -> bool {
    from.len() <= to.len()
        && from
            .iter()
            .rev()
            .zip(to.iter().rev())
            .all(|(&f, &t)| f == t || f == 1)
}

/// y = sum of all elements of x (a 0-dim result). Backward: gx = broadcast_to(gy, shape of x).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum;

impl Function for Sum {
    fn name(&self) -> &str {
        "sum"
    }
    crate::function::forward_via_single!(1);
    fn forward_single(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        ndarray::arr0(xs[0].sum()).into_dyn()
    }
    #[track_caller]
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        check_backward_arity(self.name(), 1, xs.len(), gys.len());
        vec![broadcast_to(&gys[0], &xs[0].shape())]
    }
}

/// y = x summed down to a shape. Backward: gx = broadcast_to(gy, shape of x).
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`sum_to`]: if the shapes do not fit (the message
/// names `sum_to` and both shapes), or it is not given exactly one input.
#[derive(Debug, Clone)]
pub struct SumTo(pub Vec<usize>);

impl Function for SumTo {
    fn name(&self) -> &str {
        "sum_to"
    }
    crate::function::forward_via_single!(1);
    #[track_caller]
    fn forward_single(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let from = xs[0].shape();
        if !broadcasts_to(&self.0, from) {
            panic!("sum_to: shape {from:?} cannot be summed to {:?}", self.0);
        }
        sum_to_array(xs[0], &self.0)
    }
    #[track_caller]
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        check_backward_arity(self.name(), 1, xs.len(), gys.len());
        vec![broadcast_to(&gys[0], &xs[0].shape())]
    }
}

/// y = x broadcast to a shape. Backward: gx = sum_to(gy, shape of x).
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`broadcast_to`]: if the shapes do not fit (the message
/// names `broadcast_to` and both shapes), or it is not given exactly one input.
#[derive(Debug, Clone)]
pub struct BroadcastTo(pub Vec<usize>);

impl Function for BroadcastTo {
    fn name(&self) -> &str {
        "broadcast_to"
    }
    crate::function::forward_via_single!(1);
    #[track_caller]
    fn forward_single(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let from = xs[0].shape();
        match xs[0].broadcast(IxDyn(&self.0)) {
            Some(view) if broadcasts_to(from, &self.0) => view.to_owned(),
            _ => panic!(
                "broadcast_to: shape {from:?} cannot be broadcast to {:?}",
                self.0
            ),
        }
    }
    #[track_caller]
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        check_backward_arity(self.name(), 1, xs.len(), gys.len());
        vec![sum_to(&gys[0], &xs[0].shape())]
    }
}

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
pub fn sum(x: &Variable) -> Variable {
    apply1(Sum, x)
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
pub fn sum_to(x: &Variable, shape: &[usize]) -> Variable {
    apply1(SumTo(shape.to_vec()), x)
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
pub fn broadcast_to(x: &Variable, shape: &[usize]) -> Variable {
    apply1(BroadcastTo(shape.to_vec()), x)
}
