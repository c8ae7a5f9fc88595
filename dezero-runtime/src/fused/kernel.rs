//! The element loops of [`elementwise`](super::elementwise): broadcasting N input arrays to one
//! shape and running a scalar function (forward) or its pullback (backward) on every element,
//! without materialising broadcast copies of the inputs.
//!
//! The loops run in blocks of [`BLOCK`] elements. Each block reads every input as a slice: a
//! contiguous input of the full shape directly, a size-1 input from a buffer of its value, any
//! other broadcast input from a buffer refilled from its broadcast view. So the inner loop has
//! no per-element branch, and nothing larger than a block is ever copied. The `_parallel`
//! loops split the first two kinds over threads; a broadcast view is walked on one thread.
//!
//! Output buffers come from [`buffers::output`]: a cached buffer of the right length when there
//! is one. Its old values are never read: the loops write every element.

use ndarray::{ArrayD, ArrayView1, ArrayViewD, Axis, Dimension, Ix1, IxDyn};

use super::buffers;
use crate::threads::split;

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
                .expect("shapes checked by broadcast::shape"),
        )
    }

    fn is_flat(&self) -> bool {
        !matches!(self, Lane::View(_))
    }
}

/// Elements per block of the loops.
const BLOCK: usize = 128;

/// The inputs as lanes, and whether all are flat (slices or constants).
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

/// Reads one lane block by block, from element `start` on.
struct Reader<'v> {
    source: Source<'v>,
    buf: [f64; BLOCK],
}

enum Source<'v> {
    Slice(&'v [f64]),
    /// A constant, already in `buf`.
    Constant,
    /// A broadcast view, copied into `buf` a block at a time, row by row along its last
    /// axis (iterating an n-dim view element by element is several times slower).
    View {
        rows: ndarray::iter::LanesIter<'v, f64, IxDyn>,
        row: ndarray::iter::Iter<'v, f64, Ix1>,
    },
}

impl<'v> Reader<'v> {
    fn new(lane: &'v Lane<'_>, start: usize) -> Self {
        let (source, fill) = match lane {
            Lane::Slice(s) => (Source::Slice(&s[start..]), 0.0),
            Lane::Scalar(v) => (Source::Constant, *v),
            Lane::View(v) => {
                assert_eq!(start, 0, "broadcast views are read from the start");
                let last = Axis(v.ndim() - 1); // a view is never 0-dim (that is a Scalar)
                let source = Source::View {
                    rows: v.lanes(last).into_iter(),
                    row: ArrayView1::from(&[][..]).into_iter(),
                };
                (source, 0.0)
            }
        };
        Reader {
            source,
            buf: [fill; BLOCK],
        }
    }

    /// The next `len` elements (`len <= BLOCK`); blocks must be read in order.
    #[inline(always)]
    fn next_block(&mut self, len: usize) -> &[f64] {
        match &mut self.source {
            Source::Slice(s) => {
                let (block, rest) = s.split_at(len);
                *s = rest;
                block
            }
            Source::Constant => &self.buf[..len],
            Source::View { rows, row } => {
                for b in &mut self.buf[..len] {
                    *b = loop {
                        if let Some(x) = row.next() {
                            break *x;
                        }
                        *row = rows
                            .next()
                            .expect("one row per `len` of the shape")
                            .into_iter();
                    };
                }
                &self.buf[..len]
            }
        }
    }
}

/// `y[j] = f(x[start + j])` for the chunk `y` of the output.
#[inline(always)]
fn forward_loop<const N: usize>(
    xs: &Inputs<'_, N>,
    start: usize,
    y: &mut [f64],
    f: &impl Fn([f64; N]) -> f64,
) {
    let mut readers = xs.lanes.each_ref().map(|l| Reader::new(l, start));
    for y in y.chunks_mut(BLOCK) {
        let len = y.len();
        // Every slice exactly `len` long: no bounds checks in the loop, which the compiler
        // then runs over vector lanes when `f` inlines.
        let ins = readers.each_mut().map(|r| &r.next_block(len)[..len]);
        for (j, y) in y.iter_mut().enumerate() {
            *y = f(ins.map(|s| s[j]));
        }
    }
}

