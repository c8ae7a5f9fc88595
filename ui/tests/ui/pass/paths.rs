// `f64::exp(x)`-style paths and `dezero::math::sigmoid` compile without warnings.
#![deny(warnings)]
use dezero::differentiable;
use dezero::math::sigmoid;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    f64::exp(x) + f64::sin(y) + f64::powi(x, 2) + f64::atan2(y, x) + dezero::math::sigmoid(x)
        + sigmoid(y)
}

pub fn main() {
    // d/dx = e^x + 2x - y / (x^2 + y^2) + s(x)(1 - s(x)); at (0, 1): 1 + 0 - 1 + 1/4 = 0.25
    let (_, (gx, _)) = f_grad(0.0, 1.0);
    assert_eq!(gx, 0.25);
}
