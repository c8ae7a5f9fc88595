// User variables named like generated ones (`x_bar`, `t0`, `seed`, `out`) do not clash.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, seed: f64) -> f64 {
    let t0 = x * seed;
    let x_bar = t0 + 1.0;
    let out = x_bar * x;
    out
}

pub fn main() {
    // f = (x s + 1) x = x^2 s + x: df/dx = 2 x s + 1, df/ds = x^2; at (2, 3): (14, (13, 4))
    assert_eq!(f_grad(2.0, 3.0), (14.0, (13.0, 4.0)));
}
