//! DeZero step 26: the graph of Goldstein–Price as a Graphviz picture.
//!
//! Writes `goldstein.dot` (the formula from 38 runtime ops) and `goldstein_fused.dot` (the same
//! function compiled by `#[differentiable]` and applied as ONE fused node, `goldstein_op`) into
//! `target/examples-output/`, or into the directory given as the first argument. When Graphviz's
//! `dot` program is installed it also renders each to PNG (`dot goldstein.dot -T png -o
//! goldstein.png`, as the book does); otherwise it says so and stops there.
//!
//! Run: `cargo run --example graph_dot [-- <dir>]`

mod output;

use std::path::Path;
use std::process::Command;

use dezero::{differentiable, dot, Variable};

/// The Goldstein–Price function from runtime ops, as the book writes it.
fn goldstein(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

/// The same function compiled: `#[differentiable]` also generates `goldstein_compiled_op`.
#[differentiable]
fn goldstein_compiled(x: f64, y: f64) -> f64 {
    (1.0 + (x + y + 1.0).powi(2)
        * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2)))
        * (30.0
            + (2.0 * x - 3.0 * y).powi(2)
                * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y + 27.0 * y.powi(2)))
}

/// Writes `<stem>.dot` into `dir` and renders `<stem>.png` if `dot` exists.
fn save(z: &Variable, dir: &Path, stem: &str) -> std::io::Result<()> {
    let dot_path = dir.join(format!("{stem}.dot"));
    dot::write(z, true, &dot_path)?;
    let text = dot::graph(z, true);
    let functions = text.lines().filter(|l| l.contains("shape=box")).count();
    println!(
        "wrote {} ({} lines, function boxes: {functions})",
        dot_path.display(),
        text.lines().count()
    );
    let png_path = dir.join(format!("{stem}.png"));
    match Command::new("dot")
        .arg(&dot_path)
        .args(["-T", "png", "-o"])
        .arg(&png_path)
        .status()
    {
        Ok(status) if status.success() => println!("rendered {}", png_path.display()),
        Ok(status) => println!(
            "`dot` failed ({status}); {} not rendered",
            png_path.display()
        ),
        Err(_) => println!("Graphviz `dot` not found: skipping {}", png_path.display()),
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let dir = output::dir()?;

    let x = Variable::from(1.0).with_name("x");
    let y = Variable::from(1.0).with_name("y");
    let z = goldstein(&x, &y).with_name("z");
    z.backward();
    println!(
        "goldstein(1, 1) = {}, gradient ({}, {})",
        z.item(),
        x.grad().unwrap().item(),
        y.grad().unwrap().item()
    );
    save(&z, &dir, "goldstein")?;

    x.cleargrad();
    y.cleargrad();
    let z = goldstein_compiled_op(&x, &y).with_name("z");
    z.backward();
    println!(
        "goldstein_compiled_op(1, 1) = {}, gradient ({}, {})",
        z.item(),
        x.grad().unwrap().item(),
        y.grad().unwrap().item()
    );
    save(&z, &dir, "goldstein_fused")?;

    println!("\n{}", dot::graph(&z, true));
    Ok(())
}
