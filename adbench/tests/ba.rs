//! BA residuals against an independent NumPy value, and the hand-written 2 x 15 Jacobian
//! against finite differences, on both branches of the Rodrigues rotation.
mod common;

use dezero_adbench::ba::{self, project, rodrigues_rotate_point, CAM_PARAMS};
use dezero_adbench::ba_jacobian::{self, project_jacobian, COLS};
use dezero_adbench::data::{data_path, read_ba, BaInput};

fn input() -> BaInput {
    read_ba(data_path("ba1_n49_m7776_p31843.txt")).expect("the ADBench file parses")
}

/// One observation's 15 inputs (camera, point, weight) as one vector.
fn inputs(cam: &[f64], x: &[f64], w: f64) -> Vec<f64> {
    [&cam[..CAM_PARAMS], &x[..3], &[w]].concat()
}

/// Residual `row` of [`project`] as a function of [`inputs`].
fn residual(feat: [f64; 2], row: usize) -> impl FnMut(&[f64]) -> f64 {
    move |v: &[f64]| {
        let mut out = [0.0; 2];
        project(
            &v[..CAM_PARAMS],
            &v[CAM_PARAMS..],
            v[CAM_PARAMS + 3],
            &feat,
            &mut out,
        );
        out[row]
    }
}

/// Checks [`project_jacobian`] at one observation: its residual equals [`project`]'s, and
/// each of its 30 entries a 4-point difference with a step `1e-4 max(1, |v_c|)` (scaled,
/// as the inputs range from 1e-3 (k2) to 400 (f)). Tolerance `1e-8 |J| + floor`: the
/// truncation `h^4 f^(5)/30` is ~1e-14 relative at these steps, and `floor` is ten times
/// the rounding `(18/12) eps max(|res|, 1) / h`.
fn check_jacobian(cam: &[f64], x: &[f64], w: f64, feat: [f64; 2]) {
    let (mut out, mut jac) = ([0.0; 2], [0.0; 2 * COLS]);
    project_jacobian(cam, x, w, &feat, &mut out, &mut jac);
    let mut want = [0.0; 2];
    project(cam, x, w, &feat, &mut want);
    for row in 0..2 {
        approx::assert_relative_eq!(out[row], want[row], max_relative = 1e-14, epsilon = 1e-14);
    }
    // the generated Jacobian is the hand-written one, to 1e-10 relative (1e-12 absolute)
    let (mut generated_out, mut generated) = ([0.0; 2], [0.0; 2 * COLS]);
    ba_jacobian::generated_project_jacobian(cam, x, w, &feat, &mut generated_out, &mut generated);
    assert_eq!(generated_out, want);
    for (k, (g, h)) in generated.iter().zip(&jac).enumerate() {
        assert!(
            (g - h).abs() <= 1e-10 * h.abs() + 1e-12,
            "entry {k}: generated {g} vs hand-written {h}"
        );
    }
    let v = inputs(cam, x, w);
    for row in 0..2 {
        let mut f = residual(feat, row);
        for col in 0..COLS {
            let h = 1e-4 * v[col].abs().max(1.0);
            let fd = common::diff4(&mut f, &v, col, h);
            let got = jac[row * COLS + col];
            let floor = 10.0 * 1.5 * f64::EPSILON * want[row].abs().max(1.0) / h;
            assert!(
                (fd - got).abs() <= 1e-8 * got.abs() + floor,
                "d res{row} / d input {col}: hand-written {got} vs 4-point difference {fd}"
            );
        }
    }
}

/// `adbench/reference.py` (NumPy, the rotation as the matrix I + sin(t) K + (1 - cos(t)) K^2;
/// `python3 adbench/reference.py` from the repository root) prints
/// `[0.10133583791441404, -0.06896776592438625]` for ADBench's one observation.
#[test]
fn residual_matches_numpy_reference() {
    let inp = input();
    let mut out = [0.0; 2];
    project(
        &inp.cams,
        &inp.points,
        inp.weights[0],
        &inp.features,
        &mut out,
    );
    // The residual is a difference of two numbers ~ 300: 1e-13 of those is ~1e-11 of it.
    approx::assert_relative_eq!(out[0], 0.10133583791441404, max_relative = 1e-11);
    approx::assert_relative_eq!(out[1], -0.06896776592438625, max_relative = 1e-11);
}

