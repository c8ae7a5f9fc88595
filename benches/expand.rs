//! Expansion time of `#[differentiable]` on generated bodies of 1k, 5k and 20k operations:
//! one long sum of products (`chain`), a chain of `let`s (`lets`) and right-nested
//! parentheses (`nested`, 2 operations per level, up to the 4,000-level limit).
//!
//! A proc-macro crate exports only its macros, so this bench compiles the macro's modules
//! itself (by path) and calls `expand::differentiable` on `proc_macro2` tokens, which run on
//! proc-macro2's own implementation outside a compiler. The bench profile is optimized; rustc
//! runs proc macros unoptimized by default, which this command models:
//!
//! ```text
//! CARGO_PROFILE_BENCH_OPT_LEVEL=0 cargo bench --bench expand
//! ```
// The modules are the macro's; their unit tests (compiled out here) leave imports unused.
#![allow(dead_code, unused_imports)]

// `source.rs` asks `proc_macro::is_available()` (false here: no source file is read).
extern crate proc_macro;

#[path = "../dezero-macros/src/arrays/mod.rs"]
mod arrays;
#[path = "../dezero-macros/src/ast.rs"]
mod ast;
#[path = "../dezero-macros/src/bodies.rs"]
mod bodies;
#[path = "../dezero-macros/src/custom.rs"]
mod custom;
#[path = "../dezero-macros/src/dot/mod.rs"]
mod dot;
#[path = "../dezero-macros/src/emit.rs"]
mod emit;
#[path = "../dezero-macros/src/errors.rs"]
mod errors;
#[path = "../dezero-macros/src/expand.rs"]
mod expand;
#[path = "../dezero-macros/src/ir/mod.rs"]
mod ir;
#[path = "../dezero-macros/src/names.rs"]
mod names;
#[path = "../dezero-macros/src/op.rs"]
mod op;
#[path = "../dezero-macros/src/primitives.rs"]
mod primitives;
#[path = "../dezero-macros/src/prune.rs"]
mod prune;
#[path = "../dezero-macros/src/reverse/mod.rs"]
mod reverse;
#[path = "../dezero-macros/src/source.rs"]
mod source;
#[path = "../dezero-macros/src/tangent.rs"]
mod tangent;
#[path = "../dezero-macros/src/tree/mod.rs"]
mod tree;
#[path = "../dezero-macros/src/validate.rs"]
mod validate;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use proc_macro2::TokenStream;
use std::time::Duration;

fn expansion(c: &mut Criterion) {
    let mut group = c.benchmark_group("expand");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for ops in [1_000, 5_000, 20_000] {
        let mut shapes = vec![("chain", bodies::chain(ops)), ("lets", bodies::lets(ops))];
        if ops / 2 < tree::parse::MAX_DEPTH {
            shapes.push(("nested", bodies::nested(ops / 2)));
        }
        for (shape, src) in shapes {
            let tokens: TokenStream = src.parse().expect("tokens");
            let out = expand::differentiable(TokenStream::new(), tokens.clone()).to_string();
            assert!(!out.contains("compile_error"), "{shape} {ops} expands");
            group.bench_with_input(BenchmarkId::new(shape, ops), &tokens, |b, t| {
                b.iter(|| expand::differentiable(TokenStream::new(), t.clone()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, expansion);
criterion_main!(benches);
