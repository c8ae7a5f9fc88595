//! The GMM objective in plain safe Rust, written for `#[differentiable]` to annotate.
//!
//! The negative log-likelihood of `n` points under a mixture of `k` Gaussians, plus a Wishart
//! prior on the inverse covariances (ADBench's `gmm_objective`, formulas in
//! `data/adbench/README.md`). Component `j` has log-weight `alphas[j]`, mean
//! `means[j * d..]` and inverse-covariance factor Q_j, lower triangular, stored in
//! `icf[j * d(d+1)/2..]`: first the logs `q` of its diagonal, then its strictly lower
//! triangle column by column. With `y = Q_j (x_i - mu_j)`:
//!
//! ```text
//! objective = -n d/2 ln(2 pi) + sum_i logsumexp_j(alpha_j + sum(q_j) - |y|^2 / 2)
//!             - n logsumexp(alpha) + sum_j (gamma^2/2 (|exp(q_j)|^2 + |L_j|^2) - m sum(q_j))
//!             - k (n' d (ln gamma - ln(2)/2) - lmgamma_d(n'/2)),     n' = d + m + 1
//! ```
//!
//! Every function here keeps to the constructs the macro's array support lists: indexing,
//! `x.len()`, open sub-slices `&x[a..]`, `for` loops over integer ranges,
//! `iter().map(|v| e).sum()`, `&mut [f64]` outputs and `vec![0.0; d]` workspaces. So the
//! loops index rather than iterate (`clippy::needless_range_loop` is allowed for that).
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use crate::data::GmmInput;
use dezero::differentiable;

/// `out[i] = x[i] - y[i]` for `i < d`.
///
/// ```
/// let mut out = [0.0; 2];
/// dezero_adbench::gmm::subtract(2, &[3.0, 1.0, 9.0], &[1.0, 1.0], &mut out);
/// assert_eq!(out, [2.0, 0.0]);
/// ```
#[differentiable]
pub fn subtract(d: usize, x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = x[i] - y[i];
    }
}

/// `|x|^2`, the sum of the squares of `x`.
///
/// ```
/// assert_eq!(dezero_adbench::gmm::sqnorm(&[3.0, 4.0]), 25.0);
/// ```
#[differentiable]
pub fn sqnorm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// `ln(sum_i exp(x_i))`, shifted by `max x` so that no `exp` overflows.
///
/// ```
/// use dezero_adbench::gmm::log_sum_exp;
///
/// assert!((log_sum_exp(&[0.0, 0.0]) - 2f64.ln()).abs() < 1e-15);
/// // Without the shift exp(1000) overflows; with it, ln(e^1000 + e^999) = 1000 + ln(1 + 1/e).
/// assert!((log_sum_exp(&[1000.0, 999.0]) - (1000.0 + (1.0 + (-1f64).exp()).ln())).abs() < 1e-12);
/// ```
#[differentiable]
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let mut mx = x[0];
    for i in 1..x.len() {
        if x[i] > mx {
            mx = x[i];
        }
    }
    let s: f64 = x.iter().map(|v| (v - mx).exp()).sum();
    s.ln() + mx
}

/// `out = Q x` for the `d x d` lower-triangular Q with diagonal `qdiag` and strictly lower
/// triangle `ltri`, stored column by column (`Q[j][i]` for `j > i` in order of `i`, then `j`).
///
/// ```
/// // Q = [[2, 0], [3, 5]]: Q (1, 1) = (2, 8).
/// let mut out = [0.0; 2];
/// dezero_adbench::gmm::q_times_x(2, &[2.0, 5.0], &[3.0], &[1.0, 1.0], &mut out);
/// assert_eq!(out, [2.0, 8.0]);
/// ```
#[differentiable]
pub fn q_times_x(d: usize, qdiag: &[f64], ltri: &[f64], x: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = qdiag[i] * x[i];
    }
    let mut idx = 0;
    for i in 0..d {
        for j in i + 1..d {
            out[j] += ltri[idx] * x[i];
            idx += 1;
        }
    }
}

