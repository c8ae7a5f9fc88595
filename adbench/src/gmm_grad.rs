//! The hand-written gradient of the GMM objective with respect to alphas, means and icf.
//!
//! Derivation (notation of [`crate::gmm`]; Q_j has diagonal `D_j = exp(q_j)` and strictly
//! lower entries `L_j`). For point `i` and component `j` let `xc = x_i - mu_j`,
//! `y = Q_j xc`, `beta_ij = alpha_j + sum(q_j) - |y|^2 / 2`, and `w_ij = exp(beta_ij - lse_i)`
//! the softmax over `j` of `beta_i` (so `d lse_i / d beta_ij = w_ij`). Then
//!
//! ```text
//! d beta / d alpha_j        = 1
//! d beta / d mu_j           = Q_j^T y                         (y = Q (x - mu), dy/dmu = -Q)
//! d beta / d q_jl           = 1 - y_l xc_l D_jl               (Q_ll = exp(q_l))
//! d beta / d L_j[a][b]      = -y_a xc_b                       (a > b)
//! ```
//!
//! and, with `softmax(alpha)` from the `-n logsumexp(alpha)` term and the prior
//! `gamma^2/2 (|D_j|^2 + |L_j|^2) - m sum(q_j)`:
//!
//! ```text
//! g_alpha_j   = sum_i w_ij - n softmax(alpha)_j
//! g_mu_j      = sum_i w_ij Q_j^T y_ij
//! g_q_jl      = sum_i w_ij (1 - y_l xc_l D_jl) + gamma^2 D_jl^2 - m
//! g_L_j[a][b] = -sum_i w_ij y_a xc_b + gamma^2 L_j[a][b]
//! ```
//!
//! [`objective_grad`] computes them in one pass over the points: for each point it keeps
//! `xc` and `y` of every component (workspaces of `k * d`, allocated once per call), takes
//! the log-sum-exp, then accumulates each component's share weighted by `w_ij`, through
//! `wy = w_ij y` (`d` products, then one product per triangle entry). `Q^T wy` shares its loop
//! over the lower triangle with the `L` gradient.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use crate::data::GmmInput;
use crate::gmm::{log_sum_exp, log_wishart_prior, q_times_x, sqnorm, subtract};

