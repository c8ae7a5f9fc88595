//! The hand-written 2 x 15 Jacobian of one BA observation's residual.
//!
//! Columns: 0..3 rotation `r`, 3..6 centre `C`, 6 `f`, 7 `u0`, 8 `v0`, 9 `k1`, 10 `k2`
//! (the camera's 11 numbers, in order), 11..14 the point `X`, 14 the weight `w`. Stored
//! row-major: `jac[row * 15 + col]`.
//!
//! Derivation, stage by stage (`[v]x` is the cross-product matrix, `[v]x u = v x u`):
//!
//! ```text
//! Xo   = X - C                       dXo/dX = I, dXo/dC = -I
//! Xc   = R(r) Xo                     dXc/dXo = R = c I + s [w]x + (1 - c) w w^T
//!   with t = |r|, w = r/t, c = cos t, s = sin t, a = w . Xo:
//!   dXc/dt = -s Xo + c (w x Xo) + s a w
//!   dXc/dw = -s [Xo]x + (1 - c)(a I + w Xo^T)
//!   dXc/dr = dXc/dt w^T + dXc/dw (I - w w^T) / t        (dt/dr = w^T, dw/dr = (I - w w^T)/t)
//!   |r| = 0 branch, Xc = Xo + r x Xo:  dXc/dr = -[Xo]x, dXc/dXo = I + [r]x
//! p    = Xc[0..2] / z, z = Xc[2]     dp/dXc = [[1/z, 0, -p0/z], [0, 1/z, -p1/z]]
//! p'   = p L, L = 1 + k1 rsq + k2 rsq^2, rsq = |p|^2
//!                                    dp'/dp = L I + 2 (k1 + 2 k2 rsq) p p^T
//!                                    dp'/dk1 = rsq p, dp'/dk2 = rsq^2 p
//! res  = w (f p' + x0 - feat)        dres/df = w p', dres/dx0 = w I, dres/dw = f p' + x0 - feat
//! ```
//!
//! so with `M = w f (dp'/dp)(dp/dXc)` (2 x 3): `dres/dr = M dXc/dr`, `dres/dX = M R`,
//! `dres/dC = -M R`.
#![allow(clippy::needless_range_loop)]

use crate::ba::{weight_residual, CAM_PARAMS, C_IDX, F_IDX, RAD_IDX, ROT_IDX, X0_IDX};
use crate::data::BaInput;
use std::cell::RefCell;

/// Columns of one observation's Jacobian: 11 camera numbers, 3 point coordinates, 1 weight.
///
/// ```
/// assert_eq!(dezero_adbench::ba_jacobian::COLS, 15);
/// ```
pub const COLS: usize = CAM_PARAMS + 3 + 1;

type Mat3 = [[f64; 3]; 3];

/// `[v]x`, the matrix of `u -> v x u`.
fn cross_matrix(v: &[f64; 3]) -> Mat3 {
    [[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]]
}

