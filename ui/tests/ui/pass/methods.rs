// Every supported method compiles without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let a = x.powi(3) + x.powf(2.5) + x.powf(y) + x.exp() + x.ln() + x.log10() + x.sqrt();
    let b = x.sin() + x.cos() + x.tan() + x.tanh() + x.sinh() + x.cosh() + (x - y).abs();
    let c = x.recip() + x.max(y) + x.min(y) + x.hypot(y) + y.atan2(x);
    a + b + c
}

pub fn main() {
    let (v, (gx, gy)) = f_grad(0.7, 1.3);
    assert!(v.is_finite() && gx.is_finite() && gy.is_finite());
}
