//! Neural-network functions (DeZero `functions.py`): activations, softmax / log_softmax,
//! losses, accuracy and dropout. Values against hand computations and naive formulas, the
//! kink convention of KINKS.md, numerical stability, first derivatives against central
//! differences on seeded random arrays, second derivatives (create_graph) against central
//! differences of the first derivative, and the shape panics.

mod support;

use dezero_runtime::functions as F;
use dezero_runtime::{gradient_check, Variable};
use ndarray::{array, ArrayD, Axis};
use support::{assert_close, check_grad, check_second, Rng};

fn var(a: ArrayD<f64>) -> Variable {
    Variable::new(a)
}

/// The panic message of `f`.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("expected a panic");
    match err.downcast::<String>() {
        Ok(s) => *s,
        Err(e) => e
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// The gradient of `sum(f(x))` at `x`.
fn grad_of(f: impl Fn(&Variable) -> Variable, x: ArrayD<f64>) -> ArrayD<f64> {
    let x = var(x);
    F::sum(&f(&x)).backward();
    let g = x.grad().unwrap().data().to_owned();
    g
}

const SHAPES: [&[usize]; 4] = [&[5], &[3, 4], &[2, 3, 2], &[]];

// ---------------------------------------------------------------- relu, leaky_relu, clip

#[test]
fn relu_values_kink_and_nan() {
    let x = array![-2.0, -0.0, 0.0, 1e-300, 3.0, f64::NAN].into_dyn();
    let y = F::relu(var(x.clone()));
    let y = y.data();
    assert_eq!(
        y.slice(ndarray::s![..5]),
        array![0.0, 0.0, 0.0, 1e-300, 3.0]
    );
    assert!(y[5].is_nan(), "relu(NaN) stays NaN");
    // relu'(x) = 1 for x > 0; 0 at the kink (±0) and for NaN
    let g = grad_of(|x| F::relu(x), x);
    assert_eq!(g, array![0.0, 0.0, 0.0, 1.0, 1.0, 0.0].into_dyn());
}

#[test]
fn leaky_relu_values_and_kink() {
    let x = array![-2.0, 0.0, 3.0].into_dyn();
    let y = F::leaky_relu(var(x.clone()), 0.1);
    assert_eq!(*y.data(), array![-0.2, 0.0, 3.0].into_dyn());
    // slope at the kink: x > 0 ? 1 : s
    assert_eq!(
        grad_of(|x| F::leaky_relu(x, 0.1), x),
        array![0.1, 0.1, 1.0].into_dyn()
    );
}

#[test]
fn clip_values_bounds_and_errors() {
    let x = array![-3.0, -1.0, 0.25, 2.0, 5.0, f64::NAN].into_dyn();
    let y = F::clip(var(x.clone()), -1.0, 2.0);
    let y = y.data();
    assert_eq!(
        y.slice(ndarray::s![..5]),
        array![-1.0, -1.0, 0.25, 2.0, 2.0]
    );
    assert!(y[5].is_nan());
    // 1 on the closed interval [lo, hi] (bounds included), 0 outside and for NaN
    let g = grad_of(|x| F::clip(x, -1.0, 2.0), x);
    assert_eq!(g, array![0.0, 1.0, 1.0, 1.0, 0.0, 0.0].into_dyn());
    let msg = panic_message(|| {
        F::clip(Variable::from(1.0), 2.0, 1.0);
    });
    assert_eq!(
        msg,
        "clip: the bounds must satisfy lo <= hi, got lo = 2, hi = 1"
    );
    let msg = panic_message(|| {
        F::clip(Variable::from(1.0), f64::NAN, 1.0);
    });
    assert!(msg.starts_with("clip: the bounds"), "{msg}");
}

#[test]
fn piecewise_activations_match_central_differences() {
    let mut rng = Rng::new(100);
    for shape in SHAPES {
        // keep every element 1e-3 away from the kinks so a central difference does not
        // straddle one
        let x = rng.array_avoiding(shape, &[0.0, -0.5, 0.5], 1e-3);
        check_grad(&mut rng, "relu", |x| F::relu(x), &x);
        check_grad(&mut rng, "leaky_relu", |x| F::leaky_relu(x, 0.3), &x);
        check_grad(&mut rng, "clip", |x| F::clip(x, -0.5, 0.5), &x);
        // their own second derivative is 0; through a square their recorded backward is
        // differentiated: (relu(x)²)'' = 2 (x > 0), (clip(x)²)'' = 2 (inside)
        if shape.is_empty() {
            continue; // one scalar may fall where the Hessian is 0
        }
        check_second(&mut rng, "relu²", |x| F::square(&F::relu(x)), &x);
        check_second(
            &mut rng,
            "leaky_relu²",
            |x| F::square(&F::leaky_relu(x, 0.3)),
            &x,
        );
        check_second(&mut rng, "clip²", |x| F::square(&F::clip(x, -0.5, 0.5)), &x);
    }
}

// ---------------------------------------------------------------- softmax, log_softmax

/// The softmax of each lane along `axis` by the textbook formula.
fn naive_softmax(x: &ArrayD<f64>, axis: usize) -> ArrayD<f64> {
    let e = x.mapv(f64::exp);
    let s = e.sum_axis(Axis(axis)).insert_axis(Axis(axis));
    &e / &s
}

#[test]
fn softmax_and_log_softmax_values_on_every_axis() {
    let mut rng = Rng::new(200);
    for shape in [&[5][..], &[3, 4], &[2, 3, 4]] {
        let a = rng.array(shape, -3.0, 3.0);
        for axis in 0..shape.len() {
            let expected = naive_softmax(&a, axis);
            let y = F::softmax(var(a.clone()), axis);
            assert_close(&y.data(), &expected, 1e-15);
            // each lane sums to 1
            let sums = y.data().sum_axis(Axis(axis));
            assert_close(&sums, &ArrayD::ones(sums.raw_dim()), 1e-15);
            let ly = F::log_softmax(var(a.clone()), axis);
            assert_close(&ly.data(), &expected.mapv(f64::ln), 1e-14);
        }
    }
}

#[test]
fn softmax_and_log_softmax_are_stable_for_large_inputs() {
    // exp(1000) overflows; the shifted forms do not
    let x = var(array![[1000.0, 1000.0], [-1000.0, 1000.0], [1e308, 0.0]].into_dyn());
    let y = F::softmax(&x, 1);
    assert_eq!(
        *y.data(),
        array![[0.5, 0.5], [0.0, 1.0], [1.0, 0.0]].into_dyn()
    );
    let ly = F::log_softmax(&x, 1);
    let ly = ly.data();
    assert!((ly[[0, 0]] + 2f64.ln()).abs() < 1e-15);
    assert_eq!((ly[[1, 0]], ly[[1, 1]]), (-2000.0, 0.0));
    assert_eq!((ly[[2, 0]], ly[[2, 1]]), (0.0, -1e308));
    // gradients stay finite too
    let g = grad_of(
        |x| F::log_softmax(x, 1) * array![[1.0, 0.0]],
        x.data().clone(),
    );
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
}

#[test]
fn softmax_and_log_softmax_derivatives() {
    let mut rng = Rng::new(201);
    for shape in [&[5][..], &[3, 4], &[2, 3, 2]] {
        let a = rng.array(shape, -2.0, 2.0);
        for axis in 0..shape.len() {
            check_grad(&mut rng, "softmax", |x| F::softmax(x, axis), &a);
            check_grad(&mut rng, "log_softmax", |x| F::log_softmax(x, axis), &a);
            check_second(&mut rng, "softmax", |x| F::softmax(x, axis), &a);
            check_second(&mut rng, "log_softmax", |x| F::log_softmax(x, axis), &a);
        }
    }
    let msg = panic_message(|| {
        F::softmax(var(ArrayD::zeros(vec![2, 3])), 2);
    });
    assert_eq!(
        msg,
        "softmax: axis 2 is out of range for shape [2, 3] (2 axes)"
    );
    let msg = panic_message(|| {
        F::log_softmax(Variable::from(1.0), 0);
    });
    assert_eq!(
        msg,
        "log_softmax: axis 0 is out of range for shape [] (0 axes)"
    );
}

// ---------------------------------------------------------------- mean_squared_error

#[test]
fn mean_squared_error_values_and_derivatives() {
    // DeZero divides by len(x), the batch size: Σ (x0 - x1)² / N
    let x0 = var(array![[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]].into_dyn());
    let x1 = var(array![[0.0, 2.0], [1.0, 4.0], [0.0, 3.0]].into_dyn());
    let y = F::mean_squared_error(&x0, &x1);
    assert_eq!(y.item(), (1.0 + 4.0 + 9.0) / 3.0);
    y.backward();
    // gx0 = 2 (x0 - x1) / N, gx1 = -gx0
    let gx0 = array![[2.0, 0.0], [4.0, 0.0], [0.0, -6.0]].into_dyn() / 3.0;
    assert_close(&x0.grad().unwrap().data(), &gx0, 1e-15);
    assert_close(&x1.grad().unwrap().data(), &-gx0, 1e-15);
    assert_eq!(
        F::mean_squared_error(Variable::from(3.0), Variable::from(1.0)).item(),
        4.0
    );

    let mut rng = Rng::new(300);
    for shape in SHAPES {
        let a = rng.array(shape, -1.0, 1.0);
        let b = rng.array(shape, -1.0, 1.0);
        let (av, bv) = (var(a.clone()), var(b.clone()));
        check_grad(
            &mut rng,
            "mse wrt x0",
            |x| F::mean_squared_error(x, &bv),
            &a,
        );
        check_grad(
            &mut rng,
            "mse wrt x1",
            |x| F::mean_squared_error(&av, x),
            &b,
        );
        // d²/dx0² = 2/N on the diagonal
        check_second(
            &mut rng,
            "mse wrt x0",
            |x| F::mean_squared_error(x, &bv),
            &a,
        );
        check_second(
            &mut rng,
            "mse wrt x1",
            |x| F::mean_squared_error(&av, x),
            &b,
        );
    }
    let msg = panic_message(|| {
        F::mean_squared_error(var(ArrayD::zeros(vec![3, 1])), var(ArrayD::zeros(vec![3])));
    });
    assert_eq!(
        msg,
        "mean_squared_error: shapes [3, 1] and [3] differ; both must have the same shape"
    );
}

// ---------------------------------------------------------------- softmax_cross_entropy

#[test]
fn softmax_cross_entropy_matches_the_naive_formula() {
    let mut rng = Rng::new(400);
    let x = rng.array(&[6, 4], -3.0, 3.0);
    let labels: Vec<usize> = (0..6).map(|_| rng.below(4)).collect();
    let p = naive_softmax(&x, 1);
    let expected = -labels
        .iter()
        .enumerate()
        .map(|(i, &t)| p[[i, t]].ln())
        .sum::<f64>()
        / 6.0;
    let xv = var(x.clone());
    let y = F::softmax_cross_entropy(&xv, &labels);
    assert_eq!(y.shape(), Vec::<usize>::new());
    assert!(
        (y.item() - expected).abs() < 1e-14,
        "{} vs {expected}",
        y.item()
    );
    // gx = (softmax(x) - onehot) / N
    y.backward();
    let mut expected_g = p.clone();
    for (i, &t) in labels.iter().enumerate() {
        expected_g[[i, t]] -= 1.0;
    }
    assert_close(&xv.grad().unwrap().data(), &(expected_g / 6.0), 1e-15);

    for (n, c) in [(1, 2), (4, 3), (6, 5)] {
        let x = rng.array(&[n, c], -2.0, 2.0);
        let labels: Vec<usize> = (0..n).map(|_| rng.below(c)).collect();
        check_grad(
            &mut rng,
            "softmax_cross_entropy",
            |x| F::softmax_cross_entropy(x, &labels),
            &x,
        );
        check_second(
            &mut rng,
            "softmax_cross_entropy",
            |x| F::softmax_cross_entropy(x, &labels),
            &x,
        );
    }
}

#[test]
fn softmax_cross_entropy_is_stable_and_checks_labels() {
    // a wrong label scored 1000 below the right one costs exactly 1000
    let x = var(array![[1000.0, 0.0], [0.0, 1000.0]].into_dyn());
    assert_eq!(F::softmax_cross_entropy(&x, &[1, 0]).item(), 1000.0);
    assert_eq!(F::softmax_cross_entropy(&x, &[0, 1]).item(), 0.0);

    let msg = panic_message(|| {
        F::softmax_cross_entropy(var(ArrayD::zeros(vec![3])), &[0, 1, 2]);
    });
    assert_eq!(
        msg,
        "softmax_cross_entropy: x must be 2-D (batch, classes), got shape [3]"
    );
    let msg = panic_message(|| {
        F::softmax_cross_entropy(var(ArrayD::zeros(vec![2, 3])), &[0]);
    });
    assert_eq!(
        msg,
        "softmax_cross_entropy: 1 labels for x of shape [2, 3]; need one per row (2)"
    );
    let msg = panic_message(|| {
        F::softmax_cross_entropy(var(ArrayD::zeros(vec![2, 3])), &[0, 3]);
    });
    assert_eq!(
        msg,
        "softmax_cross_entropy: label 3 (row 1) is out of range for 3 classes (x of shape [2, 3])"
    );
}

// ---------------------------------------------------------------- sigmoid_cross_entropy

#[test]
fn sigmoid_cross_entropy_matches_dezero_where_its_clip_does_not_bind() {
    let mut rng = Rng::new(500);
    let x = rng.array(&[5, 2], -4.0, 4.0);
    let t = rng.array(&[5, 2], 0.0, 1.0).mapv(f64::round);
    // DeZero: p = clip(sigmoid(x), 1e-15, 1); -Σ (t ln p + (1 - t) ln(1 - p)) / N
    let p = x.mapv(|v| (1.0 / (1.0 + (-v).exp())).clamp(1e-15, 1.0));
    let expected = -(&t * &p.mapv(f64::ln) + (1.0 - &t) * &p.mapv(|p| (1.0 - p).ln())).sum() / 5.0;
    let (xv, tv) = (var(x.clone()), var(t.clone()));
    let y = F::sigmoid_cross_entropy(&xv, &tv);
    assert!(
        (y.item() - expected).abs() < 1e-14,
        "{} vs {expected}",
        y.item()
    );
    y.backward();
    // gx = (sigmoid(x) - t) / N, gt = -x / N
    let sig = x.mapv(|v| 1.0 / (1.0 + (-v).exp()));
    assert_close(&xv.grad().unwrap().data(), &((&sig - &t) / 5.0), 1e-15);
    assert_close(&tv.grad().unwrap().data(), &(-&x / 5.0), 1e-15);
}

#[test]
fn sigmoid_cross_entropy_is_stable_reshapes_targets_and_differentiates() {
    // a score of -1000 for a positive target costs 1000 (DeZero's clip would cap it at 34.5)
    let y = F::sigmoid_cross_entropy(Variable::from(-1000.0), Variable::from(1.0));
    assert_eq!(y.item(), 1000.0);
    let y = F::sigmoid_cross_entropy(Variable::from(1000.0), Variable::from(1.0));
    assert_eq!(y.item(), 0.0);

    // targets of shape (N) against scores (N, 1) are reshaped, as DeZero; t's grad keeps (N)
    let x = var(array![[0.5], [-1.0], [2.0]].into_dyn());
    let t = var(array![1.0, 0.0, 1.0].into_dyn());
    let t2 = var(array![[1.0], [0.0], [1.0]].into_dyn());
    let y = F::sigmoid_cross_entropy(&x, &t);
    assert_eq!(y.item(), F::sigmoid_cross_entropy(&x, &t2).item());
    y.backward();
    assert_eq!(t.grad().unwrap().shape(), vec![3]);

    let mut rng = Rng::new(501);
    for shape in [&[4][..], &[3, 1], &[2, 3], &[]] {
        let a = rng.array(shape, -3.0, 3.0);
        let tt = rng.array(shape, 0.0, 1.0);
        let (av, tv) = (var(a.clone()), var(tt.clone()));
        check_grad(
            &mut rng,
            "sigmoid_cross_entropy wrt x",
            |x| F::sigmoid_cross_entropy(x, &tv),
            &a,
        );
        check_grad(
            &mut rng,
            "sigmoid_cross_entropy wrt t",
            |t| F::sigmoid_cross_entropy(&av, t),
            &tt,
        );
        check_second(
            &mut rng,
            "sigmoid_cross_entropy",
            |x| F::sigmoid_cross_entropy(x, &tv),
            &a,
        );
    }
    let msg = panic_message(|| {
        F::sigmoid_cross_entropy(
            var(ArrayD::zeros(vec![2, 2])),
            var(ArrayD::zeros(vec![4, 1])),
        );
    });
    assert_eq!(
        msg,
        "sigmoid_cross_entropy: targets of shape [4, 1] do not match scores of shape [2, 2]"
    );
}

// ---------------------------------------------------------------- accuracy

#[test]
fn accuracy_counts_argmax_hits() {
    let y = var(array![[0.1, 0.9], [0.8, 0.2], [0.5, 0.5], [0.3, 0.7]].into_dyn());
    // argmax per row: 1, 0, 0 (a tie goes to the first), 1
    assert_eq!(F::accuracy(&y, &[1, 0, 0, 0]), 0.75);
    assert_eq!(F::accuracy(&y, &[1, 0, 1, 1]), 0.75);
    assert_eq!(F::accuracy(&y, &[0, 1, 1, 0]), 0.0);
    let msg = panic_message(|| {
        F::accuracy(var(ArrayD::zeros(vec![2, 3])), &[0]);
    });
    assert!(
        msg.starts_with("accuracy: y of shape [2, 3] and 1 labels"),
        "{msg}"
    );
    // backward through a loss is unaffected by taking the accuracy on the same scores
    assert!(gradient_check(|x| F::softmax_cross_entropy(x, &[1, 0, 1, 1]), &y).is_ok());
}
