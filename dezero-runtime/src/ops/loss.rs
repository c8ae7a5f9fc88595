//! Loss functions and metrics (DeZero `functions.py`): `mean_squared_error`,
//! `softmax_cross_entropy` with integer labels, `sigmoid_cross_entropy`, and `accuracy` (a
//! plain number, no gradient).
//!
//! As in DeZero, the losses divide by the batch size `N = len(x)` (the length of the first
//! axis, 1 for a 0-dim `x`), not by the number of elements.

use ndarray::{ArrayD, ArrayView1, Axis, Ix2, Zip};

use crate::builtin::{apply1, builtin_function, Builtin};
use crate::config::is_backprop_enabled;
use crate::function::{apply, Function};
use crate::ops::activation::{minus_lane_max, softmax};
use crate::ops::math::sigmoid;
use crate::ops::shape::reshape;
use crate::variable::Variable;
use crate::vector_math::exp_in_place;

/// DeZero's `len(x)`: the first axis' length, or 1 for a 0-dim array.
fn batch_len(shape: &[usize]) -> usize {
    shape.first().copied().unwrap_or(1)
}

/// Panics unless shapes `a` and `b` are equal, naming `op`.
#[track_caller]
fn check_same(op: &str, a: &[usize], b: &[usize]) {
    if a != b {
        panic!("{op}: shapes {a:?} and {b:?} differ; both must have the same shape");
    }
}

/// Panics unless `shape` is `(N, C)` and there are N labels, each below C.
#[track_caller]
fn check_labels(shape: &[usize], labels: &[usize]) {
    let &[n, c] = shape else {
        panic!("softmax_cross_entropy: x must be 2-D (batch, classes), got shape {shape:?}");
    };
    if labels.len() != n {
        panic!(
            "softmax_cross_entropy: {} labels for x of shape {shape:?}; need one per row ({n})",
            labels.len()
        );
    }
    if let Some((i, &t)) = labels.iter().enumerate().find(|&(_, &t)| t >= c) {
        panic!(
            "softmax_cross_entropy: label {t} (row {i}) is out of range for {c} classes (x of shape {shape:?})"
        );
    }
}

/// y = Σ (x0 - x1)² / N. Backward: gx0 = gy · 2 (x0 - x1) / N, gx1 = -gx0.
///
/// Applied directly with [`apply`] it checks the shapes as [`mean_squared_error`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::MeanSquaredError, Variable};
/// let (a, b) = (Variable::from(vec![1.0, 2.0]), Variable::from(vec![1.0, 0.0]));
/// assert_eq!(apply(MeanSquaredError, &[&a, &b])[0].item(), 2.0); // 4 / N = 2
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MeanSquaredError;

impl Function for MeanSquaredError {
    fn name(&self) -> &str {
        "mean_squared_error"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        check_same("mean_squared_error", xs[0].shape(), xs[1].shape());
        let total = Zip::from(xs[0])
            .and(xs[1])
            .fold(0.0, |s, &a, &b| s + (a - b) * (a - b));
        let n = batch_len(xs[0].shape()) as f64;
        vec![ndarray::arr0(total / n).into_dyn()]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let n = batch_len(&xs[0].shape()) as f64;
        let gx0 = (&xs[0] - &xs[1]) * (&gys[0] * (2.0 / n));
        let gx1 = -&gx0;
        vec![gx0, gx1]
    }
}

/// y = -(1/N) Σᵢ log softmax(xᵢ)\[tᵢ\] for integer labels t.
/// Backward: gx = (softmax(x) - onehot(t)) · gy / N.
///
/// Applied directly with [`apply`] it checks x and the labels as [`softmax_cross_entropy`]
/// does.
///
/// ```
/// use dezero_runtime::{apply, functions::SoftmaxCrossEntropy, Variable};
/// let x = Variable::from(ndarray::array![[0.0, 0.0]]);
/// let y = apply(SoftmaxCrossEntropy(vec![1]), &[&x]).remove(0);
/// assert!((y.item() - 2f64.ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone)]
pub struct SoftmaxCrossEntropy(pub Vec<usize>);

