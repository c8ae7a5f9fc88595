//! Matrix products (DeZero steps 41 and 43): `matmul` (2-D, and the 1-D cases of NumPy's
//! `dot`) and `linear` (`x W + b` as one node).
//!
//! The products run on ndarray's `dot` over 2-D/1-D views (matrixmultiply). Backward is
//! written with products themselves, so products differentiate again: for 2-D operands with
//! `MatMulT` (`op(a) · op(b)`, `op` a transpose or not), which multiplies by a transpose as a
//! strided view instead of copying it. Both are built-ins (the crate's fast path); `linear`
//! with a bias is the built-in `Affine`.

use ndarray::{arr0, ArrayD, ArrayView1, ArrayView2, Ix1, Ix2};

use crate::builtin::{apply2, applyn, builtin_function, Builtin};
use crate::function::{apply, Function};
use crate::ops::reduce::sum_to;
use crate::ops::shape::reshape;
use crate::variable::Variable;

fn view2(a: &ArrayD<f64>) -> ArrayView2<'_, f64> {
    a.view().into_dimensionality::<Ix2>().expect("checked 2-D")
}

fn view1(a: &ArrayD<f64>) -> ArrayView1<'_, f64> {
    a.view().into_dimensionality::<Ix1>().expect("checked 1-D")
}

/// The shape of `a · b`.
///
/// # Panics
/// If an operand is not 1-D or 2-D, or the inner lengths differ; the message names `op` and
/// both shapes.
#[track_caller]
fn product_shape(op: &str, a: &[usize], b: &[usize]) -> Vec<usize> {
    let (inner_a, inner_b, shape) = match (a, b) {
        (&[m, n], &[n2, k]) => (n, n2, vec![m, k]),
        (&[m, n], &[n2]) => (n, n2, vec![m]),
        (&[n], &[n2, k]) => (n, n2, vec![k]),
        (&[n], &[n2]) => (n, n2, vec![]),
        _ => panic!("{op}: operands must be 1-D or 2-D, got shapes {a:?} and {b:?}"),
    };
    if inner_a != inner_b {
        panic!(
            "{op}: shapes {a:?} and {b:?} are not aligned: the last axis of the first has length \
             {inner_a}, the first axis of the second has length {inner_b}"
        );
    }
    shape
}

/// `a · b` for 2-D operands, into a pooled array when the result is large: the same gemm
/// `dot` runs (bit for bit), but a 784 x 1000 gradient made every training step reuses a freed
/// buffer instead of faulting 6 MB of fresh pages in (11% of an MLP step's profile).
fn gemm(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> ArrayD<f64> {
    let mut out = crate::pool::array(ndarray::IxDyn(&[a.nrows(), b.ncols()]));
    let mut c = out.view_mut().into_dimensionality::<Ix2>().expect("2-D");
    // β = 0: the pooled buffer's old values are never read
    ndarray::linalg::general_mat_mul(1.0, &a, &b, 0.0, &mut c);
    out
}

/// `a · b` on arrays of checked shapes.
fn product(a: &ArrayD<f64>, b: &ArrayD<f64>) -> ArrayD<f64> {
    match (a.ndim(), b.ndim()) {
        (2, 2) => gemm(view2(a), view2(b)),
        (2, 1) => view2(a).dot(&view1(b)).into_dyn(),
        (1, 2) => view1(a).dot(&view2(b)).into_dyn(),
        _ => arr0(view1(a).dot(&view1(b))).into_dyn(),
    }
}

/// Checks the shapes of `x · w + b`.
///
/// # Panics
/// As [`product_shape`], or if `b` does not broadcast to the product's shape; the messages
/// name `linear` and the shapes.
#[track_caller]
fn check_linear(x: &[usize], w: &[usize], b: Option<&[usize]>) {
    let shape = product_shape("linear", x, w);
    if let Some(b) = b {
        if !crate::broadcast::broadcasts_to(b, &shape) {
            panic!(
                "linear: bias of shape {b:?} does not broadcast to the product's shape \
                 {shape:?} (x {x:?}, w {w:?})"
            );
        }
    }
}

/// y = op(a) · op(b) for 2-D `a` and `b`, where `op` transposes when its flag is set (a
/// strided view into `dot`, no copy). Backward (gy of y's shape), with `A = op(a)`, `B = op(b)`:
/// `ga = gy Bᵀ` (or `B gyᵀ` if `ta`), `gb = Aᵀ gy` (or `gyᵀ A` if `tb`), each again a `MatMulT`.
///
/// The products of the 2-D backward of [`MatMul`] and [`Linear`]; shapes are right by
/// construction (checked in debug builds).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatMulT {
    ta: bool,
    tb: bool,
}

/// `op(a) · op(b)` as a node (see [`MatMulT`]).
fn matmul_t(a: &Variable, b: &Variable, ta: bool, tb: bool) -> Variable {
    apply2(MatMulT { ta, tb }, a, b)
}

