// `let` (typed or not), shadowing, `let mut` reassignment, blocks and integer constants
// computed with integer methods compile without warnings.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, n: i32) -> f64 {
    let k = n.pow(2) - 3;
    let y: f64 = x.powi(k);
    let y = y + x;
    let mut z = y;
    z = z * 2.0;
    let w = {
        let t = z + 1.0;
        t * t
    };
    w - z
}

pub fn main() {
    // n = 2: k = 1, y = x + x = 2x, z = 4x, f = (4x + 1)^2 - 4x;
    // at x = 1: f = 21, df/dx = 8(4x + 1) - 4 = 36
    assert_eq!(f_grad(1.0, 2), (21.0, 36.0));
}
