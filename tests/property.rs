//! Property test: for randomly generated programs, `#[differentiable]`'s gradient equals the
//! runtime's gradient and the central difference, at random inputs.
//!
//! The programs live in `tests/property/programs.rs`, generated from a fixed seed by
//! `tests/property/generator.rs` (checked in, so a failure names a program you can read);
//! `programs_rs_is_up_to_date` fails if the two drift apart (`REGENERATE=1` rewrites it).
//!
//! Tolerances: macro vs runtime, both exact reverse mode in a different summation order,
//! within 1e-9 relative; macro vs central difference with eps = 1e-6, whose error is about
//! eps^2 f''' + 1e-16 |f| / eps, within 1e-5 relative to max(1, |f|, |grad|).
use approx::assert_relative_eq;
use dezero::Variable;
use proptest::prelude::*;

#[path = "property/generator.rs"]
mod generator;
#[rustfmt::skip]
#[path = "property/programs.rs"]
mod programs;

/// One generated program, seen through adapters from `&[f64]` inputs to each engine.
pub struct Program {
    /// `pNN`, the name of the annotated function in `programs.rs`.
    pub name: &'static str,
    /// Number of float parameters.
    pub arity: usize,
    /// The annotated function itself (the primal).
    pub primal: fn(&[f64]) -> f64,
    /// `pNN_grad`: value and gradient.
    pub grad: fn(&[f64]) -> (f64, Vec<f64>),
    /// `pNN_vjp`: the pullback of a seed.
    pub vjp: fn(&[f64], f64) -> Vec<f64>,
    /// `pNN_runtime` on `Variable`s, then `backward`: value and gradient.
    pub runtime: fn(&[f64]) -> (f64, Vec<f64>),
}

/// Runs `out.backward()` and reads each input's gradient (0 when the output ignores it).
pub fn backward_all(out: &Variable, inputs: &[Variable]) -> (f64, Vec<f64>) {
    out.backward();
    let grads = inputs
        .iter()
        .map(|x| x.grad().map_or(0.0, |g| g.item()))
        .collect();
    (out.item(), grads)
}

/// Central difference `(f(v + eps e_i) - f(v - eps e_i)) / 2 eps` for every coordinate.
fn central_difference(f: fn(&[f64]) -> f64, v: &[f64], eps: f64) -> Vec<f64> {
    (0..v.len())
        .map(|i| {
            let (mut plus, mut minus) = (v.to_vec(), v.to_vec());
            plus[i] += eps;
            minus[i] -= eps;
            (f(&plus) - f(&minus)) / (2.0 * eps)
        })
        .collect()
}

/// Checks one program at `v`; returns how many partials were too close to a branch boundary
/// for the central difference to mean anything (see below).
fn check_program(p: &Program, v: &[f64]) -> usize {
    let (value, grad) = (p.grad)(v);
    let name = p.name;
    // The value of `_grad` is the primal's value, bit for bit: the forward sweep runs the
    // user's operations in the user's order.
    assert_eq!(
        value.to_bits(),
        (p.primal)(v).to_bits(),
        "{name} at {v:?}: value"
    );

    let (rt_value, rt_grad) = (p.runtime)(v);
    assert_relative_eq!(value, rt_value, max_relative = 1e-9, epsilon = 1e-12);

    let cd = central_difference(p.primal, v, 1e-6);
    let cd_wide = central_difference(p.primal, v, 2e-6);
    let vjp = (p.vjp)(v, 2.5);
    let scale = grad
        .iter()
        .fold(value.abs().max(1.0), |m, g| m.max(g.abs()));
    let mut skipped = 0;
    for i in 0..p.arity {
        // Runtime and macro: the same exact derivative.
        assert!(
            (grad[i] - rt_grad[i]).abs() <= 1e-9 * scale,
            "{name} at {v:?}: d/dv{i} macro {} vs runtime {}",
            grad[i],
            rt_grad[i]
        );
        // Central difference: truncation and rounding error well under 1e-5 of the scale.
        // Within 2e-6 of a branch boundary (an `if` on the inputs, an early `return`) or a
        // kink (`abs`, `max`, `min`) no difference quotient means anything: there the
        // quotients at eps and 2 eps disagree, and only the runtime comparison above applies.
        let near_jump = (cd[i] - cd_wide[i]).abs() > 1e-5 * scale;
        skipped += usize::from(near_jump);
        assert!(
            near_jump || (grad[i] - cd[i]).abs() <= 1e-5 * scale,
            "{name} at {v:?}: d/dv{i} macro {} vs central difference {}",
            grad[i],
            cd[i]
        );
        // The pullback is linear in the seed: vjp(v, 2.5) = 2.5 * grad.
        assert!(
            (vjp[i] - 2.5 * grad[i]).abs() <= 1e-12 * scale,
            "{name} at {v:?}: vjp {} vs 2.5 * grad {}",
            vjp[i],
            grad[i]
        );
    }
    skipped
}

#[test]
fn programs_rs_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/property/programs.rs");
    let fresh = generator::source();
    if std::env::var_os("REGENERATE").is_some() {
        std::fs::write(path, &fresh).expect("write programs.rs");
    }
    let checked_in = std::fs::read_to_string(path).expect("read programs.rs");
    assert!(
        checked_in == fresh,
        "tests/property/programs.rs is stale: run `REGENERATE=1 cargo test --test property`"
    );
}

/// The escape hatch in `check_program` stays rare: over 200 fixed input triples, fewer than
/// 0.5% of the partials sit within 2e-6 of a branch boundary (so it cannot hide a bug).
#[test]
fn central_difference_is_rarely_skipped() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 3.0 - 1.5
    };
    let (mut skipped, mut total) = (0, 0);
    for _ in 0..200 {
        let v = [uniform(), uniform(), uniform()];
        for p in programs::PROGRAMS {
            skipped += check_program(p, &v[..p.arity]);
            total += p.arity;
        }
    }
    assert!(
        skipped * 200 < total,
        "{skipped} of {total} partials skipped"
    );
}

#[test]
fn there_are_enough_programs() {
    assert_eq!(programs::PROGRAMS.len(), generator::COUNT);
}

proptest! {
    // A fixed seed: CI sees the same 128 input triples every run.
    #![proptest_config(ProptestConfig {
        cases: 128,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_dec0),
        ..ProptestConfig::default()
    })]

    /// Every program agrees with the runtime and with the central difference at random inputs.
    #[test]
    fn generated_gradients_agree(
        x in -1.5f64..1.5,
        y in -1.5f64..1.5,
        z in -1.5f64..1.5,
    ) {
        for p in programs::PROGRAMS {
            check_program(p, &[x, y, z][..p.arity]);
        }
    }
}