/// The GMM objective and its gradient, written into `g_alphas[k]`, `g_means[k * d]` and
/// `g_icf[k * d(d+1)/2]` (overwritten, same layouts as the inputs).
///
/// Returns the objective's value, equal to [`crate::gmm::objective`]'s up to rounding.
///
/// # Panics
///
/// If an output's length differs from its input's (`g_alphas` vs `alphas`, ...), naming it,
/// or if an input is shorter than its layout needs.
///
/// ```
/// use dezero_adbench::{data, gmm, gmm_grad};
///
/// let input = data::read_gmm(data::data_path("gmm_d2_K5.txt")).unwrap().truncated(20);
/// let (mut ga, mut gm, mut gi) = (vec![0.0; 5], vec![0.0; 10], vec![0.0; 15]);
/// let v = gmm_grad::objective_grad(input.d, input.k, input.n, &input.alphas, &input.means,
///     &input.icf, &input.x, input.gamma, input.m, &mut ga, &mut gm, &mut gi);
/// assert!((v - gmm::objective_of(&input)).abs() < 1e-9 * v.abs());
/// // Adding a constant to every alpha leaves the mixture unchanged: sum_j g_alpha_j = 0.
/// assert!(ga.iter().sum::<f64>().abs() < 1e-9);
/// ```
#[track_caller]
pub fn objective_grad(
    d: usize,
    k: usize,
    n: usize,
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    gamma: f64,
    m: usize,
    g_alphas: &mut [f64],
    g_means: &mut [f64],
    g_icf: &mut [f64],
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    for (name, got, want) in [
        ("g_alphas", g_alphas.len(), k),
        ("g_means", g_means.len(), k * d),
        ("g_icf", g_icf.len(), k * icf_sz),
    ] {
        assert!(
            got == want,
            "gmm_grad::objective_grad: {name} has length {got}, expected {want} (d = {d}, k = {k})"
        );
    }
    g_alphas.fill(0.0);
    g_means.fill(0.0);
    g_icf.fill(0.0);

    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for j in 0..k {
        for l in 0..d {
            qdiags[j * d + l] = icf[j * icf_sz + l].exp();
            sum_qs[j] += icf[j * icf_sz + l];
        }
    }
    let mut xc = vec![0.0; k * d];
    let mut y = vec![0.0; k * d];
    let mut beta = vec![0.0; k];
    let mut wy = vec![0.0; d];
    let mut slse = 0.0;
    for i in 0..n {
        let xi = &x[i * d..];
        for j in 0..k {
            let (xcj, yj) = (&mut xc[j * d..(j + 1) * d], &mut y[j * d..(j + 1) * d]);
            subtract(d, xi, &means[j * d..], xcj);
            q_times_x(d, &qdiags[j * d..], &icf[j * icf_sz + d..], xcj, yj);
            beta[j] = alphas[j] + sum_qs[j] - 0.5 * sqnorm(yj);
        }
        let lse = log_sum_exp(&beta);
        slse += lse;
        for j in 0..k {
            let w = (beta[j] - lse).exp();
            g_alphas[j] += w;
            let (xcj, dj) = (&xc[j * d..], &qdiags[j * d..]);
            // wy = w y, the shared factor of every mean and icf term below.
            for l in 0..d {
                wy[l] = w * y[j * d + l];
            }
            let gm = &mut g_means[j * d..(j + 1) * d];
            let gi = &mut g_icf[j * icf_sz..(j + 1) * icf_sz];
            for l in 0..d {
                gi[l] += w - wy[l] * xcj[l] * dj[l];
            }
            let ltri = &icf[j * icf_sz + d..];
            let mut idx = 0;
            for b in 0..d {
                // (Q^T wy)_b = D_b wy_b + sum_{a > b} L[a][b] wy_a.
                let mut qt_wy = dj[b] * wy[b];
                for a in b + 1..d {
                    qt_wy += ltri[idx] * wy[a];
                    gi[d + idx] -= wy[a] * xcj[b];
                    idx += 1;
                }
                gm[b] += qt_wy;
            }
        }
    }

    // -n logsumexp(alpha): -n softmax(alpha).
    let lse_alphas = log_sum_exp(alphas);
    for j in 0..k {
        g_alphas[j] -= n as f64 * (alphas[j] - lse_alphas).exp();
    }
    // The prior: gamma^2 D^2 - m on the log-diagonal, gamma^2 L below it.
    let g2 = gamma * gamma;
    for j in 0..k {
        for l in 0..d {
            g_icf[j * icf_sz + l] += g2 * qdiags[j * d + l] * qdiags[j * d + l] - m as f64;
        }
        for l in d..icf_sz {
            g_icf[j * icf_sz + l] += g2 * icf[j * icf_sz + l];
        }
    }

    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    constant + slse - n as f64 * lse_alphas
        + log_wishart_prior(d, k, gamma, m, &sum_qs, &qdiags, icf)
}

/// The gradient of the GMM objective on a parsed input, as `(value, g_alphas, g_means, g_icf)`.
///
/// ```
/// use dezero_adbench::{data, gmm_grad};
///
/// let input = data::read_gmm(data::data_path("gmm_d2_K5.txt")).unwrap();
/// let (_, ga, gm, gi) = gmm_grad::objective_grad_of(&input);
/// assert_eq!((ga.len(), gm.len(), gi.len()), (5, 10, 15));
/// ```
pub fn objective_grad_of(input: &GmmInput) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (d, k) = (input.d, input.k);
    let mut ga = vec![0.0; k];
    let mut gm = vec![0.0; k * d];
    let mut gi = vec![0.0; k * (d * (d + 1) / 2)];
    let v = objective_grad(
        d,
        k,
        input.n,
        &input.alphas,
        &input.means,
        &input.icf,
        &input.x,
        input.gamma,
        input.m,
        &mut ga,
        &mut gm,
        &mut gi,
    );
    (v, ga, gm, gi)
}
