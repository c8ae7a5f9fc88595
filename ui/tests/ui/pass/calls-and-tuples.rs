// Calls to annotated functions, tuple results and `let (a, b) = g(..)` compile without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn both(x: f64, y: f64) -> (f64, f64) {
    (x + y, x * y)
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let (s, p) = both(x, y);
    square(s) - 2.0 * p
}

pub fn main() {
    // f = (x + y)^2 - 2xy = x^2 + y^2: grad = (2x, 2y)
    assert_eq!(f_grad(2.0, 3.0), (13.0, (4.0, 6.0)));
    // both_vjp takes one seed per output: (1, 0) pulls back x + y
    assert_eq!(both_vjp(2.0, 3.0, 1.0, 0.0), (1.0, 1.0));
}