impl Builtin for SoftmaxCrossEntropy {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "softmax_cross_entropy"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        check_labels(xs[0].shape(), &self.0);
        let x = xs[0]
            .view()
            .into_dimensionality::<Ix2>()
            .expect("checked 2-D");
        // x - max per row, then their exponentials for the whole array at once
        let d = minus_lane_max(x, 1);
        let mut e = d.clone();
        exp_in_place(e.as_slice_mut().expect("standard layout"));
        let mut total = 0.0;
        for ((d, e), &t) in d.rows().into_iter().zip(e.rows()).zip(&self.0) {
            let ln_sum = e.fold(0.0, |s, &v| s + v).ln();
            total += ln_sum - d[t];
        }
        ndarray::arr0(total / self.0.len() as f64).into_dyn()
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let x = &xs[0];
        let n = self.0.len() as f64;
        if !is_backprop_enabled() {
            // No graph to record (backward without create_graph): the same formula on the
            // arrays, in one buffer.
            // Row by row on a 2-D view and plain slices (the same operations in the same
            // order as on the arrays, without a dynamic shape per row).
            let scale = gys[0].item() / n;
            let data = x.data();
            let x2 = data
                .view()
                .into_dimensionality::<Ix2>()
                .expect("checked 2-D");
            let mut gx = minus_lane_max(x2, 1);
            drop(data);
            exp_in_place(gx.as_slice_mut().expect("standard layout"));
            for (mut row, &t) in gx.rows_mut().into_iter().zip(&self.0) {
                let out = row
                    .as_slice_mut()
                    .expect("a row of a standard-layout array");
                let s = ArrayView1::from(&*out).sum();
                out.iter_mut().for_each(|v| *v /= s);
                out[t] -= 1.0;
                out.iter_mut().for_each(|v| *v *= scale);
            }
            let gx = gx.into_dyn();
            gxs.push(Variable::new(gx));
            return;
        }
        let mut onehot = ArrayD::zeros(x.dim());
        for (i, &t) in self.0.iter().enumerate() {
            onehot[[i, t]] = 1.0;
        }
        gxs.push((softmax(x, 1) - onehot) * (&gys[0] / n));
    }
}

builtin_function!(SoftmaxCrossEntropy);

/// y = (1/N) Σ [max(x, 0) - x t + ln(1 + e^(-|x|))], the binary cross entropy of sigmoid(x)
/// against t. Backward: gx = (sigmoid(x) - t) · gy / N, gt = -x · gy / N.
///
/// Applied directly with [`apply`], x and t must have the same shape ([`sigmoid_cross_entropy`]
/// also reshapes t).
///
/// ```
/// use dezero_runtime::{apply, functions::SigmoidCrossEntropy, Variable};
/// let (x, t) = (Variable::from(vec![0.0]), Variable::from(vec![1.0]));
/// let y = apply(SigmoidCrossEntropy, &[&x, &t]).remove(0);
/// assert!((y.item() - 2f64.ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SigmoidCrossEntropy;

impl Function for SigmoidCrossEntropy {
    fn name(&self) -> &str {
        "sigmoid_cross_entropy"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        check_same("sigmoid_cross_entropy", xs[0].shape(), xs[1].shape());
        let total = Zip::from(xs[0]).and(xs[1]).fold(0.0, |s, &x, &t| {
            s + x.max(0.0) - x * t + (-x.abs()).exp().ln_1p()
        });
        let n = batch_len(xs[0].shape()) as f64;
        vec![ndarray::arr0(total / n).into_dyn()]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let (x, t) = (&xs[0], &xs[1]);
        let scale = &gys[0] / batch_len(&x.shape()) as f64;
        let gx = (sigmoid(x) - t) * &scale;
        let gt = -x * &scale;
        vec![gx, gt]
    }
}

/// The squared error summed and divided by the batch size: `Σ (x0 - x1)² / len(x0)`
/// (DeZero's `mean_squared_error`, a 0-dim result).
///
/// For x of shape `(N, 1)` (or `(N)`) this is the mean; for `(N, k)` it is the sum over
/// each row averaged over the batch, as DeZero's `len(diff)` divides by N only.
///
/// Derivative: ∂y/∂x0 = 2 (x0 - x1) / N, ∂y/∂x1 = -2 (x0 - x1) / N.
///
/// # Panics
/// If the shapes differ (no broadcasting: `(N, 1)` against `(N)` would silently make an
/// `(N, N)` difference in NumPy). The message names `mean_squared_error` and both shapes.
///
/// ```
/// use dezero_runtime::{functions::mean_squared_error, Variable};
/// let y = Variable::from(ndarray::array![[1.0], [2.0]]);
/// let t = Variable::from(ndarray::array![[0.0], [4.0]]);
/// let loss = mean_squared_error(&y, &t);
/// loss.backward();
/// assert_eq!(loss.item(), 2.5); // (1 + 4) / 2
/// assert_eq!(*y.grad().unwrap().data(), ndarray::array![[1.0], [-2.0]].into_dyn());
/// ```
#[track_caller]
pub fn mean_squared_error(x0: impl AsRef<Variable>, x1: impl AsRef<Variable>) -> Variable {
    let (x0, x1) = (x0.as_ref(), x1.as_ref());
    check_same("mean_squared_error", &x0.shape(), &x1.shape());
    apply(MeanSquaredError, &[x0, x1]).remove(0)
}

