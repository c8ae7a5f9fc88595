// `return` in a top-level `if` and at the end compiles without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    if x < 0.0 {
        return -x;
    }
    let y = x * x;
    return y;
}

pub fn main() {
    assert_eq!(f_grad(-2.0), (2.0, -1.0));
    assert_eq!(f_grad(3.0), (9.0, 6.0));
}
