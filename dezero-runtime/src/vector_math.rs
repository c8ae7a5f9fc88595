//! Vectorized `sin`, `cos`, `exp`, `tanh` and `sigmoid` for the built-in functions' element
//! loops (and the exponentials of `softmax`, `log_softmax` and `softmax_cross_entropy`), off by
//! default ([`set_vector_math`]).
//!
//! Each function is one branch-free lane (range reduction, then a Taylor polynomial) that the
//! compiler vectorizes over blocks of elements: two lanes with the baseline SSE2, four where the
//! CPU has AVX2 (detected at run time). The lane flags inputs it does not handle exactly enough
//! (NaN, infinities, huge or overflowing arguments, a `sin`/`cos` argument within 2⁻³⁰ of a
//! nonzero multiple of π/2), and those elements are computed by `std` instead. Only `+ - * /`
//! and bit operations are used, never a fused multiply-add, so the bits are the same with and
//! without AVX2, on any number of threads and for any array size or layout.
//!
//! Against `std` the results differ by at most 1 ulp (`exp`), 2 (`sin`, `cos`), 3 (`tanh`) and
//! 4 (`sigmoid`, against `1 / (1 + (-x).exp())`); `tests/integration/vector_math.rs` checks
//! each function on a million inputs per range. This is why the setting is off by default:
//! with it off, the runtime computes what `f64::sin` computes, the same bits as a
//! `#[differentiable]` function.

use std::cell::Cell;

use ndarray::ArrayD;

use crate::variable::Variable;

thread_local! {
    static VECTOR_MATH: Cell<bool> = const { Cell::new(false) };
}

/// Computes `sin`, `cos`, `exp`, `tanh` and `sigmoid` (forward and backward rules), and the
/// exponentials inside `softmax`, `log_softmax` and `softmax_cross_entropy`, with vectorized
/// polynomials instead of `std`'s scalar functions, on this thread (off unless set).
///
/// On arrays of 10⁶ elements this makes those functions several times faster; the results
/// differ from `std`'s by at most 1 ulp (`exp`), 2 (`sin`, `cos`), 3 (`tanh`) or 4 (`sigmoid`),
/// which is why it is off by default: with it off, the runtime's values are the same bits as
/// `f64::sin` and as a `#[differentiable]` function's.
/// NaN, infinities, overflow and kinks are handled exactly as with it off.
///
/// ```
/// use dezero_runtime::{functions::sin, set_vector_math, vector_math, Variable};
/// let x = Variable::new(ndarray::Array1::linspace(-3.0, 3.0, 1001).into_dyn());
/// let exact = sin(&x).data().to_owned();
/// set_vector_math(true);
/// assert!(vector_math());
/// let fast = sin(&x).data().to_owned();
/// set_vector_math(false);
/// for (a, b) in exact.iter().zip(&fast) {
///     assert!((a - b).abs() <= 2.0 * f64::EPSILON * a.abs()); // sin: 2 ulp at most
/// }
/// ```
pub fn set_vector_math(on: bool) {
    VECTOR_MATH.with(|v| v.set(on));
}

/// Whether [`set_vector_math`] is on for this thread.
///
/// ```
/// assert!(!dezero_runtime::vector_math());
/// ```
pub fn vector_math() -> bool {
    VECTOR_MATH.with(Cell::get)
}

/// One element-wise function in two forms: a branch-free lane that says when to distrust it,
/// and `std`'s exact function for those elements (and for the setting off).
pub(crate) trait Kernel {
    /// The fast value, and `true` if this input must take [`Kernel::exact`] instead.
    fn lane(x: f64) -> (f64, bool);
    /// `std`'s function.
    fn exact(x: f64) -> f64;
}

/// The vector path's value at one element (the same bits as [`fill`] gives it).
#[inline(always)]
fn one<K: Kernel>(x: f64) -> f64 {
    match K::lane(x) {
        (_, true) => K::exact(x),
        (y, false) => y,
    }
}

/// Elements per block: the flagged lanes of a block are recomputed after it.
const BLOCK: usize = 64;

/// `out[i] = K(xs[i])` on the vector path (`xs` and `out` of one length).
fn fill<K: Kernel>(xs: &[f64], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, the only feature `fill_avx2` enables.
        unsafe { fill_avx2::<K>(xs, out) };
        return;
    }
    fill_blocks::<K>(xs, out);
}

/// [`fill_blocks`] compiled for AVX2 (four lanes).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fill_avx2<K: Kernel>(xs: &[f64], out: &mut [f64]) {
    fill_blocks::<K>(xs, out);
}

