//! Graphviz DOT pictures of a runtime graph (DeZero step 26): variables as orange ovals,
//! functions as light-blue boxes, edges input → function → output.
//!
//! The text matches the book's `get_dot_graph`: one line per node or edge, node ids are the
//! objects' addresses ([`Variable::id`] and the node's pointer, Python's `id`), and the walk
//! starts at the output and goes back through creators. Unlike the book, each variable is
//! written once even when several functions use it.
//!
//! ```
//! use dezero_runtime::{dot, Variable};
//! let x = Variable::from(2.0).with_name("x");
//! let y = (&x * &x).with_name("y");
//! let text = dot::graph(&y, false);
//! assert!(text.starts_with("digraph g {\n"));
//! assert!(text.contains(&format!("{} [label=\"x\", color=orange, style=filled]", x.id())));
//! assert!(text.contains("[label=\"mul\", color=lightblue, style=filled, shape=box]"));
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::rc::Rc;

use crate::function::Node;
use crate::variable::Variable;

/// The graph that computed `output`, as Graphviz DOT text (DeZero's `get_dot_graph`).
///
/// Variables are ovals labelled with their name (empty if unnamed); with `verbose`, the label
/// also has the shape and dtype as NumPy prints them: `x: (2, 3) float64`, `() float64` for an
/// unnamed scalar. Functions are boxes labelled with [`Node::name`]. Edges go from each input to
/// its function and from the function to each output still alive. Every node and edge appears
/// once, in a deterministic order (the book's: a stack of functions, from the output back).
///
/// ```
/// use dezero_runtime::{dot, functions::exp, Variable};
/// let x = Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).with_name("x");
/// let y = exp(&x).with_name("y");
/// let text = dot::graph(&y, true);
/// assert!(text.contains("[label=\"x: (2, 3) float64\", color=orange, style=filled]"));
/// assert!(text.contains(&format!("{} -> {}", x.id(), node_id(&text, "exp"))));
/// # fn node_id(text: &str, name: &str) -> String {
/// #     let line = text.lines().find(|l| l.contains(&format!("label=\"{name}\""))).unwrap();
/// #     line.split(' ').next().unwrap().to_string()
/// # }
/// assert_eq!(text.lines().last(), Some("}"));
/// ```
pub fn graph(output: &Variable, verbose: bool) -> String {
    let mut txt = String::new();
    let mut seen_vars = HashSet::new();
    let mut seen_funcs = HashSet::new();
    let mut funcs: Vec<Node> = Vec::new();

    let mut add_func = |f: Node, funcs: &mut Vec<Node>| {
        if seen_funcs.insert(node_id(&f)) {
            funcs.push(f);
        }
    };

    dot_var(&mut txt, &mut seen_vars, output, verbose);
    if let Some(f) = output.creator() {
        add_func(f, &mut funcs);
    }
    while let Some(f) = funcs.pop() {
        dot_func(&mut txt, &f);
        for x in f.inputs() {
            dot_var(&mut txt, &mut seen_vars, x, verbose);
            if let Some(c) = x.creator() {
                add_func(c, &mut funcs);
            }
        }
    }
    format!("digraph g {{\n{txt}}}")
}

/// Writes [`graph`]`(output, verbose)` to the file at `path` (DeZero's `plot_dot_graph` writes
/// the same text before calling `dot`).
///
/// # Errors
/// Whatever writing the file returns.
///
/// ```
/// use dezero_runtime::{dot, Variable};
/// let x = Variable::from(1.0).with_name("x");
/// let y = &x + 1.0;
/// let path = std::env::temp_dir().join("dezero_dot_write_doctest.dot");
/// dot::write(&y, true, &path).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), dot::graph(&y, true));
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn write(output: &Variable, verbose: bool, path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::write(path, graph(output, verbose))
}

fn node_id(f: &Node) -> usize {
    Rc::as_ptr(&f.0) as *const u8 as usize
}

/// `id [label="name: (2, 3) float64", color=orange, style=filled]`, once per variable.
fn dot_var(txt: &mut String, seen: &mut HashSet<usize>, v: &Variable, verbose: bool) {
    if !seen.insert(v.id()) {
        return;
    }
    let mut label = v.name().unwrap_or_default();
    if verbose {
        if let Some(data) = v.try_data() {
            if !label.is_empty() {
                label.push_str(": ");
            }
            label.push_str(&python_shape(data.shape()));
            label.push(' ');
            label.push_str(v.dtype());
        }
    }
    writeln!(
        txt,
        "{} [label=\"{}\", color=orange, style=filled]",
        v.id(),
        escape(&label)
    )
    .expect("writing to a String");
}

/// `id [label="mul", color=lightblue, style=filled, shape=box]` and the function's edges.
fn dot_func(txt: &mut String, f: &Node) {
    let id = node_id(f);
    writeln!(
        txt,
        "{id} [label=\"{}\", color=lightblue, style=filled, shape=box]",
        escape(f.name())
    )
    .expect("writing to a String");
    for x in f.inputs() {
        writeln!(txt, "{} -> {id}", x.id()).expect("writing to a String");
    }
    for y in f.outputs().into_iter().flatten() {
        writeln!(txt, "{id} -> {}", y.id()).expect("writing to a String");
    }
}

/// A shape as Python prints a tuple: `()`, `(5,)`, `(2, 3)`.
fn python_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// Escapes `"` and `\` for a DOT quoted string.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
