//! A per-thread pool of the large arrays the built-in functions allocate, reused when their
//! variables are dropped.
//!
//! On 10^6 elements every op's result is a fresh 8 MB array. glibc hands blocks that large
//! back to the kernel when they are freed, so each forward + backward of a training loop faults
//! all its pages in again: profiled on Goldstein–Price over 10^6 elements, three quarters of
//! the time was the kernel's (page faults, zeroing pages, unmapping). The arrays the built-in
//! functions allocate are therefore marked; when such a variable is dropped its buffer comes
//! here, and the next built-in result of the same length takes it.
//!
//! The pool holds only buffers of at least [`MIN_LEN`] elements (the allocator reuses smaller
//! ones cheaply), at most [`pool_limit`] bytes per thread (the oldest freed first: by default
//! [`DEFAULT_LIMIT`], about what one forward + backward of a 40-op graph on 10^6 elements holds
//! at its peak), and never an array still reachable: a buffer enters only when its variable is
//! dropped. Arrays the program made ([`Variable::new`](crate::Variable::new)) are never taken.
//! [`clear_pool`] frees it. The fused nodes keep their own, smaller cache
//! ([`fused::clear_buffer_cache`](crate::fused::clear_buffer_cache)) in the same kind of
//! store (`Buffers`), with its own bounds.

use std::cell::{Cell, RefCell};

use ndarray::{ArrayD, Dimension, IxDyn};

/// Smaller arrays are never pooled (65,536 elements, 512 KiB).
pub const MIN_LEN: usize = 1 << 16;

/// The pool's default bound per thread, in bytes (512 MiB).
pub const DEFAULT_LIMIT: usize = 512 << 20;

/// Idle large buffers, oldest first, and the bytes they hold: the store behind this pool and
/// the fused nodes' smaller cache (`fused::buffers`), each with its own bounds.
#[derive(Default)]
pub(crate) struct Buffers {
    buffers: Vec<Vec<f64>>,
    /// The sum of the buffers' capacities, in bytes.
    bytes: usize,
}

impl Buffers {
    /// A buffer of exactly `n` elements, if there is one (removed). The most recently
    /// returned first: its pages are the likeliest to be in cache.
    pub(crate) fn take(&mut self, n: usize) -> Option<Vec<f64>> {
        if n < MIN_LEN {
            return None;
        }
        let i = self.buffers.iter().rposition(|b| b.len() == n)?;
        let b = self.buffers.remove(i);
        self.bytes -= bytes_of(&b);
        Some(b)
    }

    /// Adds `v`, then evicts the oldest buffers until at most `count` buffers of at most
    /// `bytes` bytes are left; returns what goes (to be freed outside the borrow): the evicted
    /// buffers, or `v` itself if it alone is over `bytes` (evicting the others would not help).
    pub(crate) fn give(&mut self, v: Vec<f64>, count: usize, bytes: usize) -> Vec<Vec<f64>> {
        if bytes_of(&v) > bytes {
            return vec![v];
        }
        self.bytes += bytes_of(&v);
        self.buffers.push(v);
        self.evict_to(count, bytes)
    }

    /// Evicts the oldest buffers until at most `count` of at most `bytes` bytes are left.
    pub(crate) fn evict_to(&mut self, count: usize, bytes: usize) -> Vec<Vec<f64>> {
        let mut over = 0;
        let mut held = self.bytes;
        while self.buffers.len() - over > count || held > bytes {
            held -= bytes_of(&self.buffers[over]);
            over += 1;
        }
        self.bytes = held;
        self.buffers.drain(..over).collect()
    }

