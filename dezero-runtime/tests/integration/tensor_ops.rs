//! Tensor functions (DeZero steps 37-41): shapes, reductions over axes, matrix products and
//! indexing. Values against hand computations and ndarray, first derivatives against central
//! differences on seeded random arrays of several shapes, second derivatives (create_graph)
//! against central differences of the first derivative, and the shape panics.

use crate::support::{assert_close, check_grad, check_second, panic_message, var, Rng};
use dezero_runtime::functions as F;
use dezero_runtime::{BackwardOptions, Variable};
use ndarray::{array, ArrayD, Axis, IxDyn};

// ---------------------------------------------------------------- matmul

#[test]
fn matmul_values_for_each_shape_case() {
    let a = var(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn());
    let b = var(array![[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]].into_dyn());
    let v3 = var(array![1.0, -1.0, 2.0].into_dyn());
    let v2 = var(array![3.0, 0.5].into_dyn());
    // (2,3)(3,2): rows · columns
    assert_eq!(
        *F::matmul(&a, &b).data(),
        array![[7.0, -1.0], [16.0, -1.0]].into_dyn()
    );
    // (2,3)(3): [1 - 2 + 6, 4 - 5 + 12]
    assert_eq!(*F::matmul(&a, &v3).data(), array![5.0, 11.0].into_dyn());
    // (2)(2,3): 3 [1 2 3] + 0.5 [4 5 6]
    assert_eq!(
        *F::matmul(&v2, &a).data(),
        array![5.0, 8.5, 12.0].into_dyn()
    );
    // (3)(3): 1 + 1 + 4, a 0-dim result
    let dot = F::matmul(&v3, &v3);
    assert_eq!(dot.shape(), Vec::<usize>::new());
    assert_eq!(dot.item(), 6.0);
}

#[test]
fn matmul_gradients_match_central_differences() {
    let mut rng = Rng::new(41);
    let cases: [(&[usize], &[usize]); 6] = [
        (&[3, 4], &[4, 2]),
        (&[1, 5], &[5, 1]),
        (&[4, 3], &[3, 6]),
        (&[3, 4], &[4]),
        (&[4], &[4, 3]),
        (&[5], &[5]),
    ];
    for (xs, ws) in cases {
        let x = rng.array(xs, -1.0, 1.0);
        let w = rng.array(ws, -1.0, 1.0);
        let (xv, wv) = (var(x.clone()), var(w.clone()));
        check_grad(&mut rng, "matmul wrt x", |x| F::matmul(x, &wv), &x);
        check_grad(&mut rng, "matmul wrt w", |w| F::matmul(&xv, w), &w);
        // second derivatives through matmul's recorded backward
        check_second(
            &mut rng,
            "tanh(x w) wrt x",
            |x| F::tanh(F::matmul(x, &wv)),
            &x,
        );
        check_second(
            &mut rng,
            "tanh(x w) wrt w",
            |w| F::tanh(F::matmul(&xv, w)),
            &w,
        );
    }
}

#[test]
fn matmul_second_derivative_of_a_bilinear_form() {
    // x xᵀ and v·v: matmul's backward depends on both operands, so the Hessian is nonzero
    let mut rng = Rng::new(7);
    let x = rng.array(&[3, 4], -1.0, 1.0);
    check_second(&mut rng, "x xᵀ", |x| F::matmul(x, x.t()), &x);
    let v = rng.array(&[6], -1.0, 1.0);
    check_second(&mut rng, "v · v", |v| F::matmul(v, v), &v);
    // d²(v·v)/dv² = 2 I: with create_graph, grad(sum(grad)) = 2 everywhere
    let v = var(v);
    F::matmul(&v, &v).backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let g = v.grad().unwrap();
    v.cleargrad();
    F::sum(&g).backward();
    assert_eq!(*v.grad().unwrap().data(), ArrayD::from_elem(vec![6], 2.0));
}

