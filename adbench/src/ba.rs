//! Bundle adjustment's residuals in plain safe Rust, written for `#[differentiable]`.
//!
//! A camera is 11 numbers (layout below): an angle-axis rotation `r`, a centre `C`, a focal
//! length `f`, a principal point `(u0, v0)` and radial distortion `(k1, k2)`. One observation
//! of the 3-D point `X` with weight `w` and feature `feat` has the residual
//!
//! ```text
//! X_cam = Rodrigues(r) (X - C)        (|r| = 0: X_cam = (X - C) + r x (X - C))
//! p     = X_cam[0..2] / X_cam[2]
//! p'    = p (1 + k1 |p|^2 + k2 |p|^4)
//! res   = w (f p' + (u0, v0) - feat)   (2 numbers)
//! ```
//!
//! and each observation also has the weight residual `1 - w^2` (ADBench's `ba_objective`).
//! The functions keep to indexing, sub-slices `&cam[a..]`, `for` loops over integer ranges,
//! one `if`, small local arrays `[0.0; 3]` and `&mut [f64]` outputs.
#![allow(clippy::needless_range_loop)]

use crate::data::BaInput;
use dezero::differentiable;

/// Numbers per camera.
///
/// ```
/// assert_eq!(dezero_adbench::ba::CAM_PARAMS, 11);
/// ```
pub const CAM_PARAMS: usize = 11;
/// Offset of the rotation (angle-axis, 3 numbers) in a camera.
///
/// ```
/// assert_eq!(dezero_adbench::ba::ROT_IDX, 0);
/// ```
pub const ROT_IDX: usize = 0;
/// Offset of the centre (3 numbers) in a camera.
///
/// ```
/// assert_eq!(dezero_adbench::ba::C_IDX, 3);
/// ```
pub const C_IDX: usize = 3;
/// Offset of the focal length in a camera.
///
/// ```
/// assert_eq!(dezero_adbench::ba::F_IDX, 6);
/// ```
pub const F_IDX: usize = 6;
/// Offset of the principal point (2 numbers) in a camera.
///
/// ```
/// assert_eq!(dezero_adbench::ba::X0_IDX, 7);
/// ```
pub const X0_IDX: usize = 7;
/// Offset of the radial distortion (2 numbers) in a camera.
///
/// ```
/// assert_eq!(dezero_adbench::ba::RAD_IDX, 9);
/// ```
pub const RAD_IDX: usize = 9;

/// `out = a x b` for 3-vectors.
///
/// ```
/// let mut out = [0.0; 3];
/// dezero_adbench::ba::cross(&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &mut out);
/// assert_eq!(out, [0.0, 0.0, 1.0]);
/// ```
#[differentiable]
pub fn cross(a: &[f64], b: &[f64], out: &mut [f64]) {
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

/// `out = R(rot) pt`, the rotation by the angle-axis vector `rot[0..3]` (Rodrigues' formula
/// `pt cos t + (w x pt) sin t + w (w . pt)(1 - cos t)` with `t = |rot|`, `w = rot / t`).
///
/// At `|rot|^2 = 0` it uses the first-order form `pt + rot x pt` (ADBench's branch), which
/// has the same value and the same derivative there.
///
/// ```
/// use dezero_adbench::ba::rodrigues_rotate_point;
///
/// // A quarter turn about z takes x to y.
/// let mut out = [0.0; 3];
/// rodrigues_rotate_point(&[0.0, 0.0, std::f64::consts::FRAC_PI_2], &[1.0, 0.0, 0.0], &mut out);
/// assert!((out[0]).abs() < 1e-15 && (out[1] - 1.0).abs() < 1e-15 && out[2] == 0.0);
/// ```
#[differentiable]
pub fn rodrigues_rotate_point(rot: &[f64], pt: &[f64], out: &mut [f64]) {
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let costheta = theta.cos();
        let sintheta = theta.sin();
        let theta_inverse = 1.0 / theta;
        let mut w = [0.0; 3];
        for i in 0..3 {
            w[i] = rot[i] * theta_inverse;
        }
        let mut w_cross_pt = [0.0; 3];
        cross(&w, pt, &mut w_cross_pt);
        let tmp = (w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2]) * (1.0 - costheta);
        for i in 0..3 {
            out[i] = pt[i] * costheta + w_cross_pt[i] * sintheta + w[i] * tmp;
        }
    } else {
        let mut rot_cross_pt = [0.0; 3];
        cross(rot, pt, &mut rot_cross_pt);
        for i in 0..3 {
            out[i] = pt[i] + rot_cross_pt[i];
        }
    }
}

