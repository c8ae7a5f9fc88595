//! Goldstein–Price on 10^6-element arrays, forward + backward: one fused node
//! (`dezero::fused::elementwise` over the `#[differentiable]` function and its generated
//! `goldstein_vjp`) against the same formula composed from 38 runtime ops.
//!
//! | name                          | what                                                       |
//! |-------------------------------|------------------------------------------------------------|
//! | `goldstein_1e6/fused`         | one `elementwise` node: forward, backward                  |
//! | `goldstein_1e6/parallel`      | the node from `elementwise_parallel` (loops over threads)  |
//! | `goldstein_1e6/runtime`       | the formula from runtime ops: forward, backward            |
//!
//! Before timing, the bench prints the bytes allocated at peak during one forward + backward of
//! each (a counting global allocator tracks current and peak live bytes; the inputs are
//! allocated before and not counted; the fused run starts with an empty buffer cache, see
//! below), the ratio, the bytes the fused nodes' buffer cache keeps afterwards, and a quick
//! wall-clock ratio (the fastest of 10 runs each, the figure least disturbed by other load on a
//! shared machine).
//!
//! Run: `cargo bench --bench fused`; its peer, JAX `jit`: `python3 benches/peers/jax_peer.py`.
//!
//! Each forward + backward of the fused node writes four 8 MB arrays (the output, backward's
//! seed of ones, two gradients). Fresh, they would cost page faults every run (glibc returns
//! freed blocks that large to the kernel): about half the node's time. Fused nodes instead keep
//! their own large buffers in a small per-thread cache (`dezero::fused::clear_buffer_cache`),
//! so in the timed loop the four buffers of one run are the next run's: 32 MB stay allocated
//! between runs, the cache's steady state printed above.
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use dezero::Variable;
use ndarray::{ArrayD, IxDyn};

/// A global allocator counting live bytes and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = CURRENT.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grow(new_size - layout.size());
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The most bytes live at once while `run` runs, above what was live before it.
fn peak_bytes(run: impl FnOnce()) -> usize {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    run();
    PEAK.load(Relaxed) - base
}

#[dezero::differentiable]
fn goldstein(x: f64, y: f64) -> f64 {
    (1.0 + (x + y + 1.0).powi(2)
        * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2)))
        * (30.0
            + (2.0 * x - 3.0 * y).powi(2)
                * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y + 27.0 * y.powi(2)))
}

/// The scalar function as `elementwise` takes it.
fn goldstein_value([x, y]: [f64; 2]) -> f64 {
    goldstein(x, y)
}

/// The generated `goldstein_vjp` as `elementwise` takes it.
fn goldstein_pullback([x, y]: [f64; 2], seed: f64) -> [f64; 2] {
    let (x_bar, y_bar) = goldstein_vjp(x, y, seed);
    [x_bar, y_bar]
}

/// The fused node: what `#[differentiable]`'s `goldstein_op` generates.
fn goldstein_fused(x: &Variable, y: &Variable) -> Variable {
    dezero::fused::elementwise("goldstein", [x, y], goldstein_value, goldstein_pullback)
}

/// The fused node with its loops split over the machine's threads.
fn goldstein_parallel(x: &Variable, y: &Variable) -> Variable {
    dezero::fused::elementwise_parallel("goldstein", [x, y], goldstein_value, goldstein_pullback)
}

/// The same formula from runtime ops (as benches/runtime.rs and the book write it).
fn goldstein_runtime(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

type Goldstein = fn(&Variable, &Variable) -> Variable;

fn forward_backward(f: Goldstein, x: &Variable, y: &Variable) {
    let z = f(x, y);
    z.backward();
    x.cleargrad();
    y.cleargrad();
}

/// 10^6 points spread over [-2, 2)², Goldstein–Price's usual domain.
fn inputs(n: usize) -> (Variable, Variable) {
    let grid =
        |k: f64| ArrayD::from_shape_fn(IxDyn(&[n]), |i| ((i[0] as f64 * k).fract()) * 4.0 - 2.0);
    (
        Variable::new(grid(0.618_034)),
        Variable::new(grid(0.414_214)),
    )
}

/// Value and gradients of both agree (normwise, 1e-12 of the largest magnitude).
fn check_agree(x: &Variable, y: &Variable) {
    let run = |f: Goldstein| {
        let z = f(x, y);
        z.backward();
        let out = [
            z.data().clone(),
            x.grad().unwrap().data().clone(),
            y.grad().unwrap().data().clone(),
        ];
        x.cleargrad();
        y.cleargrad();
        out
    };
    let (fused, runtime) = (run(goldstein_fused), run(goldstein_runtime));
    assert_eq!(
        fused,
        run(goldstein_parallel),
        "parallel loops give the same bits"
    );
    for (what, (a, b)) in ["value", "gx", "gy"].iter().zip(fused.iter().zip(&runtime)) {
        let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let worst = a
            .iter()
            .zip(b)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            worst <= 1e-12 * scale,
            "{what}: fused and runtime differ by {worst:e}"
        );
    }
}

