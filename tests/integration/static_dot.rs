//! `#[differentiable(dot)]`: `<fn>_dot()` is the static graph the macro built, as Graphviz DOT.
//! The tests parse the text back (node statements and edges) and check the nodes and edges of
//! the forward instructions and of the reverse sweep, or, for a function with one float
//! parameter (whose `_grad` and `_vjp` run in forward mode), of the tangent sweep.
use dezero::differentiable;
use std::collections::HashMap;

/// Goldstein–Price.
#[differentiable(dot)]
fn goldstein(x: f64, y: f64) -> f64 {
    let a = 1.0
        + (x + y + 1.0).powi(2)
            * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2));
    let b = 30.0
        + (2.0 * x - 3.0 * y).powi(2)
            * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y + 27.0 * y.powi(2));
    a * b
}

/// sin x by its Taylor series: a loop with two loop-carried values. One float parameter:
/// forward mode, so the picture has a tangent sweep.
#[differentiable(dot, grad = taylor_sin_value_and_grad)]
pub fn taylor_sin(x: f64, n: usize) -> f64 {
    let mut y = 0.0;
    let mut term = x;
    for i in 0..n {
        y += term;
        let k = (2 * i + 2) as f64;
        term = -term * x * x / (k * (k + 1.0));
    }
    y
}

/// a sin x by the same series: two float parameters, so reverse mode with a loop tape.
#[differentiable(dot, grad = scaled_sin_value_and_grad)]
pub fn scaled_sin(x: f64, a: f64, n: usize) -> f64 {
    let mut y = 0.0;
    let mut term = a * x;
    for i in 0..n {
        y += term;
        let k = (2 * i + 2) as f64;
        term = -term * x * x / (k * (k + 1.0));
    }
    y
}

/// A branch: only the taken side contributes (forward mode).
#[differentiable(dot)]
fn relu_sq(x: f64) -> f64 {
    if x > 0.0 {
        x * x
    } else {
        0.0
    }
}

/// A branch with two float parameters (reverse mode).
#[differentiable(dot)]
fn relu_mul(x: f64, w: f64) -> f64 {
    if x > 0.0 {
        x * w
    } else {
        0.0
    }
}

/// A parsed DOT graph: node id -> (label, is a box), edges with their attributes, and the
/// cluster each node was declared in (innermost label).
struct Graph {
    nodes: HashMap<String, (String, bool)>,
    edges: Vec<(String, String, String)>,
    cluster_of: HashMap<String, Vec<String>>,
}

impl Graph {
    fn parse(dot: &str) -> Graph {
        let mut g = Graph {
            nodes: HashMap::new(),
            edges: Vec::new(),
            cluster_of: HashMap::new(),
        };
        let mut stack: Vec<String> = Vec::new();
        for line in dot.lines().map(str::trim) {
            if line.starts_with("subgraph cluster_") {
                stack.push(String::new());
            } else if let Some(label) = line.strip_prefix("label=") {
                if let Some(top) = stack.last_mut() {
                    *top = label.trim_end_matches(';').trim_matches('"').to_string();
                }
            } else if line == "}" {
                stack.pop();
            } else if let Some((from, rest)) = line.split_once(" -> ") {
                let (to, attrs) = rest
                    .trim_end_matches(';')
                    .split_once(' ')
                    .unwrap_or((rest.trim_end_matches(';'), ""));
                g.edges.push((from.into(), to.into(), attrs.into()));
            } else if let Some((id, rest)) = line.split_once(" [label=\"") {
                let (label, attrs) = rest.split_once('"').expect("closing quote");
                let is_box = attrs.contains("shape=box");
                g.nodes.insert(id.into(), (label.into(), is_box));
                g.cluster_of.insert(id.into(), stack.clone());
            }
        }
        g
    }

    fn ids(&self, label: &str) -> Vec<&String> {
        let mut ids: Vec<&String> = self
            .nodes
            .iter()
            .filter(|(_, (l, _))| l == label)
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        ids
    }

    fn label(&self, id: &str) -> &str {
        &self.nodes[id].0
    }

    fn inputs(&self, id: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .edges
            .iter()
            .filter(|e| e.1 == id)
            .map(|e| self.label(&e.0))
            .collect();
        v.sort();
        v
    }

