//! The built-in functions, by family: arithmetic (with broadcasting and the operator
//! overloads), element-wise math, and reductions/shape functions.

pub(crate) mod arith;
pub(crate) mod math;
pub(crate) mod overload;
pub(crate) mod reduce;
