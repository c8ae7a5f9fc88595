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
    pub use crate::math::sigmoid;
}

/// The README's code blocks, compiled and run by `cargo test --doc` (`rust` blocks; `sh` and
/// `text` ones are not Rust, and `tests/docs.rs` checks the generated code shown in `text`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
