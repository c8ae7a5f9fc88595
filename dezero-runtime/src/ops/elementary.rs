//! More element-wise math: inverse trigonometric and hyperbolic functions, roots, logarithms
//! and exponentials of other bases, the piecewise-constant rounding functions, `softplus`,
//! `erf`, `erfc` and the fused `mul_add`. Each is the runtime twin of the method (or
//! `dezero::math` function) `#[differentiable]` knows by the same rule.

use std::f64::consts::{FRAC_2_SQRT_PI, LN_2};

use ndarray::{ArrayD, Zip};

use crate::builtin::{apply1, builtin_function, Builtin};
use crate::function::{apply, Function};
use crate::ops::arith::reduce_to;
use crate::ops::math::{constant_map, exp, sigmoid, sqrt, unary};
use crate::variable::Variable;

unary! {
    /// y = atan x. Backward: gx = gy / (1 + x²).
    struct Atan, "atan";
    forward |x| x.atan();
    backward |x, y, gy| gy / (1.0 + x * x);
    /// The arctangent, element-wise (`f64::atan`).
    ///
    /// Derivative: dy/dx = 1 / (1 + x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::atan, Variable};
    /// let x = Variable::from(1.0);
    /// let y = atan(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (std::f64::consts::FRAC_PI_4, 0.5));
    /// ```
    fn atan
}

unary! {
    /// y = asin x. Backward: gx = gy / √(1 - x²).
    struct Asin, "asin";
    forward |x| x.asin();
    backward |x, y, gy| gy / sqrt(&(1.0 - x * x));
    /// The arcsine, element-wise (`f64::asin`; NaN outside [-1, 1]).
    ///
    /// Derivative: dy/dx = 1 / √(1 - x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::asin, Variable};
    /// let x = Variable::from(0.6);
    /// let y = asin(&x);
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().item(), 1.25); // 1 / √(1 - 0.36) = 1 / 0.8
    /// ```
    fn asin
}

unary! {
    /// y = acos x. Backward: gx = -gy / √(1 - x²).
    struct Acos, "acos";
    forward |x| x.acos();
    backward |x, y, gy| -(gy / sqrt(&(1.0 - x * x)));
    /// The arccosine, element-wise (`f64::acos`; NaN outside [-1, 1]).
    ///
    /// Derivative: dy/dx = -1 / √(1 - x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::acos, Variable};
    /// let x = Variable::from(0.6);
    /// let y = acos(&x);
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().item(), -1.25);
    /// ```
    fn acos
}

unary! {
    /// y = asinh x. Backward: gx = gy / √(x² + 1).
    struct Asinh, "asinh";
    forward |x| x.asinh();
    backward |x, y, gy| gy / sqrt(&(x * x + 1.0));
    /// The inverse hyperbolic sine, element-wise (`f64::asinh`).
    ///
    /// Derivative: dy/dx = 1 / √(x² + 1).
    ///
    /// ```
    /// use dezero_runtime::{functions::asinh, Variable};
    /// let x = Variable::from(0.75);
    /// let y = asinh(&x);
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().item(), 0.8); // 1 / √1.5625
    /// ```
    fn asinh
}

unary! {
    /// y = acosh x. Backward: gx = gy / √(x² - 1).
    struct Acosh, "acosh";
    forward |x| x.acosh();
    backward |x, y, gy| gy / sqrt(&(x * x - 1.0));
    /// The inverse hyperbolic cosine, element-wise (`f64::acosh`; NaN below 1).
    ///
    /// Derivative: dy/dx = 1 / √(x² - 1).
    ///
    /// ```
    /// use dezero_runtime::{functions::acosh, Variable};
    /// let x = Variable::from(1.25);
    /// let y = acosh(&x);
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().item(), 1.0 / 0.75);
    /// ```
    fn acosh
}

unary! {
    /// y = atanh x. Backward: gx = gy / (1 - x²).
    struct Atanh, "atanh";
    forward |x| x.atanh();
    backward |x, y, gy| gy / (1.0 - x * x);
    /// The inverse hyperbolic tangent, element-wise (`f64::atanh`; NaN outside [-1, 1]).
    ///
    /// Derivative: dy/dx = 1 / (1 - x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::atanh, Variable};
    /// let x = Variable::from(0.5);
    /// let y = atanh(&x);
    /// y.backward();
    /// assert_eq!(x.grad().unwrap().item(), 1.0 / 0.75);
    /// ```
    fn atanh
}

