//! `<fn>_op` (a `#[differentiable]` function as ONE fused runtime node) against the runtime
//! composition of the same formula, for every function of SPEC.md (sphere, matyas,
//! Goldstein–Price, the square/exp chain, sigmoid∘tanh) and the macro's test functions
//! (rosenbrock, Taylor sin with `n`, a piecewise function with branches, a function with an
//! early return, a composition of annotated functions).
//!
//! Sizes 1, 1,000 and 1,000,000 elements (10^6 for Goldstein–Price and the piecewise function
//! by default, for every function with `--ignored`), and broadcasting: (3, 1) with (1, 4), 0-dim with
//! (5,), a scalar constant with an array. Branches in the runtime twin are masks: the branch
//! taken is chosen per element (`mask * branch`, the others multiplied by 0), which is what
//! the compiled function does element by element.
//!
//! Tolerance: 1e-12 relative, element by element, `|a - b| <= 1e-12 * max(|a|, |b|, M / 1000)`
//! with `M` the array's largest magnitude: where large terms cancel (Goldstein–Price), a ~0
//! gradient carries rounding noise that depends on the order of operations.
use dezero::functions::{exp, sigmoid, sin, square, tanh};
use dezero::{differentiable, Variable};
use ndarray::{ArrayD, IxDyn};

// ---- SPEC.md ----

#[differentiable]
fn sphere(x: f64, y: f64) -> f64 {
    x * x + y * y
}

fn sphere_rt(x: &Variable, y: &Variable) -> Variable {
    square(x) + square(y)
}

#[differentiable]
fn matyas(x: f64, y: f64) -> f64 {
    0.26 * (x * x + y * y) - 0.48 * x * y
}

fn matyas_rt(x: &Variable, y: &Variable) -> Variable {
    0.26 * (square(x) + square(y)) - 0.48 * x * y
}

#[differentiable]
fn goldstein(x: f64, y: f64) -> f64 {
    let a = 1.0
        + (x + y + 1.0).powi(2)
            * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2));
    let b = 30.0
        + (2.0 * x - 3.0 * y).powi(2)
            * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y + 27.0 * y.powi(2));
    a * b
}

fn goldstein_rt(x: &Variable, y: &Variable) -> Variable {
    let a = 1.0
        + (x + y + 1.0).pow(2.0)
            * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0));
    let b = 30.0
        + (2.0 * x - 3.0 * y).pow(2.0)
            * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y + 27.0 * y.pow(2.0));
    a * b
}

/// Steps 2–6: square(exp(square(x))).
#[differentiable]
fn square_exp_square(x: f64) -> f64 {
    x.powi(2).exp().powi(2)
}

fn square_exp_square_rt(x: &Variable) -> Variable {
    square(&exp(&square(x)))
}

#[differentiable]
fn sigmoid_tanh(x: f64) -> f64 {
    dezero::math::sigmoid(x.tanh())
}

fn sigmoid_tanh_rt(x: &Variable) -> Variable {
    sigmoid(&tanh(x))
}

// ---- the macro's test functions ----

#[differentiable]
fn rosenbrock(x: f64, y: f64) -> f64 {
    100.0 * (y - x * x).powi(2) + (1.0 - x).powi(2)
}

fn rosenbrock_rt(x: &Variable, y: &Variable) -> Variable {
    100.0 * (y - x * x).pow(2.0) + (1.0 - x).pow(2.0)
}

/// sin x by its Taylor series with `n` terms (a loop; `n` is a plain value of `_op`).
#[differentiable]
fn taylor_sin(x: f64, n: usize) -> f64 {
    let mut y = 0.0;
    let mut term = x;
    for i in 0..n {
        y += term;
        let k = 2.0 * (i as f64) + 2.0;
        term = -term * x * x / (k * (k + 1.0));
    }
    y
}

fn taylor_sin_rt(x: &Variable, n: usize) -> Variable {
    let mut y = 0.0 * x;
    let mut term = x.clone();
    for i in 0..n {
        y = &y + &term;
        let k = 2.0 * (i as f64) + 2.0;
        term = -&term * x * x / (k * (k + 1.0));
    }
    y
}

#[differentiable]
fn piecewise(x: f64) -> f64 {
    if x < 0.0 {
        x * x
    } else if x < 1.0 {
        x.sin()
    } else {
        let s = 1.0_f64.sin();
        s + (x - 1.0) * 2.0
    }
}

/// An element-wise 0/1 mask of `cond` over `x`'s data: a constant of the graph.
fn mask(x: &Variable, cond: impl Fn(f64) -> bool) -> Variable {
    Variable::new(x.data().mapv(|v| if cond(v) { 1.0 } else { 0.0 }))
}

