//! Compile-time behaviour of `#[differentiable]` and `#[custom_vjp]`, with trybuild.
//!
//! `tests/ui/*.rs`: one mistake per file; each must fail to compile with the diagnostic in the
//! `.stderr` beside it, pointing at the user's code (never at the attribute when a better span
//! exists). Regenerate with `TRYBUILD=overwrite cargo test -p dezero-ui` and review the diff:
//! a moved span is a regression, a reworded rustc note is not. (The cases that must compile,
//! `tests/ui/pass/*.rs`, are modules of `tests/pass.rs`.)
//!
//! A trybuild run holding only compile-fail cases checks them all in one
//! `cargo check --keep-going` (in parallel, without codegen); one holding any pass case would
//! build and run every case one cargo invocation at a time.

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
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