/// [`fill`]'s loop: each block of [`BLOCK`] lanes, then `std` for the lanes it flagged.
#[inline(always)]
fn fill_blocks<K: Kernel>(xs: &[f64], out: &mut [f64]) {
    for (xs, out) in xs.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
        let mut flagged = false;
        for (y, &x) in out.iter_mut().zip(xs) {
            let (v, bad) = K::lane(x);
            *y = v;
            flagged |= bad;
        }
        if flagged {
            for (y, &x) in out.iter_mut().zip(xs) {
                if K::lane(x).1 {
                    *y = K::exact(x);
                }
            }
        }
    }
}

/// `K` mapped over `x`: `std`'s function, or the vector path if [`set_vector_math`] is on.
pub(crate) fn map<K: Kernel>(x: &ArrayD<f64>) -> ArrayD<f64> {
    if vector_math() {
        crate::ops::map_slices(x, one::<K>, fill::<K>)
    } else {
        crate::ops::map(x, K::exact)
    }
}

/// `g = combine(g, K(x))` in `gy`'s own array where [`crate::ops::zip_grad_in_place`] allows
/// (`None` otherwise), with `K` from `std` or the vector path as [`set_vector_math`] says.
pub(crate) fn zip_grad<K: Kernel>(
    gy: &Variable,
    x: &Variable,
    combine: impl Fn(f64, f64) -> f64 + Sync,
) -> Option<Variable> {
    if !vector_math() {
        return crate::ops::zip_grad_in_place(gy, x, |g, x| combine(g, K::exact(x)));
    }
    crate::ops::zip_grad_slices(
        gy,
        x,
        |g, x| combine(g, one::<K>(x)),
        |gs, xs| {
            let mut t = [0.0; BLOCK];
            for (gs, xs) in gs.chunks_mut(BLOCK).zip(xs.chunks(BLOCK)) {
                let t = &mut t[..xs.len()];
                fill::<K>(xs, t);
                for (g, &t) in gs.iter_mut().zip(&*t) {
                    *g = combine(*g, t);
                }
            }
        },
    )
}

/// `v = exp(v)` for every element: `f64::exp`, or the vector path if [`set_vector_math`] is on
/// (the softmax family's exponentials, computed for a whole array at once).
pub(crate) fn exp_in_place(values: &mut [f64]) {
    if !vector_math() {
        values.iter_mut().for_each(|v| *v = Exp::exact(*v));
        return;
    }
    let mut t = [0.0; BLOCK];
    for block in values.chunks_mut(BLOCK) {
        let t = &mut t[..block.len()];
        t.copy_from_slice(block);
        fill::<Exp>(t, block);
    }
}

/// 1.5 · 2⁵²: adding it rounds a number below 2⁵¹ in magnitude to an integer (ties to even),
/// which then sits in the low bits of the sum's representation.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// The nearest integer to `v` (|v| < 2⁵¹) as a float, and its low bits (two's complement).
#[inline(always)]
fn round_with_bits(v: f64) -> (f64, u64) {
    let t = v + ROUNDER;
    (t - ROUNDER, t.to_bits().wrapping_sub(ROUNDER.to_bits()))
}

/// The polynomial with `coefficients` (highest degree first) at `z`: Horner's rule on the even
/// and the odd coefficients separately, in z², two chains of half the length whose steps the
/// CPU overlaps.
#[inline(always)]
fn horner<const N: usize>(z: f64, coefficients: &[f64; N]) -> f64 {
    let z2 = z * z;
    let (mut even, mut odd) = (0.0, 0.0);
    for (i, &c) in coefficients.iter().enumerate() {
        if (N - 1 - i) % 2 == 0 {
            even = even * z2 + c;
        } else {
            odd = odd * z2 + c;
        }
    }
    even + z * odd
}

/// Taylor coefficients ±1/n! for the degrees `lowest`, `lowest + step`, ... (N of them),
/// highest degree first as [`horner`] takes them; the lowest has `sign`, and the signs alternate
/// if `alternate`.
const fn taylor<const N: usize>(lowest: u32, step: u32, sign: f64, alternate: bool) -> [f64; N] {
    let mut out = [0.0; N];
    let mut i = 0;
    while i < N {
        let degree = lowest + step * i as u32;
        let mut factorial: u128 = 1;
        let mut k = 2;
        while k <= degree {
            factorial *= k as u128;
            k += 1;
        }
        let sign = if alternate && i % 2 == 1 { -sign } else { sign };
        out[N - 1 - i] = sign / factorial as f64;
        i += 1;
    }
    out
}

