//! Where examples write their files: the directory named by the first command-line argument,
//! else `examples-output/` in the cargo target directory the example was built in
//! (`target/examples-output/` by default). Never the source tree unless asked: the README's
//! pictures are regenerated explicitly, `cargo run --release --example descend -- docs`.
//!
//! An example uses it with `mod output;` (this file is `examples/output/mod.rs`, which cargo
//! does not take for an example of its own).

use std::path::{Path, PathBuf};

/// The output directory for this run (see the module docs), created if missing.
///
/// # Errors
/// When the directory cannot be created.
pub fn dir() -> std::io::Result<PathBuf> {
    let dir = choose(std::env::args_os().nth(1).map(PathBuf::from));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `given`, else `<target>/examples-output`, where `<target>` is three levels above the running
/// executable (`target/debug/examples/descend`; a test's `target/debug/deps/name` too).
pub fn choose(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("target"))
            .join("examples-output")
    })
}