#[test]
fn matmul_shape_errors_name_the_op_and_shapes() {
    let msg = panic_message(|| {
        F::matmul(
            var(ArrayD::zeros(vec![2, 3])),
            var(ArrayD::zeros(vec![4, 2])),
        );
    });
    assert!(
        msg.starts_with("matmul: shapes [2, 3] and [4, 2] are not aligned"),
        "{msg}"
    );
    let msg = panic_message(|| {
        F::matmul(
            var(ArrayD::zeros(vec![2, 2, 2])),
            var(ArrayD::zeros(vec![2, 2])),
        );
    });
    assert_eq!(
        msg,
        "matmul: operands must be 1-D or 2-D, got shapes [2, 2, 2] and [2, 2]"
    );
    let msg = panic_message(|| {
        F::matmul(Variable::from(2.0), var(ArrayD::zeros(vec![2])));
    });
    assert!(msg.contains("[] and [2]"), "{msg}");
}

// ---------------------------------------------------------------- linear

#[test]
fn linear_is_matmul_plus_bias_with_gradients() {
    let mut rng = Rng::new(43);
    let x = rng.array(&[5, 3], -1.0, 1.0);
    let w = rng.array(&[3, 4], -1.0, 1.0);
    let (xv, wv) = (var(x.clone()), var(w.clone()));
    for bshape in [&[4][..], &[1, 4], &[5, 4], &[5, 1], &[]] {
        let b = rng.array(bshape, -1.0, 1.0);
        let bv = var(b.clone());
        let y = F::linear(&xv, &wv, Some(&bv));
        let expected = x
            .view()
            .into_dimensionality::<ndarray::Ix2>()
            .unwrap()
            .dot(&w.view().into_dimensionality::<ndarray::Ix2>().unwrap())
            + &b;
        assert_close(&y.data(), &expected.into_dyn(), 1e-14);
        assert_eq!(y.creator().unwrap().name(), "linear");
        check_grad(
            &mut rng,
            "linear wrt x",
            |x| F::linear(x, &wv, Some(&bv)),
            &x,
        );
        check_grad(
            &mut rng,
            "linear wrt w",
            |w| F::linear(&xv, w, Some(&bv)),
            &w,
        );
        check_grad(
            &mut rng,
            "linear wrt b",
            |b| F::linear(&xv, &wv, Some(b)),
            &b,
        );
    }
    // no bias: the values of matmul, two inputs
    let y = F::linear(&xv, &wv, None);
    assert_eq!(*y.data(), *F::matmul(&xv, &wv).data());
    assert_eq!(y.creator().unwrap().inputs().len(), 2);
    check_grad(
        &mut rng,
        "linear without b",
        |x| F::linear(x, &wv, None),
        &x,
    );
    // a 1-D input: (3) · (3, 4) + (4)
    let v = rng.array(&[3], -1.0, 1.0);
    let bv = var(rng.array(&[4], -1.0, 1.0));
    check_grad(&mut rng, "linear 1-D", |v| F::linear(v, &wv, Some(&bv)), &v);
}

#[test]
fn linear_adds_its_bias_exactly_as_broadcasting_does() {
    // The bias of shape (k) is added row by row to a standard-layout product; a product in
    // column-major layout (both operands column-major) takes ndarray's broadcast. Both exact.
    let mut rng = Rng::new(45);
    let x = rng.array(&[6, 3], -1.0, 1.0);
    let w = rng.array(&[3, 5], -1.0, 1.0);
    let b = rng.array(&[5], -1.0, 1.0);
    let f_order = |a: &ArrayD<f64>| a.t().as_standard_layout().t().to_owned();
    for (x, w) in [(x.clone(), w.clone()), (f_order(&x), f_order(&w))] {
        let product = F::matmul(var(x.clone()), var(w.clone())).data().to_owned();
        let y = F::linear(var(x), var(w), Some(&var(b.clone())));
        assert_eq!(*y.data(), &product + &b);
    }
}

#[test]
fn linear_second_derivatives() {
    let mut rng = Rng::new(44);
    let x = rng.array(&[4, 3], -1.0, 1.0);
    let w = rng.array(&[3, 2], -1.0, 1.0);
    let b = var(rng.array(&[2], -1.0, 1.0));
    let (xv, wv) = (var(x.clone()), var(w.clone()));
    check_second(
        &mut rng,
        "linear wrt x",
        |x| F::tanh(F::linear(x, &wv, Some(&b))),
        &x,
    );
    check_second(
        &mut rng,
        "linear wrt w",
        |w| F::tanh(F::linear(&xv, w, Some(&b))),
        &w,
    );
    let bb = rng.array(&[2], -1.0, 1.0);
    check_second(
        &mut rng,
        "linear wrt b",
        |b| F::tanh(F::linear(&xv, &wv, Some(b))),
        &bb,
    );
}

