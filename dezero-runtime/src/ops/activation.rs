//! Activations (DeZero `functions.py`): `relu`, `leaky_relu`, `clip`, and `softmax` /
//! `log_softmax` over an axis (numerically stable: the maximum is subtracted first).
//!
//! Kinks follow the project convention (KINKS.md, PyTorch's choices): relu' (0) = 0,
//! leaky_relu' (0) = slope, clip' = 1 on the closed interval `[lo, hi]`.

use ndarray::{Array, ArrayD, ArrayView, Axis, Dimension};

use crate::builtin::{apply1, builtin_function, Builtin};
use crate::function::{apply, Function};
use crate::ops::axes::{check_axes, sum_axes};
use crate::ops::math::{constant_map, exp};
use crate::variable::Variable;
use crate::vector_math::exp_in_place;

/// y = max(x, 0) (NaN stays NaN). Backward: gx = gy * (x > 0), 0 at x = 0.
///
/// ```
/// use dezero_runtime::{apply, functions::Relu, Variable};
/// let y = apply(Relu, &[&Variable::from(vec![-1.0, 2.0])]).remove(0);
/// assert_eq!(*y.data(), ndarray::array![0.0, 2.0].into_dyn());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Relu;

impl Builtin for Relu {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "relu"
    }
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        xs[0].mapv(|x| if x > 0.0 || x.is_nan() { x } else { 0.0 })
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        gxs.push(&gys[0] * constant_map(&xs[0], |x| f64::from(u8::from(x > 0.0))));
    }
}

builtin_function!(Relu);

/// y = x for x > 0, slope * x otherwise. Backward: gx = gy * (x > 0 ? 1 : slope).
///
/// ```
/// use dezero_runtime::{apply, functions::LeakyRelu, Variable};
/// let y = apply(LeakyRelu(0.5), &[&Variable::from(vec![-1.0, 2.0])]).remove(0);
/// assert_eq!(*y.data(), ndarray::array![-0.5, 2.0].into_dyn());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LeakyRelu(pub f64);

impl Function for LeakyRelu {
    fn name(&self) -> &str {
        "leaky_relu"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        let s = self.0;
        vec![xs[0].mapv(|x| if x > 0.0 { x } else { s * x })]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let s = self.0;
        vec![&gys[0] * constant_map(&xs[0], |x| if x > 0.0 { 1.0 } else { s })]
    }
}

/// y = x clamped to `[lo, hi]`. Backward: gx = gy * (lo ≤ x ≤ hi).
///
/// Applied directly with [`apply`] it checks the bounds as [`clip`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::Clip, Variable};
/// let y = apply(Clip { lo: 0.0, hi: 1.0 }, &[&Variable::from(vec![-1.0, 2.0])]).remove(0);
/// assert_eq!(*y.data(), ndarray::array![0.0, 1.0].into_dyn());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Clip {
    /// The lower bound.
    pub lo: f64,
    /// The upper bound.
    pub hi: f64,
}

impl Function for Clip {
    fn name(&self) -> &str {
        "clip"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        let (lo, hi) = (self.lo, self.hi);
        check_bounds(lo, hi);
        vec![xs[0].mapv(|x| x.clamp(lo, hi))]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let (lo, hi) = (self.lo, self.hi);
        let inside = constant_map(&xs[0], |x| f64::from(u8::from(lo <= x && x <= hi)));
        vec![&gys[0] * inside]
    }
}

/// Panics unless `lo <= hi` (neither NaN).
#[track_caller]
fn check_bounds(lo: f64, hi: f64) {
    if lo.is_nan() || hi.is_nan() || lo > hi {
        panic!("clip: the bounds must satisfy lo <= hi, got lo = {lo}, hi = {hi}");
    }
}

/// `x` minus the largest non-NaN element of each lane along `axis` (NaN if a lane has none),
/// in standard layout: the exponent of softmax, log_softmax and softmax_cross_entropy (exact
/// for the largest element).
pub(crate) fn minus_lane_max<D: Dimension>(x: ArrayView<'_, f64, D>, axis: usize) -> Array<f64, D> {
    let mut y = x.as_standard_layout().into_owned();
    for mut lane in y.lanes_mut(Axis(axis)) {
        let m = lane.fold(f64::NAN, |m, &v| m.max(v));
        lane.mapv_inplace(|v| v - m);
    }
    y
}