/// The fastest of 10 runs: on a shared machine the minimum is the least disturbed by others.
fn min_time(f: Goldstein, x: &Variable, y: &Variable) -> Duration {
    (0..10)
        .map(|_| {
            let start = Instant::now();
            forward_backward(f, x, y);
            start.elapsed()
        })
        .min()
        .expect("10 runs")
}

/// The node's two passes over slices, no graph: `goldstein` forward, then the generated
/// `goldstein_vjp` (which recomputes the primal) seeded with `seed`.
#[inline(always)]
fn two_pass(x: &[f64], y: &[f64], seed: &[f64], out: &mut [Vec<f64>; 3]) {
    let [z, gx, gy] = out;
    for ((z, &x), &y) in z.iter_mut().zip(x).zip(y) {
        *z = goldstein(x, y);
    }
    for ((((gx, gy), &x), &y), &s) in gx.iter_mut().zip(gy.iter_mut()).zip(x).zip(y).zip(seed) {
        (*gx, *gy) = goldstein_vjp(x, y, s);
    }
}

/// What a node whose forward kept what its pullback needs would run: one pass of the generated
/// `goldstein_grad` (value and both partials), then backward's product with the seed, in place.
#[inline(always)]
fn one_pass(x: &[f64], y: &[f64], seed: &[f64], out: &mut [Vec<f64>; 3]) {
    let [z, dx, dy] = out;
    for ((((z, dx), dy), &x), &y) in z
        .iter_mut()
        .zip(dx.iter_mut())
        .zip(dy.iter_mut())
        .zip(x)
        .zip(y)
    {
        (*z, (*dx, *dy)) = goldstein_grad(x, y);
    }
    for ((dx, dy), &s) in dx.iter_mut().zip(dy.iter_mut()).zip(seed) {
        *dx *= s;
        *dy *= s;
    }
}

/// [`two_pass`] compiled for AVX2, as the fused nodes' loops are when the CPU has it.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn two_pass_avx2(x: &[f64], y: &[f64], seed: &[f64], out: &mut [Vec<f64>; 3]) {
    two_pass(x, y, seed, out);
}

/// [`one_pass`] compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn one_pass_avx2(x: &[f64], y: &[f64], seed: &[f64], out: &mut [Vec<f64>; 3]) {
    one_pass(x, y, seed, out);
}

/// Times [`two_pass`] and [`one_pass`] alternately (AVX2 builds when the CPU has them), into
/// buffers allocated once; prints the fastest of 10 each, and checks both agree.
fn one_pass_against_two(x: &[f64], y: &[f64]) {
    let n = x.len();
    let seed = vec![1.0; n];
    let avx2 = cfg!(target_arch = "x86_64")
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma");
    let run = |one: bool, out: &mut [Vec<f64>; 3]| {
        #[cfg(target_arch = "x86_64")]
        if avx2 {
            // SAFETY: avx2 is true only if this CPU supports AVX2 and FMA (checked above).
            unsafe {
                if one {
                    one_pass_avx2(x, y, &seed, out)
                } else {
                    two_pass_avx2(x, y, &seed, out)
                }
            }
            return;
        }
        if one {
            one_pass(x, y, &seed, out)
        } else {
            two_pass(x, y, &seed, out)
        }
    };
    let mut a = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
    let mut b = [vec![0.0; n], vec![0.0; n], vec![0.0; n]];
    let (mut t1, mut t2) = (Duration::MAX, Duration::MAX);
    for _ in 0..10 {
        let start = Instant::now();
        run(false, &mut a);
        t2 = t2.min(start.elapsed());
        let start = Instant::now();
        run(true, &mut b);
        t1 = t1.min(start.elapsed());
    }
    assert_eq!(a[0], b[0], "one value");
    for k in 1..3 {
        let scale = a[k].iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(a[k]
            .iter()
            .zip(&b[k])
            .all(|(a, b)| (a - b).abs() <= 1e-12 * scale));
    }
    println!(
        "hand-written loops over slices, buffers reused{}, fastest of 10: forward then vjp \
         (the node's two passes) {t2:?}, one pass of goldstein_grad then the seed product \
         {t1:?}: two / one = {:.2}x",
        if avx2 { ", AVX2" } else { "" },
        t2.as_secs_f64() / t1.as_secs_f64()
    );
}

