//! `set_num_threads`: the built-in functions' element loops split over threads give the same
//! bits as on one thread, values and gradients, on sizes around the 65,536-element threshold,
//! with a ragged last chunk, and on a non-contiguous input (which takes the one-thread path).

use dezero_runtime::functions::{cos, exp, sin, tanh};
use dezero_runtime::{num_threads, set_num_threads, Variable};
use ndarray::ArrayD;

fn wave(shape: &[usize], phase: f64) -> ArrayD<f64> {
    let n = shape.iter().product();
    let v = (0..n).map(|k| (k as f64 * 0.618_034 + phase).fract() * 4.0 - 2.0);
    ArrayD::from_shape_vec(shape, v.collect()).expect("n elements")
}

/// Value and both gradients of a graph of unary, binary and scalar-broadcast ops.
fn run(x: &ArrayD<f64>, y: &ArrayD<f64>) -> [ArrayD<f64>; 3] {
    let (x, y) = (Variable::new(x.clone()), Variable::new(y.clone()));
    let z = tanh(sin(&x) * &y + exp(&x * 0.5)) / (1.0 + &y * &y) - cos(&x);
    z.backward();
    let grad = |v: &Variable| v.grad().expect("a gradient").data().clone();
    [z.data().clone(), grad(&x), grad(&y)]
}

#[test]
fn threads_give_the_bits_of_one_thread() {
    assert_eq!(num_threads(), 1, "the default");
    let transposed = wave(&[300, 400], 0.3).reversed_axes();
    let cases = [65_535, 65_536, 100_003]
        .map(|n| (wave(&[n], 0.1), wave(&[n], 0.7)))
        .into_iter()
        .chain([(transposed, wave(&[400, 300], 0.9))]);
    for (x, y) in cases {
        let one = run(&x, &y);
        for threads in [2, 3] {
            set_num_threads(threads);
            assert_eq!(run(&x, &y), one, "{threads} threads, shape {:?}", x.shape());
            set_num_threads(1);
        }
    }
}

#[test]
fn zero_threads_is_one_and_the_setting_is_per_thread() {
    set_num_threads(0);
    assert_eq!(num_threads(), 1);
    set_num_threads(2);
    assert_eq!(std::thread::spawn(num_threads).join().unwrap(), 1);
    assert_eq!(num_threads(), 2);
    set_num_threads(1);
}
