//! Every public entry checks shapes and names the op: the op structs applied with `apply` check
//! like the free functions, `set_grad` rejects a gradient of another shape, and `backward`
//! rejects a seed or an accumulated grad left over from before `set_data` changed the shape.

use crate::support::panic_message;
use dezero_runtime::functions::{
    Add, Atan2, BroadcastTo, Div, Hypot, Maximum, Minimum, Mul, Powf, Sub, Sum, SumTo,
};
use dezero_runtime::{apply, Function, Variable};
use ndarray::{array, ArrayD};

fn v(shape: &[usize]) -> Variable {
    Variable::new(ArrayD::ones(shape.to_vec()))
}

#[test]
#[should_panic(expected = "add: shapes [2] and [3] do not broadcast together")]
fn apply_add_checks_broadcasting_like_add() {
    let _ = apply(Add, &[&v(&[2]), &v(&[3])]);
}

type Binary = Box<dyn Fn(&Variable, &Variable) -> Vec<Variable>>;

#[test]
fn every_binary_op_struct_names_itself_and_the_shapes() {
    let ops: Vec<(&str, Binary)> = vec![
        ("add", Box::new(|a, b| apply(Add, &[a, b]))),
        ("sub", Box::new(|a, b| apply(Sub, &[a, b]))),
        ("mul", Box::new(|a, b| apply(Mul, &[a, b]))),
        ("div", Box::new(|a, b| apply(Div, &[a, b]))),
        ("maximum", Box::new(|a, b| apply(Maximum, &[a, b]))),
        ("minimum", Box::new(|a, b| apply(Minimum, &[a, b]))),
        ("powf", Box::new(|a, b| apply(Powf, &[a, b]))),
        ("atan2", Box::new(|a, b| apply(Atan2, &[a, b]))),
        ("hypot", Box::new(|a, b| apply(Hypot, &[a, b]))),
    ];
    for (name, op) in ops {
        let message = panic_message(|| {
            op(&v(&[2, 3]), &v(&[2]));
        });
        assert_eq!(
            message,
            format!("{name}: shapes [2, 3] and [2] do not broadcast together")
        );
        // shapes that broadcast still work through apply
        assert_eq!(op(&v(&[2, 3]), &v(&[3]))[0].shape(), vec![2, 3], "{name}");
    }
}

#[test]
#[should_panic(expected = "sum_to: shape [2, 3] cannot be summed to [4]")]
fn apply_sum_to_checks_the_target_shape() {
    let _ = apply(SumTo(vec![4]), &[&v(&[2, 3])]);
}

#[test]
#[should_panic(expected = "sum_to: shape [2, 3] cannot be summed to [4]")]
fn sum_to_names_both_shapes() {
    let _ = dezero_runtime::functions::sum_to(v(&[2, 3]), &[4]);
}

#[test]
fn sum_to_rejects_every_shape_that_does_not_broadcast_back() {
    for bad in [&[2][..], &[0], &[1, 2, 3], &[3, 3], &[2, 1, 1]] {
        let message = panic_message(|| {
            apply(SumTo(bad.to_vec()), &[&v(&[2, 3])]);
        });
        assert_eq!(
            message,
            format!("sum_to: shape [2, 3] cannot be summed to {bad:?}")
        );
    }
    for good in [&[][..], &[3], &[1, 3], &[2, 1], &[1, 1], &[2, 3]] {
        assert_eq!(
            apply(SumTo(good.to_vec()), &[&v(&[2, 3])])[0].shape(),
            good.to_vec()
        );
    }
}

#[test]
#[should_panic(expected = "broadcast_to: shape [2] cannot be broadcast to [3, 3]")]
fn apply_broadcast_to_checks_the_target_shape() {
    let _ = apply(BroadcastTo(vec![3, 3]), &[&v(&[2])]);
}

#[test]
#[should_panic(expected = "broadcast_to: shape [2, 3] cannot be broadcast to [3]")]
fn broadcast_to_names_both_shapes() {
    let _ = dezero_runtime::functions::broadcast_to(v(&[2, 3]), &[3]);
}

#[test]
#[should_panic(expected = "function `add`: takes 2 input(s), got 1")]
fn apply_checks_the_number_of_inputs_of_a_built_in() {
    let _ = apply(Add, &[&v(&[2])]);
}

#[test]
#[should_panic(
    expected = "function `sum`: backward takes 1 input(s) and 1 upstream gradient, got 2 and 1"
)]
fn calling_a_built_in_backward_checks_its_arguments() {
    let x = v(&[2]);
    let _ = Sum.backward(&[x.clone(), x.clone()], &[None], &[Variable::from(1.0)]);
}

#[test]
#[should_panic(
    expected = "set_grad(): a gradient of shape [3] for a variable of shape [2, 3]; a gradient must have its variable's shape"
)]
fn set_grad_rejects_another_shape() {
    v(&[2, 3]).set_grad(Some(v(&[3])));
}

#[test]
#[should_panic(expected = "set_grad(): the gradient has no data")]
fn set_grad_rejects_a_gradient_without_data() {
    v(&[2]).set_grad(Some(Variable::empty()));
}

#[test]
fn set_grad_of_the_right_shape_seeds_backward() {
    let x = Variable::from(array![1.0, 2.0]);
    let y = &x * 3.0;
    y.set_grad(Some(Variable::from(array![10.0, 100.0])));
    y.backward();
    assert_eq!(*x.grad().unwrap().data(), array![30.0, 300.0].into_dyn());
    // a variable with no data accepts any gradient (nothing to compare with)
    let e = Variable::empty();
    e.set_grad(Some(v(&[4])));
    assert_eq!(e.grad().unwrap().shape(), vec![4]);
}

#[test]
#[should_panic(
    expected = "backward(): the variable has shape [3] but its grad (the seed) has shape [2]"
)]
fn backward_rejects_a_seed_of_another_shape() {
    let x = Variable::from(array![1.0, 2.0]);
    x.set_grad(Some(Variable::from(array![1.0, 1.0])));
    x.set_data(array![1.0, 2.0, 3.0].into_dyn());
    x.backward();
}

#[test]
#[should_panic(
    expected = "backward(): a variable of shape [3] already holds a grad of shape [1] (from before set_data changed its shape?); cleargrad() it first"
)]
fn backward_rejects_accumulating_onto_a_grad_of_another_shape() {
    // x.grad of shape [1] would broadcast silently against the new gradient of shape [3]
    let x = Variable::from(array![2.0]);
    (&x * 2.0).backward();
    x.set_data(array![1.0, 2.0, 3.0].into_dyn());
    (&x * 2.0).backward();
}
