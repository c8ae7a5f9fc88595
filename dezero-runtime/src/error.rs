//! Error values and the panic messages of misuse (missing data; shape mismatches are in
//! `broadcast.rs`).
//!
//! Misuse that is a bug in the calling code (adding shapes that do not broadcast, reading a
//! variable with no data) panics with a message naming the operation and the shapes. What a
//! caller can act on, such as a failed [`gradient_check`](crate::gradient_check), is a `Result`.

use std::fmt;

/// A gradient that disagrees with numerical differentiation, from
/// [`gradient_check`](crate::gradient_check).
///
/// ```
/// use dezero_runtime::GradCheckError;
/// let e = GradCheckError { index: vec![1], backward: 2.0, numerical: 3.0 };
/// assert!(e.to_string().contains("backward gives 2"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheckError {
    /// The index of the first element that disagrees.
    pub index: Vec<usize>,
    /// The gradient `backward` computed there.
    pub backward: f64,
    /// The central difference there.
    pub numerical: f64,
}

impl fmt::Display for GradCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradient check failed at index {:?}: backward gives {}, numerical differentiation gives {}",
            self.index, self.backward, self.numerical
        )
    }
}

impl std::error::Error for GradCheckError {}

pub(crate) fn no_data(what: &str) -> String {
    format!("{what}: the variable has no data (variable(None)); give it an array with set_data()")
}
