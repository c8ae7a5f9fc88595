// `f32` functions and integer/`bool` constant parameters compile without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f32, k: i32, m: u64, on: bool) -> f32 {
    if on {
        x.powi(k) * (m as f32)
    } else {
        x
    }
}

pub fn main() {
    // 2 x^3 at 1: (2, 6)
    assert_eq!(f_grad(1.0, 3, 2, true), (2.0, 6.0));
}
