//! The tapes of generated pullbacks over slices: `Vec`s lent by a per-thread pool.
//!
//! A `_vjp` of a function over slices saves what its forward sweep overwrites on a tape and
//! pops it in the reverse sweep. Taking the tape's `Vec` from a pool and giving it back
//! (emptied, capacity kept) when the pullback returns means a pullback called in a loop
//! allocates nothing after its first call. Pullbacks that call pullbacks each take their own.
//! The element types generated code uses (`f64`, `f32`, `bool`) have pools of their own,
//! found without hashing: a pullback called per observation takes and returns its tape in a
//! few instructions.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

/// At most this many idle tapes of each element type are kept per thread.
const KEPT: usize = 16;

thread_local! {
    /// Idle `f64` tapes: the common case, found without hashing.
    static F64: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
    /// Idle `f32` tapes.
    static F32: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
    /// Idle `bool` tapes (branch directions).
    static BOOL: RefCell<Vec<Vec<bool>>> = const { RefCell::new(Vec::new()) };
    /// Per other element type `T` (integer tapes), a `Vec<Vec<T>>` of idle tapes.
    static OTHER: RefCell<HashMap<TypeId, Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// Runs `f` on the thread's list of idle `Vec<T>`s, if the thread still has its pool (during
/// thread teardown it may be gone). The element types of generated code's tapes have lists
/// of their own; any other type is looked up by its `TypeId`.
fn with_idle<T: 'static, R>(f: impl FnOnce(&mut Vec<Vec<T>>) -> R) -> Option<R> {
    fn typed<U: 'static, T: 'static, R>(
        pool: &'static std::thread::LocalKey<RefCell<Vec<Vec<U>>>>,
        f: impl FnOnce(&mut Vec<Vec<T>>) -> R,
    ) -> Option<R> {
        pool.try_with(|p| {
            let mut p = p.borrow_mut();
            (&mut *p as &mut dyn Any)
                .downcast_mut::<Vec<Vec<T>>>()
                .map(f)
        })
        .ok()
        .flatten()
    }
    let id = TypeId::of::<T>();
    if id == TypeId::of::<f64>() {
        typed(&F64, f)
    } else if id == TypeId::of::<f32>() {
        typed(&F32, f)
    } else if id == TypeId::of::<bool>() {
        typed(&BOOL, f)
    } else {
        OTHER
            .try_with(|p| {
                let mut p = p.borrow_mut();
                let list = p
                    .entry(id)
                    .or_insert_with(|| Box::new(Vec::<Vec<T>>::new()));
                list.downcast_mut::<Vec<Vec<T>>>().map(f)
            })
            .ok()
            .flatten()
    }
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
        Tape {
            buf: with_idle(Vec::pop).flatten().unwrap_or_default(),
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
        // Without a pool (thread teardown) or with a full one the buffer is simply freed.
        with_idle(|list: &mut Vec<Vec<T>>| {
            if list.len() < KEPT {
                list.push(buf);
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

/// An integer or `bool` a split pullback's forward half records on an `f64` tape: stored as
/// the bits of an `f64`, so the value comes back exactly (not converted to a float).
pub trait TapeInt: Copy {
    /// The value as 64 bits (sign-extended).
    fn to_bits64(self) -> u64;
    /// The value back from [`TapeInt::to_bits64`]'s bits.
    fn from_bits64(bits: u64) -> Self;
}

macro_rules! tape_ints {
    ($($t:ty),*) => {$(
        impl TapeInt for $t {
            fn to_bits64(self) -> u64 {
                self as u64
            }
            fn from_bits64(bits: u64) -> Self {
                bits as $t
            }
        }
    )*};
}
tape_ints!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl TapeInt for bool {
    fn to_bits64(self) -> u64 {
        u64::from(self)
    }
    fn from_bits64(bits: u64) -> Self {
        bits != 0
    }
}

/// `i` as an `f64` tape entry (its bits).
///
/// ```
/// use dezero::__private::{int_bits, int_from_bits};
///
/// let bits = int_bits(-7_i64);
/// assert_eq!(int_from_bits(0_i64, bits), -7);
/// assert_eq!(int_from_bits(0_usize, int_bits(usize::MAX)), usize::MAX);
/// ```
pub fn int_bits<I: TapeInt>(i: I) -> f64 {
    f64::from_bits(i.to_bits64())
}

/// The integer [`int_bits`] stored, of the type of `like` (the variable it goes back into,
/// which fixes the type the way the user's code does).
pub fn int_from_bits<I: TapeInt>(like: I, bits: f64) -> I {
    let _ = like;
    I::from_bits64(bits.to_bits())
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

    #[test]
    fn every_element_type_has_its_own_pool() {
        let mut ints: Tape<usize> = Tape::new();
        ints.extend([1, 2, 3, 4, 5]);
        let cap = ints.capacity();
        let mut flags: Tape<bool> = Tape::new();
        flags.push(true);
        drop((ints, flags));
        let floats: Tape<f32> = Tape::new();
        assert_eq!(floats.capacity(), 0);
        let again: Tape<usize> = Tape::new();
        assert_eq!(again.capacity(), cap);
        let again_flags: Tape<bool> = Tape::new();
        assert!(again_flags.capacity() >= 1 && again_flags.is_empty());
    }
}
