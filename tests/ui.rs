//! Compile-time behaviour of `#[differentiable]` and `#[custom_vjp]`, with trybuild.
//!
//! `tests/ui/*.rs`: one mistake per file; each must fail to compile with the diagnostic in the
//! `.stderr` beside it, pointing at the user's code (never at the attribute when a better span
//! exists). `tests/ui/pass/*.rs`: every accepted construct compiles under `#![deny(warnings)]`
//! and runs. Regenerate with `TRYBUILD=overwrite cargo test --test ui` and review the diff: a
//! moved span is a regression, a reworded rustc note is not.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