#[test]
fn linear_rejects_a_bias_that_does_not_fit() {
    let msg = panic_message(|| {
        let b = var(ArrayD::zeros(vec![3, 2]));
        F::linear(
            var(ArrayD::zeros(vec![1, 2])),
            var(ArrayD::zeros(vec![2, 2])),
            Some(&b),
        );
    });
    assert!(
        msg.starts_with("linear: bias of shape [3, 2] does not broadcast"),
        "{msg}"
    );
    let msg = panic_message(|| {
        F::linear(
            var(ArrayD::zeros(vec![1, 3])),
            var(ArrayD::zeros(vec![2, 2])),
            None,
        );
    });
    assert!(
        msg.starts_with("linear: shapes [1, 3] and [2, 2] are not aligned"),
        "{msg}"
    );
}

// ---------------------------------------------------------------- reshape, transpose

#[test]
fn reshape_values_gradients_and_identity() {
    let x = var(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn());
    let y = F::reshape(&x, &[3, 2]);
    assert_eq!(
        *y.data(),
        array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]].into_dyn()
    );
    assert_eq!(x.reshape(&[6]).shape(), vec![6]);
    // the same shape gives back x itself, as DeZero
    assert!(F::reshape(&x, &[2, 3]).ptr_eq(&x));
    // reshaping a transposed (non-contiguous) array reads it in row-major order
    let t = x.t();
    assert_eq!(
        *t.reshape(&[6]).data(),
        array![1.0, 4.0, 2.0, 5.0, 3.0, 6.0].into_dyn()
    );

    let mut rng = Rng::new(38);
    for (from, to) in [
        (&[2, 3][..], &[3, 2][..]),
        (&[2, 3, 4], &[4, 6]),
        (&[6], &[1, 2, 3]),
        (&[1], &[]),
        (&[2, 2], &[4, 1]),
    ] {
        let x = rng.array(from, -1.0, 1.0);
        check_grad(&mut rng, "reshape", |x| F::reshape(x, to), &x);
        check_second(
            &mut rng,
            "square(reshape)",
            |x| F::square(F::reshape(x, to)),
            &x,
        );
    }
    let msg = panic_message(|| {
        F::reshape(var(ArrayD::zeros(vec![2, 3])), &[4]);
    });
    assert_eq!(
        msg,
        "reshape: cannot reshape shape [2, 3] (6 elements) to [4] (4 elements)"
    );
}

#[test]
fn expand_dims_and_flatten() {
    let x = var(ArrayD::zeros(vec![2, 3, 4]));
    assert_eq!(F::expand_dims(&x, 3).shape(), vec![2, 3, 4, 1]);
    assert_eq!(F::flatten(&x).shape(), vec![2, 12]);
    let msg = panic_message(|| {
        F::expand_dims(var(ArrayD::zeros(vec![2])), 2);
    });
    assert_eq!(msg, "expand_dims: axis 2 is out of range for shape [2]");
    let msg = panic_message(|| {
        F::flatten(Variable::from(1.0));
    });
    assert!(msg.starts_with("flatten: a 0-dim variable"), "{msg}");
    let mut rng = Rng::new(3);
    let a = rng.array(&[2, 3, 2], -1.0, 1.0);
    check_grad(&mut rng, "flatten", |x| F::flatten(x), &a);
    check_grad(&mut rng, "expand_dims", |x| F::expand_dims(x, 1), &a);
}

