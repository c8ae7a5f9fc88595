//! The GMM objective against an independent NumPy value, and its hand-written gradient
//! against finite differences.
mod common;

use dezero_adbench::data::{data_path, read_gmm, GmmInput};
use dezero_adbench::{gmm, gmm_grad};

fn input(name: &str) -> GmmInput {
    read_gmm(data_path(name)).expect("the ADBench file parses")
}

/// alphas, means and icf as one vector, the coordinates of the gradient.
fn params(input: &GmmInput) -> Vec<f64> {
    [&input.alphas[..], &input.means, &input.icf].concat()
}

/// The objective as a function of [`params`].
fn objective_at(input: &GmmInput) -> impl FnMut(&[f64]) -> f64 + '_ {
    let (k, d) = (input.k, input.d);
    move |p: &[f64]| {
        let (alphas, rest) = p.split_at(k);
        let (means, icf) = rest.split_at(k * d);
        gmm::objective(
            d,
            k,
            input.n,
            alphas,
            means,
            icf,
            &input.x,
            input.gamma,
            input.m,
        )
    }
}

fn gradient(input: &GmmInput) -> (f64, Vec<f64>) {
    let (v, ga, gm, gi) = gmm_grad::objective_grad_of(input);
    (v, [ga, gm, gi].concat())
}

/// Checks the hand-written gradient on the coordinates `coords` against [`common::diff4`].
///
/// Tolerance: `|fd - g| <= 1e-8 |g| + floor`. The 4-point difference truncates at
/// ~`h^4 f^(5)/30` and rounds at about `(18/12) eps |f| / h` (each of the four values carries
/// up to ~`eps |f|` of rounding, weighted 8, 8, 1, 1 over `12 h`); `floor` is ten times the
/// latter. The step `h = 2e-4` balances the two on gmm_d10_K25, whose means are the sharpest
/// coordinates (Q's entries reach e^3 ~ 20, so the softmax over components switches within
/// ~1e-2 of a mean): measured on its mean coordinate 75, the 4-point error is 6e-7 relative
/// at `h = 1e-3`, 5e-9 at `3e-4`, 2e-10 at `1e-4`; at `h = 2e-4` the truncation is ~1e-9 and
/// the floor 4e-7 absolute (3e-10 of that gradient entry, ~4e-8 of the smallest entries
/// checked, which is what finite differences can resolve next to `|f| = 2.6e4`).
fn check_gradient(input: &GmmInput, coords: &[usize]) {
    let (value, grad) = gradient(input);
    let x = params(input);
    let mut f = objective_at(input);
    let h = 2e-4;
    let floor = 10.0 * 1.5 * f64::EPSILON * value.abs() / h;
    let mut worst: f64 = 0.0;
    for &i in coords {
        let fd = common::diff4(&mut f, &x, i, h);
        let err = (fd - grad[i]).abs();
        worst = worst.max(err / (1e-8 * grad[i].abs() + floor));
        assert!(
            err <= 1e-8 * grad[i].abs() + floor,
            "coordinate {i}: hand-written {} vs 4-point difference {fd} (error {err:e}, floor {floor:e})",
            grad[i]
        );
    }
    eprintln!("worst error / tolerance: {worst:.3}");
}

/// `adbench/reference.py` (NumPy, precision matrices and `slogdet`; run from the repository
/// root: `python3 adbench/reference.py`) prints -5240.590562549577 for gmm_d2_K5 and
/// -25649.6526211973 for gmm_d10_K25 (computed in 80-bit long double).
#[test]
fn objective_matches_numpy_reference() {
    for (name, want) in [
        ("gmm_d2_K5.txt", -5240.590562549577),
        ("gmm_d10_K25.txt", -25649.6526211973),
    ] {
        let got = gmm::objective_of(&input(name));
        // Two formulations summed in different orders: ~1e-14 relative apart.
        approx::assert_relative_eq!(got, want, max_relative = 1e-12);
    }
}

/// The value `objective_grad` returns is the objective's.
#[test]
fn gradient_returns_the_objective() {
    for name in ["gmm_d2_K5.txt", "gmm_d10_K25.txt"] {
        let inp = input(name);
        let (v, _) = gradient(&inp);
        approx::assert_relative_eq!(v, gmm::objective_of(&inp), max_relative = 1e-14);
    }
}

/// d = 2, K = 5, all 1000 points: every one of the 30 coordinates.
#[test]
fn gradient_d2_k5_full_file() {
    let inp = input("gmm_d2_K5.txt");
    check_gradient(&inp, &(0..params(&inp).len()).collect::<Vec<_>>());
}

/// d = 10, K = 25, all 1000 points: every alpha, and every 31st mean and icf coordinate
/// (a prime stride, so every component and both diagonal and off-diagonal icf entries are
/// hit; all 1650 would take minutes in a debug build).
#[test]
fn gradient_d10_k25_full_file_sampled() {
    let inp = input("gmm_d10_K25.txt");
    let (k, total) = (inp.k, params(&inp).len());
    let coords: Vec<usize> = (0..k).chain((k..total).step_by(31)).collect();
    check_gradient(&inp, &coords);
}

/// d = 10, K = 25 on the first 20 points: all 1650 coordinates.
#[test]
fn gradient_d10_k25_every_coordinate() {
    let inp = input("gmm_d10_K25.txt").truncated(20);
    check_gradient(&inp, &(0..params(&inp).len()).collect::<Vec<_>>());
}

