// `for` over `a..b` and `a..=b` with literal or parameter bounds, loop-carried floats, nested
// loops and `i as f64` compile without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, n: usize) -> f64 {
    let mut acc = 0.0;
    for i in 0..n {
        acc += x * (i as f64);
    }
    for j in 1..=2 {
        for _ in 0..j {
            acc *= x;
        }
    }
    acc
}

pub fn main() {
    // acc = x (0 + 1 + 2) = 3x, then times x^(1 + 2): f = 3 x^4, df/dx = 12 x^3; at 1: (3, 12)
    assert_eq!(f_grad(1.0, 3), (3.0, 12.0));
}
