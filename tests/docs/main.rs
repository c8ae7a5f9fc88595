//! What the README, the docs and the examples say is what the code does. One test binary:
//!
//! - `blocks`: every README code block is Rust that `cargo test --doc` runs, or `sh`/`text`;
//!   every expansion the docs show is the snapshot of generated code it names;
//! - `goldstein_price`: the main demonstration prints the notes' values from both engines;
//! - `outputs`: examples write under the target directory, never over tracked files.

mod blocks;
mod goldstein_price;
mod outputs;