/// `ln Gamma_p(a) = p(p-1)/4 ln(pi) + sum_{j=1..p} lgamma(a + (1 - j)/2)`, the log of the
/// multivariate gamma function.
///
/// ```
/// // p = 1 is the ordinary gamma function: Gamma(5) = 24.
/// let v = dezero_adbench::gmm::log_gamma_distrib(5.0, 1);
/// assert!((v - 24f64.ln()).abs() < 1e-14);
/// ```
pub fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..p + 1 {
        out += libm::lgamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// The Wishart prior term: `sum_j (gamma^2/2 (|exp(q_j)|^2 + |L_j|^2) - m sum(q_j)) - k C`,
/// with `C = n' d (ln gamma - ln(2)/2) - lmgamma_d(n'/2)` and `n' = d + m + 1`.
///
/// `sum_qs[j]` is `sum(q_j)` and `qdiags[j * d..]` holds `exp(q_j)`, as [`objective`]
/// computes them once.
///
/// ```
/// use dezero_adbench::gmm::{log_gamma_distrib, log_wishart_prior};
///
/// // d = 1, k = 1, q = 0 (Q = 1), gamma = 1, m = 0: 1/2 - (2 (0 - ln(2)/2) - lgamma(1)).
/// let v = log_wishart_prior(1, 1, 1.0, 0, &[0.0], &[1.0], &[0.0]);
/// assert!((v - (0.5 + 2f64.ln() + log_gamma_distrib(1.0, 1))).abs() < 1e-15);
/// ```
#[differentiable(wrt(sum_qs, qdiags, icf))]
pub fn log_wishart_prior(
    d: usize,
    k: usize,
    gamma: f64,
    m: usize,
    sum_qs: &[f64],
    qdiags: &[f64],
    icf: &[f64],
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    let n = (d + m + 1) as f64;
    let c =
        n * d as f64 * (gamma.ln() - 0.5 * std::f64::consts::LN_2) - log_gamma_distrib(0.5 * n, d);
    let mut out = 0.0;
    for j in 0..k {
        let ltri = &icf[j * icf_sz + d..];
        let mut frobenius = 0.0;
        for l in 0..d {
            frobenius += qdiags[j * d + l] * qdiags[j * d + l];
        }
        for l in 0..icf_sz - d {
            frobenius += ltri[l] * ltri[l];
        }
        out += 0.5 * gamma * gamma * frobenius - m as f64 * sum_qs[j];
    }
    out - k as f64 * c
}

/// The GMM objective: negative log-likelihood of the `n` points `x` plus the Wishart prior.
///
/// Slices as in [`GmmInput`]: `alphas[k]`, `means[k * d]`, `icf[k * d(d+1)/2]`, `x[n * d]`
/// (`alphas.len()` must be `k`: its log-sum-exp runs over the whole slice).
///
/// # Panics
///
/// If a slice is shorter than its layout needs (an index out of bounds) or `alphas` is empty.
///
/// ```
/// use dezero_adbench::gmm::objective;
///
/// // One component in d = 1 with Q = 1 (q = 0), mean 0, one point at 0, gamma = 1, m = 0:
/// // -ln(2 pi)/2 + 0 - 0 + 1/2 - (2 (0 - ln(2)/2) - lgamma(1)).
/// let v = objective(1, 1, 1, &[0.0], &[0.0], &[0.0], &[0.0], 1.0, 0);
/// let want = -0.5 * (2.0 * std::f64::consts::PI).ln() + 0.5 + 2f64.ln();
/// assert!((v - want).abs() < 1e-14);
/// ```
#[differentiable(wrt(alphas, means, icf))]
pub fn objective(
    d: usize,
    k: usize,
    n: usize,
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    gamma: f64,
    m: usize,
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    // exp(q_j) and sum(q_j), once per component.
    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for j in 0..k {
        for l in 0..d {
            qdiags[j * d + l] = icf[j * icf_sz + l].exp();
            sum_qs[j] += icf[j * icf_sz + l];
        }
    }
    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for i in 0..n {
        for j in 0..k {
            subtract(d, &x[i * d..], &means[j * d..], &mut xcentered);
            q_times_x(
                d,
                &qdiags[j * d..],
                &icf[j * icf_sz + d..],
                &xcentered,
                &mut qxcentered,
            );
            main_term[j] = alphas[j] + sum_qs[j] - 0.5 * sqnorm(&qxcentered);
        }
        slse += log_sum_exp(&main_term);
    }
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let lse_alphas = log_sum_exp(alphas);
    constant + slse - n as f64 * lse_alphas
        + log_wishart_prior(d, k, gamma, m, &sum_qs, &qdiags, icf)
}

/// [`objective`] on a parsed input.
///
/// ```
/// use dezero_adbench::{data, gmm};
///
/// let input = data::read_gmm(data::data_path("gmm_d2_K5.txt")).unwrap();
/// assert!(gmm::objective_of(&input).is_finite());
/// ```
pub fn objective_of(input: &GmmInput) -> f64 {
    objective(
        input.d,
        input.k,
        input.n,
        &input.alphas,
        &input.means,
        &input.icf,
        &input.x,
        input.gamma,
        input.m,
    )
}
