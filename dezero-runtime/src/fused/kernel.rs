//! The element loops of [`elementwise`](super::elementwise): broadcasting N input arrays to one
//! shape and running a scalar function (forward) or its pullback (backward) on every element,
//! without materialising broadcast copies of the inputs.
//!
//! Inputs that are contiguous arrays of the full shape, or size-1 arrays, are read as slices
//! and constants (the fast path, which the `_parallel` loops split over threads); any other
//! broadcast is walked through ndarray's broadcast views, on one thread.

use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn};

/// Below this many elements a loop stays on one thread (a spawn costs ~10 µs).
const MIN_PARALLEL: usize = 1 << 16;

/// One input as the element loop reads it.
enum Lane<'a> {
    /// A size-1 input broadcast to every element (a scalar or a 0-dim array).
    Scalar(f64),
    /// A contiguous, row-major input of the full shape.
    Slice(&'a [f64]),
    /// Anything else: a broadcast view (zero strides along the broadcast axes).
    View(ArrayViewD<'a, f64>),
}

impl<'a> Lane<'a> {
    fn new(x: &'a ArrayD<f64>, shape: &IxDyn) -> Self {
        if x.shape() == shape.slice() {
            if let Some(s) = x.as_slice() {
                return Lane::Slice(s);
            }
        }
        if x.len() == 1 {
            return Lane::Scalar(*x.first().expect("one element"));
        }
        Lane::View(
            x.broadcast(shape.clone())
                .expect("shapes checked by broadcast_dims"),
        )
    }

    fn is_flat(&self) -> bool {
        !matches!(self, Lane::View(_))
    }

    /// Every element in row-major order of the broadcast shape.
    fn iter(&self, n: usize) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            Lane::Scalar(v) => Box::new(std::iter::repeat_n(*v, n)),
            Lane::Slice(s) => Box::new(s.iter().copied()),
            Lane::View(v) => Box::new(v.iter().copied()),
        }
    }
}

/// The broadcast shape of all `shapes` under NumPy's rules.
///
/// # Panics
/// If they do not broadcast; the message names `op` and every shape.
#[track_caller]
pub(crate) fn broadcast_dims(op: &str, shapes: &[&[usize]]) -> IxDyn {
    let n = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1; n];
    for shape in shapes {
        let lead = n - shape.len();
        for (axis, &d) in shape.iter().enumerate() {
            let slot = &mut out[lead + axis];
            match (*slot, d) {
                (a, b) if a == b => {}
                (1, b) => *slot = b,
                (_, 1) => {}
                _ => {
                    let list: Vec<String> = shapes.iter().map(|s| format!("{s:?}")).collect();
                    panic!(
                        "{op}: shapes {} do not broadcast together",
                        list.join(" and ")
                    );
                }
            }
        }
    }
    IxDyn(&out)
}

/// The inputs, and whether they all take the fast path.
struct Inputs<'a, const N: usize> {
    lanes: [Lane<'a>; N],
    n: usize,
    flat: bool,
}

impl<'a, const N: usize> Inputs<'a, N> {
    fn new(xs: [&'a ArrayD<f64>; N], shape: &IxDyn) -> Self {
        let lanes = xs.map(|x| Lane::new(x, shape));
        let flat = lanes.iter().all(Lane::is_flat);
        Inputs {
            lanes,
            n: shape.size(),
            flat,
        }
    }
}

/// Elements per block of the flat loops: each block reads every input as a slice of this
/// length (constants from a small buffer), so the inner loop has no per-element branch.
const BLOCK: usize = 128;

/// The N inputs as equal-length slices for elements `i0..i0 + len` (`len <= BLOCK`).
#[inline(always)]
fn block<'b, const N: usize>(
    xs: &'b Inputs<'_, N>,
    consts: &'b [[f64; BLOCK]; N],
    i0: usize,
    len: usize,
) -> [&'b [f64]; N] {
    std::array::from_fn(|k| {
        let s: &[f64] = match &xs.lanes[k] {
            Lane::Slice(s) => &s[i0..],
            _ => &consts[k],
        };
        &s[..len]
    })
}

