//! dezero: DeZero, the autodiff framework of *Deep Learning from Scratch 3*, in Rust, with two
//! engines that agree on what a gradient is.
//!
//! - **The define-by-run runtime** (re-exported from `dezero-runtime`): computations on
//!   [`Variable`]s record a graph as they run, [`Variable::backward`] walks it in reverse. The
//!   ops are in [`functions`] (and the operators `+ - * /`, unary `-`, [`Variable::pow`]);
//!   [`no_grad`] scopes the backprop switch; [`numerical_diff`] checks gradients by central
//!   differences; [`dot::graph`] draws a graph as Graphviz DOT; your own op implements
//!   [`Function`].
//! - **The compile-time engine**: [`differentiable`] turns a plain `f64` function (also one
//!   over slices and `&mut` buffers) into generated Rust code for its gradient (`f_grad`), its
//!   pullback (`f_vjp`) and a runtime node (`f_op`, built on [`fused::elementwise`]). Its page is the full user guide:
//!   what is generated, the language it accepts, how `if` and `for` are differentiated.
//!   [`custom_vjp`] attaches a hand-written pullback to a function it cannot see into.
//! - [`math`]: scalar functions the macro knows how to differentiate ([`math::sigmoid`]).
//!
//! ```
//! use dezero::{differentiable, Variable};
//!
//! // The runtime: build the graph as you compute, then walk it backwards.
//! let x = Variable::from(2.0);
//! let y = Variable::from(3.0);
//! let z = &x * &x + &y * &y; // z = x^2 + y^2 at (2, 3): dz/dx = 2x = 4, dz/dy = 2y = 6
//! z.backward();
//! assert_eq!(x.grad().unwrap().item(), 4.0);
//! assert_eq!(y.grad().unwrap().item(), 6.0);
//!
//! // Compile time: the gradient is generated Rust code, no graph.
//! #[differentiable]
//! fn sphere(x: f64, y: f64) -> f64 {
//!     x * x + y * y
//! }
//! assert_eq!(sphere_grad(2.0, 3.0), (13.0, (4.0, 6.0)));
//!
//! // Both: the compiled function as ONE node of a runtime graph.
//! let (x, y) = (Variable::from(2.0), Variable::from(3.0));
//! let z = sphere_op(&x, &y);
//! z.backward();
//! assert_eq!(z.creator().unwrap().name(), "sphere");
//! assert_eq!((x.grad().unwrap().item(), y.grad().unwrap().item()), (4.0, 6.0));
//! ```
pub use dezero_macros::{custom_vjp, differentiable};
pub use dezero_runtime::*;

pub mod math;
mod slice_op;
mod tape;

/// Paths generated code names. Not public API: may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::math::{erf, erfc, sigmoid, softplus};
    pub use crate::slice_op::slice_op;
    pub use crate::tape::{int_bits, int_from_bits, Tape, TapeInt};
    pub use dezero_runtime::kinks::{
        above_share, abs_slope, below_share, clamp_slope, max_share, min_share, powf_base_slope,
        powf_exponent_slope, powi_slope,
    };
}

/// The README's code blocks, compiled and run by `cargo test --doc` (`rust` blocks; `sh` and
/// `text` ones are not Rust, and `tests/docs/blocks.rs` checks the generated code shown in `text`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
