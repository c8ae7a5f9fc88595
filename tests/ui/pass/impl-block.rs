// An annotated associated function: `no_op` leaves out `f_op` (which would call `f_vjp` by
// its plain name, not found in an `impl`); `f_grad` and `f_vjp` are associated functions.
// `op = name` renames the fused-node companion of a free function.
#![deny(warnings)]
use dezero::{differentiable, Variable};

struct Model;

impl Model {
    #[differentiable(no_op)]
    fn energy(x: f64, y: f64) -> f64 {
        x * x * y
    }
}

#[differentiable(op = fused_square)]
fn square(x: f64) -> f64 {
    x * x
}

fn main() {
    let (v, (dx, dy)) = Model::energy_grad(3.0, 2.0);
    assert_eq!((v, dx, dy), (18.0, 12.0, 9.0));
    assert_eq!(Model::energy_vjp(3.0, 2.0, 0.5), (6.0, 4.5));
    assert_eq!(square(3.0), 9.0);

    let x = Variable::from(vec![1.0, 2.0, 3.0]);
    let y = fused_square(&x);
    y.backward();
    assert_eq!(y.creator().unwrap().name(), "square");
    assert_eq!(
        x.grad().unwrap().data().as_slice().unwrap(),
        &[2.0, 4.0, 6.0]
    );
}
