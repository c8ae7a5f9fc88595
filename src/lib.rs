//! dezero: DeZero in Rust, two engines with one meaning of "gradient".
//!
//! - the define-by-run runtime (`Variable`, ...), re-exported from `dezero-runtime`;
//! - [`differentiable`], the compile-time engine, and [`custom_vjp`], its escape hatch
//!   (see the `dezero-macros` documentation for what they generate);
//! - [`math`], scalar functions the macro knows how to differentiate.
pub use dezero_macros::{custom_vjp, differentiable};
pub use dezero_runtime::*;

pub mod math;

/// Paths generated code names. Not public API: may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::math::{erf, erfc, sigmoid, softplus};
    pub use dezero_runtime::kinks::{
        above_share, abs_slope, below_share, clamp_slope, max_share, min_share, powf_base_slope,
        powf_exponent_slope, powi_slope,
    };
}
