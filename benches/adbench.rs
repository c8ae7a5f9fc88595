//! ADBench's GMM and bundle adjustment: hand-written derivatives against the objective and
//! against peer crates, on the repository's copies of ADBench's inputs (`data/adbench/`).
//!
//! Rows (each checks its result against the hand-written one before it is timed):
//!
//! | group          | row         | what                                                      |
//! |----------------|-------------|-----------------------------------------------------------|
//! | `gmm_d2_K5`,   | `objective` | `dezero_adbench::gmm::objective` (the floor)              |
//! | `gmm_d10_K25`  | `hand`      | `gmm_grad::objective_grad`: value + full gradient         |
//! |                | `generated` | `gmm::objective_grad`, made by `#[differentiable]`        |
//! |                | `reverse`   | the objective on the `reverse` crate's tape, + `grad()`   |
//! | `ba1`          | `residuals` | `ba::residuals`, all 31843 observations                   |
//! |                | `hand`      | `ba_jacobian::jacobian`: residuals + 2 x 15 blocks        |
//! |                | `num_dual`  | the same blocks by forward mode, 15 `Dual64` sweeps each  |
//! |                | `generated` | the same blocks from `ba::project_vjp`, one call per row   |
//!
//! Peers: `reverse` is the smallest reverse-mode tape on crates.io (one node per binary
//! operation, `grad()` one backward sweep), what the GMM gradient looks like without source
//! transformation; `num-dual` (default features off: no nalgebra, so no `DualVec`) computes
//! BA's small dense Jacobian by forward mode, one sweep per input column, which is the
//! natural tool for 15 inputs and 2 outputs. `generated` is `#[differentiable]` on the plain
//! `gmm::objective` and `ba::project`.
//!
//! Run: `cargo bench -p dezero-benches --bench adbench` (Criterion), or
//! `cargo bench -p dezero-benches --bench adbench -- summary` (one table of best-of-N times
//! and the ratios `adbench/README.md` records).
// The peers' loops index like `dezero_adbench`'s, so that each row runs the same loops.
#![allow(clippy::needless_range_loop)]
use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use dezero_adbench::ba_jacobian::COLS;
use dezero_adbench::data::{data_path, read_ba, read_gmm, BaInput, GmmInput};
use dezero_adbench::{ba, ba_jacobian, gmm, gmm_grad};

/// The GMM objective on the `reverse` crate's tape: the plain-Rust objective with `Var`s.
mod rev {
    use dezero_adbench::data::GmmInput;
    use dezero_adbench::gmm::log_wishart_prior;
    use reverse::{Gradient, Tape, Var};

