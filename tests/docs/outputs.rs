//! Examples write their files under the target directory, or where the user says: never over
//! tracked files (`docs/*.svg` are regenerated only by `cargo run --example descend -- docs`).

#[allow(dead_code)] // `dir` reads the command line; the tests call `choose`
#[path = "../../examples/output/mod.rs"]
mod output;

use std::path::{Path, PathBuf};

#[test]
fn by_default_examples_write_into_the_target_directory() {
    let dir = output::choose(None);
    let exe = std::env::current_exe().unwrap();
    // this test runs as <target>/debug/deps/docs-<hash>, as an example runs as
    // <target>/debug/examples/<name>: both write into <target>/examples-output
    let target = exe.ancestors().nth(3).unwrap();
    assert_eq!(dir, target.join("examples-output"));
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        !dir.starts_with(source) || dir.starts_with(source.join("target")),
        "{} is in the source tree",
        dir.display()
    );
}

#[test]
fn a_directory_on_the_command_line_wins() {
    assert_eq!(
        output::choose(Some(PathBuf::from("docs"))),
        PathBuf::from("docs")
    );
}
