//! One meaning of "gradient" at kinks, ties and NaNs, shared by both engines.
//!
//! Where a function is not differentiable, or its derivative formula evaluates to `0 * inf`,
//! some value has to be chosen. dezero chooses PyTorch's (and, for ties, JAX's) conventions,
//! writes each one once here, and uses these functions in the runtime's backward rules, in
//! the code `#[differentiable]` generates (forward and reverse mode), and so in fused nodes.
//!
//! | point | value | gradient |
//! |---|---|---|
//! | `abs(x)` at `x = ±0.0` | `0` | `0` ([`abs_slope`]) |
//! | `max(a, b)`, `a > b` | `a` | `(1, 0)` ([`max_share`]) |
//! | `max(a, b)`, tie `a == b` | `a` | `(0.5, 0.5)`: ties split evenly |
//! | `max(a, b)`, one operand NaN | the other one (Rust's `f64::max`) | all of it to the operand returned |
//! | `max(NaN, NaN)` | NaN | `(1, 0)`: the shares always sum to 1 |
//! | `min(a, b)` | mirror of `max` | mirror ([`min_share`]) |
//! | `x.powi(0)`, `x.powf(0.0)`, `pow(x, 0)`, any `x` (also 0) | `1` | `d/dx = 0`, not `0 * x^-1` ([`powi_slope`], [`powf_base_slope`]) |
//! | `0.0.powf(y)`, `y >= 0` | `0` (`1` at `y = 0`) | `d/dy = 0`, not `x^y ln 0` ([`powf_exponent_slope`]) |
//! | `x.clamp(lo, hi)` at `x == lo` or `x == hi` | `x` | all of it to `x`: the interval is closed ([`clamp_slope`]) |
//! | `x.clamp(lo, hi)` outside | `lo` or `hi` | all of it to that bound ([`below_share`], [`above_share`]) |
//! | `relu(x)` at 0 | `0` | `0` |
//! | `signum`, `floor`, `ceil`, `round`, `trunc` | as `std` | `0` everywhere |
//! | `sqrt(x)` at 0 | `0` | `+inf` (no special case) |
//!
//! `maximum`/`minimum` in the runtime follow Rust's `f64::max`/`f64::min` (NumPy's
//! `fmax`/`fmin`): a NaN operand is ignored. That is what `x.max(y)` means in the Rust code the
//! macro differentiates, so the runtime computes the same values.
//!
//! ```
//! use dezero_runtime::kinks::{abs_slope, max_share};
//! assert_eq!(abs_slope(-0.0_f64), 0.0);
//! assert_eq!(max_share(1.0_f64, 1.0), 0.5); // a tie splits the gradient
//! assert_eq!(max_share(1.0_f64, f64::NAN), 1.0); // 1.0.max(NaN) is 1.0: all of it to `a`
//! ```

use std::ops::{Mul, Sub};

