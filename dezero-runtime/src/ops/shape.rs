//! Shape functions (DeZero step 38): `reshape`, `transpose` / `transpose_axes`, `expand_dims`,
//! `flatten`, and the methods [`Variable::reshape`], [`Variable::transpose`] and
//! [`Variable::t`]. Each moves elements without changing them, so each backward is the
//! inverse move of the gradient.

use ndarray::{ArrayD, IxDyn};

use crate::builtin::{apply1, builtin_function, Builtin};
use crate::function::{apply, Function};
use crate::variable::Variable;

/// y = x with a new shape (same elements in row-major order). Backward: gx = reshape(gy, shape of x).
///
/// Applied directly with [`apply`] it panics as [`reshape`] does on a shape with another
/// number of elements.
///
/// ```
/// use dezero_runtime::{apply, functions::Reshape, Variable};
/// let y = apply(Reshape(vec![2, 1]), &[&Variable::from(vec![1.0, 2.0])]).remove(0);
/// assert_eq!(y.shape(), vec![2, 1]);
/// ```
#[derive(Debug, Clone)]
pub struct Reshape(pub Vec<usize>);

impl Function for Reshape {
    fn name(&self) -> &str {
        "reshape"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        check_sizes(xs[0].shape(), &self.0);
        let y = xs[0]
            .to_shape(IxDyn(&self.0))
            .expect("the sizes agree")
            .into_owned();
        vec![y]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![reshape(&gys[0], &xs[0].shape())]
    }
}

/// y = x with its axes permuted: `y.shape[i] = x.shape[axes[i]]`.
/// Backward: gx = transpose_axes(gy, inverse of axes).
///
/// Applied directly with [`apply`] it panics as [`transpose_axes`] does if the axes are not a
/// permutation.
///
/// ```
/// use dezero_runtime::{apply, functions::Transpose, Variable};
/// let x = Variable::new(ndarray::ArrayD::zeros(vec![2, 3, 4]));
/// assert_eq!(apply(Transpose(vec![2, 0, 1]), &[&x])[0].shape(), vec![4, 2, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct Transpose(pub Vec<usize>);

impl Builtin for Transpose {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "transpose"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        check_permutation(xs[0].shape(), &self.0);
        let view = xs[0].view().permuted_axes(IxDyn(&self.0));
        // Stored contiguous, so that element-wise work downstream runs on contiguous data.
        view.as_standard_layout().into_owned()
    }
    fn pullback(
        &self,
        _: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let mut inverse = vec![0; self.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            inverse[a] = i;
        }
        gxs.push(transpose_axes(&gys[0], &inverse));
    }
}

builtin_function!(Transpose);

/// Panics unless `from` and `to` have the same number of elements.
#[track_caller]
fn check_sizes(from: &[usize], to: &[usize]) {
    let (n, m) = (from.iter().product::<usize>(), to.iter().product::<usize>());
    if n != m {
        panic!("reshape: cannot reshape shape {from:?} ({n} elements) to {to:?} ({m} elements)");
    }
}

/// Panics unless `axes` is a permutation of the axes of `shape`.
#[track_caller]
fn check_permutation(shape: &[usize], axes: &[usize]) {
    let mut seen = vec![false; shape.len()];
    let is_permutation = axes.len() == shape.len()
        && axes
            .iter()
            .all(|&a| a < seen.len() && !std::mem::replace(&mut seen[a], true));
    if !is_permutation {
        panic!(
            "transpose: axes {axes:?} are not a permutation of the {} axes of shape {shape:?}",
            shape.len()
        );
    }
}

/// Gives `x` a new shape with the same number of elements, read in row-major order (DeZero's
/// `reshape`; NumPy's `-1` placeholder is not supported: give every dimension).
///
/// Derivative: each element moves unchanged, so gx = reshape(gy, shape of x). If `shape` is
/// already x's shape, `x` itself is returned (another handle, no new node), as in DeZero.
///
/// # Panics
/// If `shape` has a different number of elements than x (the message names `reshape` and
/// both shapes).
///
/// ```
/// use dezero_runtime::{functions::reshape, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let y = reshape(&x, &[6]);
/// y.backward();
/// assert_eq!(*y.data(), ndarray::array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0].into_dyn());
/// assert_eq!(x.grad().unwrap().shape(), vec![2, 3]);
/// ```
#[track_caller]
pub fn reshape(x: impl AsRef<Variable>, shape: &[usize]) -> Variable {
    let x = x.as_ref();
    let from = x.shape();
    if from == shape {
        return x.clone();
    }
    check_sizes(&from, shape);
    apply(Reshape(shape.to_vec()), &[x]).remove(0)
}