impl Builtin for MatMulT {
    const ARITY: usize = 2;
    fn label(&self) -> &'static str {
        "matmul"
    }
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let (a, b) = (view2(xs[0]), view2(xs[1]));
        let a = if self.ta { a.reversed_axes() } else { a };
        let b = if self.tb { b.reversed_axes() } else { b };
        debug_assert_eq!(a.ncols(), b.nrows(), "matmul: inner lengths");
        gemm(a, b)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let (a, b, gy) = (&xs[0], &xs[1], &gys[0]);
        let (ta, tb) = (self.ta, self.tb);
        gxs.push(if ta {
            matmul_t(b, gy, tb, true)
        } else {
            matmul_t(gy, b, false, !tb)
        });
        gxs.push(if tb {
            matmul_t(gy, a, true, ta)
        } else {
            matmul_t(a, gy, !ta, false)
        });
    }
}

/// The gradients of `y = x · w` for each case of [`matmul`], as `Variable` operations.
fn product_grads(x: &Variable, w: &Variable, gy: &Variable) -> (Variable, Variable) {
    match (x.ndim(), w.ndim()) {
        // (m, n) · (n, k): gx = gy wᵀ, gw = xᵀ gy (transposes as views)
        (2, 2) => (matmul_t(gy, w, false, true), matmul_t(x, gy, true, false)),
        // (m, n) · (n): gx = gy ⊗ w (outer product), gw = xᵀ gy
        (2, 1) => {
            let (m, n) = (x.shape()[0], x.shape()[1]);
            let gx = matmul(reshape(gy, &[m, 1]), reshape(w, &[1, n]));
            (gx, matmul(x.t(), gy))
        }
        // (n) · (n, k): gx = w gy, gw = x ⊗ gy
        (1, 2) => {
            let (n, k) = (w.shape()[0], w.shape()[1]);
            let gw = matmul(reshape(x, &[n, 1]), reshape(gy, &[1, k]));
            (matmul(w, gy), gw)
        }
        // (n) · (n): a 0-dim y; gx = gy w, gw = gy x
        _ => (gy * w, gy * x),
    }
}

/// [`product_grads`] in a backward pass: a constant `x` (an input batch) gets `gy` as a
/// placeholder instead of `gy · wᵀ` (see `Builtin::grads`).
fn pass_grads(x: &Variable, w: &Variable, gy: &Variable, gxs: &mut Vec<Variable>) {
    if x.requires_grad() || x.ndim() != 2 || w.ndim() != 2 {
        let (gx, gw) = product_grads(x, w, gy);
        gxs.push(gx);
        gxs.push(gw);
    } else {
        gxs.push(gy.clone());
        gxs.push(matmul_t(x, gy, true, false));
    }
}

/// `y += b` (b broadcast, shapes checked): row by row on the slices when `y` is a matrix in
/// standard layout and `b` a vector of its width (the additions ndarray's broadcast makes,
/// without building the broadcast view).
fn add_bias(y: &mut ArrayD<f64>, b: &ArrayD<f64>) {
    if y.ndim() == 2 && b.ndim() == 1 && b.len() == y.shape()[1] && !b.is_empty() {
        if let (Some(ys), Some(bs)) = (y.as_slice_mut(), b.as_slice()) {
            for row in ys.chunks_exact_mut(bs.len()) {
                row.iter_mut().zip(bs).for_each(|(v, &c)| *v += c);
            }
            return;
        }
    }
    *y += b;
}

/// gb of `linear`: gy summed to the bias' shape.
fn bias_grad(b: &Variable, gy: &Variable) -> Variable {
    let shape = b.shape();
    if gy.shape() == shape {
        gy.clone()
    } else {
        sum_to(gy, &shape)
    }
}

/// y = x · w (matrix product; 1-D operands as NumPy's `dot`).
/// Backward: gx = gy · wᵀ, gw = xᵀ · gy (outer products and scalings for the 1-D cases).
///
/// Applied directly with [`apply`] it checks the shapes as [`matmul`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::MatMul, Variable};
/// let (a, b) = (Variable::from(vec![1.0, 2.0]), Variable::from(vec![3.0, 4.0]));
/// assert_eq!(apply(MatMul, &[&a, &b])[0].item(), 11.0);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MatMul;

impl Builtin for MatMul {
    const ARITY: usize = 2;
    fn label(&self) -> &'static str {
        "matmul"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        product_shape("matmul", xs[0].shape(), xs[1].shape());
        product(xs[0], xs[1])
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let (gx, gw) = product_grads(&xs[0], &xs[1], &gys[0]);
        gxs.push(gx);
        gxs.push(gw);
    }
    fn grads(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        pass_grads(&xs[0], &xs[1], &gys[0], gxs);
    }
}

builtin_function!(MatMul, MatMulT, Affine);

/// y = x · w + b (b broadcast; no b if applied to two inputs).
/// Backward: gx = gy · wᵀ, gw = xᵀ · gy, gb = sum_to(gy, shape of b).
///
/// Applied directly with [`apply`] it checks the shapes as [`linear`] does.
///
/// ```
/// use dezero_runtime::{apply, functions::Linear, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0]]);
/// let w = Variable::from(ndarray::array![[1.0], [1.0]]);
/// let b = Variable::from(vec![0.5]);
/// assert_eq!(apply(Linear, &[&x, &w, &b])[0].item(), 3.5);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Linear;