    fn outputs(&self, id: &str) -> Vec<&str> {
        self.edges
            .iter()
            .filter(|e| e.0 == id)
            .map(|e| self.label(&e.1))
            .collect()
    }

    fn in_cluster(&self, id: &str, label: &str) -> bool {
        self.cluster_of[id].iter().any(|c| c == label)
    }
}

#[test]
fn goldstein_dot_is_one_digraph_with_a_forward_and_a_reverse_cluster() {
    let dot = goldstein_dot();
    assert!(dot.starts_with("digraph \"goldstein\" {\n"), "{dot}");
    assert!(dot.ends_with("}\n"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert!(dot.contains("subgraph cluster_forward {\n    label=\"forward\";"));
    assert!(dot.contains("label=\"reverse (goldstein_vjp)\";"));
    let g = Graph::parse(dot);
    // every edge joins declared nodes
    for (from, to, _) in &g.edges {
        assert!(
            g.nodes.contains_key(from) && g.nodes.contains_key(to),
            "{from} -> {to}"
        );
    }
    // the parameters and the seed are ovals, once each
    for (label, cluster) in [
        ("x", "forward"),
        ("y", "forward"),
        ("seed", "reverse (goldstein_vjp)"),
    ] {
        let ids = g.ids(label);
        assert_eq!(ids.len(), 1, "{label}");
        assert!(
            !g.nodes[ids[0]].1 && g.in_cluster(ids[0], cluster),
            "{label}"
        );
    }
}

#[test]
fn goldstein_forward_nodes_are_the_primitives_of_the_formula() {
    let g = Graph::parse(goldstein_dot());
    let forward_boxes: Vec<&str> = g
        .nodes
        .iter()
        .filter(|(id, (_, b))| *b && g.in_cluster(id, "forward"))
        .map(|(_, (l, _))| l.as_str())
        .collect();
    let count = |l: &str| forward_boxes.iter().filter(|b| **b == l).count();
    // (x+y+1)^2 and (2x-3y)^2 square a sum; x^2 twice and y^2 twice in the polynomials
    assert_eq!(count("powi(2)"), 6);
    // products of two values: 6xy and 36xy (each (c x) * y), the squares times the
    // polynomials, and the outer a * b
    assert_eq!(count("mul"), 2 + 2 + 1, "{forward_boxes:?}");
    // constants in place, value inputs as `·`: 19 - 14x + .. starts with sub(19.0, ·)
    assert_eq!(count("sub(19.0, ·)"), 1);
    assert_eq!(count("mul(14.0, ·)"), 2);
    assert_eq!(count("return out"), 1);
    // the last primitive: out = mul(a, b)
    let out = g.ids("out");
    assert_eq!(out.len(), 1);
    let maker = g
        .edges
        .iter()
        .find(|e| &e.1 == out[0])
        .expect("out has a maker");
    assert_eq!(g.label(&maker.0), "mul");
    assert_eq!(g.inputs(&maker.0), ["a", "b"]);
    // `x` feeds the first sum x + y
    let x = g.ids("x")[0];
    assert!(g.outputs(x).contains(&"add"));
}

#[test]
fn goldstein_reverse_sweep_ends_in_both_adjoints() {
    let g = Graph::parse(goldstein_dot());
    let ret = g.ids("return x_bar, y_bar");
    assert_eq!(ret.len(), 1);
    assert_eq!(g.inputs(ret[0]), ["x_bar", "y_bar"]);
    // out_bar = seed: an edge, no box
    let out_bar = g.ids("out_bar");
    assert_eq!(out_bar.len(), 1);
    assert_eq!(g.inputs(out_bar[0]), ["seed"]);
    // a_bar = out_bar * b reads the forward `b` (dashed gray) and out_bar
    let a_bar = g.ids("a_bar")[0];
    let maker = g.edges.iter().find(|e| &e.1 == a_bar).unwrap().0.clone();
    assert_eq!(g.label(&maker), "out_bar * b");
    assert_eq!(g.inputs(&maker), ["b", "out_bar"]);
    let from_b = g
        .edges
        .iter()
        .find(|e| e.1 == maker && g.label(&e.0) == "b")
        .unwrap();
    assert!(from_b.2.contains("style=dashed, color=gray"));
    // every adjoint the reverse sweep defines is an oval fed by exactly one maker, and each
    // x_bar version reads adjoints of intermediates that use x
    for (id, (label, is_box)) in &g.nodes {
        let ident = label.chars().all(|c| c.is_alphanumeric() || c == '_');
        if ident && label.ends_with("_bar") {
            assert!(!is_box);
            assert_eq!(g.edges.iter().filter(|e| &e.1 == id).count(), 1, "{label}");
        }
    }
    for x_bar in g.ids("x_bar") {
        let maker = &g.edges.iter().find(|e| &e.1 == x_bar).unwrap().0;
        assert!(g.inputs(maker).iter().any(|l| l.ends_with("_bar")));
    }
}

#[test]
fn loops_are_clusters_with_back_edges_and_a_tape() {
    let g = Graph::parse(scaled_sin_dot());
    let fwd = g.ids("i");
    assert_eq!(fwd.len(), 2, "the index in both sweeps");
    assert!(g.in_cluster(fwd[0], "for i in 0..n") || g.in_cluster(fwd[1], "for i in 0..n"));
    assert!(g
        .nodes
        .keys()
        .any(|id| g.in_cluster(id, "for i in (0..n).rev()")));
    // y and term are loop-carried: two `loop` boxes in the forward, each with a `next` edge
    let loops: Vec<&String> = [g.ids("loop"), g.ids("loop(0.0)")]
        .concat()
        .into_iter()
        .filter(|id| g.in_cluster(id, "for i in 0..n"))
        .collect();
    assert_eq!(loops.len(), 2);
    for l in loops {
        assert!(g
            .edges
            .iter()
            .any(|e| &e.1 == l && e.2.contains("label=\"next\"")));
    }
    assert_eq!(g.ids("restore from tape0").len(), 1);
    assert_eq!(
        g.inputs(g.ids("return x_bar, a_bar")[0]),
        ["a_bar", "x_bar"]
    );
    // the renamed `grad` does not change the `_vjp` the picture shows
    assert!(scaled_sin_dot().contains("reverse (scaled_sin_vjp)"));
    assert!(!scaled_sin_dot().contains("forward mode"));
    // d/dx a sin x = a cos x = 2 at x = 0; d/da a sin x = sin x = 0
    assert_eq!(scaled_sin_value_and_grad(0.0, 2.0, 5), (0.0, (2.0, 0.0)));
}

/// The labels of the nodes whose label ends in `suffix` and looks like a Rust name.
fn named(g: &Graph, suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = (g.nodes.values())
        .map(|(l, _)| l.clone())
        .filter(|l| l.ends_with(suffix) && l.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn one_float_parameter_shows_tangents_two_show_adjoints() {
    // forward mode: `x_dot` ovals, no adjoint anywhere
    for dot in [taylor_sin_dot(), relu_sq_dot()] {
        let g = Graph::parse(dot);
        assert!(dot.contains("label=\"forward mode (one float parameter)\";"));
        assert!(named(&g, "_dot").contains(&"x_dot".to_string()), "{dot}");
        assert_eq!(named(&g, "_bar"), Vec::<String>::new(), "{dot}");
        assert!(!dot.contains("reverse ("));
    }
    // reverse mode: `x_bar` ovals, no tangent
    for dot in [goldstein_dot(), scaled_sin_dot(), relu_mul_dot()] {
        let g = Graph::parse(dot);
        assert!(named(&g, "_bar").contains(&"x_bar".to_string()), "{dot}");
        assert_eq!(named(&g, "_dot"), Vec::<String>::new(), "{dot}");
        assert!(!dot.contains("tangent ("));
    }
}

#[test]
fn a_forward_mode_loop_carries_tangents() {
    let dot = taylor_sin_dot();
    let g = Graph::parse(dot);
    let sweep = "tangent (taylor_sin_vjp)";
    // the seed x_dot = 1.0, in the tangent cluster
    let x_dot = g.ids("x_dot");
    assert_eq!(x_dot.len(), 1);
    assert!(g.in_cluster(x_dot[0], sweep));
    assert_eq!(g.inputs(x_dot[0]), ["1.0"]);
    // one forward loop, one tangent loop (no reversed loop, no tape)
    assert!(!dot.contains("rev()") && !dot.contains("tape"));
    let loops: Vec<&String> = [g.ids("loop"), g.ids("loop(0.0)")]
        .concat()
        .into_iter()
        .filter(|id| g.in_cluster(id, sweep) && g.in_cluster(id, "for i in 0..n"))
        .collect();
    assert_eq!(loops.len(), 2, "y_dot starts at 0.0, term_dot at x_dot");
    for l in loops {
        assert!(g
            .edges
            .iter()
            .any(|e| &e.1 == l && e.2.contains("label=\"next\"")));
    }
    // term = -term * x * x / (k * (k + 1.0)): t3 / t5, so term_2_dot = t3_dot * t5.recip(),
    // reading the forward t5 along a dashed gray edge
    let rule = g.ids("t3_dot * t5.recip()");
    assert_eq!(rule.len(), 1);
    assert_eq!(g.inputs(rule[0]), ["t3_dot", "t5"]);
    let from_t5 = g
        .edges
        .iter()
        .find(|e| &e.1 == rule[0] && g.label(&e.0) == "t5")
        .unwrap();
    assert!(g.in_cluster(&from_t5.0, "forward"));
    assert!(from_t5.2.contains("style=dashed, color=gray"));
    assert_eq!(g.outputs(rule[0]), ["term_2_dot"]);
    // t1 = -term: its tangent is the negated tangent
    assert_eq!(g.inputs(g.ids("-term_1_dot")[0]), ["term_1_dot"]);
    // _vjp returns seed * y_1_dot (y_1: the carried y after the loop)
    let ret = g.ids("return seed * y_1_dot");
    assert_eq!(ret.len(), 1);
    assert_eq!(g.inputs(ret[0]), ["seed", "y_1_dot"]);
    // d/dx sin x at 0 = cos 0 = 1
    assert_eq!(taylor_sin_value_and_grad(0.0, 5), (0.0, 1.0));
}

#[test]
fn branches_are_clusters_merged_by_phi() {
    let dot = relu_sq_dot();
    let g = Graph::parse(dot);
    for label in ["if c0", "then"] {
        assert!(g.nodes.keys().any(|id| g.in_cluster(id, label)), "{label}");
    }
    // the else branch computes nothing: an empty cluster (in both sweeps)
    assert_eq!(dot.matches("label=\"else\";").count(), 2);
    // forward: out = if c0 { t0 } else { 0.0 }; tangent: out_dot = if c0 { t0_dot } else { 0.0 }
    let phi = g.ids("phi(c0; else 0.0)");
    assert_eq!(phi.len(), 2);
    let (fwd, tan) = if g.in_cluster(phi[0], "forward") {
        (phi[0], phi[1])
    } else {
        (phi[1], phi[0])
    };
    assert_eq!(g.inputs(fwd), ["c0", "t0"]);
    assert_eq!(g.inputs(tan), ["c0", "t0_dot"]);
    assert_eq!(g.outputs(tan), ["out_dot"]);
    // t0 = x * x  =>  t0_dot = x_dot * (2.0 * x), in the tangent's then branch
    let rule = g.ids("x_dot * (2.0 * x)");
    assert_eq!(rule.len(), 1);
    assert!(g.in_cluster(rule[0], "then") && g.in_cluster(rule[0], "tangent (relu_sq_vjp)"));
    assert_eq!(g.inputs(rule[0]), ["x", "x_dot"]);
    let cond = g.ids("c0")[0];
    let cond_maker = g.edges.iter().find(|e| &e.1 == cond).unwrap();
    assert_eq!(g.label(&cond_maker.0), ">(·, 0.0)");
}

#[test]
fn reverse_branches_are_clusters_merged_by_phi() {
    let g = Graph::parse(relu_mul_dot());
    // reverse: x_bar = if c0 { out_bar * w } else { 0.0 }, w_bar likewise with x (the copy
    // t0_bar = out_bar is factored away); the recomputed branch keeps only what its adjoint
    // reads (nothing: t0 is not needed)
    let phis = g.ids("phi(c0)");
    let mut merged: Vec<Vec<&str>> = phis
        .iter()
        .filter(|id| g.in_cluster(id, "reverse (relu_mul_vjp)"))
        .map(|id| g.inputs(id))
        .collect();
    merged.sort();
    assert_eq!(merged, [["c0", "w_bar"], ["c0", "x_bar"]]);
    assert_eq!(g.ids("t0").len(), 1);
    assert_eq!(g.ids("out_bar * w").len(), 1);
    assert_eq!(g.ids("out_bar * x").len(), 1);
}