#[test]
fn transpose_values_gradients_and_permutation_errors() {
    let x = var(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn());
    let expected = array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]].into_dyn();
    assert_eq!(*F::transpose(&x).data(), expected);
    assert_eq!(*x.t().data(), expected);
    assert_eq!(*x.transpose().data(), expected);
    // the output is stored contiguous
    assert!(x.t().data().is_standard_layout());

    let a = ArrayD::from_shape_fn(IxDyn(&[2, 3, 4]), |i| {
        (i[0] * 100 + i[1] * 10 + i[2]) as f64
    });
    let y = F::transpose_axes(var(a.clone()), &[2, 0, 1]);
    assert_eq!(y.shape(), vec![4, 2, 3]);
    // y[k, i, j] = a[i, j, k]
    assert_eq!(y.data()[[3, 1, 2]], a[[1, 2, 3]]);
    // reversed axes of a 3-D array
    assert_eq!(F::transpose(var(a.clone())).data()[[3, 2, 1]], a[[1, 2, 3]]);

    let mut rng = Rng::new(39);
    let perms: [&[usize]; 6] = [
        &[0, 1, 2],
        &[0, 2, 1],
        &[1, 0, 2],
        &[1, 2, 0],
        &[2, 0, 1],
        &[2, 1, 0],
    ];
    let a = rng.array(&[2, 3, 4], -1.0, 1.0);
    for p in perms {
        check_grad(&mut rng, "transpose_axes", |x| F::transpose_axes(x, p), &a);
        check_second(
            &mut rng,
            "square(transpose_axes)",
            |x| F::square(F::transpose_axes(x, p)),
            &a,
        );
    }
    for shape in [&[3, 5][..], &[4], &[]] {
        let a = rng.array(shape, -1.0, 1.0);
        check_grad(&mut rng, "transpose", |x| F::transpose(x), &a);
        check_second(&mut rng, "x * xᵀ", |x| x * x.t().t(), &a);
    }

    for bad in [&[0, 0, 1][..], &[0, 1], &[0, 1, 3]] {
        let msg = panic_message(|| {
            F::transpose_axes(var(ArrayD::zeros(vec![2, 3, 4])), bad);
        });
        assert_eq!(
            msg,
            format!(
                "transpose: axes {bad:?} are not a permutation of the 3 axes of shape [2, 3, 4]"
            )
        );
    }
}

// ---------------------------------------------------------------- sum over axes

#[test]
fn sum_axes_values_match_ndarray() {
    let mut rng = Rng::new(391);
    let a = rng.array(&[2, 3, 4], -1.0, 1.0);
    let x = var(a.clone());
    assert_close(
        &F::sum_axes(&x, &[1], false).data(),
        &a.sum_axis(Axis(1)),
        1e-15,
    );
    let both = a.sum_axis(Axis(2)).sum_axis(Axis(0));
    assert_close(&F::sum_axes(&x, &[2, 0], false).data(), &both, 1e-15);
    let kept = F::sum_axes(&x, &[0, 2], true);
    assert_eq!(kept.shape(), vec![1, 3, 1]);
    let kept = kept.data().clone().into_shape_with_order(vec![3]).unwrap();
    assert_close(&kept, &both, 1e-15);
    let all = F::sum_axes(&x, &[0, 1, 2], false);
    assert_eq!(all.shape(), Vec::<usize>::new());
    approx::assert_abs_diff_eq!(all.item(), a.sum(), epsilon = 1e-14);
    // no axes: nothing reduced (NumPy's axis=())
    assert_eq!(*F::sum_axes(&x, &[], false).data(), a);
}

#[test]
fn sum_axes_gradients_every_axis_set() {
    let mut rng = Rng::new(392);
    let a = rng.array(&[2, 3, 4], -1.0, 1.0);
    let sets: [&[usize]; 8] = [&[], &[0], &[1], &[2], &[0, 1], &[1, 2], &[0, 2], &[2, 1, 0]];
    for axes in sets {
        for keepdims in [false, true] {
            check_grad(&mut rng, "sum_axes", |x| F::sum_axes(x, axes, keepdims), &a);
            // sum over axes of x², squared: the recorded backward of sum_axes is exercised
            check_second(
                &mut rng,
                "square(sum_axes(square))",
                |x| F::square(F::sum_axes(F::square(x), axes, keepdims)),
                &a,
            );
        }
    }
}

#[test]
fn sum_axes_rejects_bad_axes() {
    let msg = panic_message(|| {
        F::sum_axes(var(ArrayD::zeros(vec![2, 3])), &[2], false);
    });
    assert_eq!(msg, "sum: axis 2 is out of range for shape [2, 3] (2 axes)");
    let msg = panic_message(|| {
        F::sum_axes(var(ArrayD::zeros(vec![2, 3])), &[1, 1], false);
    });
    assert_eq!(msg, "sum: axes [1, 1] repeat an axis (shape [2, 3])");
}

// ---------------------------------------------------------------- mean, max, min