/// Softmax weights sum to one, so shifting every alpha by the same constant changes nothing:
/// the alpha gradient sums to 0 (to rounding, relative to its largest entry).
#[test]
fn alpha_gradient_sums_to_zero() {
    let inp = input("gmm_d10_K25.txt");
    let (_, ga, _, _) = gmm_grad::objective_grad_of(&inp);
    let scale = ga.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    assert!(ga.iter().sum::<f64>().abs() <= 1e-12 * scale * ga.len() as f64);
}

/// The workspace's usual check, a plain central difference with eps 1e-4, beside the
/// 4-point ones: its truncation `h^2 f'''/6` allows only ~1e-6 relative.
#[test]
fn gradient_central_difference_eps_1e4() {
    let inp = input("gmm_d2_K5.txt").truncated(50);
    let (_, grad) = gradient(&inp);
    let x = params(&inp);
    let mut f = objective_at(&inp);
    for (i, &g) in grad.iter().enumerate() {
        let fd = common::diff2(&mut f, &x, i, 1e-4);
        approx::assert_relative_eq!(fd, g, max_relative = 1e-6, epsilon = 1e-7);
    }
}

/// The output lengths are checked and the message names the buffer.
#[test]
#[should_panic(
    expected = "gmm_grad::objective_grad: g_means has length 3, expected 10 (d = 2, k = 5)"
)]
fn gradient_rejects_a_short_output() {
    let inp = input("gmm_d2_K5.txt");
    let (mut ga, mut gm, mut gi) = (vec![0.0; 5], vec![0.0; 3], vec![0.0; 15]);
    gmm_grad::objective_grad(
        inp.d,
        inp.k,
        inp.n,
        &inp.alphas,
        &inp.means,
        &inp.icf,
        &inp.x,
        inp.gamma,
        inp.m,
        &mut ga,
        &mut gm,
        &mut gi,
    );
}

/// The gradient `#[differentiable(wrt(alphas, means, icf))]` generates for [`gmm::objective`].
fn generated(input: &GmmInput) -> (f64, Vec<f64>) {
    let (v, (ga, gm, gi)) = gmm::objective_grad(
        input.d,
        input.k,
        input.n,
        &input.alphas,
        &input.means,
        &input.icf,
        &input.x,
        input.gamma,
        input.m,
    );
    (v, [ga, gm, gi].concat())
}

/// The macro's gradient and the hand-written one (written from the math, `gmm_grad.rs`)
/// agree to 1e-8 relative on both ADBench files, every coordinate, and the values are equal.
#[test]
fn generated_gradient_matches_the_hand_written_one() {
    for (name, n) in [("gmm_d2_K5.txt", 1000), ("gmm_d10_K25.txt", 200)] {
        let inp = input(name).truncated(n);
        let (v, g) = generated(&inp);
        let (hv, hg) = gradient(&inp);
        assert_eq!(
            v,
            gmm::objective_of(&inp),
            "{name}: value is the objective's"
        );
        assert!((v - hv).abs() <= 1e-12 * hv.abs(), "{name}: {v} vs {hv}");
        let scale = hg.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
        for (i, (a, b)) in g.iter().zip(&hg).enumerate() {
            assert!(
                (a - b).abs() <= 1e-8 * b.abs().max(1e-3 * scale),
                "{name} coordinate {i}: generated {a} vs hand-written {b}"
            );
        }
    }
}

/// The macro's gradient against 4-point differences (tolerance as in [`check_gradient`]).
#[test]
fn generated_gradient_matches_finite_differences() {
    let inp = input("gmm_d10_K25.txt").truncated(20);
    let (value, grad) = generated(&inp);
    let x = params(&inp);
    let mut f = objective_at(&inp);
    let h = 2e-4;
    let floor = 10.0 * 1.5 * f64::EPSILON * value.abs() / h;
    for (i, g) in grad.iter().enumerate() {
        let fd = common::diff4(&mut f, &x, i, h);
        let err = (fd - g).abs();
        assert!(
            err <= 1e-8 * g.abs() + floor,
            "coordinate {i}: generated {g} vs 4-point difference {fd}"
        );
    }
}

/// The compiled GMM objective as ONE node of a runtime graph (`gmm::objective_op`): the
/// parameters are runtime `Variable`s, a runtime op follows it, and backward gives the
/// generated gradient through the runtime's chain rule.
#[test]
fn objective_op_is_the_loss_of_a_runtime_graph() {
    use dezero::Variable;
    let inp = input("gmm_d2_K5.txt").truncated(100);
    let var = |v: &[f64]| Variable::new(ndarray::Array1::from(v.to_vec()).into_dyn());
    let (alphas, means, icf) = (var(&inp.alphas), var(&inp.means), var(&inp.icf));
    let loss = gmm::objective_op(
        inp.d, inp.k, inp.n, &alphas, &means, &icf, &inp.x, inp.gamma, inp.m,
    );
    assert_eq!(loss.creator().unwrap().name(), "objective");
    let scaled = &loss * 0.5; // a runtime node after the compiled one
    scaled.backward();
    let (v, g) = generated(&inp);
    assert_eq!(loss.item(), v);
    let got: Vec<f64> = [&alphas, &means, &icf]
        .iter()
        .flat_map(|p| p.grad().unwrap().data().iter().copied().collect::<Vec<_>>())
        .collect();
    for (a, b) in got.iter().zip(&g) {
        assert_eq!(*a, 0.5 * b);
    }
}
