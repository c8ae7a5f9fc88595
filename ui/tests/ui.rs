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
    // trybuild's copy of `dezero` and its dependencies is built without debug info (its cargo
    // inherits this variable; diagnostics do not depend on it), which shortens every link.
    std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "0");
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("tests/ui/*.rs");
    }
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
}
