//! How many threads the element loops of large arrays may use, and the one loop splitter the
//! built-in functions and fused nodes share.
//!
//! Element-wise work is split into equal chunks of the output, one per thread (the last on
//! the calling thread, the others on scoped threads spawned for that loop), so every element is
//! computed by the same code on any number of threads: the results are the same bits. Reductions
//! (`sum`, `sum_to`, matrix products) are not split: their order of additions stays fixed.

use std::cell::Cell;

/// Below this many elements a loop stays on one thread (a scoped spawn and join costs 50-60 µs
/// on the 2-core test machine when it is quiet).
const MIN_PARALLEL: usize = 1 << 16;

thread_local! {
    static THREADS: Cell<usize> = const { Cell::new(1) };
}

/// Lets the element-wise loops of the built-in functions, on arrays of 65,536 elements or
/// more, run on up to `n` threads (`0` is taken as 1). The setting is this thread's, like the
/// graph; it starts at 1.
///
/// Results are the same bits on any number of threads. One thread is the default because a
/// graph of small arrays gains nothing, and on a shared machine idle cores are not a given;
/// `std::thread::available_parallelism()` is the usual choice when they are.
///
/// ```
/// use dezero_runtime::{functions::sin, num_threads, set_num_threads, Variable};
/// let x = Variable::new(ndarray::Array1::linspace(0.0, 1.0, 100_000).into_dyn());
/// let one = sin(&x).data().to_owned();
/// set_num_threads(2);
/// assert_eq!(num_threads(), 2);
/// assert_eq!(*sin(&x).data(), one);
/// set_num_threads(1);
/// ```
pub fn set_num_threads(n: usize) {
    THREADS.with(|t| t.set(n.max(1)));
}

/// The number of threads set by [`set_num_threads`] on this thread (1 unless set).
///
/// ```
/// assert_eq!(dezero_runtime::num_threads(), 1);
/// ```
pub fn num_threads() -> usize {
    THREADS.with(Cell::get)
}

/// Runs `body(start, chunk)` over equal chunks of `out` on the threads [`set_num_threads`]
/// allows: the built-in functions' element loops (see [`split`]).
pub(crate) fn each_chunk(out: &mut [f64], body: impl Fn(usize, &mut [f64]) + Sync) {
    split(num_threads(), [out], |start, [out]| body(start, out));
}

/// Runs `body(start, chunks)` over equal chunks of the M output slices (all of one length),
/// on up to `threads` scoped threads (the last chunk on the calling thread); `start` is the
/// chunk's offset in the outputs. One call of `body` over everything below [`MIN_PARALLEL`].
pub(crate) fn split<const M: usize>(
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
