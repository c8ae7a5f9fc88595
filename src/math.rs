//! Scalar math the `#[differentiable]` macro knows besides `std`'s float methods.
//!
//! Inside `#[differentiable]` functions the macro differentiates these, called by a path ending
//! in their name (`sigmoid(x)`, `math::erf(x)`, `dezero::math::softplus(x)`); the runtime has
//! element-wise twins in [`functions`](crate::functions).

/// Floats the scalar helpers work on: `f32` and `f64`. Sealed.
pub trait Real: Copy + private::Sealed {
    /// `1 / (1 + e^-x)`.
    fn sigmoid(self) -> Self;
    /// `ln(1 + e^x)`, without overflow for large `x`.
    fn softplus(self) -> Self;
    /// The error function.
    fn erf(self) -> Self;
    /// `1 - erf(x)`, accurate where `erf(x)` is close to 1.
    fn erfc(self) -> Self;
}

mod private {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! real {
    ($t:ty, $erf:path, $erfc:path) => {
        impl Real for $t {
            fn sigmoid(self) -> $t {
                1.0 / (1.0 + (-self).exp())
            }
            fn softplus(self) -> $t {
                // max(x, 0) + ln(1 + e^-|x|): e^-|x| <= 1 never overflows
                self.max(0.0) + (-self.abs()).exp().ln_1p()
            }
            fn erf(self) -> $t {
                $erf(self)
            }
            fn erfc(self) -> $t {
                $erfc(self)
            }
        }
    };
}
real!(f64, libm::erf, libm::erfc);
real!(f32, libm::erff, libm::erfcf);

/// The logistic sigmoid `1 / (1 + e^-x)`, for `f64` and `f32`.
///
/// Derivative: `sigmoid(x) (1 - sigmoid(x))`.
///
/// ```
/// use dezero::math::sigmoid;
/// assert_eq!(sigmoid(0.0_f64), 0.5);
/// assert!((sigmoid(2.0_f32) - 0.880_797_1).abs() < 1e-6);
/// ```
pub fn sigmoid<F: Real>(x: F) -> F {
    x.sigmoid()
}

/// The softplus `ln(1 + e^x)`, a smooth `max(x, 0)`, for `f64` and `f32`.
///
/// Derivative: `sigmoid(x)`.
///
/// ```
/// use dezero::math::softplus;
/// assert_eq!(softplus(0.0_f64), std::f64::consts::LN_2);
/// assert_eq!(softplus(1000.0_f64), 1000.0); // no overflow
/// ```
pub fn softplus<F: Real>(x: F) -> F {
    x.softplus()
}

/// The error function `erf(x) = 2/sqrt(pi) * integral of e^(-t^2) from 0 to x` (from `libm`).
///
/// Derivative: `2/sqrt(pi) e^(-x^2)`.
///
/// ```
/// use dezero::math::erf;
/// assert_eq!(erf(0.0_f64), 0.0);
/// assert!((erf(1.0_f64) - 0.842_700_792_949_715).abs() < 1e-15);
/// ```
pub fn erf<F: Real>(x: F) -> F {
    x.erf()
}

/// The complementary error function `1 - erf(x)` (from `libm`).
///
/// Derivative: `-2/sqrt(pi) e^(-x^2)`.
///
/// ```
/// use dezero::math::erfc;
/// assert_eq!(erfc(0.0_f64), 1.0);
/// assert!((erfc(3.0_f64) - 2.209_049_699_858_544e-5).abs() < 1e-19);
/// ```
pub fn erfc<F: Real>(x: F) -> F {
    x.erfc()
}
