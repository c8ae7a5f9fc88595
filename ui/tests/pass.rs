//! The pass cases, `tests/ui/pass/*.rs`: every accepted construct compiles under
//! `#![deny(warnings)]` (some with `missing_docs` too) and runs.
//!
//! Each case is a module of this test (a `pub` one, so `missing_docs` sees its public items),
//! with its lint levels and docs as inner attributes, and its `main` called by the test: one
//! build of one crate, where trybuild built and ran them one cargo invocation at a time
//! (30 s of every clean test run). `dead_code` is allowed as trybuild allowed it, and so are
//! clippy's lints: the cases write what users write (`z = z * 2.0`, an early `return`) to show
//! the macro takes it; `tests/clippy_generated.rs` holds the generated code to clippy.

macro_rules! cases {
    ($($name:ident = $file:literal,)*) => {
        $(
            #[path = $file]
            #[allow(dead_code, clippy::all)]
            pub mod $name;
        )*

        #[test]
        fn every_case_compiles_and_runs() {
            $($name::main();)*
        }

        /// The list below is written by hand: a file added to `tests/ui/pass/` and not to it
        /// would never be compiled (trybuild's glob found every file).
        #[test]
        fn every_file_is_a_case() {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui/pass");
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .expect("tests/ui/pass")
                .map(|e| format!("ui/pass/{}", e.expect("an entry").file_name().to_string_lossy()))
                .collect();
            files.sort();
            let mut listed = vec![$($file.to_string()),*];
            listed.sort();
            assert_eq!(files, listed);
        }
    };
}

cases! {
    arithmetic = "ui/pass/arithmetic.rs",
    bindings = "ui/pass/bindings.rs",
    branch_statements = "ui/pass/branch-statements.rs",
    branches = "ui/pass/branches.rs",
    calls_and_tuples = "ui/pass/calls-and-tuples.rs",
    calls_more = "ui/pass/calls-more.rs",
    companions = "ui/pass/companions.rs",
    constants = "ui/pass/constants.rs",
    custom_vjp = "ui/pass/custom-vjp.rs",
    early_return = "ui/pass/early-return.rs",
    f32_and_integers = "ui/pass/f32-and-integers.rs",
    f32_paths_and_loops = "ui/pass/f32-paths-and-loops.rs",
    impl_block = "ui/pass/impl-block.rs",
    loop_bodies = "ui/pass/loop-bodies.rs",
    loops = "ui/pass/loops.rs",
    methods = "ui/pass/methods.rs",
    paths = "ui/pass/paths.rs",
    raw_identifier = "ui/pass/raw-identifier.rs",
    renamed = "ui/pass/renamed.rs",
    slices = "ui/pass/slices.rs",
    typed_lets = "ui/pass/typed-lets.rs",
    unused_companions = "ui/pass/unused-companions.rs",
    user_names_like_generated = "ui/pass/user-names-like-generated.rs",
    visibility_and_docs = "ui/pass/visibility-and-docs.rs",
}