#[test]
fn jacobian_of_the_adbench_observation() {
    let inp = input();
    let feat = [inp.features[0], inp.features[1]];
    check_jacobian(&inp.cams, &inp.points, inp.weights[0], feat);
}

/// Observations varied from ADBench's: rotations from 1e-12 to ~3 rad about changing axes
/// (the tiny ones take the full formula, with `1 - cos t` rounded to 0 or nearly), moved
/// centres and points, distortions up to 0.1, several weights.
#[test]
fn jacobian_of_varied_observations() {
    let inp = input();
    let base = inputs(&inp.cams, &inp.points, inp.weights[0]);
    let feat = [inp.features[0], inp.features[1]];
    for s in 0..10 {
        let t = s as f64;
        let mut v = base.clone();
        let angle = [1e-3, 0.01, 0.3, 1.0, 1.7, 2.5, 3.0, 0.7, 1e-6, 1e-12][s];
        let axis = [(1.3 * t).sin(), (0.7 * t + 1.0).cos(), 0.5 + 0.1 * t];
        let norm = (axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]).sqrt();
        for i in 0..3 {
            v[i] = angle * axis[i] / norm;
            v[3 + i] += 3.0 * (t + i as f64).sin();
            v[CAM_PARAMS + i] += 2.0 * (2.0 * t - i as f64).cos();
        }
        v[9] = 0.1 * (t - 3.5) / 3.5;
        v[10] = 0.01 * (t - 2.0);
        let w = 0.3 + 0.2 * t;
        // Keep the point in front of the camera (X_cam[2] > 0) so the projection is smooth.
        let mut xo = [0.0; 3];
        let mut xc = [0.0; 3];
        for i in 0..3 {
            xo[i] = v[CAM_PARAMS + i] - v[3 + i];
        }
        rodrigues_rotate_point(&v[..3], &xo, &mut xc);
        if xc[2].abs() < 1.0 {
            v[CAM_PARAMS + 2] += 5.0;
        }
        check_jacobian(&v[..CAM_PARAMS], &v[CAM_PARAMS..CAM_PARAMS + 3], w, feat);
    }
}

/// At `r = 0` exactly the `|r|^2 = 0` branch runs (`X + r x X`), and its Jacobian must be
/// the true one: the finite differences step to `|r| = h`, through the full Rodrigues
/// formula, and converge to the same derivative (`d R(r) X / dr = -[X]x` at `r = 0`).
#[test]
fn jacobian_at_zero_rotation_small_angle_branch() {
    let inp = input();
    let mut cam = inp.cams[..CAM_PARAMS].to_vec();
    cam[..3].fill(0.0);
    let feat = [inp.features[0], inp.features[1]];
    check_jacobian(&cam, &inp.points, inp.weights[0], feat);
}

/// The small-angle branch's value: identity at `r = 0`; `X + r x X` when `|r|^2` underflows
/// to 0 although `r != 0`; and the full formula at a tiny `|r| = 1e-9` agrees with the
/// first-order one to rounding (the difference is `O(|r|^2 |X|)` ~ 1e-18).
#[test]
fn small_angle_branch_values() {
    let pt = [7.2, -0.3, 3.0];
    let mut out = [0.0; 3];
    rodrigues_rotate_point(&[0.0, 0.0, 0.0], &pt, &mut out);
    assert_eq!(out, pt);

    // |r|^2 = 1e-340 underflows to 0: the branch is taken and r x X (~1e-170) still counts.
    let r = [0.0, 0.0, 1e-170];
    rodrigues_rotate_point(&r, &[1.0, 0.0, 0.0], &mut out);
    assert_eq!(out, [1.0, 1e-170, 0.0]);

    let r = [1e-9, -2e-9, 0.5e-9];
    let mut first_order = [0.0; 3];
    ba::cross(&r, &pt, &mut first_order);
    for i in 0..3 {
        first_order[i] += pt[i];
    }
    rodrigues_rotate_point(&r, &pt, &mut out);
    for i in 0..3 {
        approx::assert_relative_eq!(out[i], first_order[i], max_relative = 1e-15);
    }
}

