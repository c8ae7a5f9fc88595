//! dezero: DeZero in Rust, two engines with one meaning of "gradient".
pub use dezero_macros::differentiable;
pub use dezero_runtime::*;