#[test]
fn mean_values_and_derivatives() {
    let x = var(array![[1.0, 2.0, 3.0], [4.0, 5.0, 9.0]].into_dyn());
    assert_eq!(F::mean(&x).item(), 4.0);
    assert_eq!(
        *F::mean_axes(&x, &[0], false).data(),
        array![2.5, 3.5, 6.0].into_dyn()
    );
    assert_eq!(
        *F::mean_axes(&x, &[1], true).data(),
        array![[2.0], [6.0]].into_dyn()
    );
    assert_eq!(F::mean_axes(&x, &[0, 1], false).item(), 4.0);
    // d mean / dx = 1/n
    F::mean(&x).backward();
    assert_eq!(
        *x.grad().unwrap().data(),
        ArrayD::from_elem(vec![2, 3], 1.0 / 6.0)
    );

    let mut rng = Rng::new(50);
    let a = rng.array(&[3, 2, 4], -1.0, 1.0);
    check_grad(&mut rng, "mean", |x| F::mean(x), &a);
    check_second(
        &mut rng,
        "mean(x²)²",
        |x| F::square(F::mean(F::square(x))),
        &a,
    );
    for axes in [&[0][..], &[2], &[0, 1], &[1, 2]] {
        for keepdims in [false, true] {
            check_grad(
                &mut rng,
                "mean_axes",
                |x| F::mean_axes(x, axes, keepdims),
                &a,
            );
            check_second(
                &mut rng,
                "mean_axes(x²)²",
                |x| F::square(F::mean_axes(F::square(x), axes, keepdims)),
                &a,
            );
        }
    }
    let msg = panic_message(|| {
        F::mean_axes(var(ArrayD::zeros(vec![2])), &[1], false);
    });
    assert_eq!(msg, "mean: axis 1 is out of range for shape [2] (1 axes)");
}

#[test]
fn max_and_min_values_match_ndarray() {
    let mut rng = Rng::new(60);
    let a = rng.array(&[3, 4, 5], -1.0, 1.0);
    let x = var(a.clone());
    let fold = |axis, f: fn(f64, f64) -> f64| a.fold_axis(Axis(axis), f64::NAN, |&m, &v| f(m, v));
    for axis in 0..3 {
        assert_eq!(
            *F::max_axes(&x, &[axis], false).data(),
            fold(axis, f64::max)
        );
        assert_eq!(
            *F::min_axes(&x, &[axis], false).data(),
            fold(axis, f64::min)
        );
        assert_eq!(
            *F::max_axes(&x, &[axis], true).data(),
            fold(axis, f64::max).insert_axis(Axis(axis))
        );
    }
    let largest = a.iter().copied().fold(f64::NAN, f64::max);
    let smallest = a.iter().copied().fold(f64::NAN, f64::min);
    assert_eq!(F::max(&x).item(), largest);
    assert_eq!(F::min(&x).item(), smallest);
    assert_eq!(F::max_axes(&x, &[0, 1, 2], false).item(), largest);
    assert_eq!(
        *F::max_axes(&x, &[2, 0], false).data(),
        a.fold_axis(Axis(2), f64::NAN, |&m, &v| m.max(v))
            .fold_axis(Axis(0), f64::NAN, |&m, &v| m.max(v))
    );
}

#[test]
fn max_and_min_split_ties_evenly_and_skip_nan() {
    // KINKS.md: tied maxima share gy evenly
    let x = var(array![[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]].into_dyn());
    F::sum(F::max_axes(&x, &[1], false)).backward();
    let third = 1.0 / 3.0;
    assert_eq!(
        *x.grad().unwrap().data(),
        array![[0.0, 0.5, 0.5], [third, third, third]].into_dyn()
    );
    let x = var(array![[1.0, 1.0], [1.0, 4.0]].into_dyn());
    F::min(&x).backward();
    assert_eq!(
        *x.grad().unwrap().data(),
        array![[third, third], [third, 0.0]].into_dyn()
    );
    // NaN is skipped (f64::max); a group of only NaNs gives NaN and splits its gradient
    let x = var(array![[f64::NAN, 1.0, 2.0], [f64::NAN, f64::NAN, f64::NAN]].into_dyn());
    let y = F::max_axes(&x, &[1], false);
    assert_eq!(y.data()[0], 2.0);
    assert!(y.data()[1].is_nan());
    F::sum(&y).backward();
    assert_eq!(
        *x.grad().unwrap().data(),
        array![[0.0, 0.0, 1.0], [third, third, third]].into_dyn()
    );
}