/// `gxs[k][j] = pullback(x[start + j], gy[start + j])[k]` for the chunks `gxs` of the input
/// gradients.
#[inline(always)]
fn backward_loop<const N: usize>(
    xs: &Inputs<'_, N>,
    gy: &Lane<'_>,
    start: usize,
    gxs: [&mut [f64]; N],
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) {
    let n = gxs.first().map_or(0, |g| g.len());
    let mut readers = xs.lanes.each_ref().map(|l| Reader::new(l, start));
    let mut gy = Reader::new(gy, start);
    let mut chunks = gxs.map(|g| g.chunks_mut(BLOCK));
    for i0 in (0..n).step_by(BLOCK) {
        let len = BLOCK.min(n - i0);
        // Every slice exactly `len` long, as in `fill_forward`.
        let ins = readers.each_mut().map(|r| &r.next_block(len)[..len]);
        let gys = &gy.next_block(len)[..len];
        let mut outs = chunks
            .each_mut()
            .map(|c| &mut c.next().expect("one chunk per block")[..len]);
        for (j, &gy) in gys.iter().enumerate() {
            let g = pullback(ins.map(|s| s[j]), gy);
            for (o, g) in outs.iter_mut().zip(g) {
                o[j] = g;
            }
        }
    }
}

/// Whether this CPU has AVX2 and FMA (checked once, then cached by the standard library).
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// [`forward_loop`] compiled for AVX2: the same loop, four `f64` lanes per vector instead of
/// SSE2's two. The same bits: Rust never contracts `a * b + c` into a fused multiply-add
/// (only `mul_add` is one), and each element is computed on its own, as on the scalar path.
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`has_avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn forward_loop_avx2<const N: usize>(
    xs: &Inputs<'_, N>,
    start: usize,
    y: &mut [f64],
    f: &impl Fn([f64; N]) -> f64,
) {
    forward_loop(xs, start, y, f);
}

/// [`backward_loop`] compiled for AVX2, as [`forward_loop_avx2`].
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`has_avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn backward_loop_avx2<const N: usize>(
    xs: &Inputs<'_, N>,
    gy: &Lane<'_>,
    start: usize,
    gxs: [&mut [f64]; N],
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) {
    backward_loop(xs, gy, start, gxs, pullback);
}

/// [`forward_loop`] with the widest vector units this CPU has (checked at run time).
#[inline(always)]
fn fill_forward<const N: usize>(
    xs: &Inputs<'_, N>,
    start: usize,
    y: &mut [f64],
    f: &impl Fn([f64; N]) -> f64,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: has_avx2() just checked that this CPU supports AVX2 and FMA, the features
        // forward_loop_avx2 is compiled for; its arguments are those of the safe forward_loop.
        unsafe { forward_loop_avx2(xs, start, y, f) };
        return;
    }
    forward_loop(xs, start, y, f);
}

/// [`backward_loop`] with the widest vector units this CPU has (checked at run time).
#[inline(always)]
fn fill_backward<const N: usize>(
    xs: &Inputs<'_, N>,
    gy: &Lane<'_>,
    start: usize,
    gxs: [&mut [f64]; N],
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: has_avx2() just checked that this CPU supports AVX2 and FMA, the features
        // backward_loop_avx2 is compiled for; its arguments are those of the safe
        // backward_loop.
        unsafe { backward_loop_avx2(xs, gy, start, gxs, pullback) };
        return;
    }
    backward_loop(xs, gy, start, gxs, pullback);
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
    let mut y = buffers::output(xs.n);
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
    let mut gxs: [Vec<f64>; N] = std::array::from_fn(|_| buffers::output(xs.n));
    fill_backward(&xs, &gy, 0, gxs.each_mut().map(|g| &mut g[..]), pullback);
    gxs.map(|g| array(shape, g))
}

/// [`forward`], split over up to `threads` threads when every input is flat.
pub(crate) fn forward_parallel<const N: usize>(
    xs: [&ArrayD<f64>; N],
    shape: &IxDyn,
    f: &(impl Fn([f64; N]) -> f64 + Sync),
    threads: usize,
) -> ArrayD<f64> {
    let xs = Inputs::new(xs, shape);
    let mut y = buffers::output(xs.n);
    let threads = if xs.flat { threads } else { 1 };
    split(threads, [&mut y[..]], |start, [y]| {
        fill_forward(&xs, start, y, f)
    });
    array(shape, y)
}

