//! Arithmetic: `add`, `sub`, `mul`, `div` (broadcasting like NumPy), `neg`, `pow` with a
//! constant exponent, and the variable-with-constant forms the operators use.
//!
//! Binary ops broadcast their inputs; their backward sums each gradient back to its input's
//! shape with [`sum_to`], so a gradient always has its variable's shape.

use ndarray::ArrayD;

use crate::builtin::{apply1, apply2, builtin_function, Builtin};
use crate::config::is_backprop_enabled;
use crate::ops::reduce::sum_to;
use crate::ops::{map_grad_in_place, zip_grad_in_place};
use crate::variable::Variable;

/// Sums `gx` down to the shape of `x` if broadcasting made it larger.
pub(crate) fn reduce_to(gx: Variable, x: &Variable) -> Variable {
    let same = gx.data().shape() == x.data().shape();
    if same {
        gx
    } else {
        sum_to(&gx, &x.shape())
    }
}

/// `xs[0] op xs[1]` with NumPy broadcasting; shapes that do not broadcast panic naming `name`.
macro_rules! binary_forward {
    ($name:literal, $xs:ident, $op:tt) => {{
        let (x0, x1) = ($xs[0], $xs[1]);
        if x0.shape() != x1.shape() {
            crate::broadcast::shape($name, &[x0.shape(), x1.shape()]);
        }
        crate::ops::zip_map(x0, x1, |a, b| a $op b, |x0, x1| x0 $op x1)
    }};
}

/// y = x0 + x1 (broadcasting). Backward: gx0 = gy, gx1 = gy (each summed to its input's shape).
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`add`]: if the shapes do not broadcast (the
/// message names `add` and both shapes), or it is not given exactly two inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Add;

impl Builtin for Add {
    const ARITY: usize = 2;
    fn label(&self) -> &'static str {
        "add"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        binary_forward!("add", xs, +)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let gy = &gys[0];
        gxs.push(reduce_to(gy.clone(), &xs[0]));
        gxs.push(reduce_to(gy.clone(), &xs[1]));
    }
}

/// y = x0 - x1 (broadcasting). Backward: gx0 = gy, gx1 = -gy.
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`sub`]: if the shapes do not broadcast (the
/// message names `sub` and both shapes), or it is not given exactly two inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sub;

impl Builtin for Sub {
    const ARITY: usize = 2;
    fn label(&self) -> &'static str {
        "sub"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        binary_forward!("sub", xs, -)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let gy = &gys[0];
        gxs.push(reduce_to(gy.clone(), &xs[0]));
        gxs.push(reduce_to(neg(gy), &xs[1]));
    }
}

/// y = x0 * x1 (broadcasting). Backward: gx0 = gy * x1, gx1 = gy * x0.
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`mul`]: if the shapes do not broadcast (the
/// message names `mul` and both shapes), or it is not given exactly two inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mul;

impl Builtin for Mul {
    const ARITY: usize = 2;
    fn label(&self) -> &'static str {
        "mul"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        binary_forward!("mul", xs, *)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let (x0, x1, gy) = (&xs[0], &xs[1], &gys[0]);
        gxs.push(reduce_to(mul(gy, x1), x0));
        // gy * x0, written into gy when it is unique and has x0's shape.
        let gx1 = zip_grad_in_place(gy, x0, |g, x| g * x).unwrap_or_else(|| mul(gy, x0));
        gxs.push(reduce_to(gx1, x1));
    }
}

/// y = x0 / x1 (broadcasting). Backward: gx0 = gy / x1, gx1 = gy * (-x0 / x1²).
///
/// # Panics
/// Applied with [`apply`](crate::apply) as with [`div`]: if the shapes do not broadcast (the
/// message names `div` and both shapes), or it is not given exactly two inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Div;

impl Builtin for Div {
    const ARITY: usize = 2;
    fn label(&self) -> &'static str {
        "div"
    }
    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        binary_forward!("div", xs, /)
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let (x0, x1, gy) = (&xs[0], &xs[1], &gys[0]);
        let gx0 = div(gy, x1);
        let gx1 = mul(gy, div(neg(x0), pow(x1, 2.0)));
        gxs.push(reduce_to(gx0, x0));
        gxs.push(reduce_to(gx1, x1));
    }
}

/// y = -x. Backward: gx = -gy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Neg;