    /// `ln sum exp(x)`, shifted by the values' maximum (a constant: its derivative cancels).
    fn log_sum_exp<'a>(x: &[Var<'a>]) -> Var<'a> {
        let mx = x.iter().map(|v| v.val()).fold(f64::NEG_INFINITY, f64::max);
        let s: Var<'a> = x.iter().map(|&v| (v - mx).exp()).sum();
        s.ln() + mx
    }

    /// The objective with `alphas`, `means`, `icf` on the tape (same loops as
    /// `dezero_adbench::gmm::objective`; the constant Wishart part comes from it in `f64`).
    fn objective<'a>(
        g: &GmmInput,
        alphas: &[Var<'a>],
        means: &[Var<'a>],
        icf: &[Var<'a>],
    ) -> Var<'a> {
        let (d, k, n) = (g.d, g.k, g.n);
        let icf_sz = d * (d + 1) / 2;
        let zero = alphas[0] * 0.0;
        let mut qdiags = vec![zero; k * d];
        let mut sum_qs = vec![zero; k];
        for j in 0..k {
            for l in 0..d {
                qdiags[j * d + l] = icf[j * icf_sz + l].exp();
                sum_qs[j] = sum_qs[j] + icf[j * icf_sz + l];
            }
        }
        let mut xc = vec![zero; d];
        let mut qxc = vec![zero; d];
        let mut main_term = vec![zero; k];
        let mut slse = zero;
        for i in 0..n {
            for j in 0..k {
                for l in 0..d {
                    xc[l] = g.x[i * d + l] - means[j * d + l];
                    qxc[l] = qdiags[j * d + l] * xc[l];
                }
                let ltri = &icf[j * icf_sz + d..];
                let mut idx = 0;
                for a in 0..d {
                    for b in a + 1..d {
                        qxc[b] = qxc[b] + ltri[idx] * xc[a];
                        idx += 1;
                    }
                }
                let sq: Var<'a> = qxc.iter().map(|&v| v * v).sum();
                main_term[j] = alphas[j] + sum_qs[j] - sq * 0.5;
            }
            slse = slse + log_sum_exp(&main_term);
        }
        let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
        // The prior: gamma^2/2 (|exp q|^2 + |L|^2) - m sum q on the tape, the constant in f64.
        let mut prior = zero;
        for j in 0..k {
            prior = prior - sum_qs[j] * g.m as f64;
            for l in 0..d {
                let v = qdiags[j * d + l];
                prior = prior + v * v * (0.5 * g.gamma * g.gamma);
            }
            for l in d..icf_sz {
                let v = icf[j * icf_sz + l];
                prior = prior + v * v * (0.5 * g.gamma * g.gamma);
            }
        }
        // The prior at Q = 0 is its constant part alone, `-k C`.
        let c = log_wishart_prior(
            d,
            k,
            g.gamma,
            g.m,
            &vec![0.0; k],
            &vec![0.0; k * d],
            &vec![0.0; k * icf_sz],
        );
        slse + constant - log_sum_exp(alphas) * n as f64 + prior + c
    }

    /// Value and gradient `(alphas, means, icf)` concatenated, on a fresh tape.
    pub fn objective_grad(g: &GmmInput) -> (f64, Vec<f64>) {
        let tape = Tape::new();
        let alphas = tape.add_vars(&g.alphas);
        let means = tape.add_vars(&g.means);
        let icf = tape.add_vars(&g.icf);
        let z = objective(g, &alphas, &means, &icf);
        let grad = z.grad();
        let all = [grad.wrt(&alphas), grad.wrt(&means), grad.wrt(&icf)].concat();
        (z.val(), all)
    }
}

/// BA's residual in forward mode: `num_dual::Dual64`, one sweep per input.
mod dual {
    use dezero_adbench::ba::CAM_PARAMS;
    use dezero_adbench::ba_jacobian::COLS;
    use num_dual::{Dual64, DualNum};

    type D = Dual64;

    /// `ba::project` on dual numbers: camera, point and weight as 15 duals.
    fn project(v: &[D; COLS], feat: &[f64], out: &mut [D; 2]) {
        let (r, c) = (&v[0..3], &v[3..6]);
        let xo = [v[11] - c[0], v[12] - c[1], v[13] - c[2]];
        let sqtheta = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
        let xcam = if sqtheta.re != 0.0 {
            let theta = sqtheta.sqrt();
            let (s, co) = (theta.sin(), theta.cos());
            let w = [r[0] / theta, r[1] / theta, r[2] / theta];
            let wx = [
                w[1] * xo[2] - w[2] * xo[1],
                w[2] * xo[0] - w[0] * xo[2],
                w[0] * xo[1] - w[1] * xo[0],
            ];
            let tmp = (w[0] * xo[0] + w[1] * xo[1] + w[2] * xo[2]) * (-co + 1.0);
            [0, 1, 2].map(|i| xo[i] * co + wx[i] * s + w[i] * tmp)
        } else {
            [
                xo[0] + r[1] * xo[2] - r[2] * xo[1],
                xo[1] + r[2] * xo[0] - r[0] * xo[2],
                xo[2] + r[0] * xo[1] - r[1] * xo[0],
            ]
        };
        let p = [xcam[0] / xcam[2], xcam[1] / xcam[2]];
        let rsq = p[0] * p[0] + p[1] * p[1];
        let l = v[9] * rsq + v[10] * rsq * rsq + 1.0;
        for i in 0..2 {
            out[i] = (p[i] * l * v[6] + v[7 + i] - feat[i]) * v[CAM_PARAMS + 3];
        }
    }