unary! {
    /// y = ∛x. Backward: gx = gy / (3 y²).
    struct Cbrt, "cbrt";
    forward |x| x.cbrt();
    backward |x, y, gy| gy / (3.0 * y * y);
    /// The cube root, element-wise (`f64::cbrt`, defined for negative x too).
    ///
    /// Derivative: dy/dx = 1 / (3 ∛x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::cbrt, Variable};
    /// let x = Variable::from(-8.0);
    /// let y = cbrt(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (-2.0, 1.0 / 12.0));
    /// ```
    fn cbrt
}

unary! {
    /// y = ln(1 + x). Backward: gx = gy / (1 + x).
    struct Log1p, "log1p";
    forward |x| x.ln_1p();
    backward |x, y, gy| gy / (1.0 + x);
    /// `ln(1 + x)`, accurate near 0, element-wise (`f64::ln_1p`; NumPy's `log1p`).
    ///
    /// Derivative: dy/dx = 1 / (1 + x).
    ///
    /// ```
    /// use dezero_runtime::{functions::log1p, Variable};
    /// let x = Variable::from(1.0);
    /// let y = log1p(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (std::f64::consts::LN_2, 0.5));
    /// ```
    fn log1p
}

unary! {
    /// y = eˣ - 1. Backward: gx = gy (y + 1).
    struct Expm1, "expm1";
    forward |x| x.exp_m1();
    backward |x, y, gy| gy * (y + 1.0);
    /// `eˣ - 1`, accurate near 0, element-wise (`f64::exp_m1`; NumPy's `expm1`).
    ///
    /// Derivative: dy/dx = eˣ.
    ///
    /// ```
    /// use dezero_runtime::{functions::expm1, Variable};
    /// let x = Variable::from(0.0);
    /// let y = expm1(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.0, 1.0));
    /// ```
    fn expm1
}

unary! {
    /// y = 2ˣ. Backward: gx = gy y ln 2.
    struct Exp2, "exp2";
    forward |x| x.exp2();
    backward |x, y, gy| gy * y * LN_2;
    /// `2ˣ`, element-wise (`f64::exp2`).
    ///
    /// Derivative: dy/dx = 2ˣ ln 2.
    ///
    /// ```
    /// use dezero_runtime::{functions::exp2, Variable};
    /// let x = Variable::from(3.0);
    /// let y = exp2(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (8.0, 8.0 * std::f64::consts::LN_2));
    /// ```
    fn exp2
}

unary! {
    /// y = log₂ x. Backward: gx = gy / (x ln 2).
    struct Log2, "log2";
    forward |x| x.log2();
    backward |x, y, gy| gy / (x * LN_2);
    /// The base-2 logarithm, element-wise (`f64::log2`).
    ///
    /// Derivative: dy/dx = 1 / (x ln 2).
    ///
    /// ```
    /// use dezero_runtime::{functions::log2, Variable};
    /// let x = Variable::from(8.0);
    /// let y = log2(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (3.0, 1.0 / (8.0 * std::f64::consts::LN_2)));
    /// ```
    fn log2
}

unary! {
    /// y = ln(1 + eˣ). Backward: gx = gy sigmoid(x).
    struct Softplus, "softplus";
    forward |x| x.max(0.0) + (-x.abs()).exp().ln_1p();
    backward |x, y, gy| gy * sigmoid(x);
    /// The softplus `ln(1 + eˣ)`, a smooth `max(x, 0)`, element-wise (no overflow for large x).
    ///
    /// Derivative: dy/dx = sigmoid(x).
    ///
    /// ```
    /// use dezero_runtime::{functions::softplus, Variable};
    /// let x = Variable::from(0.0);
    /// let y = softplus(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (std::f64::consts::LN_2, 0.5));
    /// ```
    fn softplus
}

unary! {
    /// y = erf x. Backward: gx = gy (2/√π) e^(-x²).
    struct Erf, "erf";
    forward |x| libm::erf(x);
    backward |x, y, gy| gy * (FRAC_2_SQRT_PI * exp(&-(x * x)));
    /// The error function, element-wise (from `libm`).
    ///
    /// Derivative: dy/dx = (2/√π) e^(-x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::erf, Variable};
    /// let x = Variable::from(0.0);
    /// let y = erf(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.0, std::f64::consts::FRAC_2_SQRT_PI));
    /// ```
    fn erf
}

unary! {
    /// y = erfc x = 1 - erf x. Backward: gx = -gy (2/√π) e^(-x²).
    struct Erfc, "erfc";
    forward |x| libm::erfc(x);
    backward |x, y, gy| -(gy * (FRAC_2_SQRT_PI * exp(&-(x * x))));
    /// The complementary error function `1 - erf(x)`, element-wise (from `libm`).
    ///
    /// Derivative: dy/dx = -(2/√π) e^(-x²).
    ///
    /// ```
    /// use dezero_runtime::{functions::erfc, Variable};
    /// let x = Variable::from(0.0);
    /// let y = erfc(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (1.0, -std::f64::consts::FRAC_2_SQRT_PI));
    /// ```
    fn erfc
}