/// ln 2 split so that `k · LN2_HI` is exact for |k| < 2¹¹: its first 42 bits, then the rest.
const LN2_HI: f64 = 0.693_147_180_559_890_3;
const LN2_LO: f64 = 5.497_923_018_708_371e-14;

/// The coefficients of eʳ - 1 - r: 1/13!, 1/12!, ..., 1/2! (|r| ≤ ln2/2: truncation below 2⁻⁵⁵
/// relative).
const EXPM1_TAIL: [f64; 12] = taylor(2, 1, 1.0, false);

/// The coefficients of eʳ - 1 - r on |r| ≤ 1.1: 1/19!, ..., 1/2! (truncation below 2⁻⁵⁸).
const EXPM1_TAIL_WIDE: [f64; 18] = taylor(2, 1, 1.0, false);

/// x = k ln2 + r for the integer `k` (as a float, with its bits), then (eʳ - 1, 2ᵏ) with
/// the polynomial `tail` (valid for r's range); `k` must be in [-1022, 1023].
#[inline(always)]
fn expm1_scaled<const N: usize>((k, bits): (f64, u64), x: f64, tail: &[f64; N]) -> (f64, f64) {
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let em1 = r + r * r * horner(r, tail);
    let scale = f64::from_bits(bits.wrapping_add(1023) << 52);
    (em1, scale)
}

/// `f64::exp`: 2ᵏ (1 + (eʳ - 1)) with |r| ≤ ln2/2.
pub(crate) struct Exp;

impl Kernel for Exp {
    #[inline(always)]
    fn lane(x: f64) -> (f64, bool) {
        // The results stay normal numbers, and 2ᵏ representable, on [-708, 709].
        let bad = !(-708.0..=709.0).contains(&x);
        let x = if bad { 0.0 } else { x };
        let k = round_with_bits(x * std::f64::consts::LOG2_E);
        let (em1, scale) = expm1_scaled(k, x, &EXPM1_TAIL);
        (scale * (1.0 + em1), bad)
    }
    fn exact(x: f64) -> f64 {
        x.exp()
    }
}

/// The logistic sigmoid as the runtime computes it, `1 / (1 + exp(-x))`, with [`Exp`]'s lane.
pub(crate) struct Sigmoid;

impl Kernel for Sigmoid {
    #[inline(always)]
    fn lane(x: f64) -> (f64, bool) {
        let (e, bad) = Exp::lane(-x);
        (1.0 / (1.0 + e), bad)
    }
    fn exact(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }
}

/// `f64::tanh` |x| = e / (e + 2) from e = eᵘ - 1, u = 2|x|, with e from the polynomial itself
/// below u = 1.1, where 2ᵏ (eʳ - 1) + (2ᵏ - 1) would cancel (k = 1).
pub(crate) struct Tanh;

impl Kernel for Tanh {
    #[inline(always)]
    fn lane(x: f64) -> (f64, bool) {
        let bad = x.is_nan();
        let a = x.abs();
        // tanh rounds to 1 from |x| = 19.1 on.
        let saturated = a > 22.0;
        let u = if saturated || bad { 0.0 } else { 2.0 * a };
        let k = if u < 1.1 {
            (0.0, 0)
        } else {
            round_with_bits(u * std::f64::consts::LOG2_E)
        };
        let (em1, scale) = expm1_scaled(k, u, &EXPM1_TAIL_WIDE);
        let e = scale * em1 + (scale - 1.0);
        let t = if saturated { 1.0 } else { e / (e + 2.0) };
        (t.copysign(x), bad)
    }
    fn exact(x: f64) -> f64 {
        x.tanh()
    }
}

/// π/2 in three parts of 33, 33 and 53 bits (the rest is 10⁻³⁷): `q · PIO2_1` and
/// `q · PIO2_2` are exact for |q| < 2²⁰.
const PIO2_1: f64 = 1.570_796_326_734_125_6;
const PIO2_2: f64 = 6.077_100_506_303_966e-11;
const PIO2_3: f64 = 2.022_266_248_795_950_6e-21;
/// Beyond this |x| the quotient by π needs more bits than the reduction keeps.
const TRIG_LIMIT: f64 = 524_288.0;
/// A reduced argument this small (for k ≠ 0) is left to `std`: the reduction's absolute error
/// (about 10⁻³¹) would show in its last bits.
const TRIG_TINY: f64 = 9.313_225_746_154_785e-10;

