//! `fused::elementwise`: one node computing what a composition of runtime ops computes.
//!
//! Hand-written scalar functions and pullbacks (sphere, matyas, Goldstein–Price with its
//! analytic gradient) against the same formulas composed from runtime ops, on 1, 1,000 and
//! 1,000,000 elements and with broadcasting; graph behaviour; central differences.
//!
//! Tolerance: 1e-12 relative, element by element, `|a - b| <= 1e-12 * max(|a|, |b|, M / 1000)`
//! with `M` the array's largest magnitude. The floor is needed because the hand-written
//! Goldstein–Price gradient is a different formula from the runtime's reverse sweep: where
//! terms of ~1e4 cancel to a gradient of ~0.5, either carries ~1e-12 absolute rounding noise
//! (measured on 10^6 points: worst 8e-11 relative to the element, 1.5e-15 relative to `M`).
//! sphere and matyas agree bit for bit. That the node itself adds no error is checked exactly:
//! its values and gradients equal the scalar closures applied element by element.

use dezero_runtime::fused::{elementwise, elementwise_parallel};
use dezero_runtime::{gradient_check, no_grad, BackwardOptions, Variable};
use ndarray::{array, ArrayD, IxDyn};

const RTOL: f64 = 1e-12;

// ---- the functions, as scalar closures and as runtime compositions ----

fn sphere(x: f64, y: f64) -> f64 {
    x * x + y * y
}
fn sphere_vjp(x: f64, y: f64, g: f64) -> [f64; 2] {
    [2.0 * x * g, 2.0 * y * g]
}
fn sphere_rt(x: &Variable, y: &Variable) -> Variable {
    x.pow(2.0) + y.pow(2.0)
}

fn matyas(x: f64, y: f64) -> f64 {
    0.26 * (x * x + y * y) - 0.48 * x * y
}
fn matyas_vjp(x: f64, y: f64, g: f64) -> [f64; 2] {
    [(0.52 * x - 0.48 * y) * g, (0.52 * y - 0.48 * x) * g]
}
fn matyas_rt(x: &Variable, y: &Variable) -> Variable {
    0.26 * (x.pow(2.0) + y.pow(2.0)) - 0.48 * x * y
}

/// The book's a, b, c, d of Goldstein–Price at (x, y): f = (1 + a² b) (30 + c² d).
fn goldstein_terms(x: f64, y: f64) -> [f64; 4] {
    [
        x + y + 1.0,
        19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y,
        2.0 * x - 3.0 * y,
        18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y,
    ]
}
/// f = A B with A = 1 + a² b, B = 30 + c² d (a, b, c, d from [`goldstein_terms`]).
fn goldstein(x: f64, y: f64) -> f64 {
    let [a, b, c, d] = goldstein_terms(x, y);
    (1.0 + a * a * b) * (30.0 + c * c * d)
}
/// The analytic gradient: ∂A/∂x = ∂A/∂y = 2ab + a²(−14 + 6x + 6y),
/// ∂B/∂x = 4cd + c²(−32 + 24x − 36y), ∂B/∂y = −6cd + c²(48 − 36x + 54y).
fn goldstein_vjp(x: f64, y: f64, g: f64) -> [f64; 2] {
    let [a, b, c, d] = goldstein_terms(x, y);
    let (big_a, big_b) = (1.0 + a * a * b, 30.0 + c * c * d);
    let da = 2.0 * a * b + a * a * (-14.0 + 6.0 * x + 6.0 * y);
    let dbx = 4.0 * c * d + c * c * (-32.0 + 24.0 * x - 36.0 * y);
    let dby = -6.0 * c * d + c * c * (48.0 - 36.0 * x + 54.0 * y);
    [
        (da * big_b + big_a * dbx) * g,
        (da * big_b + big_a * dby) * g,
    ]
}
fn goldstein_rt(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

type Scalar = fn(f64, f64) -> f64;
type Vjp = fn(f64, f64, f64) -> [f64; 2];
type Runtime = fn(&Variable, &Variable) -> Variable;

const CASES: [(&str, Scalar, Vjp, Runtime); 3] = [
    ("sphere", sphere, sphere_vjp, sphere_rt),
    ("matyas", matyas, matyas_vjp, matyas_rt),
    ("goldstein", goldstein, goldstein_vjp, goldstein_rt),
];

fn fused(name: &'static str, f: Scalar, vjp: Vjp, x: &Variable, y: &Variable) -> Variable {
    elementwise(
        name,
        [x, y],
        move |[x, y]| f(x, y),
        move |[x, y], g| vjp(x, y, g),
    )
}

// ---- helpers ----

/// Deterministic inputs in [-2, 2) (Goldstein–Price's usual domain), from a xorshift.
fn inputs(shape: &[usize], seed: u64) -> Variable {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let n = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
        })
        .collect();
    Variable::new(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

#[track_caller]
fn assert_close(what: &str, a: &ArrayD<f64>, b: &ArrayD<f64>) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let floor = b.iter().fold(0.0f64, |m, v| m.max(v.abs())) / 1000.0;
    for (i, (&a, &b)) in a.iter().zip(b.iter()).enumerate() {
        let tol = RTOL * a.abs().max(b.abs()).max(floor);
        assert!(
            (a - b).abs() <= tol,
            "{what}: element {i}: fused {a} vs runtime {b} (diff {:e})",
            (a - b).abs()
        );
    }
}

