//! Helpers shared by the tensor-function tests: a seeded generator of random arrays, a
//! first-derivative check of `sum(f(x) * r)` for a random `r` (so every element of gy
//! differs), and a second-derivative check against a central difference of the first
//! derivative.
#![allow(dead_code)]

use dezero_runtime::functions as F;
use dezero_runtime::{gradient_check, no_grad, BackwardOptions, Variable};
use ndarray::{ArrayD, IxDyn};

/// xorshift64* seeded through splitmix64: the same arrays on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }

    /// An array of `shape` with elements uniform in `[lo, hi)`.
    pub fn array(&mut self, shape: &[usize], lo: f64, hi: f64) -> ArrayD<f64> {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || self.uniform(lo, hi))
    }

    /// An array uniform in `[-1, 1)` with every element at least `gap` away from each point
    /// in `kinks` (so a central difference never straddles one).
    pub fn array_avoiding(&mut self, shape: &[usize], kinks: &[f64], gap: f64) -> ArrayD<f64> {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || loop {
            let v = self.uniform(-1.0, 1.0);
            if kinks.iter().all(|k| (v - k).abs() > gap) {
                break v;
            }
        })
    }

    /// An array of `shape` with elements of random sign and magnitude in `[0.5, 1)`: weights
    /// and directions that are never close to 0.
    pub fn weights(&mut self, shape: &[usize]) -> ArrayD<f64> {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || {
            let m = self.uniform(0.5, 1.0);
            if self.next_u64() & 1 == 0 {
                m
            } else {
                -m
            }
        })
    }

    /// A random index below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The output shape of `f` at `x`, computed without a graph.
pub fn out_shape(f: &impl Fn(&Variable) -> Variable, x: &ArrayD<f64>) -> Vec<usize> {
    let _guard = no_grad();
    f(&Variable::new(x.clone())).shape()
}

/// `sum(f(x) * r)`: a scalar whose gradient exercises every element of `f`'s gy.
pub fn project(f: &impl Fn(&Variable) -> Variable, r: &Variable, x: &Variable) -> Variable {
    F::sum(&(f(x) * r))
}

/// `backward` of `sum(f(x) * r)` (r random, of f's output shape) against central differences.
#[track_caller]
pub fn check_grad(rng: &mut Rng, name: &str, f: impl Fn(&Variable) -> Variable, x: &ArrayD<f64>) {
    let r = Variable::new(rng.weights(&out_shape(&f, x)));
    gradient_check(|x| project(&f, &r, x), &Variable::new(x.clone()))
        .unwrap_or_else(|e| panic!("{name} at shape {:?}: {e}", x.shape()));
}

/// The gradient of `sum(f(x) * r)` at `x` as an array (no graph recorded).
fn first_derivative(
    f: &impl Fn(&Variable) -> Variable,
    r: &Variable,
    x: ArrayD<f64>,
) -> ArrayD<f64> {
    let x = Variable::new(x);
    project(f, r, &x).backward();
    match x.grad() {
        Some(g) => g.data().to_owned(),
        None => ArrayD::zeros(x.shape()),
    }
}

/// The Hessian of `sum(f(x) * r)` times a random direction `v`, by `create_graph` (the
/// gradient differentiated again), against the central difference of the first derivative
/// along `v`: `(g(x + eps v) - g(x - eps v)) / 2 eps` (the Hessian is symmetric, so this is
/// `H v`). Also checks that `H v` is not zero, so the check is not vacuous.
#[track_caller]
pub fn check_second(rng: &mut Rng, name: &str, f: impl Fn(&Variable) -> Variable, x: &ArrayD<f64>) {
    let eps = 1e-4;
    let r = Variable::new(rng.weights(&out_shape(&f, x)));
    let v = rng.weights(x.shape());

    let xv = Variable::new(x.clone());
    project(&f, &r, &xv).backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = xv.grad().expect("a first derivative");
    xv.cleargrad();
    F::sum(&(&gx * &Variable::new(v.clone()))).backward();
    let hv = match xv.grad() {
        Some(g) => g.data().to_owned(),
        None => ArrayD::zeros(x.raw_dim()),
    };
    xv.cleargrad();

    let plus = first_derivative(&f, &r, x + &(&v * eps));
    let minus = first_derivative(&f, &r, x - &(&v * eps));
    let numerical = (plus - minus) / (2.0 * eps);
    for ((i, &a), &n) in hv.indexed_iter().zip(numerical.iter()) {
        assert!(
            (a - n).abs() <= 1e-6 + 1e-5 * n.abs(),
            "{name} at shape {:?}: second derivative at {i:?}: create_graph gives {a}, \
             central difference of the first derivative gives {n}",
            x.shape()
        );
    }
    let size = numerical.iter().map(|n| n.abs()).fold(0.0, f64::max);
    assert!(
        size > 1e-3,
        "{name}: the second derivative is ~0, the check would be vacuous"
    );
}

/// Asserts equal shapes and `|a - b| <= tol` element-wise.
#[track_caller]
pub fn assert_close(a: &ArrayD<f64>, b: &ArrayD<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes differ");
    for ((i, &x), &y) in a.indexed_iter().zip(b.iter()) {
        assert!(
            (x - y).abs() <= tol,
            "at {i:?}: {x} vs {y} (tolerance {tol})"
        );
    }
}

/// A variable holding `a`.
pub fn var(a: ArrayD<f64>) -> Variable {
    Variable::new(a)
}

/// The panic message of `f` (which must panic).
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}