/// The softmax cross entropy of scores `x` (shape `(N, C)`) against integer class labels:
/// `-(1/N) Σᵢ log softmax(xᵢ)[labels[i]]` (DeZero's `softmax_cross_entropy`, a 0-dim result).
///
/// Computed with log-sum-exp, so large scores do not overflow (DeZero clips the
/// probabilities at 1e-15 instead; the values agree wherever that clip does not bind).
///
/// Derivative: ∂y/∂x = (softmax(x) - onehot(labels)) / N. The labels get no gradient.
///
/// # Panics
/// If `x` is not 2-D, `labels.len()` is not N, or a label is not below C (the message names
/// `softmax_cross_entropy` and the shape).
///
/// ```
/// use dezero_runtime::{functions::softmax_cross_entropy, Variable};
/// let x = Variable::from(ndarray::array![[0.0, 0.0], [0.0, 0.0]]);
/// let loss = softmax_cross_entropy(&x, &[0, 1]);
/// loss.backward();
/// assert!((loss.item() - 2f64.ln()).abs() < 1e-15);
/// // (softmax - onehot) / N = ([0.5, 0.5] - [1, 0]) / 2 for the first row
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![[-0.25, 0.25], [0.25, -0.25]].into_dyn());
/// ```
#[track_caller]
pub fn softmax_cross_entropy(x: impl AsRef<Variable>, labels: &[usize]) -> Variable {
    let x = x.as_ref();
    check_labels(&x.shape(), labels);
    apply1(SoftmaxCrossEntropy(labels.to_vec()), x)
}

/// The binary cross entropy of `sigmoid(x)` against targets `t` (0/1 or probabilities), summed
/// and divided by the batch size (DeZero's `sigmoid_cross_entropy`, a 0-dim result).
///
/// Computed stably as `max(x, 0) - x t + ln(1 + e^(-|x|))` per element. DeZero instead clips
/// sigmoid(x) to `[1e-15, 1]` before taking logs, which caps each element's loss near 34.5;
/// here a confidently wrong score `x` costs about `|x|`, and the gradient stays
/// `sigmoid(x) - t`.
///
/// `t` may have x's shape, or (as DeZero) another shape with the same number of elements, in
/// which case it is reshaped to x's shape (`t` of shape `(N)` for `x` of shape `(N, 1)`).
///
/// Derivative: ∂y/∂x = (sigmoid(x) - t) / N, ∂y/∂t = -x / N.
///
/// # Panics
/// If `t`'s shape is neither x's shape nor another shape with as many elements (the message
/// names `sigmoid_cross_entropy` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::sigmoid_cross_entropy, Variable};
/// let x = Variable::from(ndarray::array![[0.0], [0.0]]);
/// let t = Variable::from(vec![1.0, 0.0]);
/// let loss = sigmoid_cross_entropy(&x, &t);
/// loss.backward();
/// assert!((loss.item() - 2f64.ln()).abs() < 1e-15); // ln 2 per element, 2 rows / N = 2
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![[-0.25], [0.25]].into_dyn());
/// ```
#[track_caller]
pub fn sigmoid_cross_entropy(x: impl AsRef<Variable>, t: impl AsRef<Variable>) -> Variable {
    let (x, t) = (x.as_ref(), t.as_ref());
    let (xs, ts) = (x.shape(), t.shape());
    let t = if xs == ts {
        t.clone()
    } else if xs.len() != ts.len() && x.size() == t.size() {
        reshape(t, &xs)
    } else {
        panic!(
            "sigmoid_cross_entropy: targets of shape {ts:?} do not match scores of shape {xs:?}"
        );
    };
    apply(SigmoidCrossEntropy, &[x, &t]).remove(0)
}

/// The fraction of rows of `y` (shape `(N, C)`) whose largest score is at the label
/// (DeZero's `accuracy`; a plain number, not differentiable).
///
/// Ties go to the first largest score (NumPy's `argmax`). An empty batch gives NaN (0/0).
///
/// # Panics
/// If `y` is not 2-D or `labels.len()` is not N (the message names `accuracy` and the
/// shape).
///
/// ```
/// use dezero_runtime::{functions::accuracy, Variable};
/// let y = Variable::from(ndarray::array![[0.2, 0.8, 0.0], [0.1, 0.4, 0.5], [0.9, 0.1, 0.0]]);
/// assert_eq!(accuracy(&y, &[1, 2, 1]), 2.0 / 3.0);
/// ```
#[track_caller]
pub fn accuracy(y: impl AsRef<Variable>, labels: &[usize]) -> f64 {
    let y = y.as_ref().data();
    if y.ndim() != 2 || y.shape()[0] != labels.len() {
        panic!(
            "accuracy: y of shape {:?} and {} labels; y must be 2-D (batch, classes) with one row per label",
            y.shape(),
            labels.len()
        );
    }
    if y.shape()[1] == 0 && !labels.is_empty() {
        panic!(
            "accuracy: y of shape {:?} has no classes to pick from",
            y.shape()
        );
    }
    let hits = y
        .axis_iter(Axis(0))
        .zip(labels)
        .filter(|(row, t)| {
            let mut best = 0;
            for (j, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = j;
                }
            }
            best == **t
        })
        .count();
    hits as f64 / labels.len() as f64
}
