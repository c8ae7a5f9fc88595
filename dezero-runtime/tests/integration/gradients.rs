//! Every built-in function against central differences, on scalars and arrays; broadcasting
//! gradient shapes; higher-order derivatives with `create_graph`.

use dezero_runtime::functions as F;
use dezero_runtime::{gradient_check, numerical_diff, BackwardOptions, Variable};
use ndarray::{array, ArrayD};

type Unary = fn(&Variable) -> Variable;

/// Each unary function with inputs inside its domain.
fn unaries() -> Vec<(&'static str, Unary, f64)> {
    vec![
        ("square", |x| F::square(x), 0.7),
        ("exp", |x| F::exp(x), 0.3),
        ("log", |x| F::log(x), 1.7),
        ("sin", |x| F::sin(x), 0.4),
        ("cos", |x| F::cos(x), 0.4),
        ("tan", |x| F::tan(x), 0.4),
        ("tanh", |x| F::tanh(x), 0.4),
        ("sinh", |x| F::sinh(x), 0.4),
        ("cosh", |x| F::cosh(x), 0.4),
        ("sigmoid", |x| F::sigmoid(x), 0.4),
        ("sqrt", |x| F::sqrt(x), 1.3),
        ("neg", |x| F::neg(x), 0.4),
        ("abs", |x| F::abs(x), -0.4),
        ("log10", |x| F::log10(x), 1.3),
        ("recip", |x| F::recip(x), 1.3),
        ("sum", |x| F::sum(x), 0.4),
        ("pow3", |x| F::pow(x, 3.0), 0.9),
        ("pow-0.5", |x| F::pow(x, -0.5), 0.9),
    ]
}

#[test]
fn unary_functions_match_central_differences_on_scalars_and_arrays() {
    for (name, f, x0) in unaries() {
        let scalar = Variable::from(x0);
        gradient_check(f, &scalar).unwrap_or_else(|e| panic!("{name} at scalar: {e}"));
        let arr = Variable::from(array![
            [x0, x0 + 0.1, x0 + 0.2],
            [x0 + 0.3, x0 + 0.05, x0 + 0.15]
        ]);
        gradient_check(f, &arr).unwrap_or_else(|e| panic!("{name} at array: {e}"));
    }
}

type Binary = fn(&Variable, &Variable) -> Variable;

fn binaries() -> Vec<(&'static str, Binary)> {
    vec![
        ("add", |a, b| F::add(a, b)),
        ("sub", |a, b| F::sub(a, b)),
        ("mul", |a, b| F::mul(a, b)),
        ("div", |a, b| F::div(a, b)),
        ("maximum", |a, b| F::maximum(a, b)),
        ("minimum", |a, b| F::minimum(a, b)),
        ("powf", |a, b| F::powf(a, b)),
        ("atan2", |a, b| F::atan2(a, b)),
        ("hypot", |a, b| F::hypot(a, b)),
        ("op+", |a, b| a + b),
        ("op-", |a, b| a - b),
        ("op*", |a, b| a * b),
        ("op/", |a, b| a / b),
    ]
}

#[test]
fn binary_functions_match_central_differences_with_broadcasting() {
    let a = array![[1.1, 1.5, 2.3], [0.7, 1.9, 1.2]].into_dyn();
    // b differs from a everywhere, so maximum/minimum are differentiable at every element
    let b = array![[0.6, 1.7, 2.0], [1.0, 1.4, 1.6]].into_dyn();
    let rows = array![[0.9, 1.3, 0.6]].into_dyn();
    let col = array![[1.4], [0.8]].into_dyn();
    let scalar = ndarray::arr0(1.25).into_dyn();
    let shapes: [(&ArrayD<f64>, &ArrayD<f64>); 4] =
        [(&a, &b), (&a, &rows), (&col, &rows), (&scalar, &a)];
    for (name, f) in binaries() {
        for (p, q) in shapes {
            let qv = Variable::new(q.clone());
            gradient_check(|x| f(x, &qv), &Variable::new(p.clone()))
                .unwrap_or_else(|e| panic!("{name} d/dx0 {:?}x{:?}: {e}", p.shape(), q.shape()));
            let pv = Variable::new(p.clone());
            gradient_check(|x| f(&pv, x), &Variable::new(q.clone()))
                .unwrap_or_else(|e| panic!("{name} d/dx1 {:?}x{:?}: {e}", p.shape(), q.shape()));
        }
    }
}

#[test]
fn gradients_have_the_shape_of_their_variable() {
    // y = x0 + x1 with x0: (2, 3), x1: (3,): dy/dx1 sums over the broadcast axis = 2 each
    let x0 = Variable::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let x1 = Variable::from(array![10.0, 20.0, 30.0]);
    let y = &x0 * &x1;
    F::sum(&y).backward();
    assert_eq!(x0.grad().unwrap().shape(), vec![2, 3]);
    assert_eq!(*x1.grad().unwrap().data(), array![5.0, 7.0, 9.0].into_dyn());
    assert_eq!(
        *x0.grad().unwrap().data(),
        array![[10.0, 20.0, 30.0], [10.0, 20.0, 30.0]].into_dyn()
    );

    // a scalar broadcast against an array gets the sum: d/dc sum(c * x) = sum(x) = 21
    let c = Variable::from(2.0);
    F::sum(&(&c * &x0)).backward();
    assert_eq!(c.grad().unwrap().shape(), Vec::<usize>::new());
    assert_eq!(c.grad().unwrap().item(), 21.0);
}