/// Rodrigues at a generic rotation against the rotation matrix `I + sin t K + (1 - cos t) K^2`
/// (another form of the same formula), and a rotation keeps lengths.
#[test]
fn rodrigues_matches_the_matrix_form() {
    let r: [f64; 3] = [0.4, -1.1, 0.8];
    let pt = [1.5, 2.0, -0.5];
    let t = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]).sqrt();
    let k = [
        [0.0, -r[2] / t, r[1] / t],
        [r[2] / t, 0.0, -r[0] / t],
        [-r[1] / t, r[0] / t, 0.0],
    ];
    let mut out = [0.0; 3];
    rodrigues_rotate_point(&r, &pt, &mut out);
    for i in 0..3 {
        let mut want = pt[i];
        for j in 0..3 {
            let k2 = (0..3).map(|l| k[i][l] * k[l][j]).sum::<f64>();
            want += (t.sin() * k[i][j] + (1.0 - t.cos()) * k2) * pt[j];
        }
        approx::assert_relative_eq!(out[i], want, max_relative = 1e-14);
    }
    let len = |v: &[f64; 3]| v.iter().map(|a| a * a).sum::<f64>();
    approx::assert_relative_eq!(len(&out), len(&pt), max_relative = 1e-14);
}

/// The whole problem: every block of `jacobian` is `project_jacobian` at its observation,
/// the residuals are `residuals`', and the weight derivative is `-2 w`.
#[test]
fn full_jacobian_matches_per_observation() {
    let inp = input();
    let p = inp.p;
    let (mut r, mut j) = (vec![0.0; 2 * p], vec![0.0; 2 * COLS * p]);
    let (mut we, mut wj) = (vec![0.0; p], vec![0.0; p]);
    ba_jacobian::jacobian(&inp, &mut r, &mut j, &mut we, &mut wj);
    let (mut r2, mut we2) = (vec![0.0; 2 * p], vec![0.0; p]);
    ba::residuals(&inp, &mut r2, &mut we2);
    assert_eq!(r, r2);
    assert_eq!(we, we2);
    for i in [0, 1, 48, 49, 7775, 7776, p - 1] {
        let [c, pt] = inp.obs[i];
        assert_eq!([c, pt], [i % 49, i % 7776]);
        let (mut out, mut block) = ([0.0; 2], [0.0; 2 * COLS]);
        project_jacobian(
            &inp.cams[c * CAM_PARAMS..],
            &inp.points[pt * 3..],
            inp.weights[i],
            &inp.features[2 * i..],
            &mut out,
            &mut block,
        );
        assert_eq!(&j[i * 2 * COLS..(i + 1) * 2 * COLS], &block[..]);
        // 1 - w^2 at w = 0.417022, and its derivative -2 w.
        approx::assert_relative_eq!(we[i], 1.0 - 0.417022 * 0.417022, max_relative = 1e-15);
        assert_eq!(wj[i], -2.0 * 0.417022);
    }
}

#[test]
#[should_panic(
    expected = "ba_jacobian::jacobian: reproj_jac has length 30, expected 955290 (p = 31843)"
)]
fn jacobian_rejects_a_short_output() {
    let inp = input();
    let p = inp.p;
    let (mut r, mut j) = (vec![0.0; 2 * p], vec![0.0; 30]);
    let (mut we, mut wj) = (vec![0.0; p], vec![0.0; p]);
    ba_jacobian::jacobian(&inp, &mut r, &mut j, &mut we, &mut wj);
}

#[test]
#[should_panic(expected = "ba::residuals: w_err has length 1, expected p = 31843")]
fn residuals_reject_a_short_output() {
    let inp = input();
    ba::residuals(&inp, &mut vec![0.0; 2 * inp.p], &mut [0.0]);
}
