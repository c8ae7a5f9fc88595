// Literals, `+ - * /`, unary `-` and compound assignment compile without warnings and run.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let mut z = -x * y + 2.0 / (x - 3.0);
    z += x;
    z -= 0.5 * y;
    z *= y;
    z /= 4.0;
    z
}

pub fn main() {
    // z = ((-xy + 2/(x-3) + x - y/2) y) / 4 at (1, 2): ((-2 - 1 + 1 - 1) 2) / 4 = -1.5
    let (z, _) = f_grad(1.0, 2.0);
    assert_eq!(z, -1.5);
    let (_, _) = f_vjp(1.0, 2.0, 1.0);
}