    /// One observation's residual and 2 x 15 Jacobian (row-major), 15 forward sweeps.
    pub fn project_jacobian(
        cam: &[f64],
        x: &[f64],
        w: f64,
        feat: &[f64],
        out: &mut [f64],
        jac: &mut [f64],
    ) {
        let mut v = [D::from_re(0.0); COLS];
        for i in 0..CAM_PARAMS {
            v[i] = D::from_re(cam[i]);
        }
        for i in 0..3 {
            v[CAM_PARAMS + i] = D::from_re(x[i]);
        }
        v[CAM_PARAMS + 3] = D::from_re(w);
        let mut res = [D::from_re(0.0); 2];
        for col in 0..COLS {
            let mut seeded = v;
            seeded[col] = seeded[col].derivative();
            project(&seeded, feat, &mut res);
            jac[col] = res[0].eps;
            jac[COLS + col] = res[1].eps;
        }
        out[0] = res[0].re;
        out[1] = res[1].re;
    }
}

/// [`ba_jacobian::jacobian`]'s loop with [`dual::project_jacobian`] per observation.
fn ba_dual(
    input: &BaInput,
    reproj: &mut [f64],
    jac: &mut [f64],
    w_err: &mut [f64],
    w_jac: &mut [f64],
) {
    ba_jacobian::jacobian_with(input, reproj, jac, w_err, w_jac, dual::project_jacobian);
}

/// The whole BA Jacobian from `#[differentiable]`'s `ba::project_vjp`, two calls per
/// observation ([`ba_jacobian::generated_project_jacobian`]).
fn ba_generated(
    input: &BaInput,
    reproj: &mut [f64],
    jac: &mut [f64],
    w_err: &mut [f64],
    w_jac: &mut [f64],
) {
    let block = ba_jacobian::generated_project_jacobian;
    ba_jacobian::jacobian_with(input, reproj, jac, w_err, w_jac, block);
}

fn gmm_input(name: &str) -> GmmInput {
    read_gmm(data_path(name)).expect("the ADBench GMM file parses")
}

fn ba_input() -> BaInput {
    read_ba(data_path("ba1_n49_m7776_p31843.txt")).expect("the ADBench BA file parses")
}

/// `hand`'s value and gradient, concatenated.
fn gmm_hand(g: &GmmInput) -> (f64, Vec<f64>) {
    let (v, ga, gm, gi) = gmm_grad::objective_grad_of(g);
    (v, [ga, gm, gi].concat())
}

/// `generated`'s value and gradient, concatenated.
fn gmm_generated(g: &GmmInput) -> (f64, Vec<f64>) {
    let (v, (ga, gm, gi)) = gmm::objective_grad(
        g.d, g.k, g.n, &g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m,
    );
    (v, [ga, gm, gi].concat())
}

/// Asserts that `got` equals `want` to `tol` relative (against the largest entry of `want`).
fn check(name: &str, got: &[f64], want: &[f64], tol: f64) {
    let scale = want.iter().fold(1.0_f64, |a, v| a.max(v.abs()));
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= tol * scale,
            "{name}: entry {i} is {a}, the hand-written code gives {b}"
        );
    }
    assert_eq!(got.len(), want.len(), "{name}: lengths");
}

/// Checks the `reverse` row against `hand` on one GMM input.
fn check_gmm(name: &str, g: &GmmInput) {
    let (v, grad) = gmm_hand(g);
    let (rv, rgrad) = rev::objective_grad(g);
    check(&format!("{name}/reverse value"), &[rv], &[v], 1e-12);
    check(&format!("{name}/reverse"), &rgrad, &grad, 1e-10);
    let (gv, ggrad) = gmm_generated(g);
    check(&format!("{name}/generated value"), &[gv], &[v], 1e-12);
    check(&format!("{name}/generated"), &ggrad, &grad, 1e-10);
}

