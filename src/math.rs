//! Scalar math the `#[differentiable]` macro knows besides `std`'s float methods.

/// Floats the scalar helpers work on: `f32` and `f64`. Sealed.
pub trait Real: Copy + private::Sealed {
    /// `1 / (1 + e^-x)`.
    fn sigmoid(self) -> Self;
}

mod private {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

impl Real for f64 {
    fn sigmoid(self) -> f64 {
        1.0 / (1.0 + (-self).exp())
    }
}

impl Real for f32 {
    fn sigmoid(self) -> f32 {
        1.0 / (1.0 + (-self).exp())
    }
}

/// The logistic sigmoid `1 / (1 + e^-x)`, for `f64` and `f32`.
///
/// Inside `#[differentiable]` functions the macro differentiates it:
/// `d sigmoid(x) / dx = sigmoid(x) (1 - sigmoid(x))`.
///
/// ```
/// use dezero::math::sigmoid;
/// assert_eq!(sigmoid(0.0_f64), 0.5);
/// assert!((sigmoid(2.0_f32) - 0.880_797_1).abs() < 1e-6);
/// ```
pub fn sigmoid<F: Real>(x: F) -> F {
    x.sigmoid()
}
