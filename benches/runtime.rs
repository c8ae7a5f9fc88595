//! The define-by-run runtime against its peers, the book's Python DeZero
//! (`benches/peers/dezero_peer.py`) and PyTorch eager (`benches/peers/torch_peer.py`), on the same
//! workloads:
//!
//! | name                         | what                                                          |
//! |------------------------------|---------------------------------------------------------------|
//! | `scalar_chain_1000`          | build `v = v * 1.0001` 1000 times from a scalar, `backward`   |
//! | `array_chain_100x10000`      | the same, 100 ops on a 10,000-element array                   |
//! | `goldstein_scalar/runtime`   | Goldstein–Price value + gradient at (1, 1) with `Variable`s   |
//! | `goldstein_scalar/hand`      | the same with a hand-written analytic gradient in plain Rust  |
//! | `goldstein_array_1000x1000`  | Goldstein–Price value + gradient on a 1000×1000 array         |
//! | `chain20_1e6`                | 20 unary ops (sin, cos, tanh, exp, five times) on 10^6        |
//! |                              | elements, forward + backward                                  |
//! | `…/2 threads`                | the two rows above after `set_num_threads(2)`                 |
//! | `chain20_1e6/…/vector math`  | `chain20_1e6` after `set_vector_math(true)`                   |
//! | `elementwise_1e6/…`          | `x * y + sin(x)` on 10^6 elements, forward only: runtime ops  |
//! |                              | (`runtime`, graph recorded; `no_grad`), and plain ndarray     |
//!
//! The element-wise rows' peer is NumPy (`python3 benches/numpy_peer.py`, one thread); the
//! 10^6-element rows' are also PyTorch eager and the book's DeZero (`benches/peers/`).
//!
//! Per scalar op = `scalar_chain_1000` / 1000 (the peer prints µs per op directly).
//!
//! Run: `cargo bench --bench runtime`.
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use dezero::functions::{cos, exp, sin, tanh};
use dezero::{no_grad, set_num_threads, set_vector_math, Variable};
use ndarray::{Array2, ArrayD};