#[test]
fn array_plus_variable_broadcasts_and_keeps_gradient_shape() {
    let x = Variable::from(array![1.0, 2.0]);
    let y = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]] + &x;
    assert_eq!(y.shape(), vec![3, 2]);
    y.backward();
    assert_eq!(*x.grad().unwrap().data(), array![3.0, 3.0].into_dyn());
}

#[test]
fn scalar_constant_operators_match_central_differences() {
    let cases: Vec<(&str, Unary)> = vec![
        ("3x+1", |x| 3.0 * x + 1.0),
        ("2-x", |x| 2.0 - x),
        ("3/x", |x| 3.0 / x),
        ("x/4", |x| x / 4.0),
        ("x-5", |x| x - 5.0),
        ("-x*2", |x| -x * 2.0),
    ];
    for (name, f) in cases {
        gradient_check(f, &Variable::from(array![0.5, 1.5, -2.0]))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn numerical_diff_of_array_function_is_gradient_of_sum() {
    // d/dx sum(x²) = 2x
    let d = numerical_diff(|x| F::square(x), &Variable::from(array![1.0, -2.0]), 1e-4);
    approx::assert_abs_diff_eq!(d[[0]], 2.0, epsilon = 1e-8);
    approx::assert_abs_diff_eq!(d[[1]], -4.0, epsilon = 1e-8);
}

#[test]
fn second_derivative_with_create_graph() {
    // y = x⁴ - 2x² at 2: y' = 4x³ - 4x = 24, y'' = 12x² - 4 = 44 (DeZero step 33)
    let x = Variable::from(2.0);
    let y = x.pow(4.0) - 2.0 * x.pow(2.0);
    y.backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = x.grad().unwrap();
    assert_eq!(gx.item(), 24.0);
    x.cleargrad();
    gx.backward();
    assert_eq!(x.grad().unwrap().item(), 44.0);
}

#[test]
fn second_derivative_of_sin_and_tanh() {
    // d²/dx² sin x = -sin x; d²/dx² tanh x = -2 tanh x (1 - tanh² x)
    let x = Variable::from(0.8);
    F::sin(&x).backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = x.grad().unwrap();
    x.cleargrad();
    gx.backward();
    approx::assert_relative_eq!(
        x.grad().unwrap().item(),
        -(0.8f64.sin()),
        max_relative = 1e-15
    );

    let x = Variable::from(0.8);
    F::tanh(&x).backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = x.grad().unwrap();
    x.cleargrad();
    gx.backward();
    let t = 0.8f64.tanh();
    approx::assert_relative_eq!(
        x.grad().unwrap().item(),
        -2.0 * t * (1.0 - t * t),
        max_relative = 1e-14
    );
}

#[test]
fn backward_of_grad_without_create_graph_is_a_leaf() {
    let x = Variable::from(2.0);
    x.pow(3.0).backward();
    assert!(x.grad().unwrap().creator().is_none());
}

#[test]
fn sum_to_and_broadcast_to_match_central_differences() {
    let x = Variable::from(array![[0.5, 1.5, -2.0], [1.0, 2.0, 3.0]]);
    gradient_check(|x| F::sum_to(x, &[1, 3]), &x).unwrap();
    gradient_check(|x| F::sum_to(x, &[2, 1]), &x).unwrap();
    gradient_check(|x| F::sum_to(x, &[]), &x).unwrap();
    let weights = Variable::from(array![[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]]);
    let v = Variable::from(array![0.3, -0.7]);
    gradient_check(|v| F::broadcast_to(v, &[3, 2]) * &weights, &v).unwrap();
}

#[test]
fn newton_method_with_second_derivatives() {
    // DeZero step 33: f(x) = x⁴ - 2x², x ← x - f'(x)/f''(x) from 2 converges to 1
    let x = Variable::from(2.0);
    for _ in 0..10 {
        let y = x.pow(4.0) - 2.0 * x.pow(2.0);
        x.cleargrad();
        y.backward_with(BackwardOptions {
            create_graph: true,
            ..Default::default()
        });
        let gx = x.grad().unwrap();
        x.cleargrad();
        gx.backward();
        let gx2 = x.grad().unwrap();
        x.update(|d| *d -= &(&*gx.data() / &*gx2.data()));
    }
    approx::assert_abs_diff_eq!(x.item(), 1.0, epsilon = 1e-12);
}

#[test]
fn fused_and_recorded_backward_agree_exactly() {
    // pow's backward runs in one array pass unless create_graph records it: same bits either way
    for c in [2.0, 3.0, -0.5, 1.0] {
        let data = array![0.3, 1.7, 2.5, 4.0].into_dyn();
        let x = Variable::new(data.clone());
        F::sum(x.pow(c)).backward();
        let x2 = Variable::new(data);
        F::sum(x2.pow(c)).backward_with(BackwardOptions {
            create_graph: true,
            ..Default::default()
        });
        assert_eq!(
            *x.grad().unwrap().data(),
            *x2.grad().unwrap().data(),
            "c = {c}"
        );
    }
}
