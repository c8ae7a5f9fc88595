//! Compile-time behaviour of `#[differentiable]` and `#[custom_vjp]`, with trybuild.
//!
//! `tests/ui/*.rs`: one mistake per file; each must fail to compile with the diagnostic in the
//! `.stderr` beside it, pointing at the user's code (never at the attribute when a better span
//! exists). `tests/ui/pass/*.rs`: every accepted construct compiles under `#![deny(warnings)]`
//! and runs. Regenerate with `TRYBUILD=overwrite cargo test -p dezero-ui` and review the diff:
//! a moved span is a regression, a reworded rustc note is not.
//!
//! The two kinds are two trybuild runs, one after the other. A run holding only compile-fail
//! cases checks them all in one `cargo check --keep-going` (in parallel, without codegen); a
//! run holding any pass case builds and runs every case one cargo invocation at a time.

#[test]
fn ui() {
    // trybuild's cargo inherits these. Without debug info its copy of `dezero` and the
    // dependencies builds and links faster (diagnostics do not depend on it). And its flags:
    // trybuild builds the dependencies with `--cfg trybuild --verbose -A dead_code`, then every
    // case with those and `--diagnostic-width=140`, so cargo built the dependencies twice per
    // run; the same flags for both (CARGO_ENCODED_RUSTFLAGS, which takes precedence over
    // trybuild's `--config build.rustflags`) build them once.
    std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "0");
    std::env::set_var(
        "CARGO_ENCODED_RUSTFLAGS",
        [
            "--cfg",
            "trybuild",
            "--verbose",
            "-A",
            "dead_code",
            "--diagnostic-width=140",
        ]
        .join("\x1f"),
    );
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/*.rs");
    }
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
}