/// The Goldstein–Price function, written as the peer writes it.
fn goldstein(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

/// Goldstein–Price value and gradient by hand: f = A B with
/// A = 1 + s² P, s = x + y + 1, P = 19 - 14x + 3x² - 14y + 6xy + 3y²,
/// B = 30 + t² Q, t = 2x - 3y, Q = 18 - 32x + 12x² + 48y - 36xy + 27y².
fn goldstein_hand(x: f64, y: f64) -> (f64, f64, f64) {
    let s = x + y + 1.0;
    let p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
    let t = 2.0 * x - 3.0 * y;
    let q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
    let a = 1.0 + s * s * p;
    let b = 30.0 + t * t * q;
    let dp = -14.0 + 6.0 * x + 6.0 * y; // dP/dx = dP/dy
    let da = 2.0 * s * p + s * s * dp; // dA/dx = dA/dy
    let dbx = 4.0 * t * q + t * t * (-32.0 + 24.0 * x - 36.0 * y);
    let dby = -6.0 * t * q + t * t * (48.0 - 36.0 * x + 54.0 * y);
    (a * b, da * b + a * dbx, da * b + a * dby)
}

/// 20 unary ops: sin, cos, tanh, exp, five times (values stay in [-1, e]).
fn chain20(x: &Variable) -> Variable {
    let mut v = x.clone();
    for _ in 0..5 {
        v = exp(tanh(cos(sin(&v))));
    }
    v
}

fn chain(x: &Variable, n: usize) {
    let mut v = x.clone();
    for _ in 0..n {
        v = &v * 1.0001;
    }
    v.backward();
    x.cleargrad();
}

fn benches(c: &mut Criterion) {
    // Every row first checks that it computes the right thing.
    let (x, y) = (Variable::from(1.0), Variable::from(1.0));
    goldstein(&x, &y).backward();
    assert_eq!(
        (x.grad().unwrap().item(), y.grad().unwrap().item()),
        (-5376.0, 8064.0)
    );
    assert_eq!(goldstein_hand(1.0, 1.0), (1876.0, -5376.0, 8064.0));

    let x = Variable::from(1.0);
    c.bench_function("scalar_chain_1000", |b| {
        b.iter(|| chain(black_box(&x), 1000))
    });

    let xa = Variable::new(ArrayD::from_elem(vec![10_000], 1.0));
    c.bench_function("array_chain_100x10000", |b| {
        b.iter(|| chain(black_box(&xa), 100))
    });

    let mut g = c.benchmark_group("goldstein_scalar");
    g.bench_function("runtime", |b| {
        b.iter(|| {
            let (x, y) = (
                Variable::from(black_box(1.0)),
                Variable::from(black_box(1.0)),
            );
            goldstein(&x, &y).backward();
            (x.grad(), y.grad())
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| goldstein_hand(black_box(1.0), black_box(1.0)))
    });
    g.finish();

    let mut g = c.benchmark_group("goldstein_array");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let a = Variable::from(Array2::from_shape_fn((1000, 1000), |(i, j)| {
        ((i * 1000 + j) as f64 * 0.618).fract()
    }));
    let step = || {
        let z = goldstein(&a, &(&a * 0.5));
        z.backward();
        a.cleargrad();
    };
    g.bench_function("1000x1000", |b| b.iter(step));
    set_num_threads(2);
    g.bench_function("1000x1000/2 threads", |b| b.iter(step));
    set_num_threads(1);
    g.finish();

    let mut g = c.benchmark_group("chain20_1e6");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let xc = Variable::new(ArrayD::from_shape_fn(vec![1_000_000], |i| {
        (i[0] as f64 * 0.618_034).fract() * 4.0 - 2.0
    }));
    {
        // The value and the gradient at one element, against the scalar chain and its
        // derivative by the chain rule.
        let z = chain20(&xc);
        z.backward();
        let (mut v, mut d) = (xc.data()[7], 1.0);
        for _ in 0..5 {
            d *= v.cos();
            v = v.sin();
            d *= -v.sin();
            v = v.cos();
            v = v.tanh();
            d *= 1.0 - v * v;
            v = v.exp();
            d *= v;
        }
        assert!((z.data()[7] - v).abs() < 1e-12 && (xc.grad().unwrap().data()[7] - d).abs() < 1e-9);
        xc.cleargrad();
    }
    let step = || {
        chain20(black_box(&xc)).backward();
        xc.cleargrad();
    };
    g.bench_function("runtime", |b| b.iter(step));
    set_num_threads(2);
    g.bench_function("runtime/2 threads", |b| b.iter(step));
    set_vector_math(true);
    g.bench_function("runtime/vector math/2 threads", |b| b.iter(step));
    set_num_threads(1);
    g.bench_function("runtime/vector math", |b| b.iter(step));
    set_vector_math(false);
    g.finish();

    let mut g = c.benchmark_group("elementwise_1e6");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    let xs = ArrayD::from_shape_fn(vec![1_000_000], |i| (i[0] as f64 * 0.618).fract());
    let ys = ArrayD::from_shape_fn(vec![1_000_000], |i| (i[0] as f64 * 0.414).fract());
    let (x, y) = (Variable::new(xs.clone()), Variable::new(ys.clone()));
    let expected = &xs * &ys + xs.mapv(f64::sin);
    assert_eq!(*(&x * &y + sin(&x)).data(), expected);
    g.bench_function("runtime", |b| b.iter(|| &x * &y + sin(&x)));
    g.bench_function("no_grad", |b| {
        b.iter(|| {
            let _guard = no_grad();
            &x * &y + sin(&x)
        })
    });
    g.bench_function("ndarray", |b| b.iter(|| &xs * &ys + xs.mapv(f64::sin)));
    g.finish();
}

criterion_group!(runtime, benches);
criterion_main!(runtime);
