//! `dot::graph`: the runtime graph as Graphviz DOT, parsed back into nodes and edges.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dezero_runtime::functions::{exp, sum};
use dezero_runtime::{dot, Node, Variable};
use ndarray::array;

/// A parsed DOT text: node id -> (label, is_function), and the edges in order.
struct Dot {
    nodes: HashMap<String, (String, bool)>,
    node_order: Vec<String>,
    edges: Vec<(String, String)>,
}

fn parse(text: &str) -> Dot {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("digraph g {"));
    assert_eq!(text.lines().last(), Some("}"));
    let mut dot = Dot {
        nodes: HashMap::new(),
        node_order: Vec::new(),
        edges: Vec::new(),
    };
    for line in text.lines().skip(1) {
        if line == "}" {
            break;
        }
        if let Some((from, to)) = line.split_once(" -> ") {
            dot.edges.push((from.to_string(), to.to_string()));
            continue;
        }
        let (id, rest) = line.split_once(" [label=\"").expect("a node line");
        let (label, attrs) = rest.split_once("\", ").expect("a label");
        let is_function = match attrs {
            "color=orange, style=filled]" => false,
            "color=lightblue, style=filled, shape=box]" => true,
            other => panic!("unexpected attributes {other:?}"),
        };
        let old = dot
            .nodes
            .insert(id.to_string(), (label.to_string(), is_function));
        assert!(old.is_none(), "node {id} written twice");
        dot.node_order.push(id.to_string());
    }
    dot
}

fn node_id(f: &Node, text: &Dot) -> String {
    // The function box with an edge into f's output (each variable has one creator).
    let y = f.outputs()[0]
        .clone()
        .expect("output alive")
        .id()
        .to_string();
    let candidates: Vec<&String> = text
        .edges
        .iter()
        .filter(|(from, to)| *to == y && text.nodes[from].1)
        .map(|(from, _)| from)
        .collect();
    assert_eq!(candidates.len(), 1, "function {} found once", f.name());
    assert_eq!(text.nodes[candidates[0]].0, f.name());
    candidates[0].clone()
}

/// Every variable and function reachable from `y`, by walking creators.
fn walk(y: &Variable) -> (BTreeSet<usize>, Vec<Node>) {
    let mut vars = BTreeSet::from([y.id()]);
    let mut funcs: Vec<Node> = Vec::new();
    let mut stack: Vec<Node> = y.creator().into_iter().collect();
    while let Some(f) = stack.pop() {
        if funcs.iter().any(|g| g.ptr_eq(&f)) {
            continue;
        }
        for x in f.inputs() {
            vars.insert(x.id());
            stack.extend(x.creator());
        }
        funcs.push(f);
    }
    (vars, funcs)
}

