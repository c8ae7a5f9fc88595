//! The user-defined Function path: Square, Exp, Sigmoid and Tanh written the way the notes
//! write them as classes, plus a two-output function.

use dezero_runtime::{apply, gradient_check, numerical_diff, Function, Variable};
use ndarray::{array, ArrayD};

/// y = x². Backward: gx = 2 x gy.
struct Square;
impl Function for Square {
    fn name(&self) -> &str {
        "Square"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].mapv(|x| x.powi(2))]
    }
    fn backward(
        &self,
        xs: &[Variable],
        _ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        vec![2.0 * &xs[0] * &gys[0]]
    }
}

/// y = eˣ. Backward: gx = eˣ gy.
struct Exp;
impl Function for Exp {
    fn name(&self) -> &str {
        "Exp"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].mapv(f64::exp)]
    }
    fn backward(
        &self,
        xs: &[Variable],
        _ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        vec![dezero_runtime::functions::exp(&xs[0]) * &gys[0]]
    }
}

/// y = 1 / (1 + e⁻ˣ). Backward: gx = gy y (1 - y).
struct Sigmoid;
impl Function for Sigmoid {
    fn name(&self) -> &str {
        "Sigmoid"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].mapv(|x| 1.0 / (1.0 + (-x).exp()))]
    }
    fn backward(
        &self,
        _xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        let y = ys[0].as_ref().unwrap();
        vec![&gys[0] * y * (1.0 - y)]
    }
}

/// y = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ), as the notes write it. Backward: gx = gy (1 - y²).
struct Tanh;
impl Function for Tanh {
    fn name(&self) -> &str {
        "Tanh"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].mapv(|x| (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()))]
    }
    fn backward(
        &self,
        _xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        let y = ys[0].as_ref().unwrap();
        vec![&gys[0] * (1.0 - y.pow(2.0))]
    }
}

fn call(f: impl Function, x: &Variable) -> Variable {
    apply(f, &[x]).remove(0)
}

#[test]
fn notes_chain_with_user_functions() {
    // square(exp(square(0.5))): y = 1.648721270700128, dy/dx = 3.297442541400256
    let x = Variable::from(0.5);
    let y = call(Square, &call(Exp, &call(Square, &x)));
    y.backward();
    assert_eq!(y.item(), 1.648721270700128);
    assert_eq!(x.grad().unwrap().item(), 3.297442541400256);
    assert_eq!(y.creator().unwrap().name(), "Square");
    let nd = numerical_diff(
        |x| call(Square, &call(Exp, &call(Square, x))),
        &Variable::from(0.5),
        1e-4,
    );
    assert_eq!(nd.sum(), 3.2974426293330694);
}

#[test]
fn notes_sigmoid_tanh_with_user_functions() {
    let x = Variable::from(1.0);
    let y = call(Sigmoid, &call(Tanh, &x));
    y.backward();
    approx::assert_relative_eq!(
        x.grad().unwrap().item(),
        0.09112821805819912,
        max_relative = 1e-15
    );
}

#[test]
fn user_functions_pass_gradient_check() {
    let x = Variable::from(array![-1.0, 0.25, 0.5, 2.0]);
    gradient_check(|x| call(Square, x), &x).unwrap();
    gradient_check(|x| call(Exp, x), &x).unwrap();
    gradient_check(|x| call(Sigmoid, x), &x).unwrap();
    gradient_check(|x| call(Tanh, x), &x).unwrap();
}

/// (y0, y1) = (sin x, cos x). Backward: gx = gy0 cos x - gy1 sin x.
struct SinCos;
impl Function for SinCos {
    fn name(&self) -> &str {
        "SinCos"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].mapv(f64::sin), xs[0].mapv(f64::cos)]
    }
    fn backward(
        &self,
        xs: &[Variable],
        _ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        use dezero_runtime::functions::{cos, sin};
        vec![&gys[0] * cos(&xs[0]) - &gys[1] * sin(&xs[0])]
    }
}

#[test]
fn two_output_function() {
    // z = sin x * cos x: dz/dx = cos² x - sin² x
    let x = Variable::from(0.3);
    let ys = apply(SinCos, &[&x]);
    assert_eq!(ys.len(), 2);
    let z = &ys[0] * &ys[1];
    z.backward();
    approx::assert_relative_eq!(
        x.grad().unwrap().item(),
        0.3f64.cos().powi(2) - 0.3f64.sin().powi(2),
        max_relative = 1e-15
    );
    let node = ys[0].creator().unwrap();
    assert!(node.ptr_eq(&ys[1].creator().unwrap()));
    assert_eq!(node.outputs().len(), 2);

    // using only one output: the other's gradient is taken as zero
    let x = Variable::from(0.3);
    let y1 = apply(SinCos, &[&x]).remove(1); // y0 is dropped at once
    assert!(y1.creator().unwrap().outputs()[0].is_none());
    y1.backward();
    assert_eq!(x.grad().unwrap().item(), -(0.3f64.sin()));
}
