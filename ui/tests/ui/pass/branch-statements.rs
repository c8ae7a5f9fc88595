// `if` as a statement (with and without `else`, `else if` chains) updating `let mut` variables,
// conditions comparing integers, bools and floats with integer casts, and `return` inside nested
// top-level `if`s compile without warnings and give the taken branch's gradient.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, n: i32, flag: bool) -> f64 {
    let mut y = x;
    if n > 2 {
        y = y * x;
    } else if n == 2 {
        y += 1.0;
    } else {
        y -= x * 0.5;
    }
    if flag {
        y *= 3.0;
    }
    if x > n as f64 {
        y += x;
    }
    y
}

#[differentiable]
fn g(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        if y > 0.0 {
            return x * y;
        }
        return x - y;
    }
    y
}

pub fn main() {
    // n = 3: y = x^2 = 4, dy/dx = 2x = 4.
    assert_eq!(f_grad(2.0, 3, false), (4.0, 4.0));
    // n = 2, flag: y = 3 (x + 1), dy/dx = 3.
    assert_eq!(f_grad(2.0, 2, true), (9.0, 3.0));
    // n = 1, flag, x > 1: y = 3 (x - x / 2) + x = 2.5 x.
    assert_eq!(f_grad(2.0, 1, true), (5.0, 2.5));
    assert_eq!(g_grad(2.0, 3.0), (6.0, (3.0, 2.0)));
    assert_eq!(g_grad(2.0, -1.0), (3.0, (1.0, -1.0)));
    assert_eq!(g_grad(-1.0, 5.0), (5.0, (0.0, 1.0)));
}
