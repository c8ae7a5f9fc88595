// Names the macro cannot see that read as constants (`SCALE`, `consts::PI`, `f64::EPSILON`)
// are used as constants: no gradient flows into them. No warnings.
#![deny(warnings)]
use dezero::differentiable;
use std::f64::consts::PI;

const SCALE: f64 = 2.0;
const STEPS: usize = 3;

// f(x) = SCALE * x * PI + eps: f'(x) = 2 pi.
#[differentiable]
fn f(x: f64) -> f64 {
    SCALE * x * PI + f64::EPSILON
}

// g(x) = sum over STEPS of x * SCALE = 6x: g'(x) = 6.
#[differentiable]
fn g(x: f64) -> f64 {
    let mut s = 0.0;
    for _ in 0..STEPS {
        s += x * SCALE;
    }
    s
}

pub fn main() {
    let (v, d) = f_grad(1.0);
    assert_eq!(v, 2.0 * PI + f64::EPSILON);
    assert_eq!(d, 2.0 * PI);
    assert_eq!(g_grad(0.5), (3.0, 6.0));
}
