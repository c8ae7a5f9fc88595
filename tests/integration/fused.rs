//! `<fn>_op` (a `#[differentiable]` function as ONE fused runtime node) against the runtime
//! composition of the same formula, for every function of SPEC.md (sphere, matyas,
//! Goldstein–Price, the square/exp chain, sigmoid∘tanh) and the macro's test functions
//! (rosenbrock, Taylor sin with `n`, a piecewise function with branches, a function with an
//! early return, a composition of annotated functions).
//!
//! Sizes 1, 1,000 and 1,000,000 elements, and broadcasting: (3, 1) with (1, 4), 0-dim with
//! (5,), a scalar constant with an array. Branches in the runtime twin are masks: the branch
//! taken is chosen per element (`mask * branch`, the others multiplied by 0), which is what
//! the compiled function does element by element.
//!
//! Tolerance: 1e-12 relative, element by element, `|a - b| <= 1e-12 * max(|a|, |b|, M / 1000)`
//! with `M` the array's largest magnitude: where large terms cancel (Goldstein–Price), a ~0
//! gradient carries rounding noise that depends on the order of operations.
use dezero::Variable;
use ndarray::{ArrayD, IxDyn};

use crate::grad_common::functions::*;

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

impl Case {
    /// Runs the fused node and the runtime twin on fresh leaves of the given shapes; compares
    /// the value and every gradient.
    fn check(&self, shapes: &[&[usize]]) {
        let leaves = |_: ()| -> Vec<Variable> {
            shapes
                .iter()
                .enumerate()
                .map(|(k, s)| inputs(s, self.domain, k as u64 + 1))
                .collect()
        };
        let (a, b) = (leaves(()), leaves(()));
        let za = (self.fused)(&a.iter().collect::<Vec<_>>());
        let zb = (self.runtime)(&b.iter().collect::<Vec<_>>());
        let name = self.name;
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

    /// [`Case::check`] with every input of the one shape `shape`.
    fn check_all_inputs(&self, shape: &[usize]) {
        self.check(&vec![shape; self.arity]);
    }
}

// ---- the tests ----

#[test]
fn every_function_on_1_and_1000_elements() {
    for case in cases() {
        for n in [1, 1000] {
            case.check_all_inputs(&[n]);
        }
    }
}

/// Every function on 1,000,000 elements, one test each so the test harness runs them in
/// parallel (about 3 s each in a debug build).
macro_rules! on_a_million_elements {
    ($($test:ident: $name:literal,)*) => {$(
        #[test]
        fn $test() {
            let case = cases().into_iter().find(|c| c.name == $name).expect($name);
            case.check_all_inputs(&[1_000_000]);
        }
    )*};
}

on_a_million_elements! {
    sphere_on_a_million_elements: "sphere",
    matyas_on_a_million_elements: "matyas",
    goldstein_on_a_million_elements: "goldstein",
    square_exp_square_on_a_million_elements: "square_exp_square",
    sigmoid_tanh_on_a_million_elements: "sigmoid_tanh",
    rosenbrock_on_a_million_elements: "rosenbrock",
    taylor_sin_on_a_million_elements: "taylor_sin",
    piecewise_on_a_million_elements: "piecewise",
    clamp_soft_on_a_million_elements: "clamp_soft",
    outer_on_a_million_elements: "outer",
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
    for case in cases().into_iter().filter(|c| c.arity == 2) {
        for shapes in pairs {
            case.check(&shapes);
        }
    }
}

#[test]
fn one_input_functions_keep_any_shape() {
    for case in cases().into_iter().filter(|c| c.arity == 1) {
        for shape in [&[][..], &[3, 1][..], &[2, 3, 4][..]] {
            case.check(&[shape]);
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
