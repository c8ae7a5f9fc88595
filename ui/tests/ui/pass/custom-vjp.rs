// A `#[custom_vjp]` function can be called from an annotated function; no warnings.
#![deny(warnings)]
use dezero::{custom_vjp, differentiable};

#[custom_vjp(cube_pullback)]
fn cube(x: f64) -> f64 {
    x * x * x
}

fn cube_pullback(x: f64, seed: f64) -> f64 {
    seed * 3.0 * x * x
}

#[differentiable]
fn f(x: f64) -> f64 {
    cube(x) + x
}

pub fn main() {
    // f = x^3 + x: df/dx = 3x^2 + 1; at 2: (10, 13)
    assert_eq!(f_grad(2.0), (10.0, 13.0));
}
