//! The built-in functions as free functions (DeZero's `square(x)`, `exp(x)`, ...), and the
//! `Function` structs behind them for use with [`apply`](crate::apply).
//!
//! Every free function takes its variables as `impl AsRef<Variable>`, like the operators take
//! them by value or by reference: `cos(&x)` and `cos(2.0 * PI * &x)` both work. A consequence
//! of the generic parameter: a function is no longer a `fn(&Variable) -> Variable` value by
//! itself; where one is needed (a table of functions, [`gradient_check`](crate::gradient_check)),
//! write a closure, `|x| cos(x)`.
//!
//! Each function's doc gives its derivative rule and an example; the struct's doc gives the
//! backward as implemented. Binary functions broadcast like NumPy and sum each gradient back
//! to its input's shape.

pub use crate::ops::arith::{add, div, mul, neg, pow, sub, Add, Div, Mul, Neg, Pow, Sub};
pub use crate::ops::math::{
    abs, atan2, cos, cosh, exp, hypot, log, log10, maximum, minimum, powf, recip, sigmoid, sin,
    sinh, sqrt, square, tan, tanh, Abs, Atan2, Cos, Cosh, Exp, Hypot, Log, Log10, Maximum, Minimum,
    Powf, Recip, Sigmoid, Sin, Sinh, Sqrt, Square, Tan, Tanh,
};
pub use crate::ops::reduce::{broadcast_to, sum, sum_to, BroadcastTo, Sum, SumTo};

// The tensor functions of DeZero steps 37-41 and `functions.py`.
pub use crate::ops::activation::{
    clip, leaky_relu, log_softmax, relu, softmax, Clip, LeakyRelu, LogSoftmax, Relu, Softmax,
};
pub use crate::ops::axes::{
    max, max_axes, mean, mean_axes, min, min_axes, sum_axes, Extreme, Extremum, SumAxes,
};
pub use crate::ops::dropout::{dropout, dropout_seed, Dropout};
pub use crate::ops::index::{get_item, GetItem, GetItemGrad, Index};
pub use crate::ops::loss::{
    accuracy, mean_squared_error, sigmoid_cross_entropy, softmax_cross_entropy, MeanSquaredError,
    SigmoidCrossEntropy, SoftmaxCrossEntropy,
};
pub use crate::ops::matmul::{linear, matmul, Linear, MatMul};
pub use crate::ops::shape::{
    expand_dims, flatten, reshape, transpose, transpose_axes, Reshape, Transpose,
};