/// y = exp(x - max) / Σ exp(x - max) along `axis`.
/// Backward: gx = y gy - y Σ(y gy) along the axis.
///
/// Applied directly with [`apply`] it checks the axis as [`softmax`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::Softmax, Variable};
/// let y = apply(Softmax(0), &[&Variable::from(vec![3.0, 3.0])]).remove(0);
/// assert_eq!(*y.data(), ndarray::array![0.5, 0.5].into_dyn());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Softmax(pub usize);

impl Function for Softmax {
    fn name(&self) -> &str {
        "softmax"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        check_axes("softmax", xs[0].shape(), &[self.0]);
        let mut y = minus_lane_max(xs[0].view(), self.0);
        exp_in_place(y.as_slice_mut().expect("standard layout"));
        for mut lane in y.lanes_mut(Axis(self.0)) {
            let s = lane.sum();
            lane.mapv_inplace(|v| v / s);
        }
        vec![y]
    }
    fn backward(
        &self,
        xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        let y = ys[0].clone().unwrap_or_else(|| softmax(&xs[0], self.0));
        let ygy = &y * &gys[0];
        let s = sum_axes(&ygy, &[self.0], true);
        vec![&ygy - &y * s]
    }
}

/// y = x - max - ln Σ exp(x - max) along `axis`.
/// Backward: gx = gy - exp(y) Σ gy along the axis.
///
/// Applied directly with [`apply`] it checks the axis as [`log_softmax`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::LogSoftmax, Variable};
/// let y = apply(LogSoftmax(0), &[&Variable::from(vec![3.0, 3.0])]).remove(0);
/// assert_eq!(y.data()[0], -(2f64.ln()));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LogSoftmax(pub usize);

impl Function for LogSoftmax {
    fn name(&self) -> &str {
        "log_softmax"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        check_axes("log_softmax", xs[0].shape(), &[self.0]);
        // y = x - max first (no rounding of max + ln_sum), then y - ln Σ exp(y)
        let mut y = minus_lane_max(xs[0].view(), self.0);
        let mut e = y.clone();
        exp_in_place(e.as_slice_mut().expect("standard layout"));
        for (mut lane, e) in y
            .lanes_mut(Axis(self.0))
            .into_iter()
            .zip(e.lanes(Axis(self.0)))
        {
            let ln_sum = e.fold(0.0, |s, &v| s + v).ln();
            lane.mapv_inplace(|v| v - ln_sum);
        }
        vec![y]
    }
    fn backward(
        &self,
        xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        let y = ys[0].clone().unwrap_or_else(|| log_softmax(&xs[0], self.0));
        let gy = &gys[0];
        vec![gy - exp(&y) * sum_axes(gy, &[self.0], true)]
    }
}

/// The rectified linear unit, `max(x, 0)` element-wise (NaN stays NaN).
///
/// Derivative: dy/dx = 1 for x > 0, 0 for x ≤ 0 (0 at the kink, as PyTorch).
///
/// ```
/// use dezero_runtime::{functions::{relu, sum}, Variable};
/// let x = Variable::from(vec![-1.0, 0.0, 2.0]);
/// let y = relu(&x);
/// sum(&y).backward();
/// assert_eq!(*y.data(), ndarray::array![0.0, 0.0, 2.0].into_dyn());
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![0.0, 0.0, 1.0].into_dyn());
/// ```
pub fn relu(x: impl AsRef<Variable>) -> Variable {
    apply1(Relu, x.as_ref())
}