#[test]
fn max_and_min_derivatives() {
    let mut rng = Rng::new(61);
    // continuous random values: no ties, so max and min are differentiable everywhere
    let a = rng.array(&[3, 4, 2], -1.0, 1.0);
    let sets: [&[usize]; 6] = [&[0], &[1], &[2], &[0, 2], &[1, 2], &[0, 1, 2]];
    for axes in sets {
        for keepdims in [false, true] {
            check_grad(&mut rng, "max_axes", |x| F::max_axes(x, axes, keepdims), &a);
            check_grad(&mut rng, "min_axes", |x| F::min_axes(x, axes, keepdims), &a);
            // (max x)² has second derivative 2 at the maximum: max's recorded backward
            check_second(
                &mut rng,
                "max_axes²",
                |x| F::square(F::max_axes(x, axes, keepdims)),
                &a,
            );
            check_second(
                &mut rng,
                "min_axes²",
                |x| F::square(F::min_axes(x, axes, keepdims)),
                &a,
            );
        }
    }
    check_grad(&mut rng, "max", |x| F::max(x), &a);
    check_grad(&mut rng, "min", |x| F::min(x), &a);
    check_second(&mut rng, "max²", |x| F::square(F::max(x)), &a);
}

#[test]
fn max_and_min_reject_empty_and_bad_axes() {
    let msg = panic_message(|| {
        F::max_axes(var(ArrayD::zeros(vec![2, 0])), &[1], false);
    });
    assert_eq!(
        msg,
        "max: cannot reduce axis 1 of length 0 (shape [2, 0]): an empty group has no max"
    );
    let msg = panic_message(|| {
        F::min(var(ArrayD::zeros(vec![0])));
    });
    assert!(
        msg.starts_with("min: cannot reduce axis 0 of length 0"),
        "{msg}"
    );
    let msg = panic_message(|| {
        F::min_axes(var(ArrayD::zeros(vec![2, 3])), &[0, 0], true);
    });
    assert_eq!(msg, "min: axes [0, 0] repeat an axis (shape [2, 3])");
    // reducing a length-0 axis of a different axis is fine: an empty result
    assert_eq!(
        F::max_axes(var(ArrayD::zeros(vec![2, 0])), &[0], false).shape(),
        vec![0]
    );
}

// ---------------------------------------------------------------- get_item

fn numbered(shape: &[usize]) -> ArrayD<f64> {
    let mut k = 0.0;
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        k += 1.0;
        k
    })
}

#[test]
fn get_item_values_like_numpy() {
    use F::Index::{All, At, List, Range, RangeFrom};
    let a = numbered(&[3, 4]); // [[1 2 3 4] [5 6 7 8] [9 10 11 12]]
    let x = var(a.clone());
    assert_eq!(
        *F::get_item(&x, &[At(1)]).data(),
        array![5.0, 6.0, 7.0, 8.0].into_dyn()
    );
    assert_eq!(F::get_item(&x, &[At(2), At(3)]).item(), 12.0);
    assert_eq!(
        F::get_item(&x, &[At(2), At(3)]).shape(),
        Vec::<usize>::new()
    );
    assert_eq!(
        *F::get_item(&x, &[All, Range(1..3)]).data(),
        array![[2.0, 3.0], [6.0, 7.0], [10.0, 11.0]].into_dyn()
    );
    assert_eq!(
        *F::get_item(&x, &[RangeFrom(1), At(0)]).data(),
        array![5.0, 9.0].into_dyn()
    );
    // x[[2, 0, 2]]: rows in list order, repeats allowed
    assert_eq!(
        *F::get_item(&x, &[List(vec![2, 0, 2])]).data(),
        array![
            [9.0, 10.0, 11.0, 12.0],
            [1.0, 2.0, 3.0, 4.0],
            [9.0, 10.0, 11.0, 12.0]
        ]
        .into_dyn()
    );
    // x[:, [3, 0]] and x[[0, 2], 1] (NumPy gives the same)
    assert_eq!(
        *F::get_item(&x, &[All, List(vec![3, 0])]).data(),
        array![[4.0, 1.0], [8.0, 5.0], [12.0, 9.0]].into_dyn()
    );
    assert_eq!(
        *F::get_item(&x, &[List(vec![0, 2]), At(1)]).data(),
        array![2.0, 10.0].into_dyn()
    );
    // two lists pick a block, as np.ix_
    assert_eq!(
        *F::get_item(&x, &[List(vec![0, 2]), List(vec![1, 3])]).data(),
        array![[2.0, 4.0], [10.0, 12.0]].into_dyn()
    );
    // empty selections
    assert_eq!(F::get_item(&x, &[Range(2..2)]).shape(), vec![0, 4]);
    assert_eq!(F::get_item(&x, &[All, List(vec![])]).shape(), vec![3, 0]);
    // the method form, and conversions
    assert_eq!(
        *x.get_item(&[1.into(), (1..=2).into()]).data(),
        array![6.0, 7.0].into_dyn()
    );
    assert_eq!(
        *x.get_item(&[(..1).into(), (2..).into()]).data(),
        array![[3.0, 4.0]].into_dyn()
    );

    // 3-D: x[1, :, 1:3] and x[:, [1, 1], 2]
    let b = numbered(&[2, 3, 4]);
    let y = F::get_item(var(b.clone()), &[At(1), All, Range(1..3)]);
    assert_eq!(y.shape(), vec![3, 2]);
    assert_eq!(y.data()[[2, 1]], b[[1, 2, 2]]);
    let y = F::get_item(var(b.clone()), &[All, List(vec![1, 1]), At(2)]);
    assert_eq!(y.shape(), vec![2, 2]);
    assert_eq!(
        (y.data()[[1, 0]], y.data()[[1, 1]]),
        (b[[1, 1, 2]], b[[1, 1, 2]])
    );
    // a transposed (non-contiguous) input
    let t = x.t();
    assert_eq!(
        *F::get_item(&t, &[At(1)]).data(),
        array![2.0, 6.0, 10.0].into_dyn()
    );
}

