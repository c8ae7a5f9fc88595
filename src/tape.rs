//! The tapes of generated pullbacks over slices: `Vec`s lent by a per-thread pool.
//!
//! A `_vjp` of a function over slices saves what its forward sweep overwrites on a tape and
//! pops it in the reverse sweep. Taking the tape's `Vec` from a pool and giving it back
//! (emptied, capacity kept) when the pullback returns means a pullback called in a loop
//! allocates nothing after its first call. Pullbacks that call pullbacks each take their own.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

/// At most this many idle tapes of each element type are kept per thread.
const KEPT: usize = 16;

thread_local! {
    /// Per element type `T`, a `Vec<Vec<T>>` of idle tapes.
    static POOL: RefCell<HashMap<TypeId, Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// A `Vec<T>` from the per-thread pool, returned to it on drop.
///
/// ```
/// use dezero::__private::Tape;
///
/// let mut tape: Tape<f64> = Tape::new();
/// tape.push(1.5);
/// assert_eq!(tape.pop(), Some(1.5));
/// ```
pub struct Tape<T: 'static> {
    buf: Vec<T>,
}

impl<T: 'static> Tape<T> {
    /// An empty tape, reusing a pooled `Vec`'s capacity if the thread has one.
    pub fn new() -> Self {
        let reused = POOL
            .try_with(|p| {
                let mut p = p.borrow_mut();
                let list = p
                    .get_mut(&TypeId::of::<T>())?
                    .downcast_mut::<Vec<Vec<T>>>()?;
                list.pop()
            })
            .ok()
            .flatten();
        Tape {
            buf: reused.unwrap_or_default(),
        }
    }
}

impl<T: 'static> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> Drop for Tape<T> {
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        if buf.capacity() == 0 {
            return;
        }
        buf.clear();
        // During thread teardown the pool may be gone: the buffer is then simply freed.
        let _ = POOL.try_with(|p| {
            let mut p = p.borrow_mut();
            let list = p
                .entry(TypeId::of::<T>())
                .or_insert_with(|| Box::new(Vec::<Vec<T>>::with_capacity(KEPT)));
            if let Some(list) = list.downcast_mut::<Vec<Vec<T>>>() {
                if list.len() < KEPT {
                    list.push(buf);
                }
            }
        });
    }
}

impl<T: 'static> Deref for Tape<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.buf
    }
}

impl<T: 'static> DerefMut for Tape<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::Tape;

    #[test]
    fn a_returned_tape_is_lent_again_with_its_capacity() {
        let mut t: Tape<f64> = Tape::new();
        t.extend([1.0, 2.0, 3.0]);
        let cap = t.capacity();
        drop(t);
        let again: Tape<f64> = Tape::new();
        assert!(again.is_empty());
        assert_eq!(again.capacity(), cap);
        // nested pullbacks take distinct tapes
        let inner: Tape<f64> = Tape::new();
        assert_eq!(inner.capacity(), 0);
    }
}
