// `if`/`else`, `else if`, nested branches, `bool` parameters and `&&`/`||`/`!` conditions compile
// without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, y: f64, flip: bool) -> f64 {
    let z = if x > 0.0 && y > 0.0 {
        x * y
    } else if x < -1.0 || !(y < 5.0) || flip {
        if y > x {
            y
        } else {
            x
        }
    } else {
        x + y
    };
    if flip {
        -z
    } else {
        z
    }
}

pub fn main() {
    // x, y > 0: f = x y, grad = (y, x)
    assert_eq!(f_grad(2.0, 3.0, false), (6.0, (3.0, 2.0)));
    // flip with y > x: f = -y, grad = (0, -1)
    assert_eq!(f_grad(-0.5, 3.0, true), (-3.0, (0.0, -1.0)));
}
