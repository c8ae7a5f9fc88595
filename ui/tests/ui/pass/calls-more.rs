// Calls with three results (one ignored with `_`), a call with a constant float argument, an
// integer argument passed through, calls inside branches, and `_vjp` of a three-result function
// taking one seed per result compile without warnings and compose.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn three(x: f64, y: f64) -> (f64, f64, f64) {
    (x + y, x * y, x - y)
}

#[differentiable]
fn scaled(x: f64, k: i32) -> f64 {
    x.powi(k)
}

#[differentiable]
fn f(x: f64, y: f64, k: i32) -> f64 {
    let (s, p, _) = three(x, y);
    scaled(s, k) + scaled(2.0, k) * p
}

#[differentiable]
fn g(x: f64) -> f64 {
    if x > 0.0 {
        scaled(x, 3)
    } else {
        scaled(-x, 2)
    }
}

pub fn main() {
    // At (1, 2), k = 2: s = 3, p = 2, f = s^2 + 4p = 17;
    // df/dx = 2s + 4y = 14, df/dy = 2s + 4x = 10.
    assert_eq!(f_grad(1.0, 2.0, 2), (17.0, (14.0, 10.0)));
    // Seeds (1, 10, 100): d/dx = 1 + 10y + 100 = 121, d/dy = 1 + 10x - 100 = -89.
    assert_eq!(three_vjp(1.0, 2.0, 1.0, 10.0, 100.0), (121.0, -89.0));
    // g(2) = 8, g' = 3x^2 = 12; g(-3) = 9, g' = 2x = -6.
    assert_eq!(g_grad(2.0), (8.0, 12.0));
    assert_eq!(g_grad(-3.0), (9.0, -6.0));
}
