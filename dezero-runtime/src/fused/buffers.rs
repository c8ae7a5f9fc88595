//! A small per-thread cache of large `f64` buffers, used only by fused nodes.
//!
//! A fused node's forward + backward on 10^6 elements writes three fresh 8 MB arrays (its
//! output, two gradients; a fourth, the seed of ones, only when the pass retains it). glibc hands blocks that large straight back
//! to the kernel when they are freed, so every iteration of a training loop pays to fault them
//! in again: about half the node's time. Arrays a fused node allocated are marked; when such a
//! variable is dropped, its buffer comes back here instead of to the allocator, and the next
//! fused node of the same length takes it.
//!
//! The cache is bounded ([`MAX_BUFFERS`] buffers and [`MAX_BYTES`] bytes per thread, the oldest
//! evicted first), holds only buffers of at least [`crate::pool::MIN_LEN`] elements, and never
//! holds an array that is still reachable: a buffer enters only when its variable is dropped.
//! It is the runtime pool's kind of store (`pool::Buffers`) with smaller bounds.
//! [`clear_buffer_cache`] frees it.

use std::cell::RefCell;

use ndarray::{ArrayD, Dimension, IxDyn};

use crate::pool::Buffers;
use crate::variable::Variable;

/// At most this many buffers per thread.
pub(crate) const MAX_BUFFERS: usize = 4;
/// At most this many bytes per thread (64 MiB).
pub(crate) const MAX_BYTES: usize = 64 << 20;

thread_local! {
    static CACHE: RefCell<Buffers> = RefCell::new(Buffers::default());
}

/// A cached buffer of exactly `n` elements, if there is one (removed from the cache).
fn take(n: usize) -> Option<Vec<f64>> {
    CACHE.try_with(|c| c.borrow_mut().take(n)).ok().flatten()
}

/// A buffer of `n` elements whose values are unspecified (a reused buffer keeps its old,
/// finite values): the caller must write every element.
pub(crate) fn output(n: usize) -> Vec<f64> {
    take(n).unwrap_or_else(|| vec![0.0; n])
}

/// A buffer of `n` elements, all `value`.
pub(crate) fn filled(n: usize, value: f64) -> Vec<f64> {
    match take(n) {
        Some(mut b) => {
            b.fill(value);
            b
        }
        None => vec![value; n],
    }
}

/// Backward's seed for a fused node's output: ones of `shape`, in a cached buffer when one
/// fits, and marked so its buffer comes back when backward drops it.
pub(crate) fn ones_seed(shape: IxDyn) -> Variable {
    let n = shape.size();
    let ones = ArrayD::from_shape_vec(shape, filled(n, 1.0)).expect("one value per element");
    marked(ones)
}

/// A variable over `data` whose buffer returns to the cache when the variable is dropped.
pub(crate) fn marked(data: ArrayD<f64>) -> Variable {
    let v = Variable::new(data);
    v.0.borrow_mut().recycle = true;
    v
}

/// Takes back `array`'s buffer if it is large, owned whole and contiguous; otherwise frees it.
pub(crate) fn give(array: ArrayD<f64>) {
    let Some(v) = crate::pool::reusable(array) else {
        return;
    };
    let evicted = CACHE.try_with(|c| c.borrow_mut().give(v, MAX_BUFFERS, MAX_BYTES));
    drop(evicted); // freed outside the borrow
}

/// Frees this thread's cache of fused-node buffers.
///
/// Fused nodes ([`elementwise`](super::elementwise), [`elementwise_parallel`](super::elementwise_parallel))
/// keep up to 4 of their own large buffers (at most 64 MiB) per thread after their variables
/// are dropped, so a loop reuses them instead of asking the operating system for fresh pages
/// every iteration. Call this when the loop is over and the memory is wanted back.
///
/// ```
/// use dezero_runtime::{fused, Variable};
/// let x = Variable::new(ndarray::Array1::linspace(0.0, 1.0, 100_000).into_dyn());
/// let y = fused::elementwise("square", [&x], |[x]| x * x, |[x], g| [2.0 * x * g]);
/// drop(y); // its output buffer goes to the cache
/// assert_eq!(fused::cached_buffer_bytes(), 800_000);
/// fused::clear_buffer_cache();
/// assert_eq!(fused::cached_buffer_bytes(), 0);
/// ```
pub fn clear_buffer_cache() {
    let freed = CACHE.try_with(|c| std::mem::take(&mut *c.borrow_mut()));
    drop(freed);
}

/// The bytes this thread's cache of fused-node buffers holds now (see [`clear_buffer_cache`]).
///
/// ```
/// use dezero_runtime::{fused, Variable};
/// fused::clear_buffer_cache();
/// assert_eq!(fused::cached_buffer_bytes(), 0);
/// let x = Variable::new(ndarray::Array1::zeros(70_000).into_dyn());
/// let y = fused::elementwise("double", [&x], |[x]| 2.0 * x, |[_], g| [2.0 * g]);
/// y.backward(); // the seed is one number, not a buffer
/// assert_eq!(fused::cached_buffer_bytes(), 0);
/// x.cleargrad(); // the gradient is dropped: cached
/// assert_eq!(fused::cached_buffer_bytes(), 560_000);
/// drop(y); // and the output
/// assert_eq!(fused::cached_buffer_bytes(), 1_120_000);
/// ```
pub fn cached_buffer_bytes() -> usize {
    CACHE.try_with(|c| c.borrow().bytes()).unwrap_or(0)
}