/// Reverses the order of the axes (NumPy's `x.T`, DeZero's `transpose()` without arguments).
///
/// Derivative: gx = transpose(gy). A 0-dim or 1-dim `x` is returned unchanged in value (a new
/// node all the same).
///
/// ```
/// use dezero_runtime::{functions::transpose, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let y = transpose(&x);
/// assert_eq!(*y.data(), ndarray::array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]].into_dyn());
/// ```
pub fn transpose(x: impl AsRef<Variable>) -> Variable {
    let x = x.as_ref();
    let axes: Vec<usize> = (0..x.ndim()).rev().collect();
    apply1(Transpose(axes), x)
}

/// Permutes the axes: `y.shape[i] = x.shape[axes[i]]` (NumPy's `transpose(axes)`).
///
/// Derivative: gx = transpose_axes(gy, inverse permutation).
///
/// # Panics
/// If `axes` is not a permutation of `0..x.ndim()` (the message names `transpose` and the
/// shape).
///
/// ```
/// use dezero_runtime::{functions::transpose_axes, Variable};
/// let x = Variable::new(ndarray::ArrayD::zeros(vec![2, 3, 4]));
/// let y = transpose_axes(&x, &[1, 2, 0]);
/// assert_eq!(y.shape(), vec![3, 4, 2]);
/// ```
#[track_caller]
pub fn transpose_axes(x: impl AsRef<Variable>, axes: &[usize]) -> Variable {
    let x = x.as_ref();
    check_permutation(&x.shape(), axes);
    apply1(Transpose(axes.to_vec()), x)
}

/// Inserts an axis of length 1 at position `axis` (NumPy's `expand_dims`).
///
/// Derivative: gx = reshape(gy, shape of x).
///
/// # Panics
/// If `axis > x.ndim()`.
///
/// ```
/// use dezero_runtime::{functions::expand_dims, Variable};
/// let x = Variable::from(ndarray::array![1.0, 2.0, 3.0]);
/// assert_eq!(expand_dims(&x, 0).shape(), vec![1, 3]);
/// assert_eq!(expand_dims(&x, 1).shape(), vec![3, 1]);
/// ```
#[track_caller]
pub fn expand_dims(x: impl AsRef<Variable>, axis: usize) -> Variable {
    let x = x.as_ref();
    let mut shape = x.shape();
    if axis > shape.len() {
        panic!("expand_dims: axis {axis} is out of range for shape {shape:?}");
    }
    shape.insert(axis, 1);
    reshape(x, &shape)
}

/// Flattens every axis after the first: shape `(n, a, b, ..)` becomes `(n, a*b*..)` (DeZero's
/// `flatten`, which keeps the batch axis).
///
/// Derivative: gx = reshape(gy, shape of x).
///
/// # Panics
/// If `x` is 0-dim (it has no first axis to keep).
///
/// ```
/// use dezero_runtime::{functions::flatten, Variable};
/// let x = Variable::new(ndarray::ArrayD::zeros(vec![2, 3, 4]));
/// assert_eq!(flatten(&x).shape(), vec![2, 12]);
/// ```
#[track_caller]
pub fn flatten(x: impl AsRef<Variable>) -> Variable {
    let x = x.as_ref();
    let shape = x.shape();
    match shape.split_first() {
        Some((&n, rest)) => reshape(x, &[n, rest.iter().product()]),
        None => panic!("flatten: a 0-dim variable (shape []) has no first axis to keep"),
    }
}

impl Variable {
    /// `self` with a new shape (the method form of [`reshape`]).
    ///
    /// # Panics
    /// As [`reshape`].
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(vec![1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(x.reshape(&[2, 2]).shape(), vec![2, 2]);
    /// ```
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Variable {
        reshape(self, shape)
    }

    /// `self` with its axes reversed (the method form of [`transpose`]).
    ///
    /// ```
    /// let x = dezero_runtime::Variable::new(ndarray::ArrayD::zeros(vec![2, 3]));
    /// assert_eq!(x.transpose().shape(), vec![3, 2]);
    /// ```
    pub fn transpose(&self) -> Variable {
        transpose(self)
    }

    /// `self` with its axes reversed: NumPy's and DeZero's `x.T`.
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(ndarray::array![[1.0, 2.0]]);
    /// assert_eq!(*x.t().data(), ndarray::array![[1.0], [2.0]].into_dyn());
    /// ```
    pub fn t(&self) -> Variable {
        transpose(self)
    }
}