/// Defines a piecewise-constant function: derivative 0 everywhere (also at its jumps).
macro_rules! step {
    ($Name:ident, $label:literal, $method:ident, $fname:ident, $what:literal, $x:literal, $y:literal) => {
        unary! {
            #[doc = concat!("y = ", $what, ". Backward: gx = 0.")]
            struct $Name, $label;
            forward |x| x.$method();
            backward |x, y, gy| constant_map(x, |_| 0.0);
            #[doc = concat!($what, ", element-wise (`f64::", stringify!($method), "`).")]
            ///
            /// Derivative: 0 (piecewise constant; 0 at the jumps too, see
            /// [the conventions](crate::kinks)).
            ///
            /// ```
            #[doc = concat!("use dezero_runtime::{functions::", stringify!($fname), ", Variable};")]
            #[doc = concat!("let x = Variable::from(", $x, ");")]
            #[doc = concat!("let y = ", stringify!($fname), "(&x);")]
            /// y.backward();
            #[doc = concat!("assert_eq!((y.item(), x.grad().unwrap().item()), (", $y, ", 0.0));")]
            /// ```
            fn $fname
        }
    };
}

step!(
    Sign,
    "sign",
    signum,
    sign,
    "the sign ±1 (NaN for NaN)",
    "-2.5",
    "-1.0"
);
step!(
    Floor,
    "floor",
    floor,
    floor,
    "the largest integer ≤ x",
    "2.5",
    "2.0"
);
step!(
    Ceil,
    "ceil",
    ceil,
    ceil,
    "the smallest integer ≥ x",
    "2.5",
    "3.0"
);
step!(
    Round,
    "round",
    round,
    round,
    "the nearest integer, half away from 0",
    "2.5",
    "3.0"
);
step!(
    Trunc,
    "trunc",
    trunc,
    trunc,
    "the integer part",
    "-2.5",
    "-2.0"
);

/// y = x0 x1 + x2, rounded once (`f64::mul_add`), broadcasting. Backward: gx0 = gy x1,
/// gx1 = gy x0, gx2 = gy, each summed to its input's shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct MulAdd;

impl Function for MulAdd {
    fn name(&self) -> &str {
        "mul_add"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        let shape =
            crate::broadcast::shape("mul_add", &[xs[0].shape(), xs[1].shape(), xs[2].shape()]);
        let view = |k: usize| xs[k].broadcast(shape.clone()).expect("broadcastable");
        vec![Zip::from(&view(0))
            .and(&view(1))
            .and(&view(2))
            .map_collect(|&a, &b, &c| a.mul_add(b, c))]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let gy = &gys[0];
        vec![
            reduce_to(gy * &xs[1], &xs[0]),
            reduce_to(gy * &xs[0], &xs[1]),
            reduce_to(gy.clone(), &xs[2]),
        ]
    }
}

/// `x0 * x1 + x2` with one rounding (`f64::mul_add`), broadcasting like NumPy.
///
/// Derivative: ∂y/∂x0 = x1, ∂y/∂x1 = x0, ∂y/∂x2 = 1.
///
/// # Panics
/// If the three shapes do not broadcast, naming `mul_add` and the shapes.
///
/// ```
/// use dezero_runtime::{functions::mul_add, Variable};
/// let (a, b, c) = (Variable::from(2.0), Variable::from(3.0), Variable::from(1.0));
/// let y = mul_add(&a, &b, &c);
/// y.backward();
/// assert_eq!(y.item(), 7.0);
/// assert_eq!((a.grad().unwrap().item(), b.grad().unwrap().item(), c.grad().unwrap().item()), (3.0, 2.0, 1.0));
/// ```
#[track_caller]
pub fn mul_add(x0: &Variable, x1: &Variable, x2: &Variable) -> Variable {
    crate::broadcast::shape("mul_add", &[&x0.shape(), &x1.shape(), &x2.shape()]);
    apply(MulAdd, &[x0, x1, x2]).remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_add_broadcasts_and_sums_back() {
        let a = Variable::new(ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]]).into_dyn());
        let b = Variable::from(vec![10.0, 20.0]);
        let c = Variable::from(0.5);
        let y = crate::functions::sum(mul_add(&a, &b, &c));
        y.backward();
        // y = Σ a_ij b_j + 4 c = 10 + 40 + 30 + 80 + 2
        assert_eq!(y.item(), 162.0);
        assert_eq!(b.grad().unwrap().data().as_slice().unwrap(), &[4.0, 6.0]);
        assert_eq!(c.grad().unwrap().item(), 4.0);
    }
}