/// The leaky ReLU: `x` for x > 0, `slope * x` otherwise (DeZero's `leaky_relu(x, slope)`,
/// whose default slope is 0.2).
///
/// Derivative: dy/dx = 1 for x > 0, `slope` for x ≤ 0 (`slope` at the kink).
///
/// ```
/// use dezero_runtime::{functions::{leaky_relu, sum}, Variable};
/// let x = Variable::from(vec![-1.0, 0.0, 2.0]);
/// let y = leaky_relu(&x, 0.2);
/// sum(&y).backward();
/// assert_eq!(*y.data(), ndarray::array![-0.2, 0.0, 2.0].into_dyn());
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![0.2, 0.2, 1.0].into_dyn());
/// ```
pub fn leaky_relu(x: impl AsRef<Variable>, slope: f64) -> Variable {
    apply(LeakyRelu(slope), &[x.as_ref()]).remove(0)
}

/// Clamps each element to `[lo, hi]` (DeZero's `clip`, NumPy's `np.clip`; NaN stays NaN).
///
/// Derivative: dy/dx = 1 for lo ≤ x ≤ hi (bounds included), 0 outside.
///
/// # Panics
/// If `lo > hi` or a bound is NaN (the message names `clip` and both bounds).
///
/// ```
/// use dezero_runtime::{functions::{clip, sum}, Variable};
/// let x = Variable::from(vec![-2.0, 0.5, 1.0, 3.0]);
/// let y = clip(&x, 0.0, 1.0);
/// sum(&y).backward();
/// assert_eq!(*y.data(), ndarray::array![0.0, 0.5, 1.0, 1.0].into_dyn());
/// assert_eq!(*x.grad().unwrap().data(), ndarray::array![0.0, 1.0, 1.0, 0.0].into_dyn());
/// ```
#[track_caller]
pub fn clip(x: impl AsRef<Variable>, lo: f64, hi: f64) -> Variable {
    check_bounds(lo, hi);
    apply(Clip { lo, hi }, &[x.as_ref()]).remove(0)
}

/// The softmax along `axis`: `exp(x) / Σ exp(x)`, computed as `exp(x - max)` over the
/// shifted sum so that large inputs do not overflow (DeZero's `softmax(x, axis=1)`).
///
/// Derivative: ∂yᵢ/∂xⱼ = yᵢ (δᵢⱼ - yⱼ) within each lane, so gx = y gy - y Σ(y gy).
///
/// # Panics
/// If `axis` is not an axis of `x` (the message names `softmax` and the shape).
///
/// ```
/// use dezero_runtime::{functions::softmax, Variable};
/// // exp(1000) overflows, but only differences matter: softmax([1000, 1001]) = softmax([0, 1])
/// let x = Variable::from(ndarray::array![[0.0, 0.0], [1000.0, 1001.0]]);
/// let y = softmax(&x, 1);
/// let y = y.data();
/// assert_eq!((y[[0, 0]], y[[0, 1]]), (0.5, 0.5));
/// let e = std::f64::consts::E;
/// assert!((y[[1, 0]] - 1.0 / (1.0 + e)).abs() < 1e-15);
/// ```
#[track_caller]
pub fn softmax(x: impl AsRef<Variable>, axis: usize) -> Variable {
    let x = x.as_ref();
    check_axes("softmax", &x.shape(), &[axis]);
    apply(Softmax(axis), &[x]).remove(0)
}

/// The log of the softmax along `axis`: `x - ln Σ exp(x)`, computed with the maximum
/// subtracted first (log-sum-exp), so it stays finite where `ln(softmax(x))` would give
/// `-inf`.
///
/// Derivative: ∂yᵢ/∂xⱼ = δᵢⱼ - softmax(x)ⱼ within each lane, so gx = gy - exp(y) Σ gy.
///
/// # Panics
/// If `axis` is not an axis of `x` (the message names `log_softmax` and the shape).
///
/// ```
/// use dezero_runtime::{functions::log_softmax, Variable};
/// let x = Variable::from(ndarray::array![[0.0, 1000.0]]);
/// let y = log_softmax(&x, 1);
/// assert_eq!(*y.data(), ndarray::array![[-1000.0, 0.0]].into_dyn());
/// ```
#[track_caller]
pub fn log_softmax(x: impl AsRef<Variable>, axis: usize) -> Variable {
    let x = x.as_ref();
    check_axes("log_softmax", &x.shape(), &[axis]);
    apply(LogSoftmax(axis), &[x]).remove(0)
}
