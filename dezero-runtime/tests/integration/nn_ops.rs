//! Neural-network functions (DeZero `functions.py`): activations, softmax / log_softmax,
//! losses, accuracy and dropout. Values against hand computations and naive formulas, the
//! kink convention of KINKS.md, numerical stability, first derivatives against central
//! differences on seeded random arrays, second derivatives (create_graph) against central
//! differences of the first derivative, and the shape panics.

use crate::support::{assert_close, check_grad, check_second, panic_message, var, Rng};
use dezero_runtime::functions as F;
use dezero_runtime::{gradient_check, Variable};
use ndarray::{array, ArrayD, Axis};

/// The gradient of `sum(f(x))` at `x`.
fn grad_of(f: impl Fn(&Variable) -> Variable, x: ArrayD<f64>) -> ArrayD<f64> {
    let x = var(x);
    F::sum(f(&x)).backward();
    x.grad().unwrap().data().to_owned()
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
        check_second(&mut rng, "relu²", |x| F::square(F::relu(x)), &x);
        check_second(
            &mut rng,
            "leaky_relu²",
            |x| F::square(F::leaky_relu(x, 0.3)),
            &x,
        );
        check_second(&mut rng, "clip²", |x| F::square(F::clip(x, -0.5, 0.5)), &x);
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

// ---------------------------------------------------------------- sigmoid backward

#[test]
fn sigmoid_backward_writes_only_a_gradient_nothing_else_holds() {
    // gx = gy y (1 - y): computed in gy's array when gy is unique (a plain backward), in a new
    // one when gy is kept (retain_grad), which must stay as it was. Same values either way.
    let mut rng = Rng::new(402);
    let x = rng.array(&[30, 10], -5.0, 5.0);
    let expected = x.mapv(|v| {
        let s = 1.0 / (1.0 + (-v).exp());
        3.0 * s * (1.0 - s)
    });
    for retain_grad in [false, true] {
        let xv = var(x.clone());
        let y = F::sigmoid(&xv);
        F::sum(&y * 3.0).backward_with(dezero_runtime::BackwardOptions {
            retain_grad,
            ..Default::default()
        });
        assert_eq!(
            *xv.grad().unwrap().data(),
            expected,
            "retain_grad {retain_grad}"
        );
        if retain_grad {
            assert!(y.grad().unwrap().data().iter().all(|&g| g == 3.0));
        }
    }
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
fn softmax_cross_entropy_backward_agrees_across_layouts_and_paths() {
    // The plain backward computes gx on the arrays (one pass over 2-D rows); create_graph
    // records softmax - onehot as ops. Both on a standard and a transposed (column-major) x.
    let mut rng = Rng::new(401);
    for (n, c) in [(1, 1), (3, 2), (30, 3), (7, 9)] {
        let x = rng.array(&[n, c], -4.0, 4.0);
        let labels: Vec<usize> = (0..n).map(|_| rng.below(c)).collect();
        let x_f = x.t().as_standard_layout().t().to_owned(); // same values, column-major
        assert!(n == 1 || c == 1 || !x_f.is_standard_layout());
        let grad = |x: &ArrayD<f64>, create_graph: bool| {
            let xv = var(x.clone());
            (F::softmax_cross_entropy(&xv, &labels) * 3.0).backward_with(
                dezero_runtime::BackwardOptions {
                    create_graph,
                    ..Default::default()
                },
            );
            xv.grad().unwrap().data().to_owned()
        };
        let plain = grad(&x, false);
        assert_eq!(plain, grad(&x_f, false), "{n}x{c}: layout changed gx");
        assert_close(&plain, &grad(&x, true), 1e-15);
        assert_close(&plain, &grad(&x_f, true), 1e-15);
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

// ---------------------------------------------------------------- dropout, test_mode

#[test]
fn dropout_masks_are_reproducible_and_scaled() {
    let x = var(ArrayD::ones(vec![100, 100]));
    F::dropout_seed(2024);
    let a = F::dropout(&x, 0.5).data().to_owned();
    let b = F::dropout(&x, 0.5).data().to_owned();
    F::dropout_seed(2024);
    assert_eq!(*F::dropout(&x, 0.5).data(), a, "same seed, same first mask");
    assert_eq!(*F::dropout(&x, 0.5).data(), b, "and the same second mask");
    assert_ne!(a, b, "successive masks differ");
    F::dropout_seed(2025);
    assert_ne!(*F::dropout(&x, 0.5).data(), a, "another seed, another mask");

    for ratio in [0.1, 0.5, 0.9] {
        let y = F::dropout(&x, ratio);
        let scale = 1.0 / (1.0 - ratio);
        assert!(y.data().iter().all(|&v| v == 0.0 || v == scale));
        // 10⁴ draws: kept ~ Binomial(10⁴, 1 - ratio), standard deviation <= 50
        let kept = y.data().iter().filter(|&&v| v != 0.0).count() as f64;
        assert!(
            (kept - 1e4 * (1.0 - ratio)).abs() < 300.0,
            "ratio {ratio}: {kept} kept"
        );
        // the expectation is unchanged: mean(y) ~ 1
        assert!((y.data().mean().unwrap() - 1.0).abs() < 0.05 * scale);
    }
    // ratio 0 keeps everything
    assert_eq!(*F::dropout(&x, 0.0).data(), *x.data());
}

#[test]
fn dropout_backward_multiplies_by_the_same_mask() {
    F::dropout_seed(5);
    let x = var(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn());
    let y = F::dropout(&x, 0.4);
    F::sum(&y).backward();
    // gx = mask = y / x here
    assert_eq!(*x.grad().unwrap().data(), &*y.data() / &*x.data());

    let mut rng = Rng::new(600);
    for shape in SHAPES {
        let a = rng.array(shape, -1.0, 1.0);
        // reseeded on every call, so each evaluation draws the same mask
        let f = |x: &Variable| {
            F::dropout_seed(9);
            F::dropout(x, 0.3)
        };
        check_grad(&mut rng, "dropout", f, &a);
        check_second(&mut rng, "dropout²", |x| F::square(f(x)), &a);
    }
}

#[test]
fn test_mode_passes_the_input_through_and_nests() {
    let x = var(array![1.0, 2.0, 3.0].into_dyn());
    assert!(dezero_runtime::is_training());
    {
        let _outer = dezero_runtime::test_mode();
        assert!(!dezero_runtime::is_training());
        assert!(
            F::dropout(&x, 0.5).ptr_eq(&x),
            "DeZero returns x itself in test mode"
        );
        {
            let _inner = dezero_runtime::test_mode();
            assert!(!dezero_runtime::is_training());
        }
        assert!(
            !dezero_runtime::is_training(),
            "the inner guard restores test mode"
        );
        // the switch is per thread: a new thread starts in training mode
        let other = std::thread::spawn(dezero_runtime::is_training)
            .join()
            .unwrap();
        assert!(other);
    }
    assert!(dezero_runtime::is_training());
    assert!(!F::dropout(&x, 0.5).ptr_eq(&x));
    // no_grad still drops in training mode, without recording a node
    let y = {
        let _guard = dezero_runtime::no_grad();
        F::dropout(&x, 0.5)
    };
    assert!(y.creator().is_none());
}

#[test]
fn dropout_rejects_ratios_outside_zero_to_one() {
    for ratio in [1.0, -0.1, f64::NAN, 2.0] {
        let msg = panic_message(|| {
            F::dropout(Variable::from(1.0), ratio);
        });
        assert_eq!(
            msg,
            format!("dropout: the ratio must be in [0, 1), got {ratio}")
        );
    }
}

// ---------------------------------------------------------------- the pieces together

/// Plain gradient descent on each parameter: p ← p - lr · p.grad, then clear the grad.
fn step(params: &[&Variable], lr: f64) {
    for p in params {
        let next = &*p.data() - &(&*p.grad().unwrap().data() * lr);
        p.set_data(next);
        p.cleargrad();
    }
}

#[test]
fn a_two_layer_network_fits_a_sine_as_in_step_43() {
    // DeZero step 43: y = sin(2πx) + noise, linear → sigmoid → linear, mean squared error
    let mut rng = Rng::new(43);
    let x = rng.array(&[100, 1], 0.0, 1.0);
    let noise = rng.array(&[100, 1], 0.0, 1.0);
    let t = var(x.mapv(|v| (2.0 * std::f64::consts::PI * v).sin()) + noise);
    let x = var(x);
    let (w1, b1) = (
        var(rng.array(&[1, 10], -1.0, 1.0)),
        var(ArrayD::zeros(vec![10])),
    );
    let (w2, b2) = (
        var(rng.array(&[10, 1], -1.0, 1.0)),
        var(ArrayD::zeros(vec![1])),
    );
    let predict = || {
        let h = F::sigmoid(F::linear(&x, &w1, Some(&b1)));
        F::linear(&h, &w2, Some(&b2))
    };
    let first = F::mean_squared_error(predict(), &t).item();
    let mut last = first;
    for _ in 0..2000 {
        let loss = F::mean_squared_error(predict(), &t);
        loss.backward();
        step(&[&w1, &b1, &w2, &b2], 0.5);
        last = loss.item();
    }
    // The noise is uniform in [0, 1): its variance 1/12 ≈ 0.083 is the floor. The best
    // constant leaves var(sin 2πx) + 1/12 ≈ 0.58, the best straight line ≈ 0.28
    // (0.5 - 3/π² + 1/12): going below 0.2 needs the hidden layer's curvature.
    assert!(first > 0.5, "initial loss {first}");
    assert!(last < 0.2, "loss after training {last} (from {first})");
}

#[test]
fn a_softmax_classifier_separates_three_clusters() {
    // three blobs around (0, 2), (-2, -1), (2, -1): softmax_cross_entropy + accuracy
    let mut rng = Rng::new(3);
    let centers = [(0.0, 2.0), (-2.0, -1.0), (2.0, -1.0)];
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for i in 0..60 {
        let c = i % 3;
        points.push(centers[c].0 + rng.uniform(-0.8, 0.8));
        points.push(centers[c].1 + rng.uniform(-0.8, 0.8));
        labels.push(c);
    }
    let x = var(ArrayD::from_shape_vec(vec![60, 2], points).unwrap());
    let w = var(rng.array(&[2, 3], -0.1, 0.1));
    let b = var(ArrayD::zeros(vec![3]));
    let before = F::accuracy(F::linear(&x, &w, Some(&b)), &labels);
    let mut losses = Vec::new();
    for _ in 0..200 {
        let loss = F::softmax_cross_entropy(F::linear(&x, &w, Some(&b)), &labels);
        loss.backward();
        step(&[&w, &b], 0.5);
        losses.push(loss.item());
    }
    let after = F::accuracy(F::linear(&x, &w, Some(&b)), &labels);
    assert!(before < 1.0, "{before}");
    assert_eq!(after, 1.0, "loss went {} -> {}", losses[0], losses[199]);
    assert!(losses[199] < 0.1 * losses[0]);
}
