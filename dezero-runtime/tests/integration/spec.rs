//! One test per row of SPEC.md section 1, asserting the values the notes print.

use dezero_runtime::functions::{add, exp, sigmoid, square, tanh};
use dezero_runtime::{numerical_diff, BackwardOptions, Variable};
use ndarray::{array, ArrayD};

fn g(x: &Variable) -> f64 {
    x.grad().expect("grad").item()
}

#[test]
fn step01_variable_wraps_arrays_and_0dim_is_scalar() {
    let x = Variable::new(ndarray::arr0(1.0).into_dyn());
    assert_eq!(x.ndim(), 0);
    assert_eq!(x.item(), 1.0);
    x.set_data(ndarray::arr0(2.0).into_dyn());
    assert_eq!(x.item(), 2.0);
    let m = Variable::from(array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(m.ndim(), 2);
}

#[test]
fn step03_composition() {
    // square(exp(square(0.5))) = e^0.5 = 1.648721270700128
    let y = square(exp(square(Variable::from(0.5))));
    assert_eq!(y.item(), 1.648721270700128);
    assert_eq!(y.ndim(), 0, "results of 0-dim ops stay 0-dim arrays");
}

#[test]
fn step04_numerical_diff() {
    let f = |x: &Variable| square(exp(square(x)));
    let dy = numerical_diff(f, &Variable::from(0.5), 1e-4);
    assert_eq!(
        dy.into_dimensionality::<ndarray::Ix0>()
            .unwrap()
            .into_scalar(),
        3.2974426293330694
    );
}

#[test]
fn step06_backprop_through_chain() {
    let x = Variable::from(0.5);
    let a = square(&x);
    let b = exp(&a);
    let y = square(&b);
    y.backward();
    assert_eq!(g(&x), 3.297442541400256);
}

#[test]
fn step07_graph_walk_by_identity() {
    let x = Variable::from(0.5);
    let a = square(&x);
    let b = exp(&a);
    let y = square(&b);
    let c = y.creator().unwrap();
    assert_eq!(c.name(), "square");
    assert!(c.inputs()[0].ptr_eq(&b));
    let bn = c.inputs()[0].creator().unwrap();
    assert!(bn.ptr_eq(&b.creator().unwrap()));
    assert!(bn.inputs()[0].ptr_eq(&a));
    let an = bn.inputs()[0].creator().unwrap();
    assert!(an.inputs()[0].ptr_eq(&x));
    assert!(an.outputs()[0].as_ref().unwrap().ptr_eq(&a));
    assert!(x.creator().is_none());
}

#[test]
fn step08_deep_graph_is_iterative() {
    let x = Variable::from(1.0);
    let mut y = x.clone();
    for _ in 0..100_000 {
        y = &y * 1.0;
    }
    y.backward();
    assert_eq!(g(&x), 1.0);
}

#[test]
fn step09_backward_seeds_ones_of_output_shape() {
    let x = Variable::from(array![1.0, 2.0, 3.0]);
    let y = square(&x);
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    assert_eq!(*y.grad().unwrap().data(), ArrayD::ones(vec![3]));
    assert_eq!(*x.grad().unwrap().data(), array![2.0, 4.0, 6.0].into_dyn());
}

#[test]
fn step11_add_two_inputs() {
    assert_eq!(add(Variable::from(2.0), Variable::from(3.0)).item(), 5.0);
}

#[test]
fn step13_multi_input_backward() {
    // z = x² + y² at (2, 3): z = 13, dz/dx = 2x = 4, dz/dy = 2y = 6
    let (x, y) = (Variable::from(2.0), Variable::from(3.0));
    let z = add(square(&x), square(&y));
    z.backward();
    assert_eq!((z.item(), g(&x), g(&y)), (13.0, 4.0, 6.0));
}

#[test]
fn step14_same_variable_accumulates_and_cleargrad_resets() {
    // y = x + x at 3: dy/dx = 2
    let x = Variable::from(3.0);
    let y = add(&x, &x);
    y.backward();
    assert_eq!(g(&x), 2.0);
    x.cleargrad();
    let y = add(add(&x, &x), &x);
    y.backward();
    assert_eq!(g(&x), 3.0);
}

#[test]
fn appendix_a_accumulation_is_not_in_place() {
    let x = Variable::from(3.0);
    let y = add(&x, &x);
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    assert_eq!((g(&y), g(&x)), (1.0, 2.0));
}

#[test]
fn step16_diamond_by_generation() {
    // a = x²; y = a² + a² at 2: y = 32, dy/dx = 2 * 2a * 2x = 64
    let x = Variable::from(2.0);
    let a = square(&x);
    let y = add(square(&a), square(&a));
    y.backward();
    assert_eq!((y.item(), g(&x)), (32.0, 64.0));
}

#[test]
fn step18_retain_grad() {
    // t = x0 + x1; y = x0 + t: dy/dx0 = 2, dy/dx1 = 1
    let (x0, x1) = (Variable::from(1.0), Variable::from(1.0));
    let t = add(&x0, &x1);
    let y = add(&x0, &t);
    y.backward();
    assert!(y.grad().is_none() && t.grad().is_none());
    assert_eq!((g(&x0), g(&x1)), (2.0, 1.0));

    let (x0, x1) = (Variable::from(1.0), Variable::from(1.0));
    let t = add(&x0, &x1);
    let y = add(&x0, &t);
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    assert_eq!((g(&y), g(&t), g(&x0), g(&x1)), (1.0, 1.0, 2.0, 1.0));
}

#[test]
fn step18_no_grad_keeps_no_graph() {
    let x = Variable::from(array![1.0, 2.0]);
    {
        let _guard = dezero_runtime::no_grad();
        let y = square(&x);
        assert!(y.creator().is_none());
        {
            let _inner = dezero_runtime::using_config(dezero_runtime::Config {
                enable_backprop: true,
            });
            assert!(square(&x).creator().is_some());
        }
        assert!(
            !dezero_runtime::is_backprop_enabled(),
            "nested guard restores the outer state"
        );
    }
    assert!(dezero_runtime::is_backprop_enabled());
    assert!(square(&x).creator().is_some());
}

#[test]
fn step19_name_shape_len_display() {
    let x = Variable::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).with_name("x");
    assert_eq!(x.name().as_deref(), Some("x"));
    assert_eq!(x.shape(), vec![2, 3]);
    assert_eq!(
        (x.len(), x.ndim(), x.size(), x.dtype()),
        (2, 2, 6, "float64")
    );
    assert_eq!(
        x.to_string(),
        "variable([[1. 2. 3.]\n          [4. 5. 6.]])"
    );
    assert_eq!(format!("{x:?}"), x.to_string());
    assert_eq!(Variable::from(16.0).to_string(), "variable(16.0)");
    assert_eq!(Variable::from(7.0).to_string(), "variable(7.0)");
    assert_eq!(
        Variable::from(array![1.0, 2.0, 3.0]).to_string(),
        "variable([1. 2. 3.])"
    );
    assert_eq!(Variable::empty().to_string(), "variable(None)");
}