fn piecewise_rt(x: &Variable) -> Variable {
    let (m0, m1) = (mask(x, |v| v < 0.0), mask(x, |v| (0.0..1.0).contains(&v)));
    let m2 = mask(x, |v| v >= 1.0);
    m0 * (x * x) + m1 * sin(x) + m2 * (1.0_f64.sin() + (x - 1.0) * 2.0)
}

/// Branches with early returns on a comparison of two inputs.
#[differentiable]
fn clamp_soft(x: f64, y: f64) -> f64 {
    if x > y {
        return x * y;
    }
    let d = y - x;
    if d > 2.0 {
        return 2.0 * x;
    }
    x + d * d
}

fn clamp_soft_rt(x: &Variable, y: &Variable) -> Variable {
    // the branch per element, from the broadcast values of x and y
    let (xd, yd) = (x.data().clone(), y.data().clone());
    let shape = dezero::functions::add(x, y).shape();
    let (xb, yb) = (
        xd.broadcast(IxDyn(&shape)).unwrap().to_owned(),
        yd.broadcast(IxDyn(&shape)).unwrap().to_owned(),
    );
    let pick = |f: &dyn Fn(f64, f64) -> bool| {
        let mut m = xb.clone();
        ndarray::Zip::from(&mut m)
            .and(&xb)
            .and(&yb)
            .for_each(|m, &a, &b| *m = if f(a, b) { 1.0 } else { 0.0 });
        Variable::new(m)
    };
    let m0 = pick(&|a, b| a > b);
    let m1 = pick(&|a, b| a <= b && b - a > 2.0);
    let m2 = pick(&|a, b| a <= b && b - a <= 2.0);
    let d = y - x;
    m0 * (x * y) + m1 * (2.0 * x) + m2 * (x + &d * &d)
}

#[differentiable]
fn inner(x: f64, y: f64) -> f64 {
    x * y.exp()
}

/// A composition of annotated functions.
#[differentiable]
fn outer(x: f64, y: f64) -> f64 {
    let a = inner(x, y);
    let b = inner(y, x);
    a * b + inner(a, 0.5)
}

fn outer_rt(x: &Variable, y: &Variable) -> Variable {
    let a = x * exp(y);
    let b = y * exp(x);
    &a * &b + &a * 0.5_f64.exp()
}

// ---- the cases ----

type Op = Box<dyn Fn(&[&Variable]) -> Variable>;

/// A function as a fused node and as a runtime composition, with inputs drawn from [lo, hi).
struct Case {
    name: &'static str,
    arity: usize,
    fused: Op,
    runtime: Op,
    domain: (f64, f64),
}

fn cases() -> Vec<Case> {
    fn two(f: fn(&Variable, &Variable) -> Variable) -> Op {
        Box::new(move |v| f(v[0], v[1]))
    }
    fn one(f: fn(&Variable) -> Variable) -> Op {
        Box::new(move |v| f(v[0]))
    }
    let case = |name, arity, fused, runtime, domain| Case {
        name,
        arity,
        fused,
        runtime,
        domain,
    };
    vec![
        case("sphere", 2, two(sphere_op), two(sphere_rt), (-2.0, 2.0)),
        case("matyas", 2, two(matyas_op), two(matyas_rt), (-2.0, 2.0)),
        case(
            "goldstein",
            2,
            two(goldstein_op),
            two(goldstein_rt),
            (-2.0, 2.0),
        ),
        case(
            "square_exp_square",
            1,
            one(square_exp_square_op),
            one(square_exp_square_rt),
            (-1.0, 1.0),
        ),
        case(
            "sigmoid_tanh",
            1,
            one(sigmoid_tanh_op),
            one(sigmoid_tanh_rt),
            (-3.0, 3.0),
        ),
        case(
            "rosenbrock",
            2,
            two(rosenbrock_op),
            two(rosenbrock_rt),
            (-2.0, 2.0),
        ),
        case(
            "taylor_sin",
            1,
            Box::new(|v| taylor_sin_op(v[0], 20)),
            Box::new(|v| taylor_sin_rt(v[0], 20)),
            (-3.0, 3.0),
        ),
        case(
            "piecewise",
            1,
            one(piecewise_op),
            one(piecewise_rt),
            (-1.0, 2.0),
        ),
        case(
            "clamp_soft",
            2,
            two(clamp_soft_op),
            two(clamp_soft_rt),
            (-3.0, 3.0),
        ),
        case("outer", 2, two(outer_op), two(outer_rt), (-1.0, 1.0)),
    ]
}

// ---- helpers ----

