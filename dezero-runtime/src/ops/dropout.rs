//! Dropout (DeZero step 54) and the train/test switch it reads (DeZero's `Config.train` and
//! `test_mode()`), with a seeded per-thread generator so that masks are reproducible.
//!
//! The switch is per thread, like the backprop switch of [`no_grad`](crate::no_grad), and is
//! scoped the same way: [`test_mode`] returns a guard that restores the previous mode.

use std::cell::Cell;

use ndarray::{ArrayD, IxDyn, Zip};

use crate::function::{apply, Function};
use crate::variable::Variable;

/// The generator's state when a thread starts or after [`dropout_seed`]`(0)`.
const DEFAULT_SEED: u64 = 0;

thread_local! {
    static TRAIN: Cell<bool> = const { Cell::new(true) };
    static RNG: Cell<u64> = const { Cell::new(splitmix(DEFAULT_SEED)) };
}

/// One splitmix64 step: spreads a seed over all 64 bits (never 0 afterwards, for xorshift).
const fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) | 1
}

/// The next uniform number in `[0, 1)` from the thread's xorshift64* generator.
fn next_uniform(state: &mut u64) -> f64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether functions run in training mode on this thread (DeZero's `Config.train`; true by
/// default). [`dropout`] drops elements only in training mode.
///
/// ```
/// use dezero_runtime::{is_training, test_mode};
/// assert!(is_training());
/// let _guard = test_mode();
/// assert!(!is_training());
/// ```
pub fn is_training() -> bool {
    TRAIN.with(Cell::get)
}

/// Restores the previous train/test mode when dropped. Made by [`test_mode`].
///
/// Guards nest: each restores exactly what was in force when it was made. Keep it in a named
/// binding (`let _guard = ...`): `let _ = ...` drops it at once.
///
/// ```
/// use dezero_runtime::{is_training, test_mode};
/// let guard = test_mode();
/// assert!(!is_training());
/// drop(guard);
/// assert!(is_training());
/// ```
#[must_use = "training mode is restored as soon as the guard is dropped"]
#[derive(Debug)]
pub struct TestModeGuard {
    previous: bool,
}

impl Drop for TestModeGuard {
    fn drop(&mut self) {
        TRAIN.with(|t| t.set(self.previous));
    }
}

/// Switches this thread to test (inference) mode until the guard is dropped (DeZero's
/// `with dezero.test_mode():`): [`dropout`] then passes its input through unchanged.
///
/// ```
/// use dezero_runtime::{functions::dropout, test_mode, Variable};
/// let x = Variable::from(vec![1.0; 4]);
/// let y = {
///     let _guard = test_mode();
///     dropout(&x, 0.5)
/// };
/// assert!(y.ptr_eq(&x));
/// ```
pub fn test_mode() -> TestModeGuard {
    let previous = TRAIN.with(|t| t.replace(false));
    TestModeGuard { previous }
}

/// Reseeds this thread's dropout generator: after the same seed, the same sequence of
/// [`dropout`] calls draws the same masks.
///
/// ```
/// use dezero_runtime::{functions::{dropout, dropout_seed}, Variable};
/// let x = Variable::from(vec![1.0; 8]);
/// dropout_seed(42);
/// let a = dropout(&x, 0.5).data().to_owned();
/// dropout_seed(42);
/// assert_eq!(*dropout(&x, 0.5).data(), a);
/// ```
pub fn dropout_seed(seed: u64) {
    RNG.with(|r| r.set(splitmix(seed)));
}

/// y = x * mask, the mask holding 0 for dropped elements and 1 / (1 - ratio) for kept ones.
/// Backward: gx = gy * mask. Made by [`dropout`], which draws the mask.
///
/// ```
/// use dezero_runtime::{functions::dropout, Variable};
/// let y = dropout(Variable::from(vec![1.0; 4]), 0.5);
/// assert_eq!(y.creator().unwrap().name(), "dropout");
/// ```
#[derive(Debug, Clone)]
pub struct Dropout {
    mask: ArrayD<f64>,
}

impl Function for Dropout {
    fn name(&self) -> &str {
        "dropout"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![Zip::from(xs[0]).and(&self.mask).map_collect(|&x, &m| x * m)]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![&gys[0] * Variable::new(self.mask.clone())]
    }
}

/// Inverted dropout (DeZero's `dropout(x, dropout_ratio)`): in training mode each element is
/// zeroed with probability `ratio` and the kept ones are scaled by `1 / (1 - ratio)`, so the
/// expected value is unchanged; in test mode ([`test_mode`]) `x` itself is returned.
///
/// An element is kept when a uniform draw in `[0, 1)` exceeds `ratio` (DeZero's
/// `np.random.rand(*x.shape) > dropout_ratio`), from this thread's generator, reseeded by
/// [`dropout_seed`].
///
/// Derivative: gx = gy * mask: 1 / (1 - ratio) where kept, 0 where dropped.
///
/// # Panics
/// If `ratio` is not in `[0, 1)` (the message names `dropout` and the ratio).
///
/// ```
/// use dezero_runtime::{functions::{dropout, dropout_seed, sum}, Variable};
/// dropout_seed(0);
/// let x = Variable::from(vec![1.0; 1000]);
/// let y = dropout(&x, 0.2);
/// // each element is 0 or 1 / 0.8 = 1.25; about 80% are kept
/// assert!(y.data().iter().all(|&v| v == 0.0 || v == 1.25));
/// let kept = y.data().iter().filter(|&&v| v != 0.0).count();
/// assert!((750..850).contains(&kept));
/// sum(&y).backward();
/// assert_eq!(*x.grad().unwrap().data(), *y.data()); // gx = mask
/// ```
#[track_caller]
pub fn dropout(x: impl AsRef<Variable>, ratio: f64) -> Variable {
    let x = x.as_ref();
    if !(0.0..1.0).contains(&ratio) {
        panic!("dropout: the ratio must be in [0, 1), got {ratio}");
    }
    if !is_training() {
        return x.clone();
    }
    let scale = 1.0 / (1.0 - ratio);
    let mask = RNG.with(|r| {
        let mut state = r.get();
        let mask = ArrayD::from_shape_simple_fn(IxDyn(&x.shape()), || {
            if next_uniform(&mut state) > ratio {
                scale
            } else {
                0.0
            }
        });
        r.set(state);
        mask
    });
    apply(Dropout { mask }, &[x]).remove(0)
}
