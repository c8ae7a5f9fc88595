// An `f32` function with `f32::` paths, methods, a loop and a call to another `f32` annotated
// function compiles without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn cube(t: f32) -> f32 {
    t.powi(3)
}

#[differentiable]
fn f(x: f32, n: u8) -> f32 {
    let mut s = f32::sin(0.0) + x.abs();
    for _ in 0..n {
        s += cube(x) * 0.5;
    }
    s + f32::exp(0.0) * x
}

pub fn main() {
    // n = 2: f = |x| + x^3 + x; at 2: 2 + 8 + 2 = 12, f' = 1 + 3x^2 + 1 = 14.
    assert_eq!(f_grad(2.0, 2), (12.0, 14.0));
}
