//! Element-wise math: one struct per function, its forward on arrays and its backward on
//! variables side by side, with the derivative rule in its doc.

use ndarray::{ArrayD, Zip};

use crate::builtin::{apply1, apply2, builtin_function, Builtin};
use crate::kinks;
use crate::ops::arith::reduce_to;
use crate::ops::zip_grad_in_place;
use crate::variable::Variable;
use crate::vector_math;

/// Defines a one-input element-wise function: the struct, its `Function` impl and the free
/// function that applies it. The forward is `|x| expr` per element, or `kernel K` for the
/// functions [`crate::set_vector_math`] can vectorize (K's `exact` being `std`'s).
macro_rules! unary {
    (
        $(#[$sdoc:meta])* struct $Name:ident, $label:literal;
        forward |$x:ident| $fwd:expr;
        $($rest:tt)*
    ) => {
        unary! {
            $(#[$sdoc])* struct $Name, $label;
            value |xs| crate::ops::map(xs, |$x: f64| $fwd);
            $($rest)*
        }
    };
    (
        $(#[$sdoc:meta])* struct $Name:ident, $label:literal;
        forward kernel $K:path;
        $($rest:tt)*
    ) => {
        unary! {
            $(#[$sdoc])* struct $Name, $label;
            value |xs| crate::vector_math::map::<$K>(xs);
            $($rest)*
        }
    };
    (
        $(#[$sdoc:meta])* struct $Name:ident, $label:literal;
        value |$xs:ident| $value:expr;
        backward |$xv:ident, $yv:ident, $gy:ident| $bwd:expr;
        $(#[$fdoc:meta])* fn $fname:ident
    ) => {
        $(#[$sdoc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $Name;

        impl Builtin for $Name {
            const ARITY: usize = 1;
            fn label(&self) -> &'static str {
                $label
            }
            fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
                let $xs = xs[0];
                $value
            }
            #[allow(unused_variables)]
            fn pullback(
                &self,
                xs: &[Variable],
                ys: &[Option<Variable>],
                gys: &[Variable],
                gxs: &mut Vec<Variable>,
            ) {
                let $xv = &xs[0];
                let $yv = ys[0].as_ref().expect("the output of a one-output function is alive during its backward");
                let $gy = &gys[0];
                gxs.push($bwd);
            }
        }

        builtin_function!($Name);

        $(#[$fdoc])*
        #[track_caller]
        pub fn $fname(x: impl AsRef<Variable>) -> Variable {
            apply1($Name, x.as_ref())
        }
    };
}

pub(crate) use unary;

/// A constant (graph-free) variable from `x`'s data mapped by `f`: what a backward multiplies
/// gy by when the local derivative is piecewise constant (its own derivative is 0).
pub(crate) fn constant_map(x: &Variable, f: impl Fn(f64) -> f64) -> Variable {
    Variable::new(x.data().mapv(f))
}

unary! {
    /// y = x². Backward: gx = 2 x gy.
    struct Square, "square";
    forward |x| x * x;
    backward |x, y, gy| zip_grad_in_place(gy, x, |g, x| 2.0 * x * g).unwrap_or_else(|| 2.0 * x * gy);
    /// Squares element-wise.
    ///
    /// Derivative: dy/dx = 2x.
    ///
    /// ```
    /// use dezero_runtime::{functions::square, Variable};
    /// let x = Variable::from(3.0);
    /// let y = square(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (9.0, 6.0));
    /// ```
    fn square
}

unary! {
    /// y = eˣ. Backward: gx = gy y.
    struct Exp, "exp";
    forward kernel vector_math::Exp;
    backward |x, y, gy| zip_grad_in_place(gy, y, |g, y| g * y).unwrap_or_else(|| gy * y);
    /// The exponential, element-wise.
    ///
    /// Derivative: dy/dx = eˣ = y.
    ///
    /// ```
    /// use dezero_runtime::{functions::exp, Variable};
    /// let x = Variable::from(0.0);
    /// let y = exp(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (1.0, 1.0));
    /// ```
    fn exp
}

unary! {
    /// y = ln x. Backward: gx = gy / x.
    struct Log, "log";
    forward |x| x.ln();
    backward |x, y, gy| zip_grad_in_place(gy, x, |g, x| g / x).unwrap_or_else(|| gy / x);
    /// The natural logarithm, element-wise (NaN for x < 0, -inf at 0, as IEEE says).
    ///
    /// Derivative: dy/dx = 1/x.
    ///
    /// ```
    /// use dezero_runtime::{functions::log, Variable};
    /// let x = Variable::from(2.0);
    /// let y = log(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (2f64.ln(), 0.5));
    /// ```
    fn log
}

unary! {
    /// y = sin x. Backward: gx = gy cos x.
    struct Sin, "sin";
    forward kernel vector_math::Sin;
    backward |x, y, gy| vector_math::zip_grad::<vector_math::Cos>(gy, x, |g, c| g * c)
        .unwrap_or_else(|| gy * cos(x));
    /// The sine, element-wise.
    ///
    /// Derivative: dy/dx = cos x.
    ///
    /// ```
    /// use dezero_runtime::{functions::sin, Variable};
    /// let x = Variable::from(0.0);
    /// let y = sin(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.0, 1.0));
    /// ```
    fn sin
}

unary! {
    /// y = cos x. Backward: gx = -gy sin x.
    struct Cos, "cos";
    forward kernel vector_math::Cos;
    backward |x, y, gy| vector_math::zip_grad::<vector_math::Sin>(gy, x, |g, s| g * -s)
        .unwrap_or_else(|| gy * -sin(x));
    /// The cosine, element-wise.
    ///
    /// Derivative: dy/dx = -sin x.
    ///
    /// ```
    /// use dezero_runtime::{functions::cos, Variable};
    /// let x = Variable::from(0.0);
    /// let y = cos(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (1.0, -0.0));
    /// ```
    fn cos
}

unary! {
    /// y = tan x. Backward: gx = gy (1 + y²).
    struct Tan, "tan";
    forward |x| x.tan();
    backward |x, y, gy| zip_grad_in_place(gy, y, |g, y| g * (1.0 + y * y))
        .unwrap_or_else(|| gy * (1.0 + y * y));
    /// The tangent, element-wise.
    ///
    /// Derivative: dy/dx = 1 + tan² x.
    ///
    /// ```
    /// use dezero_runtime::{functions::tan, Variable};
    /// let x = Variable::from(0.0);
    /// let y = tan(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.0, 1.0));
    /// ```
    fn tan
}

unary! {
    /// y = tanh x. Backward: gx = gy (1 - y²).
    struct Tanh, "tanh";
    forward kernel vector_math::Tanh;
    backward |x, y, gy| zip_grad_in_place(gy, y, |g, y| g * (1.0 - y * y))
        .unwrap_or_else(|| gy * (1.0 - y * y));
    /// The hyperbolic tangent, element-wise.
    ///
    /// Derivative: dy/dx = 1 - tanh² x.
    ///
    /// ```
    /// use dezero_runtime::{functions::tanh, Variable};
    /// let x = Variable::from(0.0);
    /// let y = tanh(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.0, 1.0));
    /// ```
    fn tanh
}

unary! {
    /// y = sinh x. Backward: gx = gy cosh x.
    struct Sinh, "sinh";
    forward |x| x.sinh();
    backward |x, y, gy| zip_grad_in_place(gy, x, |g, x| g * x.cosh()).unwrap_or_else(|| gy * cosh(x));
    /// The hyperbolic sine, element-wise.
    ///
    /// Derivative: dy/dx = cosh x.
    ///
    /// ```
    /// use dezero_runtime::{functions::sinh, Variable};
    /// let x = Variable::from(0.0);
    /// let y = sinh(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.0, 1.0));
    /// ```
    fn sinh
}

unary! {
    /// y = cosh x. Backward: gx = gy sinh x.
    struct Cosh, "cosh";
    forward |x| x.cosh();
    backward |x, y, gy| zip_grad_in_place(gy, x, |g, x| g * x.sinh()).unwrap_or_else(|| gy * sinh(x));
    /// The hyperbolic cosine, element-wise.
    ///
    /// Derivative: dy/dx = sinh x.
    ///
    /// ```
    /// use dezero_runtime::{functions::cosh, Variable};
    /// let x = Variable::from(0.0);
    /// let y = cosh(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (1.0, 0.0));
    /// ```
    fn cosh
}

unary! {
    /// y = 1 / (1 + e⁻ˣ). Backward: gx = gy y (1 - y).
    struct Sigmoid, "sigmoid";
    forward kernel vector_math::Sigmoid;
    // In gy's own array when nothing else holds it (the usual case in a plain backward).
    backward |x, y, gy| zip_grad_in_place(gy, y, |g, y| g * y * (1.0 - y))
        .unwrap_or_else(|| gy * y * (1.0 - y));
    /// The logistic sigmoid, element-wise, computed as `1 / (1 + exp(-x))` like the notes.
    ///
    /// Derivative: dy/dx = y (1 - y).
    ///
    /// ```
    /// use dezero_runtime::{functions::sigmoid, Variable};
    /// let x = Variable::from(0.0);
    /// let y = sigmoid(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.5, 0.25));
    /// ```
    fn sigmoid
}

unary! {
    /// y = √x. Backward: gx = gy / (2y).
    struct Sqrt, "sqrt";
    forward |x| x.sqrt();
    backward |x, y, gy| zip_grad_in_place(gy, y, |g, y| g / (2.0 * y)).unwrap_or_else(|| gy / (2.0 * y));
    /// The square root, element-wise (NaN for x < 0).
    ///
    /// Derivative: dy/dx = 1 / (2√x).
    ///
    /// ```
    /// use dezero_runtime::{functions::sqrt, Variable};
    /// let x = Variable::from(4.0);
    /// let y = sqrt(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (2.0, 0.25));
    /// ```
    fn sqrt
}

unary! {
    /// y = |x|. Backward: gx = gy sign(x) (0 at x = 0, as NumPy's `sign`).
    struct Abs, "abs";
    forward |x| x.abs();
    backward |x, y, gy| gy * constant_map(x, kinks::abs_slope);
    /// The absolute value, element-wise.
    ///
    /// Derivative: dy/dx = sign(x), taken as 0 at x = 0 ([the conventions](crate::kinks)).
    ///
    /// ```
    /// use dezero_runtime::{functions::abs, Variable};
    /// let x = Variable::from(-2.0);
    /// let y = abs(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (2.0, -1.0));
    /// ```
    fn abs
}

unary! {
    /// y = log₁₀ x. Backward: gx = gy / (x ln 10).
    struct Log10, "log10";
    forward |x| x.log10();
    backward |x, y, gy| gy / (x * std::f64::consts::LN_10);
    /// The base-10 logarithm, element-wise.
    ///
    /// Derivative: dy/dx = 1 / (x ln 10).
    ///
    /// ```
    /// use dezero_runtime::{functions::log10, Variable};
    /// let x = Variable::from(100.0);
    /// let y = log10(&x);
    /// y.backward();
    /// assert_eq!(y.item(), 2.0);
    /// assert!((x.grad().unwrap().item() - 1.0 / (100.0 * 10f64.ln())).abs() < 1e-15);
    /// ```
    fn log10
}

unary! {
    /// y = 1 / x. Backward: gx = -gy y².
    struct Recip, "recip";
    forward |x| 1.0 / x;
    backward |x, y, gy| -(gy * y * y);
    /// The reciprocal, element-wise.
    ///
    /// Derivative: dy/dx = -1/x².
    ///
    /// ```
    /// use dezero_runtime::{functions::recip, Variable};
    /// let x = Variable::from(2.0);
    /// let y = recip(&x);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (0.5, -0.25));
    /// ```
    fn recip
}

/// Defines a two-input element-wise function with broadcasting.
macro_rules! binary {
    (
        $(#[$sdoc:meta])* struct $Name:ident, $label:literal;
        forward |$a:ident, $b:ident| $fwd:expr;
        backward |$x0:ident, $x1:ident, $yv:ident, $gy:ident| ($g0:expr, $g1:expr);
        $(#[$fdoc:meta])* fn $fname:ident
    ) => {
        $(#[$sdoc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $Name;

        impl Builtin for $Name {
            const ARITY: usize = 2;
            fn label(&self) -> &'static str {
                $label
            }
            #[track_caller]
            fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
                let shape = crate::broadcast::shape($label, &[xs[0].shape(), xs[1].shape()]);
                let a = xs[0].broadcast(shape.clone()).expect("broadcastable");
                let b = xs[1].broadcast(shape).expect("broadcastable");
                Zip::from(&a).and(&b).map_collect(|&$a: &f64, &$b: &f64| $fwd)
            }
            #[allow(unused_variables)]
            fn pullback(
                &self,
                xs: &[Variable],
                ys: &[Option<Variable>],
                gys: &[Variable],
                gxs: &mut Vec<Variable>,
            ) {
                let ($x0, $x1) = (&xs[0], &xs[1]);
                let $yv = ys[0].as_ref().expect("the output of a one-output function is alive during its backward");
                let $gy = &gys[0];
                gxs.push(reduce_to($g0, $x0));
                gxs.push(reduce_to($g1, $x1));
            }
        }

        builtin_function!($Name);

        $(#[$fdoc])*
        #[track_caller]
        pub fn $fname(x0: impl AsRef<Variable>, x1: impl AsRef<Variable>) -> Variable {
            apply2($Name, x0.as_ref(), x1.as_ref())
        }
    };
}

/// A constant of `y`'s shape: `share(a, b)` of each broadcast pair of elements.
fn mask(x0: &Variable, x1: &Variable, y: &Variable, share: impl Fn(f64, f64) -> f64) -> Variable {
    let shape = y.dim();
    let (a, b) = (x0.data(), x1.data());
    let a = a.broadcast(shape.clone()).expect("broadcastable");
    let b = b.broadcast(shape).expect("broadcastable");
    Variable::new(Zip::from(&a).and(&b).map_collect(|&a, &b| share(a, b)))
}

/// `x0` broadcast to `y`'s shape, with 1.0 where `cond(x0, x1)` holds (a constant there).
fn replace_where(
    x0: &Variable,
    x1: &Variable,
    y: &Variable,
    cond: fn(f64, f64) -> bool,
) -> Variable {
    let replaced = mask(x0, x1, y, |a, b| f64::from(u8::from(cond(a, b))));
    let x0 = crate::ops::reduce::broadcast_to(x0, y.shape().as_slice());
    crate::function::apply(ReplaceByOne, &[&x0, &replaced]).remove(0)
}

/// y = x where m = 0, 1 where m = 1 (m a constant 0/1 mask of x's shape). Backward:
/// gx = gy (1 - m), gm = 0.
struct ReplaceByOne;

impl crate::function::Function for ReplaceByOne {
    fn name(&self) -> &str {
        "replace_by_one"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![Zip::from(xs[0])
            .and(xs[1])
            .map_collect(|&x, &m| if m == 1.0 { 1.0 } else { x })]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let keep = Variable::new(xs[1].data().mapv(|m| 1.0 - m));
        vec![
            &gys[0] * &keep,
            Variable::new(ArrayD::zeros(xs[1].shape().as_slice())),
        ]
    }
}

binary! {
    /// y = max(x0, x1) (Rust's `f64::max`). Backward: gx0 = gy s, gx1 = gy (1 - s), with
    /// s = [`max_share`](crate::kinks::max_share)(x0, x1).
    struct Maximum, "maximum";
    forward |a, b| a.max(b);
    backward |x0, x1, y, gy| (gy * mask(x0, x1, y, kinks::max_share), gy * mask(x0, x1, y, |a, b| 1.0 - kinks::max_share(a, b)));
    /// The element-wise maximum, broadcasting, as Rust's `f64::max` (NumPy's `fmax`): a NaN
    /// operand is ignored.
    ///
    /// Derivative: ∂y/∂x0 = 1 where x0 > x1, ∂y/∂x1 = 1 where x0 < x1; a tie splits the
    /// gradient evenly, and a NaN operand gets none ([the conventions](crate::kinks)).
    ///
    /// # Panics
    /// If the shapes do not broadcast.
    ///
    /// ```
    /// use dezero_runtime::{functions::maximum, Variable};
    /// let (a, b) = (Variable::from(1.0), Variable::from(2.0));
    /// let y = maximum(&a, &b);
    /// y.backward();
    /// assert_eq!((y.item(), a.grad().unwrap().item(), b.grad().unwrap().item()), (2.0, 0.0, 1.0));
    /// ```
    fn maximum
}

binary! {
    /// y = min(x0, x1) (Rust's `f64::min`). Backward: gx0 = gy s, gx1 = gy (1 - s), with
    /// s = [`min_share`](crate::kinks::min_share)(x0, x1).
    struct Minimum, "minimum";
    forward |a, b| a.min(b);
    backward |x0, x1, y, gy| (gy * mask(x0, x1, y, kinks::min_share), gy * mask(x0, x1, y, |a, b| 1.0 - kinks::min_share(a, b)));
    /// The element-wise minimum, broadcasting, as Rust's `f64::min` (NumPy's `fmin`): a NaN
    /// operand is ignored.
    ///
    /// Derivative: ∂y/∂x0 = 1 where x0 < x1, ∂y/∂x1 = 1 where x0 > x1; a tie splits the
    /// gradient evenly, and a NaN operand gets none ([the conventions](crate::kinks)).
    ///
    /// # Panics
    /// If the shapes do not broadcast.
    ///
    /// ```
    /// use dezero_runtime::{functions::minimum, Variable};
    /// let (a, b) = (Variable::from(1.0), Variable::from(2.0));
    /// let y = minimum(&a, &b);
    /// y.backward();
    /// assert_eq!((y.item(), a.grad().unwrap().item(), b.grad().unwrap().item()), (1.0, 1.0, 0.0));
    /// ```
    fn minimum
}

binary! {
    /// y = x0^x1. Backward: gx0 = gy x1 x0^(x1-1), gx1 = gy y ln x0, each 0 where
    /// [the conventions](crate::kinks) say so (x1 = 0; x0 = 0 with x1 ≥ 0).
    struct Powf, "powf";
    forward |a, b| a.powf(b);
    backward |x0, x1, y, gy| (
        // Where a convention gives 0, the base is replaced by 1 before the formula, so the
        // formula reads 0 * 1^-1 or y * ln 1 there (masking the result would keep 0 * inf = NaN).
        gy * x1 * powf(replace_where(x0, x1, y, |_, b| b == 0.0), &(x1 - 1.0)),
        gy * y * log(replace_where(x0, x1, y, |a, b| a == 0.0 && b >= 0.0))
    );
    /// Raises to a variable power, broadcasting.
    ///
    /// Derivative: ∂y/∂x0 = x1 x0^(x1-1) (0 where x1 = 0), ∂y/∂x1 = x0^x1 ln x0 (0 where
    /// x0 = 0 and x1 ≥ 0).
    ///
    /// # Panics
    /// If the shapes do not broadcast.
    ///
    /// ```
    /// use dezero_runtime::{functions::powf, Variable};
    /// let (x, p) = (Variable::from(2.0), Variable::from(3.0));
    /// let y = powf(&x, &p);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (8.0, 12.0));
    /// assert_eq!(p.grad().unwrap().item(), 8.0 * 2f64.ln());
    /// ```
    fn powf
}

binary! {
    /// y = atan2(x0, x1), the angle of the point (x1, x0). Backward: gx0 = gy x1 / (x0² + x1²),
    /// gx1 = -gy x0 / (x0² + x1²).
    struct Atan2, "atan2";
    forward |a, b| a.atan2(b);
    backward |x0, x1, y, gy| (gy * x1 / (x0 * x0 + x1 * x1), gy * -x0 / (x0 * x0 + x1 * x1));
    /// The four-quadrant arctangent of `x0 / x1` (`f64::atan2`), broadcasting.
    ///
    /// Derivative: ∂y/∂x0 = x1 / (x0² + x1²), ∂y/∂x1 = -x0 / (x0² + x1²).
    ///
    /// # Panics
    /// If the shapes do not broadcast.
    ///
    /// ```
    /// use dezero_runtime::{functions::atan2, Variable};
    /// let (y0, x0) = (Variable::from(1.0), Variable::from(1.0));
    /// let t = atan2(&y0, &x0);
    /// t.backward();
    /// assert_eq!(t.item(), std::f64::consts::FRAC_PI_4);
    /// assert_eq!((y0.grad().unwrap().item(), x0.grad().unwrap().item()), (0.5, -0.5));
    /// ```
    fn atan2
}

binary! {
    /// y = √(x0² + x1²). Backward: gx0 = gy x0 / y, gx1 = gy x1 / y.
    struct Hypot, "hypot";
    forward |a, b| a.hypot(b);
    backward |x0, x1, y, gy| (gy * x0 / y, gy * x1 / y);
    /// The Euclidean norm of `(x0, x1)` (`f64::hypot`), broadcasting.
    ///
    /// Derivative: ∂y/∂x0 = x0 / y, ∂y/∂x1 = x1 / y.
    ///
    /// # Panics
    /// If the shapes do not broadcast.
    ///
    /// ```
    /// use dezero_runtime::{functions::hypot, Variable};
    /// let (a, b) = (Variable::from(3.0), Variable::from(4.0));
    /// let y = hypot(&a, &b);
    /// y.backward();
    /// assert_eq!((y.item(), a.grad().unwrap().item(), b.grad().unwrap().item()), (5.0, 0.6, 0.8));
    /// ```
    fn hypot
}
