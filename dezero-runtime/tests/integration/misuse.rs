//! Bad input: shape mismatches, misbehaving user functions, missing data, NaN and empty arrays.

use dezero_runtime::functions::{add, exp, log, mul, square, sum};
use dezero_runtime::{apply, Function, Variable};
use ndarray::{array, ArrayD};

#[test]
#[should_panic(expected = "add: shapes [2] and [3] do not broadcast together")]
fn add_shape_mismatch_names_op_and_shapes() {
    let _ = add(
        Variable::from(array![1.0, 2.0]),
        Variable::from(array![1.0, 2.0, 3.0]),
    );
}

#[test]
#[should_panic(expected = "mul: shapes [2, 3] and [2] do not broadcast together")]
fn operator_shape_mismatch_names_op_and_shapes() {
    let _ = Variable::from(ArrayD::zeros(vec![2, 3])) * Variable::from(array![1.0, 2.0]);
}

#[test]
fn shape_mismatch_points_at_the_caller() {
    let result = std::panic::catch_unwind(|| {
        let _ = &Variable::from(array![1.0, 2.0]) / &Variable::from(array![1.0, 2.0, 3.0]);
    });
    assert!(result.is_err());
    // The location is the caller's line thanks to #[track_caller]; checked by eye in the
    // panic output (`misuse.rs`), not asserted here since panic hooks are process-global.
}

struct WrongCount;
impl Function for WrongCount {
    fn name(&self) -> &str {
        "WrongCount"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].clone()]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![gys[0].clone(), gys[0].clone()]
    }
}

#[test]
#[should_panic(expected = "function `WrongCount`: backward returned 2 gradients for 1 inputs")]
fn user_function_with_wrong_gradient_count_is_named() {
    let x = Variable::from(1.0);
    apply(WrongCount, &[&x])[0].backward();
}

struct WrongShape;
impl Function for WrongShape {
    fn name(&self) -> &str {
        "WrongShape"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![ndarray::arr0(xs[0].sum()).into_dyn()]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![gys[0].clone()] // should be broadcast to the input's shape
    }
}

#[test]
#[should_panic(
    expected = "function `WrongShape`: backward returned a gradient of shape [] for input 0 of shape [3]"
)]
fn user_function_with_wrong_gradient_shape_is_named() {
    let x = Variable::from(array![1.0, 2.0, 3.0]);
    apply(WrongShape, &[&x])[0].backward();
}

#[test]
#[should_panic(expected = "backward(): the variable has no data")]
fn backward_on_variable_without_data_panics() {
    Variable::empty().backward();
}

#[test]
#[should_panic(expected = "data(): the variable has no data")]
fn using_variable_without_data_panics() {
    let _ = square(Variable::empty());
}

#[test]
#[should_panic(expected = "item(): the variable has shape [2] (2 elements)")]
fn item_of_array_panics() {
    let _ = Variable::from(array![1.0, 2.0]).item();
}

#[test]
#[should_panic(expected = "len(): a 0-dim variable has no first dimension")]
fn len_of_scalar_panics() {
    let _ = Variable::from(1.0).len();
}

#[test]
fn nan_and_infinity_propagate() {
    // d/dx log(x) at 0 = 1/0 = inf; log(-1) is NaN with gradient -1
    let x = Variable::from(array![0.0, -1.0, f64::NAN]);
    let y = log(&x);
    y.backward();
    let g = x.grad().unwrap();
    let g = g.data();
    assert_eq!(y.data()[0], f64::NEG_INFINITY);
    assert!(y.data()[1].is_nan() && y.data()[2].is_nan());
    assert_eq!(g[0], f64::INFINITY);
    assert_eq!(g[1], -1.0);
    assert!(g[2].is_nan());
    assert_eq!(y.to_string(), "variable([-inf  nan  nan])");
}

#[test]
fn empty_arrays_work() {
    let x = Variable::from(ndarray::Array1::<f64>::zeros(0));
    let y = sum(exp(mul(&x, &x)));
    assert_eq!(y.item(), 0.0);
    y.backward();
    assert_eq!(x.grad().unwrap().shape(), vec![0]);
    assert_eq!(x.to_string(), "variable([])");
    assert!(x.is_empty());
}

#[test]
#[should_panic(expected = "set_data(): a data() guard of this variable is still alive")]
fn set_data_while_reading_panics_clearly() {
    let x = Variable::from(1.0);
    x.set_data(&*x.data() + 1.0);
}

#[test]
#[should_panic(expected = "a data() guard of a variable is still alive while its grad")]
fn backward_while_reading_an_input_panics_clearly() {
    let x = Variable::from(2.0);
    let y = square(&x);
    let _guard = x.data();
    y.backward();
}
