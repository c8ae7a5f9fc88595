//! `set_vector_math`: `sin`, `cos`, `exp`, `tanh` and `sigmoid` from vectorized polynomials are within
//! the documented ulp of `std` on every range (a million inputs each), `std`'s own values where `std` is exact (NaN, infinities,
//! overflow, zeros' signs), the same bits for every array layout, size and thread count, and
//! their gradients pass central differences, first and second order.

use dezero_runtime::functions::{
    cos, exp, log_softmax, sigmoid, sin, softmax, softmax_cross_entropy, tanh,
};
use dezero_runtime::{set_num_threads, set_vector_math, vector_math, Variable};
use ndarray::{Array1, ArrayD};

use crate::support::{check_grad, check_second, Rng};

/// Runs `body` with vector math on, and turns it off again even if `body` panics.
fn with_vector_math<T>(body: impl FnOnce() -> T) -> T {
    struct Off;
    impl Drop for Off {
        fn drop(&mut self) {
            set_vector_math(false);
        }
    }
    let _off = Off;
    set_vector_math(true);
    body()
}

/// Units in the last place between `a` and `b` (0 for two NaNs, or for +0 and -0 only if equal).
fn ulps(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    // Map the bits to a line ordered like the numbers.
    let line = |v: f64| {
        let bits = v.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    };
    line(a).abs_diff(line(b))
}

type Unary = fn(&Variable) -> Variable;
type Op = (&'static str, Unary, fn(f64) -> f64);

const OPS: [Op; 5] = [
    ("sin", |x| sin(x), f64::sin),
    ("cos", |x| cos(x), f64::cos),
    ("exp", |x| exp(x), f64::exp),
    ("tanh", |x| tanh(x), f64::tanh),
    ("sigmoid", |x| sigmoid(x), |x| 1.0 / (1.0 + (-x).exp())),
];

/// The ranges each function is checked on: where its reduction and its polynomial change.
fn ranges(name: &str) -> &'static [(f64, f64)] {
    match name {
        "sin" | "cos" => &[(-1e-6, 1e-6), (-4.0, 4.0), (-100.0, 100.0), (-6e5, 6e5)],
        "exp" => &[(-1e-6, 1e-6), (-1.0, 1.0), (-750.0, 720.0)],
        "sigmoid" => &[(-1e-6, 1e-6), (-5.0, 5.0), (-50.0, 50.0), (-800.0, 800.0)],
        _ => &[(-1.0, 1.0), (-25.0, 25.0), (-1e-6, 1e-6)],
    }
}

/// The bounds `set_vector_math` documents, the measured maxima on these ranges: sin and cos 2;
/// exp 1; tanh 3 (e / (e + 2) rounds three times after e); sigmoid 4, near x = -36.7 where
/// 1 + e⁻ˣ passes 2⁵³ (2 on [-5, 5]), against `std`'s `1 / (1 + exp(-x))`.
fn max_ulps(name: &str) -> u64 {
    match name {
        "tanh" => 3,
        "sigmoid" => 4,
        "exp" => 1,
        _ => 2,
    }
}

#[test]
fn within_documented_ulps_of_std_on_every_range() {
    let mut rng = Rng::new(12);
    for (name, op, exact) in OPS {
        for &(lo, hi) in ranges(name) {
            let x = Variable::new(rng.array(&[1_000_000], lo, hi));
            let fast = with_vector_math(|| op(&x).data().to_owned());
            let worst = x
                .data()
                .iter()
                .zip(&fast)
                .map(|(&x, &y)| (ulps(y, exact(x)), x))
                .max_by_key(|&(u, _)| u)
                .expect("a million inputs");
            assert!(
                worst.0 <= max_ulps(name),
                "{name} on [{lo}, {hi}]: {} ulp at {:e}",
                worst.0,
                worst.1
            );
        }
    }
}

#[test]
fn exact_where_std_is_exact() {
    let half_pi_multiples = (1..2000).map(|k| k as f64 * std::f64::consts::FRAC_PI_2);
    let specials = [
        0.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5e-324,
        -5e-324,
        f64::MIN_POSITIVE,
        1e-200,
        709.0,
        709.5,
        709.78,
        710.0,
        -708.0,
        -708.5,
        -745.0,
        -745.2,
        -746.0,
        -800.0,
        19.0,
        22.0,
        22.5,
        -30.0,
        -36.7,
        524_288.0,
        1_048_576.0,
        1e6,
        -3e7,
        1e300,
    ];
    let x =
        Variable::new(Array1::from_iter(specials.into_iter().chain(half_pi_multiples)).into_dyn());
    for (name, op, exact) in OPS {
        let fast = with_vector_math(|| op(&x).data().to_owned());
        for (&x, &y) in x.data().iter().zip(&fast) {
            let e = exact(x);
            if e.is_nan() || e == 0.0 || e.is_infinite() || x.abs() > 524_288.0 || x.abs() < 1e-300
            {
                // std's value itself, bit for bit (NaN for NaN)
                assert_eq!(ulps(y, e), 0, "{name}({x:e}) = {y:e}, std {e:e}");
                assert_eq!(
                    y.is_sign_negative(),
                    e.is_sign_negative(),
                    "{name}({x:e}): sign"
                );
            } else {
                assert!(
                    ulps(y, e) <= max_ulps(name),
                    "{name}({x:e}) = {y:e}, std {e:e}"
                );
            }
        }
    }
}

