//! The runtime's integration tests, one module per subject, built as ONE test binary: each
//! binary of its own would link the crate and instantiate its ndarray code again (26 binaries
//! took about 190 s of compile time on a clean 2-core build). The tests that count allocations
//! with a global allocator stay binaries of their own (`tests/memory_flat.rs`,
//! `tests/create_graph_memory.rs`): here other tests run beside them on other threads.
//! Run one subject with `cargo test -p dezero-runtime --test integration -- tensor_ops::`.

mod support;

mod constant;
mod display;
mod dot;
mod fused;
mod grad_reuse;
mod gradients;
mod graph_memory;
mod higher_order;
mod interrupted;
mod long_chain;
mod misuse;
mod nn_datasets;
mod nn_layers;
mod nn_ops;
mod nn_optimizers;
mod nn_random;
mod nn_serialize;
mod nn_training;
mod owned_or_borrowed;
mod shape_checks;
mod spec;
mod tensor_ops;
mod threads;
mod update;
mod user_function;
mod vector_math;
