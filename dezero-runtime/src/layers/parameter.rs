//! [`Parameter`]: a variable that a layer owns and an optimizer updates.

use std::fmt;
use std::ops::Deref;

use ndarray::{Array, ArrayD, Dimension};

use crate::variable::Variable;

/// A variable that a layer learns (DeZero's `Parameter`): a handle to a [`Variable`], kept
/// apart by its type so that [`Layer::params`](crate::layers::Layer::params) finds exactly
/// the learnable values.
///
/// It derefs to the variable, so every `Variable` method works on it, and it is
/// `AsRef<Variable>` for the functions. `clone()` copies the handle, not the array.
///
/// ```
/// use dezero_runtime::{functions::square, layers::Parameter};
/// let w = Parameter::new(ndarray::arr1(&[3.0]).into_dyn()).with_name("W");
/// square(&w).backward();
/// assert_eq!(w.grad().unwrap().data()[0], 6.0); // d(w²)/dw = 2w
/// assert_eq!(w.name().as_deref(), Some("W"));
/// ```
#[derive(Clone)]
pub struct Parameter(Variable);

impl Parameter {
    /// A parameter holding `data`.
    ///
    /// ```
    /// let b = dezero_runtime::layers::Parameter::new(ndarray::ArrayD::zeros(ndarray::IxDyn(&[3])));
    /// assert_eq!(b.shape(), vec![3]);
    /// ```
    pub fn new(data: ArrayD<f64>) -> Self {
        Parameter(Variable::new(data))
    }

    /// A parameter with no data yet (DeZero's `Parameter(None)`), for a layer that learns its
    /// input size from its first input.
    ///
    /// ```
    /// let w = dezero_runtime::layers::Parameter::empty();
    /// assert!(!w.has_data());
    /// ```
    pub fn empty() -> Self {
        Parameter(Variable::empty())
    }

    /// This parameter with its name set (builder style).
    ///
    /// ```
    /// let w = dezero_runtime::layers::Parameter::empty().with_name("W");
    /// assert_eq!(w.name().as_deref(), Some("W"));
    /// ```
    pub fn with_name(self, name: impl Into<String>) -> Self {
        self.0.set_name(name);
        self
    }

    /// The variable behind the parameter (another way to write `&*param`).
    ///
    /// ```
    /// let w = dezero_runtime::layers::Parameter::new(ndarray::arr1(&[1.0]).into_dyn());
    /// let y = w.variable() * 2.0;
    /// assert_eq!(y.data()[0], 2.0);
    /// ```
    pub fn variable(&self) -> &Variable {
        &self.0
    }
}

impl Deref for Parameter {
    type Target = Variable;

    fn deref(&self) -> &Variable {
        &self.0
    }
}

impl AsRef<Variable> for Parameter {
    fn as_ref(&self) -> &Variable {
        &self.0
    }
}

impl From<Parameter> for Variable {
    /// The variable behind the parameter (the same handle).
    fn from(p: Parameter) -> Variable {
        p.0
    }
}

impl<D: Dimension> From<Array<f64, D>> for Parameter {
    /// A parameter over the array, of any dimension.
    fn from(array: Array<f64, D>) -> Self {
        Parameter::new(array.into_dyn())
    }
}

impl fmt::Display for Parameter {
    /// Prints as DeZero does: `variable(...)` (a `Parameter` is a `Variable`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}
