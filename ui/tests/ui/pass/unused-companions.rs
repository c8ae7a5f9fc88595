// Using only some of the generated functions warns about none of the others: `<fn>_grad` and
// `<fn>_vjp` carry `#[allow(dead_code)]` (the user's own function keeps its normal lints).
#![deny(warnings)]
use dezero::differentiable;

// Only `_grad` is called: `_vjp` (and `_op`) stay silent.
#[differentiable]
fn square(x: f64) -> f64 {
    x * x
}

// Only `_vjp` is called: `_grad` stays silent.
#[differentiable]
fn product(x: f64, y: f64) -> f64 {
    x * y
}

pub fn main() {
    // y = x^2 at 3: 9, dy/dx = 6
    assert_eq!(square(3.0), 9.0);
    assert_eq!(square_grad(3.0), (9.0, 6.0));
    // z = x y at (2, 3), seed 1: (dz/dx, dz/dy) = (3, 2)
    assert_eq!(product(2.0, 3.0), 6.0);
    assert_eq!(product_vjp(2.0, 3.0, 1.0), (3.0, 2.0));
}