#[test]
fn get_item_gradient_scatters_and_adds_repeats() {
    use F::Index::{All, At, List};
    let x = var(numbered(&[3, 2]));
    let y = F::get_item(&x, &[List(vec![0, 2, 0]), At(1)]);
    (&y * var(array![1.0, 10.0, 100.0].into_dyn())).backward_with(Default::default());
    // row 0 is picked twice: 1 + 100
    assert_eq!(
        *x.grad().unwrap().data(),
        array![[0.0, 101.0], [0.0, 0.0], [0.0, 10.0]].into_dyn()
    );
    let x = var(numbered(&[3, 2]));
    F::sum(F::get_item(&x, &[All, At(0)])).backward();
    assert_eq!(
        *x.grad().unwrap().data(),
        array![[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]].into_dyn()
    );
}

#[test]
fn get_item_derivatives_on_random_arrays() {
    use F::Index::{All, At, List, Range, RangeFrom};
    let mut rng = Rng::new(47);
    let cases: Vec<(&[usize], Vec<F::Index>)> = vec![
        (&[5], vec![At(3)]),
        (&[5], vec![Range(1..4)]),
        (&[5], vec![List(vec![4, 0, 4, 1])]),
        (&[4, 3], vec![At(2)]),
        (&[4, 3], vec![All, At(1)]),
        (&[4, 3], vec![RangeFrom(1), Range(0..2)]),
        (&[4, 3], vec![List(vec![3, 3, 0])]),
        (&[4, 3], vec![List(vec![1, 2]), List(vec![2, 2, 0])]),
        (&[2, 3, 4], vec![At(1), All, List(vec![0, 3, 3])]),
        (&[2, 3, 4], vec![List(vec![1, 0, 1]), At(2), Range(1..3)]),
    ];
    for (shape, index) in cases {
        let a = rng.array(shape, -1.0, 1.0);
        check_grad(&mut rng, "get_item", |x| F::get_item(x, &index), &a);
        // (x[index])²: the recorded GetItemGrad is differentiated (by GetItem) again
        check_second(
            &mut rng,
            "get_item²",
            |x| F::square(F::get_item(x, &index)),
            &a,
        );
    }
}

#[test]
fn get_item_third_derivative_goes_through_get_item_grad_again() {
    // y = sum(x[[0, 0]]³) = 2 x0³: y''' = 12 at x0, through GetItem -> GetItemGrad -> GetItem
    let x = var(array![0.7, 0.2].into_dyn());
    let opts = BackwardOptions {
        create_graph: true,
        ..Default::default()
    };
    F::sum(F::get_item(&x, &[vec![0, 0].into()]).pow(3.0)).backward_with(opts);
    let g1 = x.grad().unwrap();
    x.cleargrad();
    F::sum(&g1).backward_with(opts);
    let g2 = x.grad().unwrap();
    x.cleargrad();
    F::sum(&g2).backward();
    assert_eq!(g1.data()[0], 6.0 * 0.7 * 0.7);
    assert_eq!(g2.data()[0], 12.0 * 0.7);
    assert_eq!(*x.grad().unwrap().data(), array![12.0, 0.0].into_dyn());
}