    /// The bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// `array`'s buffer, if it is worth keeping: large, owned whole and contiguous.
pub(crate) fn reusable(array: ArrayD<f64>) -> Option<Vec<f64>> {
    let len = array.len();
    if len < MIN_LEN || !array.is_standard_layout() {
        return None;
    }
    let (v, offset) = array.into_raw_vec_and_offset();
    (offset == Some(0) && v.len() == len).then_some(v)
}

thread_local! {
    static POOL: RefCell<Buffers> = RefCell::new(Buffers::default());
    static LIMIT: Cell<usize> = const { Cell::new(DEFAULT_LIMIT) };
}

fn bytes_of(v: &Vec<f64>) -> usize {
    v.capacity() * std::mem::size_of::<f64>()
}

/// A pooled buffer of exactly `n` elements, if there is one (removed from the pool).
fn take(n: usize) -> Option<Vec<f64>> {
    POOL.try_with(|p| p.borrow_mut().take(n)).ok().flatten()
}

/// A buffer of `n` elements whose values are unspecified (a pooled buffer keeps its old, finite
/// values; a fresh one is zeros): the caller must write every element.
pub(crate) fn output(n: usize) -> Vec<f64> {
    take(n).unwrap_or_else(|| vec![0.0; n])
}

/// An array of `shape` whose values are unspecified (see [`output`]): the caller writes every
/// element.
pub(crate) fn array(shape: IxDyn) -> ArrayD<f64> {
    let v = output(shape.size());
    ArrayD::from_shape_vec(shape, v).expect("one value per element")
}

/// An array of `shape`, every element `value`, in a pooled buffer when one fits.
pub(crate) fn filled(shape: IxDyn, value: f64) -> ArrayD<f64> {
    match take(shape.size()) {
        Some(mut b) => {
            b.fill(value);
            ArrayD::from_shape_vec(shape, b).expect("one value per element")
        }
        None => ArrayD::from_elem(shape, value),
    }
}

/// A variable over `data` whose buffer goes to the pool when it is dropped (if large).
pub(crate) fn variable(data: ArrayD<f64>) -> crate::Variable {
    let pooled = poolable(&data);
    let v = crate::Variable::new(data);
    if pooled {
        v.0.borrow_mut().pooled = true;
    }
    v
}

/// Whether `array` is large enough to be pooled when its variable is dropped.
#[inline]
pub(crate) fn poolable(array: &ArrayD<f64>) -> bool {
    array.len() >= MIN_LEN
}

/// Takes back `array`'s buffer if it is large, owned whole and contiguous; otherwise frees it.
pub(crate) fn give(array: ArrayD<f64>) {
    let Some(v) = reusable(array) else { return };
    let limit = LIMIT.try_with(Cell::get).unwrap_or(0);
    let evicted = POOL.try_with(|p| p.borrow_mut().give(v, usize::MAX, limit));
    drop(evicted); // freed outside the borrow
}

/// Frees this thread's pool of large arrays.
///
/// The built-in functions return their large results (65,536 elements or more) to a
/// per-thread pool when their variables are dropped, so the next iteration of a loop writes
/// into the same pages instead of asking the operating system for fresh ones. Call this when
/// the loop is over and the memory is wanted back.
///
/// ```
/// use dezero_runtime::{pool, Variable};
/// let x = Variable::new(ndarray::Array1::linspace(0.0, 1.0, 100_000).into_dyn());
/// pool::clear_pool();
/// drop(&x * 2.0); // the product's array goes to the pool
/// assert_eq!(pool::pooled_bytes(), 800_000);
/// pool::clear_pool();
/// assert_eq!(pool::pooled_bytes(), 0);
/// ```
pub fn clear_pool() {
    let freed = POOL.try_with(|p| std::mem::take(&mut *p.borrow_mut()));
    drop(freed);
}

/// The bytes this thread's pool of large arrays holds now (see [`clear_pool`]).
///
/// ```
/// use dezero_runtime::{pool, Variable};
/// pool::clear_pool();
/// let x = Variable::new(ndarray::Array1::zeros(70_000).into_dyn());
/// let y = dezero_runtime::functions::sin(&x);
/// assert_eq!(pool::pooled_bytes(), 0); // y is alive
/// drop(y);
/// assert_eq!(pool::pooled_bytes(), 560_000);
/// drop(x); // the program's own array is freed, never pooled
/// assert_eq!(pool::pooled_bytes(), 560_000);
/// ```
pub fn pooled_bytes() -> usize {
    POOL.try_with(|p| p.borrow().bytes()).unwrap_or(0)
}

/// The most bytes this thread's pool may hold (by default [`DEFAULT_LIMIT`]).
///
/// ```
/// use dezero_runtime::pool;
/// assert_eq!(pool::pool_limit(), pool::DEFAULT_LIMIT);
/// ```
pub fn pool_limit() -> usize {
    LIMIT.try_with(Cell::get).unwrap_or(0)
}

/// Sets the most bytes this thread's pool may hold; 0 turns pooling off. Buffers over the new
/// bound are freed now, the oldest first.
///
/// ```
/// use dezero_runtime::{pool, Variable};
/// let x = Variable::new(ndarray::Array1::zeros(70_000).into_dyn());
/// pool::set_pool_limit(0);
/// drop(&x + 1.0);
/// assert_eq!(pool::pooled_bytes(), 0);
/// pool::set_pool_limit(pool::DEFAULT_LIMIT);
/// ```
pub fn set_pool_limit(bytes: usize) {
    let _ = LIMIT.try_with(|l| l.set(bytes));
    let evicted = POOL.try_with(|p| p.borrow_mut().evict_to(usize::MAX, bytes));
    drop(evicted);
}
