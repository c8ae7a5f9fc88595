//! Higher-order derivatives by double backprop (DeZero steps 25–36): `create_graph` through every
//! op of `functions` (second derivatives against central differences of the first), and the
//! book's checks with their exact values.

use dezero_runtime::functions as F;
use dezero_runtime::{BackwardOptions, Variable};
use ndarray::{array, Array1, ArrayD};

const CREATE_GRAPH: BackwardOptions = BackwardOptions {
    retain_grad: false,
    create_graph: true,
};

type Op = Box<dyn Fn(&[Variable]) -> Variable>;

fn unary(f: impl Fn(&Variable) -> Variable + 'static) -> Op {
    Box::new(move |xs| f(&xs[0]))
}

fn binary(f: impl Fn(&Variable, &Variable) -> Variable + 'static) -> Op {
    Box::new(move |xs| f(&xs[0], &xs[1]))
}

/// `x`'s grad as an array, zeros if it has none (nothing depends on `x`).
fn grad_or_zeros(x: &Variable) -> ArrayD<f64> {
    x.grad()
        .map(|g| g.data().to_owned())
        .unwrap_or_else(|| ArrayD::zeros(x.shape()))
}

/// The first derivative of `sum(op(xs))` with respect to input `k`, by backward (no graph).
fn first(op: &Op, data: &[ArrayD<f64>], k: usize) -> ArrayD<f64> {
    let xs: Vec<Variable> = data.iter().cloned().map(Variable::new).collect();
    F::sum(op(&xs)).backward();
    grad_or_zeros(&xs[k])
}

/// Checks `∂/∂x_j Σ ∂(Σ op)/∂x_k` by double backprop against central differences of the first
/// derivative, for every input `k` and `j`.
fn check_second(name: &str, op: &Op, data: &[ArrayD<f64>]) {
    const EPS: f64 = 1e-4;
    for k in 0..data.len() {
        // double backprop: the first derivative recorded, then differentiated
        let xs: Vec<Variable> = data.iter().cloned().map(Variable::new).collect();
        F::sum(op(&xs)).backward_with(CREATE_GRAPH);
        let gk = xs[k].grad().expect("a first derivative");
        for x in &xs {
            x.cleargrad();
        }
        F::sum(&gk).backward();
        for (j, x) in xs.iter().enumerate() {
            let second = grad_or_zeros(x);
            assert_eq!(second.shape(), data[j].shape(), "{name}");
            for (index, &d2) in second.indexed_iter() {
                let mut plus = data.to_vec();
                plus[j][&index] += EPS;
                let mut minus = data.to_vec();
                minus[j][&index] -= EPS;
                let numeric =
                    (first(op, &plus, k).sum() - first(op, &minus, k).sum()) / (2.0 * EPS);
                assert!(
                    (d2 - numeric).abs() <= 1e-6 + 1e-5 * numeric.abs(),
                    "{name}: d/dx{j}[{index:?}] of sum(d/dx{k}): double backprop {d2}, central \
                     difference {numeric}"
                );
            }
        }
    }
}

#[test]
fn second_derivative_of_every_op_matches_a_central_difference_of_the_first() {
    let unaries: Vec<(&str, Op, f64)> = vec![
        ("square", unary(|x| F::square(x)), 0.7),
        ("exp", unary(|x| F::exp(x)), 0.3),
        ("log", unary(|x| F::log(x)), 1.7),
        ("sin", unary(|x| F::sin(x)), 0.4),
        ("cos", unary(|x| F::cos(x)), 0.4),
        ("tan", unary(|x| F::tan(x)), 0.4),
        ("tanh", unary(|x| F::tanh(x)), 0.4),
        ("sinh", unary(|x| F::sinh(x)), 0.4),
        ("cosh", unary(|x| F::cosh(x)), 0.4),
        ("sigmoid", unary(|x| F::sigmoid(x)), 0.4),
        ("sqrt", unary(|x| F::sqrt(x)), 1.3),
        ("abs", unary(|x| F::abs(x)), -0.4),
        ("abs²", unary(|x| F::square(F::abs(x))), -0.4),
        ("log10", unary(|x| F::log10(x)), 1.3),
        ("recip", unary(|x| F::recip(x)), 1.3),
        ("neg", unary(|x| F::neg(x)), 0.4),
        ("neg²", unary(|x| F::square(F::neg(x))), 0.4),
        ("pow 3", unary(|x| F::pow(x, 3.0)), 0.9),
        ("pow 2", unary(|x| F::pow(x, 2.0)), 0.9),
        ("pow -0.5", unary(|x| F::pow(x, -0.5)), 0.9),
        ("sum", unary(|x| F::sum(x)), 0.4),
        ("sum²", unary(|x| F::square(F::sum(x))), 0.4),
        ("sum_to²", unary(|x| F::square(F::sum_to(x, &[1]))), 0.4),
        (
            "broadcast_to²",
            unary(|x| F::square(F::broadcast_to(x, &[2, 3]))),
            0.4,
        ),
        ("x + c", unary(|x| F::square(x + 2.0)), 0.4),
        ("x - c", unary(|x| F::square(x - 2.0)), 0.4),
        ("c - x", unary(|x| F::square(2.0 - x)), 0.4),
        ("x * c", unary(|x| F::square(x * 3.0)), 0.4),
        ("x / c", unary(|x| F::square(x / 3.0)), 0.4),
        ("c / x", unary(|x| 3.0 / x), 0.8),
    ];
    for (name, op, x0) in &unaries {
        let x = array![*x0, x0 + 0.1, x0 + 0.2].into_dyn();
        check_second(name, op, &[x]);
    }

    // binary ops, broadcasting a (2, 3) against a (3,): the backward's sum_to is recorded too
    let a = array![[1.1, 1.5, 2.3], [0.7, 1.9, 1.2]].into_dyn();
    let b = array![0.6, 1.7, 2.0].into_dyn();
    let binaries: Vec<(&str, Op)> = vec![
        ("add²", binary(|a, b| F::square(F::add(a, b)))),
        ("sub²", binary(|a, b| F::square(F::sub(a, b)))),
        ("mul", binary(|a, b| F::mul(a, b))),
        ("mul²", binary(|a, b| F::square(F::mul(a, b)))),
        ("div", binary(|a, b| F::div(a, b))),
        ("maximum²", binary(|a, b| F::square(F::maximum(a, b)))),
        ("minimum²", binary(|a, b| F::square(F::minimum(a, b)))),
        ("powf", binary(|a, b| F::powf(a, b))),
        ("atan2", binary(|a, b| F::atan2(a, b))),
        ("hypot", binary(|a, b| F::hypot(a, b))),
    ];
    for (name, op) in &binaries {
        check_second(name, op, &[a.clone(), b.clone()]);
        check_second(name, op, &[b.clone(), a.clone()]);
    }
}