/// Every scalar input repeated `BLOCK` times (other inputs: unused zeros).
fn constants<const N: usize>(xs: &Inputs<'_, N>) -> [[f64; BLOCK]; N] {
    xs.lanes.each_ref().map(|l| match l {
        Lane::Scalar(v) => [*v; BLOCK],
        _ => [0.0; BLOCK],
    })
}

/// `y[j] = f(x[start + j])` for a flat chunk.
#[inline(always)]
fn fill_forward<const N: usize>(
    xs: &Inputs<'_, N>,
    start: usize,
    y: &mut [f64],
    f: &impl Fn([f64; N]) -> f64,
) {
    let consts = constants(xs);
    for (b, y) in y.chunks_mut(BLOCK).enumerate() {
        let len = y.len();
        let ins = block(xs, &consts, start + b * BLOCK, len);
        for (j, y) in y.iter_mut().enumerate() {
            *y = f(ins.map(|s| s[j]));
        }
    }
}

/// `gxs[k][j] = pullback(x[start + j], gy[start + j])[k]` for a flat chunk.
#[inline(always)]
fn fill_backward<const N: usize>(
    xs: &Inputs<'_, N>,
    gy: &Lane<'_>,
    start: usize,
    gxs: [&mut [f64]; N],
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) {
    let consts = constants(xs);
    let gy_const = match gy {
        Lane::Scalar(v) => [*v; BLOCK],
        _ => [0.0; BLOCK],
    };
    let n = gxs.first().map_or(0, |g| g.len());
    let mut gxs = gxs.map(|g| g.chunks_mut(BLOCK));
    for i0 in (0..n).step_by(BLOCK) {
        let len = BLOCK.min(n - i0);
        let ins = block(xs, &consts, start + i0, len);
        let gys: &[f64] = match gy {
            Lane::Slice(s) => &s[start + i0..],
            _ => &gy_const,
        };
        let gys = &gys[..len];
        let mut outs = gxs
            .each_mut()
            .map(|c| c.next().expect("one chunk per block"));
        for j in 0..len {
            let g = pullback(ins.map(|s| s[j]), gys[j]);
            for (o, g) in outs.iter_mut().zip(g) {
                o[j] = g;
            }
        }
    }
}

fn general_forward<const N: usize>(xs: &Inputs<'_, N>, f: &impl Fn([f64; N]) -> f64) -> Vec<f64> {
    let mut iters = xs.lanes.each_ref().map(|l| l.iter(xs.n));
    (0..xs.n)
        .map(|_| {
            f(std::array::from_fn(|k| {
                iters[k].next().expect("n elements")
            }))
        })
        .collect()
}

fn general_backward<const N: usize>(
    xs: &Inputs<'_, N>,
    gy: &Lane<'_>,
    gxs: &mut [Vec<f64>; N],
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) {
    let mut iters = xs.lanes.each_ref().map(|l| l.iter(xs.n));
    for (i, gy) in gy.iter(xs.n).enumerate() {
        let args = std::array::from_fn(|k| iters[k].next().expect("n elements"));
        for (gx, g) in gxs.iter_mut().zip(pullback(args, gy)) {
            gx[i] = g;
        }
    }
}

fn array(shape: &IxDyn, v: Vec<f64>) -> ArrayD<f64> {
    ArrayD::from_shape_vec(shape.clone(), v).expect("one value per element")
}

/// `y[i] = f(x0[i], x1[i], ..)` over the broadcast `shape`, on one thread.
pub(crate) fn forward<const N: usize>(
    xs: [&ArrayD<f64>; N],
    shape: &IxDyn,
    f: &impl Fn([f64; N]) -> f64,
) -> ArrayD<f64> {
    let xs = Inputs::new(xs, shape);
    if !xs.flat {
        return array(shape, general_forward(&xs, f));
    }
    let mut y = vec![0.0; xs.n];
    fill_forward(&xs, 0, &mut y, f);
    array(shape, y)
}