/// The hand-written and num-dual BA Jacobians of the whole problem, checked equal.
struct BaBuffers {
    reproj: Vec<f64>,
    jac: Vec<f64>,
    w_err: Vec<f64>,
    w_jac: Vec<f64>,
}

impl BaBuffers {
    fn new(p: usize) -> Self {
        BaBuffers {
            reproj: vec![0.0; 2 * p],
            jac: vec![0.0; 2 * COLS * p],
            w_err: vec![0.0; p],
            w_jac: vec![0.0; p],
        }
    }
}

fn check_ba(input: &BaInput) {
    let (mut hand, mut dual) = (BaBuffers::new(input.p), BaBuffers::new(input.p));
    ba_jacobian::jacobian(
        input,
        &mut hand.reproj,
        &mut hand.jac,
        &mut hand.w_err,
        &mut hand.w_jac,
    );
    ba_dual(
        input,
        &mut dual.reproj,
        &mut dual.jac,
        &mut dual.w_err,
        &mut dual.w_jac,
    );
    check("ba1/num_dual residuals", &dual.reproj, &hand.reproj, 1e-12);
    check("ba1/num_dual jacobian", &dual.jac, &hand.jac, 1e-12);
    check("ba1/num_dual w_jac", &dual.w_jac, &hand.w_jac, 0.0);
    let mut generated = BaBuffers::new(input.p);
    ba_generated(
        input,
        &mut generated.reproj,
        &mut generated.jac,
        &mut generated.w_err,
        &mut generated.w_jac,
    );
    check(
        "ba1/generated residuals",
        &generated.reproj,
        &hand.reproj,
        1e-12,
    );
    check("ba1/generated jacobian", &generated.jac, &hand.jac, 1e-10);
}

fn gmm_bench(c: &mut Criterion, file: &str, group: &str) {
    let g = gmm_input(file);
    check_gmm(group, &g);
    let mut grp = c.benchmark_group(group);
    grp.sample_size(10);
    grp.bench_function("objective", |b| b.iter(|| gmm::objective_of(black_box(&g))));
    grp.bench_function("hand", |b| b.iter(|| gmm_hand(black_box(&g))));
    grp.bench_function("generated", |b| b.iter(|| gmm_generated(black_box(&g))));
    grp.bench_function("reverse", |b| b.iter(|| rev::objective_grad(black_box(&g))));
    grp.finish();
}

fn gmm_benches(c: &mut Criterion) {
    gmm_bench(c, "gmm_d2_K5.txt", "gmm_d2_K5");
    gmm_bench(c, "gmm_d10_K25.txt", "gmm_d10_K25");
}

fn ba_benches(c: &mut Criterion) {
    let input = ba_input();
    check_ba(&input);
    let mut buf = BaBuffers::new(input.p);
    let mut grp = c.benchmark_group("ba1");
    grp.sample_size(10);
    grp.bench_function("residuals", |b| {
        b.iter(|| ba::residuals(black_box(&input), &mut buf.reproj, &mut buf.w_err))
    });
    grp.bench_function("hand", |b| {
        b.iter(|| {
            ba_jacobian::jacobian(
                black_box(&input),
                &mut buf.reproj,
                &mut buf.jac,
                &mut buf.w_err,
                &mut buf.w_jac,
            )
        })
    });
    grp.bench_function("num_dual", |b| {
        b.iter(|| {
            ba_dual(
                black_box(&input),
                &mut buf.reproj,
                &mut buf.jac,
                &mut buf.w_err,
                &mut buf.w_jac,
            )
        })
    });
    grp.bench_function("generated", |b| {
        b.iter(|| {
            ba_generated(
                black_box(&input),
                &mut buf.reproj,
                &mut buf.jac,
                &mut buf.w_err,
                &mut buf.w_jac,
            )
        })
    });
    grp.finish();
}

/// Milliseconds: the fastest of `runs` calls of `f` (the least disturbed on a shared machine).
fn best_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    best_of_each(runs, &mut [&mut f])[0]
}