/// f(x) = x⁴ - 2x² (DeZero step 33).
fn f(x: &Variable) -> Variable {
    x.pow(4.0) - 2.0 * x.pow(2.0)
}

#[test]
fn newton_by_double_backprop_gives_the_books_iterates() {
    // DeZero step 33's printout: x ← x - f'(x) / f''(x) from 2.0 (the same values as NumPy's
    // float64 evaluation of the closed form 4x³ - 4x over 12x² - 4)
    let expected = [
        2.0,
        1.4545454545454546,
        1.1510467893775467,
        1.0253259289766978,
        1.0009084519430513,
        1.0000012353089454,
        1.000000000002289,
        1.0,
        1.0,
        1.0,
    ];
    let x = Variable::from(2.0);
    for (i, &want) in expected.iter().enumerate() {
        assert!(
            (x.item() - want).abs() <= 1e-15,
            "iterate {i}: {} instead of {want}",
            x.item()
        );
        let y = f(&x);
        x.cleargrad();
        y.backward_with(CREATE_GRAPH);
        let gx = x.grad().unwrap();
        x.cleargrad();
        gx.backward();
        let gx2 = x.grad().unwrap();
        x.update(|d| *d -= &(&*gx.data() / &*gx2.data()));
    }
}

#[test]
fn derivatives_one_to_three_of_sin_on_linspace() {
    // DeZero step 34: y = sin(x) on linspace(-7, 7, 200); dy/dx = cos, then -sin, then -cos
    let grid = Array1::linspace(-7.0, 7.0, 200).into_dyn();
    let x = Variable::new(grid.clone());
    F::sin(&x).backward_with(CREATE_GRAPH);
    let expected: [fn(f64) -> f64; 3] = [f64::cos, |v| -v.sin(), |v| -v.cos()];
    for (order, want) in expected.iter().enumerate() {
        let g = x.grad().unwrap();
        for (&v, &d) in grid.iter().zip(g.data().iter()) {
            assert!(
                (d - want(v)).abs() <= 1e-15,
                "derivative {} of sin at {v}: {d} instead of {}",
                order + 1,
                want(v)
            );
        }
        x.cleargrad();
        g.backward_with(CREATE_GRAPH);
    }
}

/// The coefficients (in t) of P_{n+1} = P_n'(t) (1 - t²), where dⁿ/dxⁿ tanh x = P_n(tanh x).
fn next_tanh_polynomial(p: &[f64]) -> Vec<f64> {
    let derivative: Vec<f64> = p
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, c)| k as f64 * c)
        .collect();
    let mut out = vec![0.0; derivative.len() + 2];
    for (k, &c) in derivative.iter().enumerate() {
        out[k] += c;
        out[k + 2] -= c;
    }
    out
}

fn eval(p: &[f64], t: f64) -> f64 {
    p.iter().rev().fold(0.0, |acc, &c| acc * t + c)
}

#[test]
fn derivatives_of_tanh_up_to_the_eighth_match_the_polynomial_recurrence() {
    // DeZero step 35: differentiate tanh eight times by double backprop
    let points = array![-1.5, -0.3, 0.2, 0.9, 2.0].into_dyn();
    let x = Variable::new(points.clone());
    F::tanh(&x).backward_with(CREATE_GRAPH);
    let mut p = vec![0.0, 1.0]; // P_0(t) = t
    for order in 1..=8 {
        p = next_tanh_polynomial(&p);
        let g = x.grad().unwrap();
        for (&v, &d) in points.iter().zip(g.data().iter()) {
            let want = eval(&p, v.tanh());
            assert!(
                (d - want).abs() <= 1e-12 * want.abs().max(1.0),
                "derivative {order} of tanh at {v}: {d} instead of {want}"
            );
        }
        if order < 8 {
            x.cleargrad();
            g.backward_with(CREATE_GRAPH);
        }
    }
    // P_8 has degree 9; at 0.2 the 8th derivative is large and negative
    assert_eq!(p.len(), 10);
}

#[test]
fn step36_double_backprop_through_a_gradient_expression() {
    // y = x², gx = dy/dx = 2x, z = gx³ + y: dz/dx = 3 (2x)² 2 + 2x = 24x² + 2x = 100 at x = 2
    let x = Variable::from(2.0);
    let y = F::square(&x);
    y.backward_with(CREATE_GRAPH);
    let gx = x.grad().unwrap();
    x.cleargrad();
    let z = gx.pow(3.0) + &y;
    z.backward();
    assert_eq!(gx.item(), 4.0);
    assert_eq!(z.item(), 68.0);
    assert_eq!(x.grad().unwrap().item(), 100.0);
}