/// `[gx0[i], gx1[i], ..] = pullback([x0[i], x1[i], ..], gy[i])` over the broadcast `shape`, on
/// one thread; each `gxk` still has the broadcast shape (the caller sums it to its input's).
pub(crate) fn backward<const N: usize>(
    xs: [&ArrayD<f64>; N],
    gy: &ArrayD<f64>,
    shape: &IxDyn,
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) -> [ArrayD<f64>; N] {
    let xs = Inputs::new(xs, shape);
    let gy = Lane::new(gy, shape);
    let mut gxs: [Vec<f64>; N] = std::array::from_fn(|_| vec![0.0; xs.n]);
    if xs.flat && gy.is_flat() {
        fill_backward(&xs, &gy, 0, gxs.each_mut().map(|g| &mut g[..]), pullback);
    } else {
        general_backward(&xs, &gy, &mut gxs, pullback);
    }
    gxs.map(|g| array(shape, g))
}

/// [`forward`] with the fast path split over up to `threads` threads.
pub(crate) fn forward_parallel<const N: usize>(
    xs: [&ArrayD<f64>; N],
    shape: &IxDyn,
    f: &(impl Fn([f64; N]) -> f64 + Sync),
    threads: usize,
) -> ArrayD<f64> {
    let xs = Inputs::new(xs, shape);
    if !xs.flat {
        return array(shape, general_forward(&xs, f));
    }
    let mut y = vec![0.0; xs.n];
    split(threads, [&mut y[..]], |start, [y]| {
        fill_forward(&xs, start, y, f)
    });
    array(shape, y)
}

/// [`backward`] with the fast path split over up to `threads` threads.
pub(crate) fn backward_parallel<const N: usize>(
    xs: [&ArrayD<f64>; N],
    gy: &ArrayD<f64>,
    shape: &IxDyn,
    pullback: &(impl Fn([f64; N], f64) -> [f64; N] + Sync),
    threads: usize,
) -> [ArrayD<f64>; N] {
    let xs = Inputs::new(xs, shape);
    let gy = Lane::new(gy, shape);
    let mut gxs: [Vec<f64>; N] = std::array::from_fn(|_| vec![0.0; xs.n]);
    if xs.flat && gy.is_flat() {
        split(threads, gxs.each_mut().map(|g| &mut g[..]), |start, gxs| {
            fill_backward(&xs, &gy, start, gxs, pullback)
        });
    } else {
        general_backward(&xs, &gy, &mut gxs, pullback);
    }
    gxs.map(|g| array(shape, g))
}

/// Runs `body(start, chunks)` over equal chunks of the M output slices (all of one length),
/// on up to `threads` scoped threads (the last chunk on the calling thread).
fn split<const M: usize>(
    threads: usize,
    outs: [&mut [f64]; M],
    body: impl Fn(usize, [&mut [f64]; M]) + Sync,
) {
    let n = outs.first().map_or(0, |o| o.len());
    if threads <= 1 || n < MIN_PARALLEL {
        body(0, outs);
        return;
    }
    let chunk = n.div_ceil(threads);
    let mut chunks = outs.map(|o| o.chunks_mut(chunk));
    let body = &body;
    std::thread::scope(|s| {
        let mut start = 0;
        loop {
            let part = chunks.each_mut().map(|c| c.next());
            let Some(len) = part[0].as_ref().map(|p| p.len()) else {
                break;
            };
            let part = part.map(|p| p.expect("all outputs have one length"));
            if start + len == n {
                body(start, part);
                break;
            }
            s.spawn(move || body(start, part));
            start += len;
        }
    });
}