/// Milliseconds, the fastest of `runs` calls of each of `fs`, called in turn (one call of
/// each per round), so that a load change on the shared machine hits every row alike.
fn best_of_each(runs: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut best = vec![f64::INFINITY; fs.len()];
    for _ in 0..runs {
        for (b, f) in best.iter_mut().zip(fs.iter_mut()) {
            let start = Instant::now();
            f();
            *b = b.min(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    best
}

/// `cargo bench -p dezero-benches --bench adbench -- summary`: every row by wall clock, the
/// fastest of several runs, as the table `adbench/README.md` records. The filter `summary`
/// matches no Criterion benchmark, so only this runs.
fn summary(_: &mut Criterion) {
    if !std::env::args().any(|a| a == "summary") {
        return;
    }
    println!("| problem | objective (ms) | hand (ms) | generated (ms) | reverse (ms) | hand/objective | generated/objective | generated/hand | reverse/hand |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (file, name, runs, rev_runs) in [
        ("gmm_d2_K5.txt", "GMM d=2 K=5 n=1000", 500, 50),
        ("gmm_d10_K25.txt", "GMM d=10 K=25 n=1000", 100, 10),
    ] {
        let g = gmm_input(file);
        check_gmm(name, &g);
        let t = best_of_each(
            runs,
            &mut [
                &mut || {
                    black_box(gmm::objective_of(black_box(&g)));
                },
                &mut || {
                    black_box(gmm_hand(black_box(&g)));
                },
                &mut || {
                    black_box(gmm_generated(black_box(&g)));
                },
            ],
        );
        let (t_obj, t_hand, t_gen) = (t[0], t[1], t[2]);
        let t_rev = best_ms(rev_runs, || {
            black_box(rev::objective_grad(black_box(&g)));
        });
        println!(
            "| {name} | {t_obj:.3} | {t_hand:.3} | {t_gen:.3} | {t_rev:.1} | {:.2} | {:.2} | {:.2} | {:.0} |",
            t_hand / t_obj,
            t_gen / t_obj,
            t_gen / t_hand,
            t_rev / t_hand
        );
    }
    let input = ba_input();
    check_ba(&input);
    // one set of buffers per row, so the rows' closures can take turns
    let [mut b0, mut b1, mut b2, mut b3] = std::array::from_fn(|_| BaBuffers::new(input.p));
    let t = best_of_each(
        100,
        &mut [
            &mut || ba::residuals(black_box(&input), &mut b0.reproj, &mut b0.w_err),
            &mut || {
                let b = &mut b1;
                ba_jacobian::jacobian(
                    black_box(&input),
                    &mut b.reproj,
                    &mut b.jac,
                    &mut b.w_err,
                    &mut b.w_jac,
                )
            },
            &mut || {
                let b = &mut b2;
                ba_generated(
                    black_box(&input),
                    &mut b.reproj,
                    &mut b.jac,
                    &mut b.w_err,
                    &mut b.w_jac,
                )
            },
            &mut || {
                let b = &mut b3;
                ba_dual(
                    black_box(&input),
                    &mut b.reproj,
                    &mut b.jac,
                    &mut b.w_err,
                    &mut b.w_jac,
                )
            },
        ],
    );
    let (t_res, t_hand, t_gen, t_dual) = (t[0], t[1], t[2], t[3]);
    println!();
    println!("| problem | residuals (ms) | hand Jacobian (ms) | generated Jacobian (ms) | num_dual Jacobian (ms) | hand/residuals | generated/residuals | generated/hand | num_dual/generated |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| BA n=49 m=7776 p=31843 | {t_res:.3} | {t_hand:.3} | {t_gen:.3} | {t_dual:.3} | {:.2} | {:.2} | {:.2} | {:.1} |",
        t_hand / t_res,
        t_gen / t_res,
        t_gen / t_hand,
        t_dual / t_gen
    );
}

criterion_group!(benches, gmm_benches, ba_benches, summary);
criterion_main!(benches);