/// `out = p (1 + k1 |p|^2 + k2 |p|^4)` with `rad = (k1, k2)`.
///
/// ```
/// let mut out = [0.0; 2];
/// dezero_adbench::ba::radial_distort(&[0.5, 0.25], &[1.0, 1.0], &mut out);
/// // |p|^2 = 2: 1 + 0.5 * 2 + 0.25 * 4 = 3.
/// assert_eq!(out, [3.0, 3.0]);
/// ```
#[differentiable]
pub fn radial_distort(rad: &[f64], p: &[f64], out: &mut [f64]) {
    let rsq = p[0] * p[0] + p[1] * p[1];
    let l = 1.0 + rad[0] * rsq + rad[1] * rsq * rsq;
    out[0] = p[0] * l;
    out[1] = p[1] * l;
}

/// The reprojection residual of one observation: `out = w (projection of x by cam - feat)`.
///
/// `cam` is one camera's 11 numbers ([`CAM_PARAMS`]), `x` a 3-D point, `feat` the observed
/// 2-D feature; `out` receives 2 numbers.
///
/// # Panics
///
/// If a slice is shorter than its layout (an index out of bounds).
///
/// ```
/// use dezero_adbench::ba::project;
///
/// // No rotation, centre 0, f = 2, principal point (1, 1), no distortion: the point
/// // (1, 2, 4) lands at 2 (0.25, 0.5) + (1, 1) = (1.5, 2); minus the feature (1, 1), times 3.
/// let cam = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0, 1.0, 0.0, 0.0];
/// let mut out = [0.0; 2];
/// project(&cam, &[1.0, 2.0, 4.0], 3.0, &[1.0, 1.0], &mut out);
/// assert_eq!(out, [1.5, 3.0]);
/// ```
#[differentiable(wrt(cam, x, w))]
pub fn project(cam: &[f64], x: &[f64], w: f64, feat: &[f64], out: &mut [f64]) {
    let mut xo = [0.0; 3];
    for i in 0..3 {
        xo[i] = x[i] - cam[C_IDX + i];
    }
    let mut xcam = [0.0; 3];
    rodrigues_rotate_point(&cam[ROT_IDX..], &xo, &mut xcam);
    let mut p = [0.0; 2];
    p[0] = xcam[0] / xcam[2];
    p[1] = xcam[1] / xcam[2];
    let mut pd = [0.0; 2];
    radial_distort(&cam[RAD_IDX..], &p, &mut pd);
    for i in 0..2 {
        out[i] = w * (pd[i] * cam[F_IDX] + cam[X0_IDX + i] - feat[i]);
    }
}

/// The weight residual of one observation, `1 - w^2`.
///
/// ```
/// assert_eq!(dezero_adbench::ba::weight_residual(0.5), 0.75);
/// ```
pub fn weight_residual(w: f64) -> f64 {
    1.0 - w * w
}

/// Every residual of a BA problem: `reproj[2 * i..2 * i + 2]` from [`project`] and
/// `w_err[i]` from [`weight_residual`] for observation `i`.
///
/// # Panics
///
/// If `reproj` is not `2 p` long or `w_err` not `p`, naming which.
///
/// ```
/// use dezero_adbench::{ba, data};
///
/// let input = data::read_ba(data::data_path("ba1_n49_m7776_p31843.txt")).unwrap();
/// let (mut reproj, mut w_err) = (vec![0.0; 2 * input.p], vec![0.0; input.p]);
/// ba::residuals(&input, &mut reproj, &mut w_err);
/// // ADBench replicates one observation: every residual is the same.
/// assert_eq!(reproj[0..2], reproj[2 * 31842..]);
/// ```
#[track_caller]
pub fn residuals(input: &BaInput, reproj: &mut [f64], w_err: &mut [f64]) {
    let p = input.p;
    assert!(
        reproj.len() == 2 * p,
        "ba::residuals: reproj has length {}, expected 2 p = {}",
        reproj.len(),
        2 * p
    );
    assert!(
        w_err.len() == p,
        "ba::residuals: w_err has length {}, expected p = {p}",
        w_err.len()
    );
    for i in 0..p {
        let [c, pt] = input.obs[i];
        project(
            &input.cams[c * CAM_PARAMS..],
            &input.points[pt * 3..],
            input.weights[i],
            &input.features[i * 2..],
            &mut reproj[i * 2..],
        );
        w_err[i] = weight_residual(input.weights[i]);
    }
}