/// sin r - r over r³ as a polynomial in r²: -1/3!, 1/5!, ..., -1/23! (highest first), for
/// |r| ≤ π/2 (truncation below 2⁻⁵⁸ relative).
const SIN_TAIL: [f64; 11] = taylor(3, 2, -1.0, true);

/// sin r for |r| ≤ π/2 (about), r itself at ±0 (the polynomial term would turn -0 into +0).
#[inline(always)]
fn sin_reduced(r: f64) -> f64 {
    let z = r * r;
    if r == 0.0 {
        r
    } else {
        r + r * z * horner(z, &SIN_TAIL)
    }
}

/// x - q π/2 for the integer `q` (as a float), |q| < 2²⁰, and whether the reduction must be
/// left to `std` (|x| beyond [`TRIG_LIMIT`], NaN, or a tiny result for q ≠ 0).
#[inline(always)]
fn reduce_half_pi(x: f64, q: f64, bad: bool) -> (f64, bool) {
    let r = ((x - q * PIO2_1) - q * PIO2_2) - q * PIO2_3;
    (r, bad || (q != 0.0 && r.abs() < TRIG_TINY))
}

/// `x`, or 0 and `true` if `x` is NaN, infinite or beyond [`TRIG_LIMIT`].
#[inline(always)]
fn trig_input(x: f64) -> (f64, bool) {
    let bad = !(-TRIG_LIMIT..=TRIG_LIMIT).contains(&x);
    (if bad { 0.0 } else { x }, bad)
}

/// `f64::sin`: x = kπ + r, |r| ≤ π/2, sin x = (-1)ᵏ sin r.
pub(crate) struct Sin;

impl Kernel for Sin {
    #[inline(always)]
    fn lane(x: f64) -> (f64, bool) {
        let (x, bad) = trig_input(x);
        let (k, bits) = round_with_bits(x * std::f64::consts::FRAC_1_PI);
        let (r, bad) = reduce_half_pi(x, 2.0 * k, bad);
        (negate_if_odd(sin_reduced(r), bits), bad)
    }
    fn exact(x: f64) -> f64 {
        x.sin()
    }
}

/// `f64::cos`: x = (m + ½)π + r, |r| ≤ π/2, cos x = (-1)ᵐ⁺¹ sin r.
pub(crate) struct Cos;

impl Kernel for Cos {
    #[inline(always)]
    fn lane(x: f64) -> (f64, bool) {
        let (x, bad) = trig_input(x);
        let (m, bits) = round_with_bits(x * std::f64::consts::FRAC_1_PI - 0.5);
        let (r, bad) = reduce_half_pi(x, 2.0 * m + 1.0, bad);
        (negate_if_odd(sin_reduced(r), bits.wrapping_add(1)), bad)
    }
    fn exact(x: f64) -> f64 {
        x.cos()
    }
}

/// `v` negated if `n` is odd.
#[inline(always)]
fn negate_if_odd(v: f64, n: u64) -> f64 {
    f64::from_bits(v.to_bits() ^ ((n & 1) << 63))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_split_values() {
        assert_eq!(PIO2_1.to_bits(), 0x3ff9_21fb_5440_0000);
        assert_eq!(PIO2_2.to_bits(), 0x3dd0_b461_1a60_0000);
        assert_eq!(PIO2_3.to_bits(), 0x3ba3_198a_2e03_7073);
        assert_eq!(LN2_HI.to_bits(), 0x3fe6_2e42_fefa_3800);
        assert_eq!(LN2_LO.to_bits(), 0x3d2e_f357_93c7_6730);
        assert_eq!(TRIG_TINY, 2f64.powi(-30));
        assert_eq!((PIO2_1 + PIO2_2) + PIO2_3, std::f64::consts::FRAC_PI_2);
        assert_eq!(LN2_HI + LN2_LO, std::f64::consts::LN_2);
        assert_eq!(EXPM1_TAIL[11], 0.5);
        assert_eq!(EXPM1_TAIL[0], 1.0 / 6_227_020_800.0);
        assert_eq!(EXPM1_TAIL_WIDE[0], 1.0 / 121_645_100_408_832_000.0);
        assert_eq!(SIN_TAIL[10], -1.0 / 6.0);
        assert_eq!(SIN_TAIL[9], 1.0 / 120.0);
        assert_eq!(SIN_TAIL[0], -1.0 / 25_852_016_738_884_976_640_000.0);
    }
}