/// The rotated point `R(r) pt` with its Jacobians `(d/dr, d/dpt)`.
fn rodrigues_with_jacobian(r: &[f64], pt: &[f64; 3]) -> ([f64; 3], Mat3, Mat3) {
    let sqtheta = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    let mut out = [0.0; 3];
    if sqtheta == 0.0 {
        let rv = [r[0], r[1], r[2]];
        let d_pt = cross_matrix(&rv);
        let mut d_pt_full = d_pt;
        for i in 0..3 {
            out[i] = pt[i] + d_pt[i][0] * pt[0] + d_pt[i][1] * pt[1] + d_pt[i][2] * pt[2];
            d_pt_full[i][i] += 1.0;
        }
        let px = cross_matrix(pt);
        let d_r = px.map(|row| row.map(|v| -v));
        return (out, d_r, d_pt_full);
    }
    let theta = sqtheta.sqrt();
    let (s, c) = theta.sin_cos();
    let w = [r[0] / theta, r[1] / theta, r[2] / theta];
    let a = w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2];
    let wx = cross_matrix(&w);
    let px = cross_matrix(pt);
    let mut rot = [[0.0; 3]; 3];
    let mut d_theta = [0.0; 3];
    let mut d_w = [[0.0; 3]; 3];
    for i in 0..3 {
        let w_cross_pt = wx[i][0] * pt[0] + wx[i][1] * pt[1] + wx[i][2] * pt[2];
        out[i] = c * pt[i] + s * w_cross_pt + (1.0 - c) * a * w[i];
        d_theta[i] = -s * pt[i] + c * w_cross_pt + s * a * w[i];
        for j in 0..3 {
            let eye = if i == j { 1.0 } else { 0.0 };
            rot[i][j] = c * eye + s * wx[i][j] + (1.0 - c) * w[i] * w[j];
            d_w[i][j] = -s * px[i][j] + (1.0 - c) * (a * eye + w[i] * pt[j]);
        }
    }
    // dXc/dr = dXc/dt w^T + dXc/dw (I - w w^T) / t.
    let mut d_r = [[0.0; 3]; 3];
    for i in 0..3 {
        let dw_w = d_w[i][0] * w[0] + d_w[i][1] * w[1] + d_w[i][2] * w[2];
        for j in 0..3 {
            d_r[i][j] = d_theta[i] * w[j] + (d_w[i][j] - dw_w * w[j]) / theta;
        }
    }
    (out, d_r, rot)
}

/// The residual of one observation (as [`crate::ba::project`]) into `out[0..2]` and its
/// 2 x 15 Jacobian, row-major, into `jac[0..30]` (columns in the module docs).
///
/// # Panics
///
/// If a slice is shorter than its layout (an index out of bounds).
///
/// ```
/// use dezero_adbench::ba_jacobian::{project_jacobian, COLS};
///
/// // No rotation, centre 0, f = 2, principal point (1, 1), no distortion, w = 3:
/// // res_0 = 3 (2 X0 / X2 + 1 - feat_0), so d res_0 / d X0 = 6 / X2 = 1.5 at X2 = 4.
/// let cam = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0, 1.0, 0.0, 0.0];
/// let (mut out, mut jac) = ([0.0; 2], [0.0; 2 * COLS]);
/// project_jacobian(&cam, &[1.0, 2.0, 4.0], 3.0, &[1.0, 1.0], &mut out, &mut jac);
/// assert_eq!(out, [1.5, 3.0]);
/// assert_eq!(jac[11], 1.5);
/// ```
pub fn project_jacobian(
    cam: &[f64],
    x: &[f64],
    w: f64,
    feat: &[f64],
    out: &mut [f64],
    jac: &mut [f64],
) {
    let xo = [
        x[0] - cam[C_IDX],
        x[1] - cam[C_IDX + 1],
        x[2] - cam[C_IDX + 2],
    ];
    let (xc, d_r, rot) = rodrigues_with_jacobian(&cam[ROT_IDX..ROT_IDX + 3], &xo);
    let z = 1.0 / xc[2];
    let p = [xc[0] * z, xc[1] * z];
    // dp/dXc.
    let dp = [[z, 0.0, -p[0] * z], [0.0, z, -p[1] * z]];
    let (k1, k2) = (cam[RAD_IDX], cam[RAD_IDX + 1]);
    let rsq = p[0] * p[0] + p[1] * p[1];
    let l = 1.0 + k1 * rsq + k2 * rsq * rsq;
    let dl = 2.0 * (k1 + 2.0 * k2 * rsq);
    let pd = [p[0] * l, p[1] * l];
    // dp'/dp.
    let a = [
        [l + dl * p[0] * p[0], dl * p[0] * p[1]],
        [dl * p[1] * p[0], l + dl * p[1] * p[1]],
    ];
    let f = cam[F_IDX];
    let wf = w * f;
    for row in 0..2 {
        let proj = f * pd[row] + cam[X0_IDX + row];
        out[row] = w * (proj - feat[row]);
        let jr = &mut jac[row * COLS..(row + 1) * COLS];
        // M[row] = w f A[row] dp.
        let mut m = [0.0; 3];
        for j in 0..3 {
            m[j] = wf * (a[row][0] * dp[0][j] + a[row][1] * dp[1][j]);
        }
        for j in 0..3 {
            let (mut by_r, mut by_x) = (0.0, 0.0);
            for i in 0..3 {
                by_r += m[i] * d_r[i][j];
                by_x += m[i] * rot[i][j];
            }
            jr[ROT_IDX + j] = by_r;
            jr[C_IDX + j] = -by_x;
            jr[CAM_PARAMS + j] = by_x;
        }
        jr[F_IDX] = w * pd[row];
        jr[X0_IDX] = if row == 0 { w } else { 0.0 };
        jr[X0_IDX + 1] = if row == 1 { w } else { 0.0 };
        jr[RAD_IDX] = wf * p[row] * rsq;
        jr[RAD_IDX + 1] = wf * p[row] * rsq * rsq;
        jr[CAM_PARAMS + 3] = proj - feat[row];
    }
}