/// The float types the conventions are written for: `f32` and `f64`. Sealed.
pub trait Float:
    Copy + PartialOrd + Mul<Output = Self> + Sub<Output = Self> + sealed::Sealed
{
    /// `0`.
    const ZERO: Self;
    /// `0.5`.
    const HALF: Self;
    /// `1`.
    const ONE: Self;
    /// Whether this is NaN.
    fn nan(self) -> bool;
    /// The sign: `±1`, NaN for NaN.
    fn sign(self) -> Self;
    /// `self^n`.
    fn pow_int(self, n: i32) -> Self;
    /// `self^y`.
    fn pow_float(self, y: Self) -> Self;
    /// The natural logarithm.
    fn log(self) -> Self;
    /// `n` as this float type.
    fn from_int(n: i32) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! float {
    ($t:ty) => {
        impl Float for $t {
            const ZERO: $t = 0.0;
            const HALF: $t = 0.5;
            const ONE: $t = 1.0;
            fn nan(self) -> bool {
                self.is_nan()
            }
            fn sign(self) -> $t {
                self.signum()
            }
            fn pow_int(self, n: i32) -> $t {
                self.powi(n)
            }
            fn pow_float(self, y: $t) -> $t {
                self.powf(y)
            }
            fn log(self) -> $t {
                self.ln()
            }
            fn from_int(n: i32) -> $t {
                n as $t
            }
        }
    };
}
float!(f32);
float!(f64);

/// `d|x|/dx`: the sign of `x`, and 0 at `±0.0` (NaN stays NaN).
///
/// ```
/// use dezero_runtime::kinks::abs_slope;
/// assert_eq!([abs_slope(-2.0_f64), abs_slope(0.0), abs_slope(3.0)], [-1.0, 0.0, 1.0]);
/// ```
#[inline]
pub fn abs_slope<F: Float>(x: F) -> F {
    if x == F::ZERO {
        F::ZERO
    } else {
        x.sign()
    }
}

/// The share of `max(a, b)`'s gradient that goes to `a`; `b` gets `1 - share`.
///
/// 1 where `max` returns `a` alone (`a > b`, or `b` is NaN), 0.5 on a tie, 0 otherwise.
///
/// ```
/// use dezero_runtime::kinks::max_share;
/// assert_eq!([max_share(2.0_f64, 1.0), max_share(1.0, 1.0), max_share(1.0, 2.0)], [1.0, 0.5, 0.0]);
/// assert_eq!(max_share(f64::NAN, 1.0), 0.0); // NaN.max(1.0) is 1.0
/// ```
#[inline]
pub fn max_share<F: Float>(a: F, b: F) -> F {
    if a > b || b.nan() {
        F::ONE
    } else if a == b {
        F::HALF
    } else {
        F::ZERO
    }
}

/// The share of `min(a, b)`'s gradient that goes to `a`; `b` gets `1 - share`.
///
/// ```
/// use dezero_runtime::kinks::min_share;
/// assert_eq!([min_share(1.0_f64, 2.0), min_share(1.0, 1.0), min_share(2.0, 1.0)], [1.0, 0.5, 0.0]);
/// assert_eq!(min_share(1.0, f64::NAN), 1.0); // 1.0.min(NaN) is 1.0
/// ```
#[inline]
pub fn min_share<F: Float>(a: F, b: F) -> F {
    if a < b || b.nan() {
        F::ONE
    } else if a == b {
        F::HALF
    } else {
        F::ZERO
    }
}

/// `d x^n / dx = n x^(n-1)`, and 0 for `n = 0` (also at `x = 0`, where the formula is `0 * inf`).
///
/// ```
/// use dezero_runtime::kinks::powi_slope;
/// assert_eq!(powi_slope(2.0_f64, 3), 12.0);
/// assert_eq!(powi_slope(0.0_f64, 0), 0.0);
/// ```
#[inline]
pub fn powi_slope<F: Float>(x: F, n: i32) -> F {
    if n == 0 {
        F::ZERO
    } else {
        F::from_int(n) * x.pow_int(n - 1)
    }
}

/// `∂ x^y / ∂x = y x^(y-1)`, and 0 for `y = 0` (also at `x = 0`).
///
/// ```
/// use dezero_runtime::kinks::powf_base_slope;
/// assert_eq!(powf_base_slope(2.0_f64, 3.0), 12.0);
/// assert_eq!(powf_base_slope(0.0_f64, 0.0), 0.0);
/// ```
#[inline]
pub fn powf_base_slope<F: Float>(x: F, y: F) -> F {
    if y == F::ZERO {
        F::ZERO
    } else {
        y * x.pow_float(y - F::ONE)
    }
}

/// `∂ x^y / ∂y = x^y ln x` from the value `out = x^y`, and 0 at `x = 0` for `y >= 0`.
///
/// ```
/// use dezero_runtime::kinks::powf_exponent_slope;
/// assert_eq!(powf_exponent_slope(1.0_f64, 2.0, 1.0), 0.0); // ln 1 = 0
/// assert_eq!(powf_exponent_slope(0.0_f64, 2.0, 0.0), 0.0); // not 0 * -inf
/// ```
#[inline]
pub fn powf_exponent_slope<F: Float>(x: F, y: F, out: F) -> F {
    if x == F::ZERO && y >= F::ZERO {
        F::ZERO
    } else {
        out * x.log()
    }
}

/// `∂ clamp(x, lo, hi) / ∂x`: 1 on the closed interval `[lo, hi]` (and for a NaN `x`), else 0.
///
/// ```
/// use dezero_runtime::kinks::clamp_slope;
/// assert_eq!([clamp_slope(0.0_f64, 0.0, 1.0), clamp_slope(2.0, 0.0, 1.0)], [1.0, 0.0]);
/// ```
#[inline]
pub fn clamp_slope<F: Float>(x: F, lo: F, hi: F) -> F {
    if x < lo || x > hi {
        F::ZERO
    } else {
        F::ONE
    }
}

/// `∂ clamp(x, lo, hi) / ∂lo`: 1 where `x < lo` (the result is `lo`), else 0.
///
/// ```
/// use dezero_runtime::kinks::below_share;
/// assert_eq!([below_share(-1.0_f64, 0.0), below_share(0.0, 0.0)], [1.0, 0.0]);
/// ```
#[inline]
pub fn below_share<F: Float>(x: F, lo: F) -> F {
    if x < lo {
        F::ONE
    } else {
        F::ZERO
    }
}

/// `∂ clamp(x, lo, hi) / ∂hi`: 1 where `x > hi` (the result is `hi`), else 0.
///
/// ```
/// use dezero_runtime::kinks::above_share;
/// assert_eq!([above_share(2.0_f64, 1.0), above_share(1.0, 1.0)], [1.0, 0.0]);
/// ```
#[inline]
pub fn above_share<F: Float>(x: F, hi: F) -> F {
    if x > hi {
        F::ONE
    } else {
        F::ZERO
    }
}