fn grad(v: &Variable) -> ArrayD<f64> {
    v.grad().expect("a gradient").data().clone()
}

/// Runs `case` fused and composed on fresh leaves of shapes `sx`, `sy`; compares the value and
/// both gradients.
fn check(case: (&'static str, Scalar, Vjp, Runtime), sx: &[usize], sy: &[usize]) {
    let (name, f, vjp, rt) = case;
    let (x, y) = (inputs(sx, 1), inputs(sy, 2));
    let z = fused(name, f, vjp, &x, &y);
    z.backward();
    let (x2, y2) = (
        Variable::new(x.data().clone()),
        Variable::new(y.data().clone()),
    );
    let z2 = rt(&x2, &y2);
    z2.backward();
    let what = format!("{name} on {sx:?} with {sy:?}");
    assert_close(&format!("{what}: value"), &z.data(), &z2.data());
    assert_close(&format!("{what}: gx"), &grad(&x), &grad(&x2));
    assert_close(&format!("{what}: gy"), &grad(&y), &grad(&y2));
}

// ---- values and gradients ----

#[test]
fn spec_values_at_one_one() {
    // The book's step 24 at (1, 1): sphere 2, (2, 2); matyas 0.04, (0.04, 0.04);
    // goldstein 1876, (-5376, 8064).
    let expected = [
        (2.0, 2.0, 2.0),
        (0.04, 0.04, 0.04),
        (1876.0, -5376.0, 8064.0),
    ];
    for ((name, f, vjp, _), (value, gx, gy)) in CASES.into_iter().zip(expected) {
        let (x, y) = (Variable::from(1.0), Variable::from(1.0));
        let z = fused(name, f, vjp, &x, &y);
        z.backward();
        assert!((z.item() - value).abs() < 1e-12, "{name}: {}", z.item());
        assert!((x.grad().unwrap().item() - gx).abs() < 1e-12, "{name}");
        assert!((y.grad().unwrap().item() - gy).abs() < 1e-12, "{name}");
    }
}

#[test]
fn equals_runtime_composition_on_1_and_1000_elements() {
    for case in CASES {
        check(case, &[1], &[1]);
        check(case, &[1000], &[1000]);
        check(case, &[20, 50], &[20, 50]);
    }
}

#[test]
fn equals_runtime_composition_on_a_million_elements() {
    for case in CASES {
        check(case, &[1_000_000], &[1_000_000]);
    }
}

#[test]
fn node_equals_the_scalar_closures_element_by_element_exactly() {
    for (name, f, vjp, _) in CASES {
        let (x, y) = (inputs(&[1000], 5), inputs(&[1000], 6));
        let z = fused(name, f, vjp, &x, &y);
        let gz = inputs(&[1000], 9); // an arbitrary upstream gradient
        z.set_grad(Some(gz.clone()));
        z.backward();
        let (xd, yd, gd) = (x.data(), y.data(), gz.data());
        for i in 0..1000 {
            let (a, b, g) = (xd[i], yd[i], gd[i]);
            assert_eq!(z.data()[i], f(a, b), "{name} value at {i}");
            let [gx, gy] = vjp(a, b, g);
            assert_eq!((grad(&x)[i], grad(&y)[i]), (gx, gy), "{name} grads at {i}");
        }
    }
}

/// Backward's seed: one number when the pass does not retain it (the loops read it as a
/// constant), ones of the output's shape when it does; the same gradient bits either way, and
/// the same as the scalar pullback seeded with 1, serial and parallel, broadcast inputs too.
#[test]
fn the_seed_is_ones_whether_retained_or_not() {
    for (name, f, vjp, _) in CASES {
        for (sx, sy) in [
            (&[1000][..], &[1000][..]),
            (&[70_001], &[1]),
            (&[3, 1], &[1, 4]),
        ] {
            let (x, y) = (inputs(sx, 5), inputs(sy, 6));
            let run = |retain_grad: bool, parallel: bool| {
                x.cleargrad();
                y.cleargrad();
                let z = if parallel {
                    elementwise_parallel(
                        name,
                        [&x, &y],
                        move |[x, y]| f(x, y),
                        move |[x, y], g| vjp(x, y, g),
                    )
                } else {
                    fused(name, f, vjp, &x, &y)
                };
                z.backward_with(BackwardOptions {
                    retain_grad,
                    ..Default::default()
                });
                let seed = z.grad().map(|g| g.data().clone());
                (grad(&x), grad(&y), seed, z.data().raw_dim())
            };
            let (gx, gy, seed, dim) = run(true, false);
            assert_eq!(seed, Some(ArrayD::ones(dim)), "{name}: the retained seed");
            for parallel in [false, true] {
                let (gx2, gy2, seed2, _) = run(false, parallel);
                assert_eq!(
                    (&gx2, &gy2),
                    (&gx, &gy),
                    "{name} {sx:?} {sy:?} parallel {parallel}"
                );
                assert!(seed2.is_none(), "{name}: a seed not retained is cleared");
            }
            if sx == sy {
                let (xd, yd) = (x.data(), y.data());
                for (i, (&a, &b)) in xd.iter().zip(yd.iter()).enumerate().step_by(97) {
                    let [ga, gb] = vjp(a, b, 1.0);
                    assert_eq!(
                        (gx.as_slice().unwrap()[i], gy.as_slice().unwrap()[i]),
                        (ga, gb)
                    );
                }
            }
        }
    }
}

#[test]
fn block_boundaries_with_a_constant_input() {
    // The flat loops work in blocks of 128 elements: sizes around multiples of it, with one
    // input an array and the other a 0-dim constant, against the closures element by element.
    for n in [1, 127, 128, 129, 255, 256, 300] {
        let x = inputs(&[n], 21);
        let c = Variable::from(0.75);
        let z = fused("goldstein", goldstein, goldstein_vjp, &x, &c);
        z.backward();
        let (gx, gc) = (grad(&x), grad(&c));
        let mut gc_sum = 0.0;
        for i in 0..n {
            let a = x.data()[i];
            assert_eq!(z.data()[i], goldstein(a, 0.75), "value at {i} of {n}");
            let [g0, g1] = goldstein_vjp(a, 0.75, 1.0);
            assert_eq!(gx[i], g0, "gx at {i} of {n}");
            gc_sum += g1;
        }
        // the constant's gradient is the sum over elements (summation order may differ)
        assert!(
            (gc.sum() - gc_sum).abs() <= 1e-12 * gc_sum.abs().max(1.0),
            "gc, n = {n}"
        );
    }
}

#[test]
fn broadcasting_equals_runtime_composition() {
    let shapes: [(&[usize], &[usize]); 10] = [
        (&[3, 1], &[1, 4]),    // both broadcast: (3, 4)
        (&[], &[5]),           // 0-dim with (5,)
        (&[5], &[]),           // (5,) with 0-dim
        (&[1], &[2, 3]),       // a size-1 array with a matrix
        (&[2, 3], &[3]),       // a row broadcast down a matrix
        (&[4, 1, 3], &[2, 1]), // leading axes and inner 1s
        (&[], &[]),            // two scalars
        // Larger than one 128-element block, rows not aligned to blocks:
        (&[37, 1], &[1, 300]),   // rows of 300 span blocks
        (&[300, 1], &[1, 7]),    // many short rows per block
        (&[2, 1, 129], &[3, 1]), // 3 dims, inner length 129
    ];
    for case in CASES {
        for (sx, sy) in shapes {
            check(case, sx, sy);
        }
    }
}

#[test]
fn scalar_constant_with_an_array() {
    // z = sphere(x, 3) over x = [1, 2]: z = x² + 9; dz/dx = 2x; the constant's grad = Σ 2·3 = 12
    let x = Variable::from(array![1.0, 2.0]);
    let c = Variable::from(3.0);
    let z = fused("sphere", sphere, sphere_vjp, &x, &c);
    z.backward();
    assert_eq!(*z.data(), array![10.0, 13.0].into_dyn());
    assert_eq!(grad(&x), array![2.0, 4.0].into_dyn());
    assert_eq!(grad(&c), ndarray::arr0(12.0).into_dyn());
}

#[test]
fn non_contiguous_inputs_are_read_through_views() {
    // A transposed (column-major) input is not a plain slice; it must give what its
    // row-major copy gives, element for element.
    let xt = Variable::new(inputs(&[30, 41], 7).data().clone().reversed_axes()); // (41, 30)
    assert!(xt.data().as_slice().is_none());
    let xc = Variable::new(xt.data().as_standard_layout().into_owned());
    let y = inputs(&[41, 30], 8);
    let zt = fused("goldstein", goldstein, goldstein_vjp, &xt, &y);
    let zc = fused("goldstein", goldstein, goldstein_vjp, &xc, &y);
    assert_eq!(*zt.data(), *zc.data());
    zt.backward();
    let gy_t = grad(&y);
    y.cleargrad();
    zc.backward();
    assert_eq!(grad(&xt), grad(&xc));
    assert_eq!(gy_t, grad(&y));
    // and a transposed input with a broadcast row: (41, 30) with (1, 30)
    let row = inputs(&[1, 30], 9);
    xt.cleargrad();
    let (a, b) = (
        Variable::new(xt.data().to_owned()),
        Variable::new(row.data().to_owned()),
    );
    let z = fused("goldstein", goldstein, goldstein_vjp, &xt, &row);
    z.backward();
    let z2 = goldstein_rt(&a, &b);
    z2.backward();
    assert_close("value", &z.data(), &z2.data());
    assert_close("gx", &grad(&xt), &grad(&a));
    assert_close("g of the row", &grad(&row), &grad(&b));
}

#[test]
fn one_and_three_inputs() {
    // y = x³, dy/dx = 3x² at x = [1, 2]
    let x = Variable::from(array![1.0, 2.0]);
    let y = elementwise("cube", [&x], |[x]| x * x * x, |[x], g| [3.0 * x * x * g]);
    y.backward();
    assert_eq!(*y.data(), array![1.0, 8.0].into_dyn());
    assert_eq!(grad(&x), array![3.0, 12.0].into_dyn());

    // w = a b c at (2, 3, [1, 4]): dw/da = Σ b c = 15, dw/db = Σ a c = 10, dw/dc = a b = 6
    let (a, b, c) = (
        Variable::from(2.0),
        Variable::from(3.0),
        Variable::from(array![1.0, 4.0]),
    );
    let w = elementwise(
        "prod3",
        [&a, &b, &c],
        |[a, b, c]| a * b * c,
        |[a, b, c], g| [b * c * g, a * c * g, a * b * g],
    );
    w.backward();
    assert_eq!(*w.data(), array![6.0, 24.0].into_dyn());
    assert_eq!(grad(&a).sum(), 15.0);
    assert_eq!(grad(&b).sum(), 10.0);
    assert_eq!(grad(&c), array![6.0, 6.0].into_dyn());
}

#[test]
fn the_same_variable_twice_accumulates() {
    // sphere(x, x) = 2x², d/dx = 4x = 12 at x = 3
    let x = Variable::from(3.0);
    let z = fused("sphere", sphere, sphere_vjp, &x, &x);
    z.backward();
    assert_eq!((z.item(), x.grad().unwrap().item()), (18.0, 12.0));
}

#[test]
fn upstream_gradient_reaches_the_pullback() {
    // s = sum(3 · goldstein(x, y)): gy of the node is 3 everywhere
    let (x, y) = (inputs(&[10], 3), inputs(&[10], 4));
    let s = dezero_runtime::functions::sum(
        &(3.0 * fused("goldstein", goldstein, goldstein_vjp, &x, &y)),
    );
    s.backward();
    let (x2, y2) = (
        Variable::new(x.data().clone()),
        Variable::new(y.data().clone()),
    );
    dezero_runtime::functions::sum(&(3.0 * goldstein_rt(&x2, &y2))).backward();
    assert_close("gx", &grad(&x), &grad(&x2));
    assert_close("gy", &grad(&y), &grad(&y2));
}

#[test]
fn empty_arrays() {
    let (x, y) = (
        Variable::from(ArrayD::zeros(IxDyn(&[0]))),
        Variable::from(1.0),
    );
    let z = fused("sphere", sphere, sphere_vjp, &x, &y);
    z.backward();
    assert_eq!(z.shape(), vec![0]);
    assert_eq!(grad(&x).shape(), &[0]);
    assert_eq!(grad(&y), ndarray::arr0(0.0).into_dyn());
}

#[test]
fn parallel_loops_give_the_same_bits() {
    // Sizes around the 65,536-element threshold and with a ragged last chunk; a constant input
    // and a non-contiguous one (which falls back to one thread).
    for n in [65_535, 65_536, 100_003] {
        let (x, y) = (inputs(&[n], 11), inputs(&[n], 12));
        let c = Variable::from(0.25);
        for other in [&y, &c] {
            let z1 = fused("goldstein", goldstein, goldstein_vjp, &x, other);
            let z2 = elementwise_parallel(
                "goldstein",
                [&x, other],
                |[x, y]| goldstein(x, y),
                |[x, y], g| goldstein_vjp(x, y, g),
            );
            assert_eq!(z2.creator().unwrap().name(), "goldstein");
            assert_eq!(*z1.data(), *z2.data(), "value, n = {n}");
            z1.backward();
            let (gx1, go1) = (grad(&x), grad(other));
            x.cleargrad();
            other.cleargrad();
            z2.backward();
            assert_eq!(gx1, grad(&x), "gx, n = {n}");
            assert_eq!(go1, grad(other), "g of the other input, n = {n}");
            x.cleargrad();
            other.cleargrad();
        }
    }
    let xt = Variable::new(inputs(&[400, 300], 13).data().clone().reversed_axes());
    let y = inputs(&[300, 400], 14);
    let z1 = fused("goldstein", goldstein, goldstein_vjp, &xt, &y);
    let z2 = elementwise_parallel(
        "goldstein",
        [&xt, &y],
        |[x, y]| goldstein(x, y),
        |[x, y], g| goldstein_vjp(x, y, g),
    );
    assert_eq!(*z1.data(), *z2.data());
}

// ---- central differences ----

#[test]
fn gradients_match_central_differences() {
    for (name, f, vjp, _) in CASES {
        let x = Variable::from(array![[0.3, -1.2, 0.7], [1.5, -0.4, 0.05]]);
        let y = Variable::from(array![-0.6, 0.9, 1.1]);
        gradient_check(|x| fused(name, f, vjp, x, &y), &x)
            .unwrap_or_else(|e| panic!("{name} gx: {e}"));
        gradient_check(|y| fused(name, f, vjp, &x, y), &y)
            .unwrap_or_else(|e| panic!("{name} gy: {e}"));
    }
}

// ---- graph behaviour ----

#[test]
fn node_name_generation_and_inputs() {
    let x = Variable::from(1.0);
    let y = &x * 2.0; // generation 1
    let z = fused("goldstein", goldstein, goldstein_vjp, &x, &y);
    let node = z.creator().unwrap();
    assert_eq!(node.name(), "goldstein");
    assert_eq!(node.function().name(), "goldstein");
    assert_eq!(node.generation(), 1);
    assert_eq!(z.generation(), 2);
    assert!(node.inputs()[0].ptr_eq(&x) && node.inputs()[1].ptr_eq(&y));
    assert!(node.outputs()[0].as_ref().unwrap().ptr_eq(&z));
}

#[test]
fn no_grad_records_no_graph() {
    let x = Variable::from(array![1.0, 2.0]);
    let z = {
        let _guard = no_grad();
        fused("sphere", sphere, sphere_vjp, &x, &x)
    };
    assert!(z.creator().is_none());
    assert_eq!(z.generation(), 0);
    assert_eq!(*z.data(), array![2.0, 8.0].into_dyn());
}

#[test]
fn output_is_held_weakly_and_the_graph_frees_with_it() {
    let x = Variable::from(2.0);
    let a = &x * 1.0;
    let node = fused("sphere", sphere, sphere_vjp, &a, &x)
        .creator()
        .unwrap();
    // the output was a temporary: the node does not keep it alive
    assert!(node.outputs()[0].is_none());
    let weak_a = a.downgrade();
    drop(a);
    assert!(weak_a.is_alive(), "the node holds its inputs");
    drop(node);
    assert!(
        !weak_a.is_alive(),
        "dropping the last handle frees the graph"
    );
}

#[test]
fn retain_grad_keeps_the_fused_output_grad() {
    // s = sum(z), z = sphere(x, 1): z's grad is ones
    let x = Variable::from(array![1.0, 2.0]);
    let one = Variable::from(1.0);
    let z = fused("sphere", sphere, sphere_vjp, &x, &one);
    let s = dezero_runtime::functions::sum(&z);
    s.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    assert_eq!(grad(&z), array![1.0, 1.0].into_dyn());
    assert_eq!(grad(&x), array![2.0, 4.0].into_dyn());

    // without retain_grad the intermediate grad is freed
    x.cleargrad();
    z.cleargrad();
    s.backward();
    assert!(z.grad().is_none());
}

// ---- misuse ----

#[test]
#[should_panic(expected = "goldstein: shapes [3] and [4] do not broadcast together")]
fn mismatched_shapes_panic_naming_the_op_and_the_shapes() {
    let (x, y) = (inputs(&[3], 1), inputs(&[4], 2));
    fused("goldstein", goldstein, goldstein_vjp, &x, &y);
}

#[test]
#[should_panic(expected = "fused node `sphere`: higher-order derivatives")]
fn create_graph_through_a_fused_node_panics() {
    let x = Variable::from(3.0);
    let z = fused("sphere", sphere, sphere_vjp, &x, &x);
    z.backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
}

// ---- buffer cache (each test starts from an empty cache: tests may share a thread) ----

use dezero_runtime::fused::{cached_buffer_bytes, clear_buffer_cache};

/// Elements per array in the cache tests: above the cache's 65,536-element floor.
const BIG: usize = 100_000;

/// One forward + backward of Goldstein–Price: the value and both gradients, then the graph
/// and the gradients are dropped (their buffers go to the cache).
fn goldstein_run(x: &Variable, y: &Variable, parallel: bool) -> [ArrayD<f64>; 3] {
    let z = if parallel {
        elementwise_parallel(
            "goldstein",
            [x, y],
            |[x, y]| goldstein(x, y),
            |[x, y], g| goldstein_vjp(x, y, g),
        )
    } else {
        fused("goldstein", goldstein, goldstein_vjp, x, y)
    };
    z.backward();
    let out = [z.data().clone(), grad(x), grad(y)];
    x.cleargrad();
    y.cleargrad();
    out
}

fn bits(a: &[ArrayD<f64>; 3]) -> Vec<u64> {
    a.iter()
        .flat_map(|a| a.iter().map(|v| v.to_bits()))
        .collect()
}

#[test]
fn warm_and_cold_cache_give_the_same_bits() {
    for parallel in [false, true] {
        let (x, y) = (inputs(&[BIG], 1), inputs(&[BIG], 2));
        clear_buffer_cache();
        let cold = goldstein_run(&x, &y, parallel);
        // fill the cache with other values (other inputs), then run again on the first ones
        let (u, v) = (inputs(&[BIG], 3), inputs(&[BIG], 4));
        let other = goldstein_run(&u, &v, parallel);
        assert_ne!(bits(&other), bits(&cold));
        // the seed is one number, not a buffer (`the_seed_is_ones_whether_retained_or_not`)
        assert_eq!(cached_buffer_bytes(), 3 * BIG * 8, "output, gx, gy");
        let warm = goldstein_run(&x, &y, parallel);
        assert_eq!(bits(&warm), bits(&cold), "parallel: {parallel}");
    }
    clear_buffer_cache();
}

#[test]
fn broadcast_gradients_are_the_same_with_a_warm_cache() {
    // y is a row broadcast along x's rows: gy is summed to y's shape; its full-size buffer goes
    // to the cache, and the next run's buffers hold stale values.
    let (x, y) = (inputs(&[400, 250], 5), inputs(&[250], 6));
    clear_buffer_cache();
    let cold = goldstein_run(&x, &y, false);
    let warm = goldstein_run(&x, &y, false);
    assert_eq!(bits(&warm), bits(&cold));
    assert_eq!(cold[2].shape(), &[250]);
    clear_buffer_cache();
}

#[test]
fn a_dropped_output_buffer_is_reused_by_the_next_node() {
    clear_buffer_cache();
    let x = inputs(&[BIG], 7);
    let square = |x: &Variable| elementwise("square", [x], |[x]| x * x, |[x], g| [2.0 * x * g]);
    let y1 = square(&x);
    let first = y1.data().as_ptr();
    drop(y1);
    assert_eq!(cached_buffer_bytes(), BIG * 8);
    let y2 = square(&x);
    assert_eq!(y2.data().as_ptr(), first, "the same buffer");
    assert_eq!(cached_buffer_bytes(), 0, "taken out of the cache");
    let expected = x.data().mapv(|v| v * v);
    assert_eq!(*y2.data(), expected);
    clear_buffer_cache();
}

#[test]
fn the_cache_stays_within_its_bound_over_100_iterations_of_several_sizes() {
    clear_buffer_cache();
    // up to 3 × 10^6 elements (24 MB each): four of those would exceed the 64 MiB bound
    let sizes = [70_000, 100_000, 250_000, 1_000_000, 3_000_000];
    let inputs: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(k, &n)| (inputs(&[n], 10 + k as u64), inputs(&[n], 20 + k as u64)))
        .collect();
    let mut most = 0;
    for i in 0..100 {
        let (x, y) = &inputs[(i * 7) % sizes.len()];
        let z = fused("sphere", sphere, sphere_vjp, x, y);
        z.backward();
        x.cleargrad();
        y.cleargrad();
        drop(z);
        most = most.max(cached_buffer_bytes());
        assert!(cached_buffer_bytes() <= 64 << 20, "iteration {i}");
    }
    assert!(
        most >= 4 * 3_000_000 * 8 / 2,
        "the cache was used: at most {most} bytes"
    );
    clear_buffer_cache();
    assert_eq!(cached_buffer_bytes(), 0);
}