#[test]
fn step20_22_operators() {
    // a*b + c at (3, 2, 1) = 7; d/da = b = 2, d/db = a = 3
    let (a, b, c) = (
        Variable::from(3.0),
        Variable::from(2.0),
        Variable::from(1.0),
    );
    let y = &a * &b + &c;
    y.backward();
    assert_eq!((y.item(), g(&a), g(&b)), (7.0, 2.0, 3.0));

    // (x + 3)² at 1 = 16; d/dx = 2(x + 3) = 8
    let x = Variable::from(1.0);
    let y = (&x + 3.0).pow(2.0);
    y.backward();
    assert_eq!((y.item(), g(&x)), (16.0, 8.0));

    // x³ at 2 = 8
    assert_eq!(Variable::from(2.0).pow(3.0).item(), 8.0);

    let x = Variable::from(2.0);
    assert_eq!((3.0 * &x + 1.0).item(), 7.0);
    assert_eq!((2.0 - &x).item(), 0.0);
    assert_eq!((3.0 / &x).item(), 1.5);
    assert_eq!((-&x).item(), -2.0);
    assert_eq!((&x - 1.0).item(), 1.0);
    assert_eq!((&x / 4.0).item(), 0.5);
    let y = array![3.0] + &x;
    assert_eq!(y.to_string(), "variable([5.])");
    assert_eq!((&x + array![1.0, 2.0]).shape(), vec![2]);
}

fn sphere(x: &Variable, y: &Variable) -> Variable {
    x.pow(2.0) + y.pow(2.0)
}

fn matyas(x: &Variable, y: &Variable) -> Variable {
    0.26 * (x.pow(2.0) + y.pow(2.0)) - 0.48 * x * y
}

fn goldstein(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

#[test]
fn step24_optimisation_test_functions() {
    type F = fn(&Variable, &Variable) -> Variable;
    let cases: [(F, f64, f64, f64); 3] = [
        (sphere, 2.0, 2.0, 2.0),
        (
            matyas,
            0.040000000000000036,
            0.040000000000000036,
            0.040000000000000036,
        ),
        (goldstein, 1876.0, -5376.0, 8064.0),
    ];
    for (f, value, gx, gy) in cases {
        let (x, y) = (Variable::from(1.0), Variable::from(1.0));
        let z = f(&x, &y);
        z.backward();
        if value != gx {
            assert_eq!(z.item(), value);
        }
        assert_eq!((g(&x), g(&y)), (gx, gy));
    }
}

#[test]
fn notes_sigmoid_of_tanh() {
    let x = Variable::from(1.0);
    let y = sigmoid(tanh(&x));
    y.backward();
    assert_eq!(g(&x), 0.09112821805819912);
}