impl Function for Linear {
    fn name(&self) -> &str {
        "linear"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        check_linear(xs[0].shape(), xs[1].shape(), xs.get(2).map(|b| b.shape()));
        let mut y = product(xs[0], xs[1]);
        if let Some(b) = xs.get(2) {
            y += *b;
        }
        vec![y]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let gy = &gys[0];
        let (gx, gw) = product_grads(&xs[0], &xs[1], gy);
        let mut gxs = vec![gx, gw];
        if let Some(b) = xs.get(2) {
            gxs.push(bias_grad(b, gy));
        }
        gxs
    }
}

/// [`Linear`] with a bias as a built-in (three inputs, the crate's fast path); named `linear`
/// too. What [`linear`] records when given a bias.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affine;

impl Builtin for Affine {
    const ARITY: usize = 3;
    fn label(&self) -> &'static str {
        "linear"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        check_linear(xs[0].shape(), xs[1].shape(), Some(xs[2].shape()));
        let mut y = product(xs[0], xs[1]);
        add_bias(&mut y, xs[2]);
        y
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let gy = &gys[0];
        let (gx, gw) = product_grads(&xs[0], &xs[1], gy);
        gxs.push(gx);
        gxs.push(gw);
        gxs.push(bias_grad(&xs[2], gy));
    }
    fn grads(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        pass_grads(&xs[0], &xs[1], &gys[0], gxs);
        gxs.push(bias_grad(&xs[2], &gys[0]));
    }
}

/// The matrix product `x · w` (DeZero's `matmul`, NumPy's `dot` for 1-D and 2-D operands).
///
/// Shapes: `(m, n) · (n, k) → (m, k)`, `(m, n) · (n) → (m)`, `(n) · (n, k) → (k)`,
/// `(n) · (n) → ()` (the inner product, 0-dim).
///
/// Derivative: gx = gy · wᵀ, gw = xᵀ · gy; for 1-D operands the same with the vector as a row
/// or column (`(n)·(n)`: gx = gy w, gw = gy x).
///
/// # Panics
/// If an operand is 0-dim or has more than 2 axes, or the inner lengths differ (the message
/// names `matmul` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::{matmul, sum}, Variable};
/// use ndarray::array;
/// let x = Variable::from(array![[1.0, 2.0], [3.0, 4.0]]);
/// let w = Variable::from(array![[5.0, 6.0], [7.0, 8.0]]);
/// let y = matmul(&x, &w);
/// assert_eq!(*y.data(), array![[19.0, 22.0], [43.0, 50.0]].into_dyn());
/// sum(&y).backward();
/// // gx = 1 · wᵀ: each row of gx holds the row sums of w
/// assert_eq!(*x.grad().unwrap().data(), array![[11.0, 15.0], [11.0, 15.0]].into_dyn());
/// ```
#[track_caller]
pub fn matmul(x: impl AsRef<Variable>, w: impl AsRef<Variable>) -> Variable {
    let (x, w) = (x.as_ref(), w.as_ref());
    product_shape("matmul", &x.shape(), &w.shape());
    apply2(MatMul, x, w)
}

/// The affine map `x · w + b` as one node (DeZero's `linear`); `b: None` is `matmul(x, w)`
/// recorded as a `linear` node.
///
/// `x` and `w` take the shapes [`matmul`] accepts; `b` must broadcast to the product's shape
/// without enlarging it (typically `b` has shape `(k)` for `(m, n) · (n, k)`).
///
/// Derivative: gx = gy · wᵀ, gw = xᵀ · gy, gb = gy summed to b's shape.
///
/// # Panics
/// As [`matmul`], or if `b` does not broadcast to the product's shape (the messages name
/// `linear` and the shapes).
///
/// ```
/// use dezero_runtime::{functions::{linear, sum}, Variable};
/// use ndarray::array;
/// let x = Variable::from(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
/// let w = Variable::from(array![[1.0], [-1.0]]);
/// let b = Variable::from(array![0.5]);
/// let y = linear(&x, &w, Some(&b));
/// assert_eq!(*y.data(), array![[-0.5], [-0.5], [-0.5]].into_dyn());
/// sum(&y).backward();
/// assert_eq!(b.grad().unwrap().item(), 3.0); // one per row
/// ```
#[track_caller]
pub fn linear(x: impl AsRef<Variable>, w: impl AsRef<Variable>, b: Option<&Variable>) -> Variable {
    let (x, w) = (x.as_ref(), w.as_ref());
    let bshape = b.map(Variable::shape);
    check_linear(&x.shape(), &w.shape(), bshape.as_deref());
    match b {
        None => apply(Linear, &[x, w]).remove(0),
        Some(b) => applyn(Affine, &[x, w, b]),
    }
}
