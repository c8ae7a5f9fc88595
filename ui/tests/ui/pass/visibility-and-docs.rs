// Visibility, attributes and doc comments of an annotated function carry over to `<fn>_grad` and
// `<fn>_vjp`: `pub` ones in a module are callable from outside it, and every generated public
// item is documented (`missing_docs` is denied).
//! Crate docs, so `missing_docs` looks only at the generated items.
#![deny(warnings, missing_docs)]

/// Geometry helpers.
pub mod geometry {
    /// Squared length of `(x, y)`.
    #[dezero::differentiable]
    #[inline]
    pub fn norm2(x: f64, y: f64) -> f64 {
        x * x + y * y
    }

    /// Visible in the crate only, and so are its generated functions.
    #[dezero::differentiable(grad = twice_value_and_slope)]
    pub(crate) fn twice(x: f64) -> f64 {
        2.0 * x
    }
}

/// Runs the case (a module of `tests/pass.rs`).
pub fn main() {
    // norm2 at (3, 4): 25, gradient (2x, 2y) = (6, 8); the pullback of 0.5 is (3, 4).
    assert_eq!(geometry::norm2(3.0, 4.0), 25.0);
    assert_eq!(geometry::norm2_grad(3.0, 4.0), (25.0, (6.0, 8.0)));
    assert_eq!(geometry::norm2_vjp(3.0, 4.0, 0.5), (3.0, 4.0));
    assert_eq!(geometry::twice(1.0), 2.0);
    assert_eq!(geometry::twice_value_and_slope(1.0), (2.0, 2.0));
    assert_eq!(geometry::twice_vjp(1.0, 3.0), 6.0);
}