#[test]
fn arrays_of_ordinary_ops_and_small_arrays_are_never_cached() {
    clear_buffer_cache();
    let (x, y) = (inputs(&[BIG], 8), inputs(&[BIG], 9));
    let z = goldstein_rt(&x, &y);
    z.backward();
    x.cleargrad();
    y.cleargrad();
    drop(z);
    assert_eq!(cached_buffer_bytes(), 0, "runtime ops");

    let (x, y) = (inputs(&[65_535], 8), inputs(&[65_535], 9));
    let z = fused("sphere", sphere, sphere_vjp, &x, &y);
    z.backward();
    x.cleargrad();
    y.cleargrad();
    drop(z);
    assert_eq!(cached_buffer_bytes(), 0, "under 65,536 elements");

    // a user's array given to a leaf is never taken, even when the leaf is fused-node input
    let x = inputs(&[BIG], 8);
    let z = fused("sphere", sphere, sphere_vjp, &x, &x);
    drop(z);
    let output_only = cached_buffer_bytes();
    drop(x);
    assert_eq!(cached_buffer_bytes(), output_only);
    assert_eq!(output_only, BIG * 8);
    clear_buffer_cache();
}

#[test]
fn clear_buffer_cache_empties_it() {
    clear_buffer_cache();
    let (x, y) = (inputs(&[BIG], 1), inputs(&[BIG], 2));
    goldstein_run(&x, &y, false);
    assert_eq!(cached_buffer_bytes(), 3 * BIG * 8, "output, gx, gy");
    clear_buffer_cache();
    assert_eq!(cached_buffer_bytes(), 0);
}

#[test]
fn an_output_kept_alive_is_never_reused() {
    clear_buffer_cache();
    let (x, y) = (inputs(&[BIG], 1), inputs(&[BIG], 2));
    let kept = fused("matyas", matyas, matyas_vjp, &x, &y);
    kept.backward();
    let kept_grad = x.grad().unwrap();
    let (value, gx) = (kept.data().clone(), kept_grad.data().clone());
    x.cleargrad(); // the variable is dropped by x, but `kept_grad` still holds it
    let mut seen = Vec::new();
    for k in 0..5 {
        let (u, v) = (inputs(&[BIG], 30 + k), inputs(&[BIG], 40 + k));
        let z = fused("goldstein", goldstein, goldstein_vjp, &u, &v);
        z.backward();
        seen.push(z.data().as_ptr());
        seen.push(u.grad().unwrap().data().as_ptr());
        seen.push(v.grad().unwrap().data().as_ptr());
    }
    assert!(!seen.contains(&kept.data().as_ptr()));
    assert!(!seen.contains(&kept_grad.data().as_ptr()));
    assert_eq!(*kept.data(), value);
    assert_eq!(*kept_grad.data(), gx);
    clear_buffer_cache();
}
