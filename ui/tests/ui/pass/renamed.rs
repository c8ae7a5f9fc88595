// `grad = ..` and `vjp = ..` rename the generated functions; no warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable(grad = value_and_slope, vjp = pull)]
fn f(x: f64) -> f64 {
    x * x
}

#[differentiable(vjp = only_vjp)]
fn g(x: f64) -> f64 {
    x * 3.0
}

pub fn main() {
    assert_eq!(value_and_slope(3.0), (9.0, 6.0));
    assert_eq!(pull(3.0, 0.5), 3.0);
    assert_eq!(g_grad(1.0), (3.0, 3.0));
    assert_eq!(only_vjp(1.0, 2.0), 6.0);
}