fn goldstein(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

#[test]
fn small_graph_has_exactly_the_books_lines() {
    // y = exp(x) + x over a (2, 3) array, verbose: the book's step-26 text, ids renamed.
    let x = Variable::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).with_name("x");
    let a = exp(&x);
    let y = (&a + &x).with_name("y");
    let text = dot::graph(&y, true);
    let add = y.creator().unwrap();
    let ex = a.creator().unwrap();
    let parsed = parse(&text);
    let (add_id, exp_id) = (node_id(&add, &parsed), node_id(&ex, &parsed));
    let renamed = text
        .replace(&add_id, "ADD")
        .replace(&exp_id, "EXP")
        .replace(&y.id().to_string(), "Y")
        .replace(&a.id().to_string(), "A")
        .replace(&x.id().to_string(), "X");
    let expected = "\
digraph g {
Y [label=\"y: (2, 3) float64\", color=orange, style=filled]
ADD [label=\"add\", color=lightblue, style=filled, shape=box]
A -> ADD
X -> ADD
ADD -> Y
A [label=\"(2, 3) float64\", color=orange, style=filled]
X [label=\"x: (2, 3) float64\", color=orange, style=filled]
EXP [label=\"exp\", color=lightblue, style=filled, shape=box]
X -> EXP
EXP -> A
}";
    assert_eq!(renamed, expected);
}

#[test]
fn labels_without_verbose_are_names_only() {
    let x = Variable::from(array![1.0, 2.0]).with_name("x");
    let y = sum(exp(&x)).with_name("y");
    let parsed = parse(&dot::graph(&y, false));
    let mut labels: Vec<(&str, bool)> = parsed
        .nodes
        .values()
        .map(|(l, f)| (l.as_str(), *f))
        .collect();
    labels.sort();
    assert_eq!(
        labels,
        [
            ("", false),
            ("exp", true),
            ("sum", true),
            ("x", false),
            ("y", false)
        ]
    );
    // verbose shapes as Python prints tuples: (2,) and ()
    let verbose = dot::graph(&y, true);
    assert!(verbose.contains("[label=\"x: (2,) float64\""));
    assert!(verbose.contains("[label=\"y: () float64\""));
}

#[test]
fn goldstein_has_every_node_and_edge_once() {
    let x = Variable::from(1.0).with_name("x");
    let y = Variable::from(1.0).with_name("y");
    let z = goldstein(&x, &y).with_name("z");
    let text = dot::graph(&z, true);
    let parsed = parse(&text);
    let (vars, funcs) = walk(&z);

    // nodes: every variable and every function once, nothing else
    let var_ids: BTreeSet<usize> = parsed
        .nodes
        .iter()
        .filter(|(_, (_, f))| !f)
        .map(|(id, _)| id.parse().unwrap())
        .collect();
    assert_eq!(var_ids, vars);
    let func_count = parsed.nodes.values().filter(|(_, f)| *f).count();
    assert_eq!(func_count, funcs.len());
    // the formula has 38 operations: 18 in the first factor, 19 in the second, 1 product
    assert_eq!(func_count, 38);

    // edges: for each function, its inputs in, its output out; nothing else
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &funcs {
        let id = node_id(f, &parsed);
        for x in f.inputs() {
            *expected
                .entry((x.id().to_string(), id.clone()))
                .or_default() += 1;
        }
        for y in f.outputs().into_iter().flatten() {
            *expected
                .entry((id.clone(), y.id().to_string()))
                .or_default() += 1;
        }
    }
    let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in &parsed.edges {
        *got.entry(e.clone()).or_default() += 1;
    }
    assert_eq!(got, expected);

    // labels of the named variables; the first line is the output
    assert_eq!(parsed.nodes[&x.id().to_string()].0, "x: () float64");
    assert_eq!(parsed.nodes[&y.id().to_string()].0, "y: () float64");
    assert_eq!(parsed.node_order[0], z.id().to_string());
    assert_eq!(parsed.nodes[&z.id().to_string()].0, "z: () float64");
    let mut names: Vec<&str> = parsed
        .nodes
        .values()
        .filter(|(_, f)| *f)
        .map(|(l, _)| l.as_str())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names, ["add", "mul", "pow", "sub"]);

    // deterministic: the same graph gives the same text
    assert_eq!(dot::graph(&z, true), text);
}

#[test]
fn a_leaf_is_a_single_oval() {
    let x = Variable::from(2.0).with_name("x");
    let text = dot::graph(&x, false);
    assert_eq!(
        text,
        format!(
            "digraph g {{\n{} [label=\"x\", color=orange, style=filled]\n}}",
            x.id()
        )
    );
}

#[test]
fn fused_node_is_one_box_named_after_the_function() {
    let (x, y) = (
        Variable::from(1.0).with_name("x"),
        Variable::from(1.0).with_name("y"),
    );
    let z = dezero_runtime::fused::elementwise(
        "goldstein",
        [&x, &y],
        |[x, y]| x * x + y * y,
        |[x, y], g| [2.0 * x * g, 2.0 * y * g],
    )
    .with_name("z");
    let parsed = parse(&dot::graph(&z, false));
    let functions: Vec<&str> = parsed
        .nodes
        .values()
        .filter(|(_, f)| *f)
        .map(|(l, _)| l.as_str())
        .collect();
    assert_eq!(functions, ["goldstein"]);
    assert_eq!(parsed.nodes.len(), 4);
    assert_eq!(parsed.edges.len(), 3);
}

#[test]
fn quotes_in_names_are_escaped() {
    let x = Variable::from(1.0).with_name("say \"hi\"");
    let text = dot::graph(&x, false);
    assert!(text.contains(r#"[label="say \"hi\"", color=orange"#));
}

#[test]
fn write_puts_the_text_in_a_file() {
    let x = Variable::from(1.0).with_name("x");
    let y = exp(&x);
    let dir = std::env::temp_dir().join(format!("dezero-dot-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("g.dot");
    dot::write(&y, true, &path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        dot::graph(&y, true)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// y0, y1 = (x + 1, x * 2): a two-output function for the dropped-output case.
struct Split;

impl dezero_runtime::Function for Split {
    fn name(&self) -> &str {
        "split"
    }
    fn forward(&self, xs: &[&ndarray::ArrayD<f64>]) -> Vec<ndarray::ArrayD<f64>> {
        vec![xs[0] + 1.0, xs[0] * 2.0]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![&gys[0] + &(2.0 * &gys[1])]
    }
}

#[test]
fn a_dropped_output_has_no_edge_and_an_empty_variable_no_shape() {
    let x = Variable::from(1.0).with_name("x");
    let mut ys = dezero_runtime::apply(Split, &[&x]);
    let y0 = ys.remove(0).with_name("y0");
    drop(ys); // y1 is gone: the node holds it weakly
    let text = dot::graph(&y0, true);
    let parsed = parse(&text);
    assert_eq!(parsed.nodes.len(), 3); // x, split, y0
    assert_eq!(parsed.edges.len(), 2); // x -> split -> y0
    assert!(text.contains("[label=\"y0: () float64\""));

    // verbose with no data: the name alone (the book skips shape and dtype for `None` data)
    let empty = Variable::empty().with_name("e");
    assert!(dot::graph(&empty, true).contains("[label=\"e\", color=orange"));
}

#[test]
fn tanh_third_derivative_graph_parses_with_its_function_count() {
    // DeZero step 35 draws the graph of tanh's higher-order derivatives: here the 3rd, at 1.0
    let options = dezero_runtime::BackwardOptions {
        create_graph: true,
        ..Default::default()
    };
    let x = Variable::from(1.0).with_name("x");
    dezero_runtime::functions::tanh(&x).backward_with(options);
    for _ in 0..2 {
        let gx = x.grad().unwrap();
        x.cleargrad();
        gx.backward_with(options);
    }
    let gx3 = x.grad().unwrap().with_name("gx3");
    // d³/dx³ tanh x = -2 + 8t² - 6t⁴ with t = tanh x
    let t = 1f64.tanh();
    approx::assert_relative_eq!(
        gx3.item(),
        -2.0 + 8.0 * t * t - 6.0 * t.powi(4),
        max_relative = 1e-14
    );

    let text = dot::graph(&gx3, false);
    let parsed = parse(&text);
    let (vars, funcs) = walk(&gx3);
    let var_ids: BTreeSet<usize> = parsed
        .nodes
        .iter()
        .filter(|(_, (_, f))| !f)
        .map(|(id, _)| id.parse().unwrap())
        .collect();
    assert_eq!(var_ids, vars);
    let func_count = parsed.nodes.values().filter(|(_, f)| *f).count();
    assert_eq!(func_count, funcs.len());
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (label, is_function) in parsed.nodes.values() {
        if *is_function {
            *by_name.entry(label.as_str()).or_default() += 1;
        }
    }
    // tanh's backward is gy * (1 - y²): mul(y, y), 1 - · (a sub), mul(gy, ·). Each further
    // pass differentiates the previous gradient's graph, recording its rules' ops (mul, neg
    // for the sub, add where gradients meet): 21 functions, 25 variables, 58 edges in all.
    assert_eq!(func_count, 21);
    assert_eq!(
        by_name,
        BTreeMap::from([("add", 4), ("mul", 12), ("neg", 2), ("sub", 2), ("tanh", 1)])
    );
    assert_eq!(vars.len(), 25);
    // the edges: each function's inputs in (mul(y, y) has y twice) and its output out
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &funcs {
        let id = node_id(f, &parsed);
        for x in f.inputs() {
            *expected
                .entry((x.id().to_string(), id.clone()))
                .or_default() += 1;
        }
        let y = f.outputs()[0].as_ref().unwrap().id().to_string();
        *expected.entry((id, y)).or_default() += 1;
    }
    let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in &parsed.edges {
        *got.entry(e.clone()).or_default() += 1;
    }
    assert_eq!(got, expected);
    assert_eq!(parsed.edges.len(), 58);
    assert_eq!(parsed.node_order[0], gx3.id().to_string());
    assert_eq!(parsed.nodes[&x.id().to_string()].0, "x");
}
