//! Writing your own function: implement `Function` (forward on arrays, backward on variables),
//! apply it, and check its backward against central differences.
//!
//! Run: `cargo run --example custom_function`

use dezero::{apply, gradient_check, Function, Variable};
use ndarray::ArrayD;

/// y = x³ - x. Backward: gx = gy (3x² - 1).
struct Cubic;

impl Function for Cubic {
    fn name(&self) -> &str {
        "cubic"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].mapv(|x| x * x * x - x)]
    }
    fn backward(
        &self,
        xs: &[Variable],
        _ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        let x = &xs[0];
        vec![&gys[0] * (3.0 * x.pow(2.0) - 1.0)]
    }
}

fn cubic(x: &Variable) -> Variable {
    apply(Cubic, &[x]).remove(0)
}

fn main() {
    let x = Variable::from(2.0);
    let y = cubic(&x);
    y.backward();
    println!("cubic(2) = {y}, grad = {}", x.grad().unwrap());
    println!("creator: {}", y.creator().unwrap().name());

    let xs = Variable::from(ndarray::array![-1.0, 0.0, 0.5, 2.0]);
    match gradient_check(cubic, &xs) {
        Ok(()) => println!("gradient check passed on {xs}"),
        Err(e) => println!("{e}"),
    }
}