/// Value and gradient of a chain of the four, on `x`.
fn chain(x: &ArrayD<f64>) -> [ArrayD<f64>; 2] {
    let x = Variable::new(x.clone());
    let y = exp(tanh(cos(sin(&x) * 3.0)));
    y.backward();
    [
        y.data().to_owned(),
        x.grad().expect("a gradient").data().to_owned(),
    ]
}

#[test]
fn the_same_bits_for_every_layout_size_and_thread_count() {
    let mut rng = Rng::new(3);
    let x = rng.array(&[300, 400], -7.0, 7.0);
    with_vector_math(|| {
        let whole = chain(&x);
        // element by element, as 0-dim arrays
        for (i, &v) in x.iter().enumerate().step_by(997) {
            let [y, g] = chain(&ArrayD::from_elem(vec![], v));
            assert_eq!(y.first(), whole[0].iter().nth(i), "value at {i}");
            assert_eq!(g.first(), whole[1].iter().nth(i), "gradient at {i}");
        }
        // a small contiguous array, a transposed (strided) one, two threads
        let small = chain(&x.slice(ndarray::s![..1, ..]).to_owned().into_dyn());
        assert_eq!(small[0], whole[0].slice(ndarray::s![..1, ..]).into_dyn());
        let t = chain(&x.t().to_owned().into_dyn().reversed_axes());
        assert_eq!(t, whole);
        let strided = chain(&x.clone().reversed_axes());
        assert_eq!(strided[0], whole[0].t());
        set_num_threads(2);
        let two = chain(&x);
        set_num_threads(1);
        assert_eq!(two, whole);
    });
}

#[test]
fn backward_rules_use_the_same_functions_as_forward() {
    let mut rng = Rng::new(5);
    let x = Variable::new(rng.array(&[100_000], -9.0, 9.0));
    with_vector_math(|| {
        // d sin = cos, d cos = -sin, in the in-place path and through create_graph
        for create_graph in [false, true] {
            let rules: [(Op, Variable); 2] = [(OPS[0], cos(&x)), (OPS[1], -sin(&x))];
            for ((_, op, _), derivative) in rules {
                x.cleargrad();
                op(&x).backward_with(dezero_runtime::BackwardOptions {
                    create_graph,
                    ..Default::default()
                });
                assert_eq!(*x.grad().expect("a gradient").data(), *derivative.data());
            }
        }
    });
}

#[test]
fn gradients_pass_central_differences() {
    let mut rng = Rng::new(8);
    with_vector_math(|| {
        assert!(vector_math());
        for (name, op, _) in OPS {
            for shape in [&[][..], &[7], &[3, 4]] {
                let x = rng.array(shape, -2.0, 2.0);
                check_grad(&mut rng, name, op, &x);
                check_second(&mut rng, name, op, &x);
            }
        }
    });
    assert!(!vector_math());
}

/// softmax, log_softmax and softmax_cross_entropy take their exponentials from the vector
/// path too: values within a few ulp of the `std` path, gradients (first and second order)
/// against central differences, on both axes of a 2-D input.
#[test]
fn the_softmax_family_with_vector_math() {
    let mut rng = Rng::new(21);
    let cases: [(&str, Unary); 5] = [
        ("softmax axis 1", |x| softmax(x, 1)),
        ("softmax axis 0", |x| softmax(x, 0)),
        ("log_softmax axis 1", |x| log_softmax(x, 1)),
        ("log_softmax axis 0", |x| log_softmax(x, 0)),
        ("softmax_cross_entropy", |x| {
            softmax_cross_entropy(x, &[2, 0, 1, 2, 1])
        }),
    ];
    for (name, f) in cases {
        let x = rng.array(&[5, 3], -4.0, 4.0);
        let exact = f(&Variable::new(x.clone())).data().to_owned();
        let fast = with_vector_math(|| f(&Variable::new(x.clone())).data().to_owned());
        for (&a, &b) in exact.iter().zip(&fast) {
            assert!(
                (a - b).abs() <= 8.0 * f64::EPSILON * a.abs().max(1.0),
                "{name}: {a} {b}"
            );
        }
        with_vector_math(|| {
            check_grad(&mut rng, name, f, &x);
            check_second(&mut rng, name, f, &x);
        });
    }
}

#[test]
fn off_by_default_and_then_std_s_bits() {
    assert!(!vector_math());
    let x = Variable::new(Array1::linspace(-30.0, 30.0, 70_001).into_dyn());
    for (name, op, exact) in OPS {
        assert_eq!(*op(&x).data(), x.data().mapv(exact), "{name}");
    }
}
