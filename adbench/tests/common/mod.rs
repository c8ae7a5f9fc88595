//! Finite differences for the derivative checks.
#![allow(dead_code)]

/// The derivative of `f` at `x` along coordinate `i` by the 4-point central difference
/// `(8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / (12 h)`, Richardson's extrapolation of two
/// central differences: truncation error `h^4 f^(5) / 30` instead of `h^2 f''' / 6`, so a
/// step of `1e-3` leaves ~1e-12 relative truncation and the rounding error `~ eps |f| / h`
/// dominates.
pub fn diff4(f: &mut impl FnMut(&[f64]) -> f64, x: &[f64], i: usize, h: f64) -> f64 {
    let mut at = x.to_vec();
    let mut eval = |delta: f64| {
        at[i] = x[i] + delta;
        f(&at)
    };
    let (p1, m1, p2, m2) = (eval(h), eval(-h), eval(2.0 * h), eval(-2.0 * h));
    (8.0 * (p1 - m1) - (p2 - m2)) / (12.0 * h)
}

/// The plain central difference `(f(x+h) - f(x-h)) / 2h` (eps 1e-4 checks).
pub fn diff2(f: &mut impl FnMut(&[f64]) -> f64, x: &[f64], i: usize, h: f64) -> f64 {
    let mut at = x.to_vec();
    at[i] = x[i] + h;
    let p = f(&at);
    at[i] = x[i] - h;
    let m = f(&at);
    (p - m) / (2.0 * h)
}