/// The derivative of the weight residual `1 - w^2`: `-2 w`.
///
/// ```
/// assert_eq!(dezero_adbench::ba_jacobian::weight_residual_derivative(0.5), -1.0);
/// ```
pub fn weight_residual_derivative(w: f64) -> f64 {
    -2.0 * w
}

/// All residuals of a BA problem and their Jacobian blocks: `reproj[2p]`, `reproj_jac[30p]`
/// (observation `i`'s 2 x 15 block at `30 i`), `w_err[p]` and `w_jac[p]`.
///
/// # Panics
///
/// If an output's length is not the one above, naming it.
///
/// ```
/// use dezero_adbench::{ba_jacobian, data};
///
/// let input = data::read_ba(data::data_path("ba1_n49_m7776_p31843.txt")).unwrap();
/// let p = input.p;
/// let (mut r, mut j) = (vec![0.0; 2 * p], vec![0.0; 30 * p]);
/// let (mut we, mut wj) = (vec![0.0; p], vec![0.0; p]);
/// ba_jacobian::jacobian(&input, &mut r, &mut j, &mut we, &mut wj);
/// assert_eq!(wj[0], -2.0 * input.weights[0]);
/// ```
#[track_caller]
pub fn jacobian(
    input: &BaInput,
    reproj: &mut [f64],
    reproj_jac: &mut [f64],
    w_err: &mut [f64],
    w_jac: &mut [f64],
) {
    jacobian_with(input, reproj, reproj_jac, w_err, w_jac, project_jacobian);
}

/// [`jacobian`] with each observation's residual and 2 x 15 block from `block`, called as
/// [`project_jacobian`] is: `(cam, x, w, feat, out, jac)`.
///
/// # Panics
///
/// As [`jacobian`].
///
/// ```
/// use dezero_adbench::{ba_jacobian, data};
///
/// let input = data::read_ba(data::data_path("ba1_n49_m7776_p31843.txt")).unwrap();
/// let p = input.p;
/// let (mut r, mut j) = (vec![0.0; 2 * p], vec![0.0; 30 * p]);
/// let (mut we, mut wj) = (vec![0.0; p], vec![0.0; p]);
/// let block = ba_jacobian::generated_project_jacobian;
/// ba_jacobian::jacobian_with(&input, &mut r, &mut j, &mut we, &mut wj, block);
/// assert_eq!(wj[0], -2.0 * input.weights[0]);
/// ```
#[track_caller]
pub fn jacobian_with(
    input: &BaInput,
    reproj: &mut [f64],
    reproj_jac: &mut [f64],
    w_err: &mut [f64],
    w_jac: &mut [f64],
    mut block: impl FnMut(&[f64], &[f64], f64, &[f64], &mut [f64], &mut [f64]),
) {
    let p = input.p;
    for (name, got, want) in [
        ("reproj", reproj.len(), 2 * p),
        ("reproj_jac", reproj_jac.len(), 2 * COLS * p),
        ("w_err", w_err.len(), p),
        ("w_jac", w_jac.len(), p),
    ] {
        assert!(
            got == want,
            "ba_jacobian::jacobian: {name} has length {got}, expected {want} (p = {p})"
        );
    }
    for i in 0..p {
        let [c, pt] = input.obs[i];
        let w = input.weights[i];
        block(
            &input.cams[c * CAM_PARAMS..],
            &input.points[pt * 3..],
            w,
            &input.features[i * 2..i * 2 + 2],
            &mut reproj[i * 2..],
            &mut reproj_jac[i * 2 * COLS..],
        );
        w_err[i] = weight_residual(w);
        w_jac[i] = weight_residual_derivative(w);
    }
}