#[test]
fn get_item_out_of_bounds_panics_name_axis_and_shape() {
    use F::Index::{All, At, List, Range, RangeFrom};
    let cases: Vec<(Vec<F::Index>, &str)> = vec![
        (vec![All, All, All], "get_item: 3 indices for shape [3, 2] (2 axes)"),
        (vec![At(3)], "get_item: index 3 is out of bounds for axis 0 of length 3 (shape [3, 2])"),
        (
            vec![All, Range(1..3)],
            "get_item: range 1..3 is out of bounds for axis 1 of length 2 (shape [3, 2])",
        ),
        (
            // a decreasing range (written as a struct: clippy rejects a literal `2..1`)
            vec![Range(std::ops::Range { start: 2, end: 1 })],
            "get_item: range 2..1 is out of bounds for axis 0 of length 3 (shape [3, 2])",
        ),
        (
            vec![RangeFrom(4)],
            "get_item: range 4.. is out of bounds for axis 0 of length 3 (shape [3, 2])",
        ),
        (
            vec![List(vec![0, 5])],
            "get_item: index 5 (position 1 of the list) is out of bounds for axis 0 of length 3 (shape [3, 2])",
        ),
    ];
    for (index, expected) in cases {
        let msg = panic_message(|| {
            F::get_item(var(ArrayD::zeros(vec![3, 2])), &index);
        });
        assert_eq!(msg, expected);
    }
}

// ---------------------------------------------------------------- the structs with apply

fn x23() -> Variable {
    var(numbered(&[2, 3]))
}

#[test]
fn function_structs_applied_directly_check_their_parameters() {
    use dezero_runtime::apply;
    let x = var(numbered(&[2, 3]));
    // unsorted axes are fine
    let y = apply(
        F::SumAxes {
            axes: vec![1, 0],
            keepdims: false,
        },
        &[&x],
    )
    .remove(0);
    assert_eq!(y.item(), 21.0);
    let f = F::Extreme {
        kind: F::Extremum::Max,
        axes: vec![1, 0],
        keepdims: true,
    };
    assert_eq!(*apply(f, &[&x])[0].data(), array![[6.0]].into_dyn());
    type Case = Box<dyn FnOnce() + std::panic::UnwindSafe>;
    let cases: Vec<(Case, &str)> = vec![
        (
            Box::new(|| drop(apply(F::Reshape(vec![4]), &[&x23()]))),
            "reshape: cannot reshape shape [2, 3] (6 elements) to [4] (4 elements)",
        ),
        (
            Box::new(|| drop(apply(F::Transpose(vec![1, 1]), &[&x23()]))),
            "transpose: axes [1, 1] are not a permutation of the 2 axes of shape [2, 3]",
        ),
        (
            Box::new(|| drop(apply(F::SumAxes { axes: vec![2], keepdims: false }, &[&x23()]))),
            "sum: axis 2 is out of range for shape [2, 3] (2 axes)",
        ),
        (
            Box::new(|| drop(apply(F::MatMul, &[&x23(), &x23()]))),
            "matmul: shapes [2, 3] and [2, 3] are not aligned: the last axis of the first has \
             length 3, the first axis of the second has length 2",
        ),
        (
            Box::new(|| drop(apply(F::Softmax(2), &[&x23()]))),
            "softmax: axis 2 is out of range for shape [2, 3] (2 axes)",
        ),
        (
            Box::new(|| drop(apply(F::Clip { lo: 1.0, hi: 0.0 }, &[&x23()]))),
            "clip: the bounds must satisfy lo <= hi, got lo = 1, hi = 0",
        ),
        (
            Box::new(|| drop(apply(F::SoftmaxCrossEntropy(vec![0, 3]), &[&x23()]))),
            "softmax_cross_entropy: label 3 (row 1) is out of range for 3 classes (x of shape [2, 3])",
        ),
    ];
    for (f, expected) in cases {
        assert_eq!(panic_message(f), expected);
    }
}
