//! Seeded random numbers that match NumPy's legacy `np.random` bit for bit: MT19937 with
//! `random_sample` (`rand`), the polar Box-Muller `standard_normal` (`randn`) and `permutation`.
//!
//! DeZero draws everything from `np.random`: [`Linear`](crate::layers::Linear)'s initial
//! weights, the spiral dataset and the shuffles of a data loader. [`RandomState`] reproduces
//! NumPy's `RandomState(seed)` exactly, so DeZero's data (for example
//! [`get_spiral`](crate::datasets::get_spiral)) comes out identical. The free functions
//! [`seed`], [`rand`], [`randn`] and [`permutation`] use one generator per thread, like
//! `np.random.seed(..)` and friends.
//!
//! ```
//! use dezero_runtime::random::RandomState;
//! // np.random.RandomState(0).randn(2) == [1.764052345967664, 0.4001572083672233]
//! let mut rng = RandomState::new(0);
//! assert_eq!(rng.standard_normal(), 1.764052345967664);
//! assert_eq!(rng.standard_normal(), 0.4001572083672233);
//! ```
//!
//! Unlike NumPy, whose global generator is seeded from the operating system, the per-thread
//! generator starts from seed 0: a program that never calls [`seed`] is still reproducible.

use std::cell::RefCell;

use ndarray::{ArrayD, IxDyn};

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// A Mersenne Twister (MT19937) generator with NumPy's legacy distributions
/// (`np.random.RandomState`).
///
/// The same seed gives the same numbers as NumPy, for [`next_u32`](Self::next_u32),
/// [`random_sample`](Self::random_sample), [`standard_normal`](Self::standard_normal),
/// [`rand`](Self::rand), [`randn`](Self::randn) and [`permutation`](Self::permutation).
///
/// ```
/// use dezero_runtime::random::RandomState;
/// // np.random.RandomState(0).random_sample() == 0.5488135039273248
/// assert_eq!(RandomState::new(0).random_sample(), 0.5488135039273248);
/// ```
#[derive(Clone)]
pub struct RandomState {
    mt: [u32; N],
    pos: usize,
    /// The second value of the last polar Box-Muller pair, not yet returned.
    gauss: Option<f64>,
}

impl std::fmt::Debug for RandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RandomState")
            .field("pos", &self.pos)
            .field("gauss", &self.gauss)
            .finish_non_exhaustive()
    }
}

impl RandomState {
    /// A generator seeded like `np.random.RandomState(seed)`.
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// // The reference MT19937 output for the default seed 5489.
    /// assert_eq!(RandomState::new(5489).next_u32(), 3499211612);
    /// ```
    pub fn new(seed: u32) -> Self {
        let mut rng = RandomState {
            mt: [0; N],
            pos: N,
            gauss: None,
        };
        rng.seed(seed);
        rng
    }

    /// Re-seeds the generator (`np.random.seed(seed)`), dropping any cached normal value.
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// let mut rng = RandomState::new(1);
    /// rng.seed(0);
    /// assert_eq!(rng.random_sample(), 0.5488135039273248);
    /// ```
    pub fn seed(&mut self, seed: u32) {
        self.mt[0] = seed;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.pos = N;
        self.gauss = None;
    }