/// [`project_jacobian`] from what `#[differentiable]` generates for [`crate::ba::project`]:
/// its split pullback. `project_vjp_fwd` computes the residual once and records what the
/// reverse sweep needs; `project_vjp_rev` then pulls back each row's unit seed from that
/// record (a copy of it for the first row) (columns: camera, point, weight, as in [`project_jacobian`]). The records
/// live in per-thread buffers, so a call allocates nothing once the thread has made them.
///
/// ```
/// use dezero_adbench::ba_jacobian::{generated_project_jacobian, project_jacobian, COLS};
///
/// let cam = [0.1, -0.2, 0.3, 0.0, 0.0, 0.0, 2.0, 1.0, 1.0, 0.01, 0.0];
/// let (x, feat) = ([1.0, 2.0, 4.0], [1.0, 1.0]);
/// let (mut out, mut jac) = ([0.0; 2], [0.0; 2 * COLS]);
/// let (mut hand_out, mut hand) = ([0.0; 2], [0.0; 2 * COLS]);
/// generated_project_jacobian(&cam, &x, 3.0, &feat, &mut out, &mut jac);
/// project_jacobian(&cam, &x, 3.0, &feat, &mut hand_out, &mut hand);
/// assert_eq!(out, hand_out);
/// assert!(jac.iter().zip(&hand).all(|(g, h)| (g - h).abs() <= 1e-12 * (1.0 + h.abs())));
/// ```
pub fn generated_project_jacobian(
    cam: &[f64],
    x: &[f64],
    w: f64,
    feat: &[f64],
    out: &mut [f64],
    jac: &mut [f64],
) {
    thread_local! {
        /// The forward half's record, and the copy a reverse half consumes.
        static RECORDS: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }
    RECORDS.with(|r| {
        let (record, tape) = &mut *r.borrow_mut();
        record.clear();
        crate::ba::project_vjp_fwd(cam, x, w, feat, out, record);
        for row in 0..2 {
            // row 0 consumes a copy of the record, row 1 the record itself
            let tape = if row == 0 {
                tape.clear();
                tape.extend_from_slice(record);
                &mut *tape
            } else {
                &mut *record
            };
            let (mut cam_bar, mut x_bar, mut feat_bar) = ([0.0; CAM_PARAMS], [0.0; 3], [0.0; 2]);
            // `out`'s contents after a reverse half are unspecified: it gets a scratch copy
            let (mut scratch, mut seed) = ([0.0; 2], [0.0; 2]);
            seed[row] = 1.0;
            let w_bar = crate::ba::project_vjp_rev(
                cam,
                &mut cam_bar,
                x,
                &mut x_bar,
                w,
                feat,
                &mut feat_bar,
                &mut scratch,
                &mut seed,
                tape,
            );
            let r = &mut jac[row * COLS..(row + 1) * COLS];
            r[..CAM_PARAMS].copy_from_slice(&cam_bar);
            r[CAM_PARAMS..CAM_PARAMS + 3].copy_from_slice(&x_bar);
            r[CAM_PARAMS + 3] = w_bar;
        }
    });
}
