// Annotated associated functions: `f_grad`, `f_vjp` and `f_op` are associated functions (`f_op`
// calls `Self::f` and `Self::f_vjp`), `no_op` leaves `f_op` out. `op = name` renames the
// fused-node companion of a free function.
#![deny(warnings)]
use dezero::{differentiable, Variable};

struct Model;

impl Model {
    #[differentiable(no_op)]
    fn energy(x: f64, y: f64) -> f64 {
        x * x * y
    }

    #[differentiable]
    fn power(x: f64, n: i32) -> f64 {
        x.powi(n)
    }
}

#[differentiable(op = fused_square)]
fn square(x: f64) -> f64 {
    x * x
}

pub fn main() {
    let (v, (dx, dy)) = Model::energy_grad(3.0, 2.0);
    assert_eq!((v, dx, dy), (18.0, 12.0, 9.0));
    assert_eq!(Model::energy_vjp(3.0, 2.0, 0.5), (6.0, 4.5));
    assert_eq!(square(3.0), 9.0);

    // d(x^3)/dx = 3x^2 at 1, 2, 3
    let x = Variable::from(vec![1.0, 2.0, 3.0]);
    let y = Model::power_op(&x, 3);
    y.backward();
    assert_eq!(y.creator().unwrap().name(), "power");
    assert_eq!(
        x.grad().unwrap().data().as_slice().unwrap(),
        &[3.0, 12.0, 27.0]
    );
    assert_eq!(Model::power_grad(2.0, 3), (8.0, 12.0));

    let x = Variable::from(vec![1.0, 2.0, 3.0]);
    let y = fused_square(&x);
    y.backward();
    assert_eq!(y.creator().unwrap().name(), "square");
    assert_eq!(
        x.grad().unwrap().data().as_slice().unwrap(),
        &[2.0, 4.0, 6.0]
    );
}