    /// Refills the state with the next 624 words (MT19937's "twist").
    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.mt[i] & UPPER_MASK) | (self.mt[(i + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 0 { 0 } else { MATRIX_A };
            self.mt[i] = self.mt[(i + M) % N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    /// The next 32 random bits (MT19937's tempered output).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// let mut rng = RandomState::new(0);
    /// assert_eq!([rng.next_u32(), rng.next_u32()], [2357136044, 2546248239]);
    /// ```
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let mut y = self.mt[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A uniform sample in `[0, 1)` with 53 random bits (NumPy's `random_sample`).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// let x = RandomState::new(3).random_sample();
    /// assert!((0.0..1.0).contains(&x));
    /// ```
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A standard normal sample (NumPy's legacy `gauss`: the polar Box-Muller method, which
    /// makes two values at a time and returns the second one first).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// // np.random.RandomState(1984).randn() == -0.026902226847232345
    /// assert_eq!(RandomState::new(1984).standard_normal(), -0.026902226847232345);
    /// ```
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// An array of uniform samples in `[0, 1)` filled in row-major order (`np.random.rand(*shape)`).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// let a = RandomState::new(0).rand(&[2, 2]);
    /// assert_eq!(a.shape(), &[2, 2]);
    /// assert_eq!(a[[0, 0]], 0.5488135039273248);
    /// ```
    pub fn rand(&mut self, shape: &[usize]) -> ArrayD<f64> {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || self.random_sample())
    }

    /// An array of standard normal samples filled in row-major order (`np.random.randn(*shape)`).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// let a = RandomState::new(0).randn(&[2, 3]);
    /// assert_eq!(a[[1, 2]], -0.977277879876411);
    /// ```
    pub fn randn(&mut self, shape: &[usize]) -> ArrayD<f64> {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || self.standard_normal())
    }

    /// A uniform integer in `0..=max` by masked rejection (NumPy's `random_interval`).
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        }
        loop {
            let hi = u64::from(self.next_u32());
            let value = ((hi << 32) | u64::from(self.next_u32())) & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// Shuffles `items` in place, exactly as NumPy's legacy `shuffle` does (Fisher-Yates from
    /// the end).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// let mut v = vec!['a', 'b', 'c'];
    /// RandomState::new(0).shuffle(&mut v);
    /// v.sort();
    /// assert_eq!(v, ['a', 'b', 'c']);
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// `0..n` in random order (`np.random.permutation(n)`).
    ///
    /// ```
    /// use dezero_runtime::random::RandomState;
    /// // np.random.RandomState(0).permutation(10)
    /// assert_eq!(RandomState::new(0).permutation(10), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    /// ```
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut index: Vec<usize> = (0..n).collect();
        self.shuffle(&mut index);
        index
    }
}

thread_local! {
    static THREAD_RNG: RefCell<RandomState> = RefCell::new(RandomState::new(0));
}

/// Runs `f` with this thread's generator (the one behind [`seed`], [`rand`], [`randn`],
/// [`permutation`] and [`Linear`](crate::layers::Linear)'s initialisation).
///
/// # Panics
/// If `f` itself calls back into this thread's generator (a nested `with_rng`, or [`randn`]
/// from inside `f`).
///
/// ```
/// use dezero_runtime::random;
/// random::seed(0);
/// let bits = random::with_rng(|rng| rng.next_u32());
/// assert_eq!(bits, 2357136044);
/// ```
pub fn with_rng<R>(f: impl FnOnce(&mut RandomState) -> R) -> R {
    THREAD_RNG.with(|rng| f(&mut rng.borrow_mut()))
}

/// Seeds this thread's generator (`np.random.seed(seed)`).
///
/// ```
/// use dezero_runtime::random;
/// random::seed(0);
/// assert_eq!(random::rand(&[1])[0], 0.5488135039273248);
/// ```
pub fn seed(seed: u32) {
    with_rng(|rng| rng.seed(seed));
}

/// Uniform samples in `[0, 1)` from this thread's generator (`np.random.rand(*shape)`).
///
/// ```
/// assert_eq!(dezero_runtime::random::rand(&[2, 5]).shape(), &[2, 5]);
/// ```
pub fn rand(shape: &[usize]) -> ArrayD<f64> {
    with_rng(|rng| rng.rand(shape))
}

/// Standard normal samples from this thread's generator (`np.random.randn(*shape)`).
///
/// ```
/// use dezero_runtime::random;
/// random::seed(1984);
/// assert_eq!(random::randn(&[])[[]], -0.026902226847232345);
/// ```
pub fn randn(shape: &[usize]) -> ArrayD<f64> {
    with_rng(|rng| rng.randn(shape))
}

/// `0..n` in random order from this thread's generator (`np.random.permutation(n)`).
///
/// ```
/// use dezero_runtime::random;
/// random::seed(0);
/// assert_eq!(random::permutation(10), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
/// ```
pub fn permutation(n: usize) -> Vec<usize> {
    with_rng(|rng| rng.permutation(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_stays_in_range_and_covers_it() {
        let mut rng = RandomState::new(7);
        let mut seen = [false; 6];
        for _ in 0..200 {
            let v = rng.interval(5) as usize;
            seen[v] = true;
        }
        assert!(seen.iter().all(|&s| s));
        let big = (1u64 << 40) + 3;
        assert!((0..100).all(|_| rng.interval(big) <= big));
    }
}