/// [`backward`], split over up to `threads` threads when every input and `gy` are flat.
pub(crate) fn backward_parallel<const N: usize>(
    xs: [&ArrayD<f64>; N],
    gy: &ArrayD<f64>,
    shape: &IxDyn,
    pullback: &(impl Fn([f64; N], f64) -> [f64; N] + Sync),
    threads: usize,
) -> [ArrayD<f64>; N] {
    let xs = Inputs::new(xs, shape);
    let gy = Lane::new(gy, shape);
    let mut gxs: [Vec<f64>; N] = std::array::from_fn(|_| buffers::output(xs.n));
    let threads = if xs.flat && gy.is_flat() { threads } else { 1 };
    split(threads, gxs.each_mut().map(|g| &mut g[..]), |start, gxs| {
        fill_backward(&xs, &gy, start, gxs, pullback)
    });
    gxs.map(|g| array(shape, g))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goldstein([x, y]: [f64; 2]) -> f64 {
        (1.0 + (x + y + 1.0).powi(2)
            * (19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y))
            * (30.0
                + (2.0 * x - 3.0 * y).powi(2)
                    * (18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y))
    }

    /// A pullback with products, sums and a transcendental call, as generated code has.
    fn pullback([x, y]: [f64; 2], g: f64) -> [f64; 2] {
        let a = 1.0 + x * x * y;
        [
            g * (2.0 * x * y) * a + x.sin() * g,
            g * x * x * a - 3.0 * y * g,
        ]
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn avx2_loops_give_the_scalar_loops_bits() {
        if !has_avx2() {
            eprintln!("no AVX2 on this CPU: nothing to compare");
            return;
        }
        let n = 1000; // several blocks and a ragged last one
        let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| {
            (i[0] as f64 * 0.618_034).fract() * 4.0 - 2.0
        });
        let y = ArrayD::from_shape_fn(IxDyn(&[n]), |i| {
            (i[0] as f64 * 0.414_214).fract() * 4.0 - 2.0
        });
        let row = ArrayD::from_shape_fn(IxDyn(&[1, 8]), |i| i[1] as f64 * 0.25 - 1.0);
        let grid = ArrayD::from_shape_fn(IxDyn(&[125, 8]), |i| (i[0] * 8 + i[1]) as f64 * 1e-3);
        let c = ArrayD::from_elem(IxDyn(&[]), 0.5);
        for (a, b) in [(&x, &y), (&grid, &row), (&c, &grid)] {
            let shape = crate::broadcast::shape("test", &[a.shape(), b.shape()]);
            let xs = Inputs::new([a, b], &shape);
            let (mut scalar, mut avx) = (vec![0.0; xs.n], vec![1.0; xs.n]);
            forward_loop(&xs, 0, &mut scalar, &goldstein);
            // SAFETY: has_avx2() returned true above.
            unsafe { forward_loop_avx2(&xs, 0, &mut avx, &goldstein) };
            assert!(scalar
                .iter()
                .zip(&avx)
                .all(|(s, v)| s.to_bits() == v.to_bits()));
            if a.shape() == b.shape() {
                let direct = a.iter().zip(b).map(|(&a, &b)| goldstein([a, b]));
                assert!(direct.zip(&scalar).all(|(d, s)| d.to_bits() == s.to_bits()));
            }

            let gy = ArrayD::from_shape_fn(shape.clone(), |i| {
                1.0 + i.slice().iter().sum::<usize>() as f64 * 1e-3
            });
            let gy = Lane::new(&gy, &shape);
            let mut s = [vec![0.0; xs.n], vec![0.0; xs.n]];
            let mut v = [vec![1.0; xs.n], vec![1.0; xs.n]];
            backward_loop(&xs, &gy, 0, s.each_mut().map(|g| &mut g[..]), &pullback);
            // SAFETY: has_avx2() returned true above.
            unsafe { backward_loop_avx2(&xs, &gy, 0, v.each_mut().map(|g| &mut g[..]), &pullback) };
            for k in 0..2 {
                assert!(s[k]
                    .iter()
                    .zip(&v[k])
                    .all(|(s, v)| s.to_bits() == v.to_bits()));
            }
        }
    }
}