impl Builtin for Neg {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "neg"
    }
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        crate::ops::map(xs[0], |x| -x)
    }
    fn pullback(
        &self,
        _: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let gy = &gys[0];
        gxs.push(map_grad_in_place(gy, |g| -g).unwrap_or_else(|| neg(gy)));
    }
}

/// y = x^c for a constant c. Backward: gx = c * x^(c-1) * gy (0 for c = 0, see
/// [the conventions](crate::kinks)).
#[derive(Debug, Clone, Copy)]
pub struct Pow(pub f64);

impl Builtin for Pow {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        "pow"
    }
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        crate::ops::map(xs[0], |x| power(x, self.0))
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let c = self.0;
        if c == 0.0 {
            // d x^0 / dx = 0 everywhere, also at x = 0 where c x^(c-1) is 0 * inf (crate::kinks).
            gxs.push(Variable::new(ArrayD::zeros(xs[0].shape().as_slice())));
            return;
        }
        if is_backprop_enabled() {
            // create_graph: record gx = (x^(c-1) * c) * gy as a graph.
            gxs.push(mul(mul_scalar(&pow(&xs[0], c - 1.0), c), &gys[0]));
            return;
        }
        // Nothing is recorded: the same arithmetic, in the same order, in one pass (into gy's
        // own array when it is unique).
        if let Some(gx) = zip_grad_in_place(&gys[0], &xs[0], |g, x| power(x, c - 1.0) * c * g) {
            gxs.push(gx);
            return;
        }
        let (x, gy) = (xs[0].data(), gys[0].data());
        let gx = crate::ops::zip_map(
            &x,
            &gy,
            |x, g| power(x, c - 1.0) * c * g,
            |x, gy| {
                ndarray::Zip::from(x)
                    .and(gy)
                    .map_collect(|&x, &g| power(x, c - 1.0) * c * g)
            },
        );
        gxs.push(Variable::new(gx));
    }
}

/// `x^c` with NumPy's fast paths: `x**2` is `x*x` and `x**1` is `x` (the same values as
/// `powf`, faster).
#[inline]
fn power(x: f64, c: f64) -> f64 {
    if c == 2.0 {
        x * x
    } else if c == 1.0 {
        x
    } else {
        x.powf(c)
    }
}

/// A function of one variable and one constant `c`; the constant gets no gradient.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar {
    /// y = x + c. Backward: gx = gy.
    Add(f64),
    /// y = x - c. Backward: gx = gy.
    Sub(f64),
    /// y = c - x. Backward: gx = -gy.
    RSub(f64),
    /// y = x * c. Backward: gx = gy * c.
    Mul(f64),
    /// y = x / c. Backward: gx = gy / c.
    Div(f64),
    /// y = c / x. Backward: gx = gy * (-c / x²).
    RDiv(f64),
}

impl Builtin for Scalar {
    const ARITY: usize = 1;
    fn label(&self) -> &'static str {
        match self {
            Scalar::Add(_) => "add",
            Scalar::Sub(_) | Scalar::RSub(_) => "sub",
            Scalar::Mul(_) => "mul",
            Scalar::Div(_) | Scalar::RDiv(_) => "div",
        }
    }
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let x = xs[0];
        match *self {
            Scalar::Add(c) => crate::ops::map(x, |x| x + c),
            Scalar::Sub(c) => crate::ops::map(x, |x| x - c),
            Scalar::RSub(c) => crate::ops::map(x, |x| c - x),
            Scalar::Mul(c) => crate::ops::map(x, |x| x * c),
            Scalar::Div(c) => crate::ops::map(x, |x| x / c),
            Scalar::RDiv(c) => crate::ops::map(x, |x| c / x),
        }
    }
    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        let gy = &gys[0];
        gxs.push(match *self {
            Scalar::Add(_) | Scalar::Sub(_) => gy.clone(),
            Scalar::RSub(_) => map_grad_in_place(gy, |g| -g).unwrap_or_else(|| neg(gy)),
            Scalar::Mul(c) => map_grad_in_place(gy, |g| g * c).unwrap_or_else(|| mul_scalar(gy, c)),
            Scalar::Div(c) => {
                map_grad_in_place(gy, |g| g / c).unwrap_or_else(|| apply1(Scalar::Div(c), gy))
            }
            Scalar::RDiv(c) => mul(gy, apply1(Scalar::RDiv(-c), &pow(&xs[0], 2.0))),
        });
    }
}

builtin_function!(Add, Sub, Mul, Div, Neg, Pow, Scalar);

