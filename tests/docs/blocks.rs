//! Every README code block is Rust compiled by
//! `cargo test --doc` (through `dezero::ReadmeDoctests`), or `sh`/`text`; and every expansion
//! shown in the docs (a `text` block after `<!-- snapshot: PATH -->`) is the snapshot at PATH,
//! modulo whitespace, `// ...` lines that elide parts and `  // ` comments at line ends.

use std::path::Path;

/// A fenced block: its info string, its lines, and the `<!-- snapshot: PATH -->` before it.
struct Block {
    info: String,
    lines: Vec<String>,
    snapshot: Option<String>,
    line: usize,
}

/// The fenced blocks of a markdown text.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    let mut last_nonblank = "";
    for (i, raw) in markdown.lines().enumerate() {
        let line = raw.trim_start();
        if let Some(block) = open.as_mut() {
            if line == "```" {
                out.push(open.take().unwrap());
            } else {
                block.lines.push(raw.to_string());
            }
        } else if let Some(info) = line.strip_prefix("```") {
            let snapshot = last_nonblank
                .trim()
                .strip_prefix("<!-- snapshot: ")
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_string);
            open = Some(Block {
                info: info.trim().to_string(),
                lines: Vec::new(),
                snapshot,
                line: i + 1,
            });
        }
        if !line.is_empty() {
            last_nonblank = raw;
        }
    }
    assert!(open.is_none(), "an unclosed code block");
    out
}

/// The markdown of a Rust file's `//!` or `///` doc comments, one line per comment line.
fn doc_markdown(source: &str) -> String {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("//!")
                .or_else(|| l.strip_prefix("///"))
                .map(|rest| rest.strip_prefix(' ').unwrap_or(rest))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Code with every whitespace character removed.
fn squeeze(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks that the block's pieces (split at `// ...`-style comment lines) appear in the
/// snapshot in order; returns the number of pieces.
#[track_caller]
fn assert_in_snapshot(block: &Block, doc: &str) -> usize {
    let path = block.snapshot.as_deref().unwrap();
    let snapshot = squeeze(&read(path));
    let mut pieces = vec![String::new()];
    for line in &block.lines {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") && !trimmed.starts_with("///") {
            pieces.push(String::new()); // an elision: what follows comes later
            continue;
        }
        let code = line.split("  // ").next().unwrap();
        pieces.last_mut().unwrap().push_str(&squeeze(code));
    }
    pieces.retain(|p| !p.is_empty());
    let mut from = 0;
    for piece in &pieces {
        match snapshot[from..].find(piece.as_str()) {
            Some(at) => from += at + piece.len(),
            None => panic!(
                "{doc}:{}: this part of the block is not in {path} (in this order):\n{piece}",
                block.line
            ),
        }
    }
    pieces.len()
}

#[test]
fn readme_blocks_are_rust_compiled_by_doctests_or_sh_or_text() {
    let readme = read("README.md");
    let blocks = blocks(&readme);
    assert!(blocks.iter().filter(|b| b.info == "rust").count() >= 3);
    for block in &blocks {
        assert!(
            ["rust", "sh", "text"].contains(&block.info.as_str()),
            "README.md:{}: fence `{}`: use rust (compiled and run), sh or text",
            block.line,
            block.info
        );
    }
    // the hook that makes `cargo test --doc` compile and run them
    assert!(read("src/lib.rs").contains("#[doc = include_str!(\"../README.md\")]"));
}

#[test]
fn the_readme_expansions_are_the_snapshots() {
    let readme = read("README.md");
    let shown: Vec<Block> = blocks(&readme)
        .into_iter()
        .filter(|b| b.snapshot.is_some())
        .collect();
    let paths: Vec<&str> = shown
        .iter()
        .map(|b| b.snapshot.as_deref().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "dezero-macros/tests/expand/sphere.expanded.rs",
            "dezero-macros/tests/expand/array_log_sum_exp.expanded.rs"
        ]
    );
    let sphere = &shown[0];
    assert_eq!(sphere.info, "text");
    assert!(sphere.lines.iter().any(|l| l.contains("fn sphere_grad")));
    assert!(sphere.lines.iter().any(|l| l.contains("fn sphere_op")));
    assert_eq!(assert_in_snapshot(sphere, "README.md"), 2);
    let arrays = &shown[1];
    assert!(arrays
        .lines
        .iter()
        .any(|l| l.contains("fn log_sum_exp_vjp")));
    assert_eq!(assert_in_snapshot(arrays, "README.md"), 2);
}

#[test]
fn the_macro_docs_expansions_are_the_snapshots() {
    let docs = doc_markdown(&read("dezero-macros/src/lib.rs"));
    let shown: Vec<Block> = blocks(&docs)
        .into_iter()
        .filter(|b| b.snapshot.is_some())
        .collect();
    let paths: Vec<&str> = shown
        .iter()
        .map(|b| b.snapshot.as_deref().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "dezero-macros/tests/expand/matyas.expanded.rs",
            "dezero-macros/tests/expand/square_exp_chain.expanded.rs"
        ]
    );
    for block in &shown {
        assert_eq!(block.info, "text");
        assert_in_snapshot(block, "dezero-macros/src/lib.rs docs");
    }
}

#[test]
fn a_changed_expansion_is_caught() {
    // the check itself: one changed operand, or pieces out of order, are not in the snapshot
    let block = |lines: &[&str]| Block {
        info: "text".into(),
        lines: lines.iter().map(|l| l.to_string()).collect(),
        snapshot: Some("dezero-macros/tests/expand/sphere.expanded.rs".into()),
        line: 1,
    };
    let good = block(&["    let t0 = x * x;", "// ...", "    (out, (x_bar, y_bar))"]);
    assert_eq!(assert_in_snapshot(&good, "test"), 2);
    for bad in [
        block(&["    let t0 = x * y;"]),
        block(&["    (out, (x_bar, y_bar))", "// ...", "    let t0 = x * x;"]),
    ] {
        let caught = std::panic::catch_unwind(|| assert_in_snapshot(&bad, "test"));
        assert!(caught.is_err());
    }
}