/// Deterministic inputs in [lo, hi), from a xorshift.
fn inputs(shape: &[usize], (lo, hi): (f64, f64), seed: u64) -> Variable {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let n = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lo + (s >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
        })
        .collect();
    Variable::new(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

#[track_caller]
fn assert_close(what: &str, a: &ArrayD<f64>, b: &ArrayD<f64>) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let floor = b.iter().fold(0.0f64, |m, v| m.max(v.abs())) / 1000.0;
    for (i, (&a, &b)) in a.iter().zip(b.iter()).enumerate() {
        let tol = 1e-12 * a.abs().max(b.abs()).max(floor);
        assert!(
            (a - b).abs() <= tol,
            "{what}: element {i}: fused {a} vs runtime {b} (diff {:e})",
            (a - b).abs()
        );
    }
}

/// Runs the fused node and the runtime twin on fresh leaves of the given shapes; compares the
/// value and every gradient.
fn check(name: &str, fused: &Op, runtime: &Op, shapes: &[&[usize]], domain: (f64, f64)) {
    let leaves = |_: ()| -> Vec<Variable> {
        shapes
            .iter()
            .enumerate()
            .map(|(k, s)| inputs(s, domain, k as u64 + 1))
            .collect()
    };
    let (a, b) = (leaves(()), leaves(()));
    let za = fused(&a.iter().collect::<Vec<_>>());
    let zb = runtime(&b.iter().collect::<Vec<_>>());
    assert_eq!(
        za.creator().unwrap().name(),
        name,
        "the node is named after the function"
    );
    let what = format!("{name} on {shapes:?}");
    assert_close(&format!("{what}: value"), &za.data(), &zb.data());
    za.backward();
    zb.backward();
    for (k, (a, b)) in a.iter().zip(&b).enumerate() {
        let (ga, gb) = (a.grad().unwrap(), b.grad().unwrap());
        assert_close(&format!("{what}: gradient {k}"), &ga.data(), &gb.data());
    }
}

// ---- the tests ----

#[test]
fn every_function_on_1_and_1000_elements() {
    for Case {
        name,
        arity,
        fused,
        runtime,
        domain,
    } in cases()
    {
        for n in [1, 1000] {
            let shape: &[usize] = &[n];
            check(name, &fused, &runtime, &vec![shape; arity], domain);
        }
    }
}

#[test]
fn goldstein_and_piecewise_on_a_million_elements() {
    // Two functions by default, to keep the debug-build test time to seconds on CI's 2 cores;
    // every function: `cargo test --test fused -- --ignored` (~40 s in debug).
    for Case {
        name,
        arity,
        fused,
        runtime,
        domain,
    } in cases()
    {
        if name == "goldstein" || name == "piecewise" {
            let shape: &[usize] = &[1_000_000];
            check(name, &fused, &runtime, &vec![shape; arity], domain);
        }
    }
}

#[test]
#[ignore = "~40 s in a debug build; run with --ignored"]
fn every_function_on_a_million_elements() {
    for Case {
        name,
        arity,
        fused,
        runtime,
        domain,
    } in cases()
    {
        let shape: &[usize] = &[1_000_000];
        check(name, &fused, &runtime, &vec![shape; arity], domain);
    }
}

#[test]
fn two_input_functions_broadcast_like_the_runtime() {
    let pairs: [[&[usize]; 2]; 5] = [
        [&[3, 1], &[1, 4]], // both broadcast: (3, 4)
        [&[], &[5]],        // 0-dim with (5,)
        [&[5], &[]],        // (5,) with 0-dim
        [&[1], &[2, 3]],    // a size-1 array with a matrix
        [&[4, 1, 3], &[2, 1]],
    ];
    for Case {
        name,
        arity,
        fused,
        runtime,
        domain,
    } in cases()
    {
        if arity == 2 {
            for shapes in pairs {
                check(name, &fused, &runtime, &shapes, domain);
            }
        }
    }
}

#[test]
fn one_input_functions_keep_any_shape() {
    for Case {
        name,
        arity,
        fused,
        runtime,
        domain,
    } in cases()
    {
        if arity == 1 {
            for shape in [&[][..], &[3, 1][..], &[2, 3, 4][..]] {
                check(name, &fused, &runtime, &[shape], domain);
            }
        }
    }
}

#[test]
fn a_scalar_constant_with_an_array() {
    // goldstein_op(x, 1.0) over x: the constant broadcasts; its gradient is the sum
    let x = inputs(&[1000], (-2.0, 2.0), 5);
    let c = Variable::from(1.0);
    let z = goldstein_op(&x, &c);
    z.backward();
    let (x2, c2) = (Variable::new(x.data().clone()), Variable::from(1.0));
    let z2 = goldstein_rt(&x2, &c2);
    z2.backward();
    assert_close("value", &z.data(), &z2.data());
    assert_close("gx", &x.grad().unwrap().data(), &x2.grad().unwrap().data());
    assert_close("gc", &c.grad().unwrap().data(), &c2.grad().unwrap().data());
    assert_eq!(c.grad().unwrap().shape(), Vec::<usize>::new());
}