/// The floor: the scalar function and pullback in plain loops over slices, no graph.
fn plain(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let z: Vec<f64> = x.iter().zip(y).map(|(&x, &y)| goldstein(x, y)).collect();
    let (gx, gy) = x
        .iter()
        .zip(y)
        .map(|(&x, &y)| goldstein_vjp(x, y, 1.0))
        .unzip();
    (z, gx, gy)
}

fn benches(c: &mut Criterion) {
    let n = 1_000_000;
    let (x, y) = inputs(n);
    check_agree(&x, &y);

    // Cold: fused nodes' buffer cache empty, so every array is a fresh allocation (comparable
    // with the runtime, which has no cache). Then warm: the same run again, the cache full.
    dezero::fused::clear_buffer_cache();
    let fused_peak = peak_bytes(|| forward_backward(goldstein_fused, &x, &y));
    let cache = dezero::fused::cached_buffer_bytes();
    let warm_peak = peak_bytes(|| forward_backward(goldstein_fused, &x, &y));
    dezero::pool::clear_pool(); // the runtime's pool empty too: every array a fresh allocation
    let runtime_peak = peak_bytes(|| forward_backward(goldstein_runtime, &x, &y));
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "peak bytes, one forward + backward on {n} elements: fused {} ({:.1} MiB), runtime {} \
         ({:.1} MiB), runtime / fused = {:.1}x",
        fused_peak,
        mib(fused_peak),
        runtime_peak,
        mib(runtime_peak),
        runtime_peak as f64 / fused_peak as f64
    );
    println!(
        "fused nodes' buffer cache after it: {cache} bytes ({:.1} MiB, kept until \
         clear_buffer_cache); a second, warm run allocates {warm_peak} bytes at peak above that",
        mib(cache)
    );
    let (tf, tr, tp) = (
        min_time(goldstein_fused, &x, &y),
        min_time(goldstein_runtime, &x, &y),
        min_time(goldstein_parallel, &x, &y),
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "wall clock, fastest of 10: fused {tf:?}, runtime {tr:?}, runtime / fused = {:.1}x; \
         parallel ({threads} threads) {tp:?}, fused / parallel = {:.2}x",
        tr.as_secs_f64() / tf.as_secs_f64(),
        tf.as_secs_f64() / tp.as_secs_f64()
    );

    {
        let xs = x.data().as_slice().unwrap().to_vec();
        let ys = y.data().as_slice().unwrap().to_vec();
        let (xs, ys) = (&xs[..], &ys[..]);
        let fastest = (0..10)
            .map(|_| {
                let start = Instant::now();
                black_box(plain(xs, ys));
                start.elapsed()
            })
            .min()
            .expect("10 runs");
        println!("plain loops (no graph, fresh outputs), fastest of 10: {fastest:?}");
        one_pass_against_two(xs, ys);
    }

    let mut g = c.benchmark_group("goldstein_1e6");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("fused", |b| {
        b.iter(|| forward_backward(goldstein_fused, black_box(&x), black_box(&y)))
    });
    g.bench_function("parallel", |b| {
        b.iter(|| forward_backward(goldstein_parallel, black_box(&x), black_box(&y)))
    });
    g.bench_function("runtime", |b| {
        b.iter(|| forward_backward(goldstein_runtime, black_box(&x), black_box(&y)))
    });
    g.finish();
}

criterion_group!(fused, benches);
criterion_main!(fused);