/// Adds two variables, broadcasting like NumPy: `x0 + x1`.
///
/// Derivative: ∂y/∂x0 = ∂y/∂x1 = 1; a broadcast input's gradient is summed back to its shape.
///
/// # Panics
/// If the shapes do not broadcast (the message names `add` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::add, Variable};
/// let (x0, x1) = (Variable::from(2.0), Variable::from(3.0));
/// let y = add(&x0, &x1);
/// y.backward();
/// assert_eq!((y.item(), x0.grad().unwrap().item(), x1.grad().unwrap().item()), (5.0, 1.0, 1.0));
/// ```
#[track_caller]
pub fn add(x0: impl AsRef<Variable>, x1: impl AsRef<Variable>) -> Variable {
    apply2(Add, x0.as_ref(), x1.as_ref())
}

/// Subtracts, broadcasting like NumPy: `x0 - x1`.
///
/// Derivative: ∂y/∂x0 = 1, ∂y/∂x1 = -1.
///
/// # Panics
/// If the shapes do not broadcast (the message names `sub` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::sub, Variable};
/// let (x0, x1) = (Variable::from(2.0), Variable::from(3.0));
/// let y = sub(&x0, &x1);
/// y.backward();
/// assert_eq!((y.item(), x1.grad().unwrap().item()), (-1.0, -1.0));
/// ```
#[track_caller]
pub fn sub(x0: impl AsRef<Variable>, x1: impl AsRef<Variable>) -> Variable {
    apply2(Sub, x0.as_ref(), x1.as_ref())
}

/// Multiplies element-wise, broadcasting like NumPy: `x0 * x1`.
///
/// Derivative: ∂y/∂x0 = x1, ∂y/∂x1 = x0.
///
/// # Panics
/// If the shapes do not broadcast (the message names `mul` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::mul, Variable};
/// let (a, b) = (Variable::from(3.0), Variable::from(2.0));
/// let y = mul(&a, &b);
/// y.backward();
/// assert_eq!((y.item(), a.grad().unwrap().item(), b.grad().unwrap().item()), (6.0, 2.0, 3.0));
/// ```
#[track_caller]
pub fn mul(x0: impl AsRef<Variable>, x1: impl AsRef<Variable>) -> Variable {
    apply2(Mul, x0.as_ref(), x1.as_ref())
}

/// Divides element-wise, broadcasting like NumPy: `x0 / x1`.
///
/// Derivative: ∂y/∂x0 = 1 / x1, ∂y/∂x1 = -x0 / x1².
///
/// # Panics
/// If the shapes do not broadcast (the message names `div` and both shapes).
///
/// ```
/// use dezero_runtime::{functions::div, Variable};
/// let (a, b) = (Variable::from(3.0), Variable::from(2.0));
/// let y = div(&a, &b);
/// y.backward();
/// assert_eq!((y.item(), a.grad().unwrap().item(), b.grad().unwrap().item()), (1.5, 0.5, -0.75));
/// ```
#[track_caller]
pub fn div(x0: impl AsRef<Variable>, x1: impl AsRef<Variable>) -> Variable {
    apply2(Div, x0.as_ref(), x1.as_ref())
}

/// Negates: `-x`.
///
/// Derivative: dy/dx = -1.
///
/// ```
/// use dezero_runtime::{functions::neg, Variable};
/// let x = Variable::from(2.0);
/// let y = neg(&x);
/// y.backward();
/// assert_eq!((y.item(), x.grad().unwrap().item()), (-2.0, -1.0));
/// ```
#[track_caller]
pub fn neg(x: impl AsRef<Variable>) -> Variable {
    apply1(Neg, x.as_ref())
}

/// Raises to a constant power: `x^c` (DeZero's `x ** c`).
///
/// Derivative: dy/dx = c x^(c-1).
///
/// ```
/// use dezero_runtime::{functions::pow, Variable};
/// let x = Variable::from(2.0);
/// let y = pow(&x, 3.0);
/// y.backward();
/// assert_eq!((y.item(), x.grad().unwrap().item()), (8.0, 12.0));
/// ```
#[track_caller]
pub fn pow(x: impl AsRef<Variable>, c: f64) -> Variable {
    apply1(Pow(c), x.as_ref())
}

pub(crate) fn mul_scalar(x: &Variable, c: f64) -> Variable {
    apply1(Scalar::Mul(c), x)
}

pub(crate) fn scalar(op: Scalar, x: &Variable) -> Variable {
    apply1(op, x)
}
