//! Unit tests of the static graph: both sweeps, control flow, every snapshot case well formed
//! (and rendered by Graphviz when installed), tangent boxes equal to the generated lines.

use super::*;
use crate::{ast, ir, reverse};

fn dot_of(item: syn::ItemFn) -> String {
    let func = ast::Function::from_syn(TokenStream::new(), &item).expect("valid");
    let p = ir::lower(&func).expect("lowers");
    let adj = reverse::adjoint(&p).expect("differentiates");
    graph_of(&func, &p, &adj)
}

#[test]
fn sphere_graph_has_both_sweeps() {
    let g = dot_of(syn::parse_quote!(
        fn sphere(x: f64, y: f64) -> f64 {
            x * x + y * y
        }
    ));
    for want in [
        "digraph \"sphere\" {",
        "label=\"forward\";",
        "label=\"reverse (sphere_vjp)\";",
        "[label=\"x\"];",
        "[label=\"mul\", shape=box];",
        "[label=\"return out\", shape=box];",
        "[label=\"seed\"];",
        "[label=\"x_bar\"];",
        "[label=\"return x_bar, y_bar\", shape=box];",
        "style=dashed, color=gray",
    ] {
        assert!(g.contains(want), "{want} missing in\n{g}");
    }
    assert_eq!(g.matches('{').count(), g.matches('}').count());
}

#[test]
fn control_flow_becomes_clusters() {
    // two float parameters: reverse mode
    let g = dot_of(syn::parse_quote!(
        fn f(x: f64, w: f64, n: usize) -> f64 {
            let mut y = x;
            for i in 0..n {
                if y > 1.0 {
                    y = y.powi(2);
                } else {
                    y *= 3.0;
                }
            }
            y * w
        }
    ));
    for want in [
        "label=\"for i in 0..n\";",
        "label=\"for i in (0..n).rev()\";",
        "label=\"if c0\";",
        "label=\"then\";",
        "label=\"powi(2)\", shape=box",
        "label=\"mul(·, 3.0)\", shape=box",
        "label=\"phi(c0)\", shape=box",
        "label=\"restore from tape0\", shape=box",
        "label=\"next\", style=dashed, constraint=false",
    ] {
        assert!(g.contains(want), "{want} missing in\n{g}");
    }
}

#[test]
fn one_float_parameter_draws_the_tangent_sweep() {
    let g = dot_of(syn::parse_quote!(
        fn f(x: f64, n: usize) -> f64 {
            let mut y = x;
            for i in 0..n {
                if y > 1.0 {
                    y = y.powi(2);
                } else {
                    y *= 3.0;
                }
            }
            y
        }
    ));
    for want in [
        "  label=\"forward mode (one float parameter)\";\n  subgraph cluster_forward {",
        "label=\"tangent (f_vjp)\";",
        "[label=\"1.0\", shape=box];",
        "[label=\"x_dot\"];",
        // the loop carries y_1 and its tangent; the branches merge tangents too
        "label=\"for i in 0..n\";",
        "[label=\"y_1_dot\"];",
        "[label=\"y_1_dot * (2.0 * y_1)\", shape=box];",
        "[label=\"y_1_dot * 3.0\", shape=box];",
        "[label=\"phi(c0)\", shape=box];",
        "[label=\"return seed * y_1_dot\", shape=box];",
        "label=\"next\", style=dashed, constraint=false",
    ] {
        assert!(g.contains(want), "{want} missing in\n{g}");
    }
    for unwanted in ["_bar", "reverse", "tape", "rev()"] {
        assert!(!g.contains(unwanted), "{unwanted} in\n{g}");
    }
    // `y_1_dot * (2.0 * y_1)` reads the forward `y_1` along a dashed gray edge
    let node = |label: &str| {
        let line = g
            .lines()
            .find(|l| l.contains(&format!("[label=\"{label}\"")))
            .expect(label);
        line.trim()
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let edge = format!(
        "{} -> {} [style=dashed, color=gray];",
        node("y_1"),
        node("y_1_dot * (2.0 * y_1)")
    );
    assert!(g.contains(&edge), "{edge} missing in\n{g}");
    well_formed(&g);
}

#[test]
fn calls_and_tuples_use_the_callee_pullback_and_one_seed_per_result() {
    let g = dot_of(syn::parse_quote!(
        fn f(x: f64, y: f64) -> (f64, f64) {
            let (u, v) = pair(x);
            (u * y, helper(v, y))
        }
    ));
    for want in [
        "[label=\"call<pair>\", shape=box];",
        "[label=\"pair_vjp\", shape=box];",
        "[label=\"helper_vjp\", shape=box];",
        "[label=\"seed0\"];",
        "[label=\"seed1\"];",
        "[label=\"u\"];",
        "[label=\"v_bar\"];",
    ] {
        assert!(g.contains(want), "{want} missing in\n{g}");
    }
}

/// Every edge joins declared nodes, every node is declared once, braces balance.
fn well_formed(g: &str) {
    let mut declared = std::collections::HashSet::new();
    for line in g.lines().map(str::trim) {
        if let Some((from, rest)) = line.split_once(" -> ") {
            let to = rest.split([' ', ';']).next().unwrap_or_default();
            assert!(
                declared.contains(from) && declared.contains(to),
                "{line}\n{g}"
            );
        } else if let Some((id, _)) = line.split_once(" [label=") {
            assert!(declared.insert(id.to_string()), "{id} twice\n{g}");
        }
    }
    assert_eq!(g.matches('{').count(), g.matches('}').count());
}

/// `dot -Tsvg` renders `g` without a warning, when Graphviz is installed.
fn graphviz_accepts(g: &str) {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    else {
        return; // no Graphviz here: the structural checks must do
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(g.as_bytes()).expect("write to dot");
    }
    let out = child.wait_with_output().expect("dot runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.trim().is_empty(), "{err}\n{g}");
}

#[test]
fn every_snapshot_case_gives_a_well_formed_graph() {
    let fns = snapshot_fns();
    for f in &fns {
        let g = dot_of(f.clone());
        well_formed(&g);
        graphviz_accepts(&g);
    }
    assert!(fns.len() >= 10, "{} cases", fns.len());
}

/// The annotated functions of the snapshot cases, attributes removed.
fn snapshot_fns() -> Vec<syn::ItemFn> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let mut fns = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/expand")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let name = path.to_string_lossy().to_string();
        if !name.ends_with(".rs") || name.ends_with(".expanded.rs") {
            continue;
        }
        let file =
            syn::parse_file(&std::fs::read_to_string(&path).expect("read")).expect("case parses");
        for item in file.items {
            if let syn::Item::Fn(mut f) = item {
                let before = f.attrs.len();
                f.attrs.retain(|a| {
                    let last = a.path().segments.last();
                    last.is_none_or(|s| s.ident != "differentiable")
                });
                // functions over slices have no static graph (yet)
                if f.attrs.len() < before && !crate::arrays::applies(&f) {
                    fns.push(f);
                }
            }
        }
    }
    fns
}

#[test]
fn tangent_boxes_are_the_generated_tangent_lines() {
    // picture and code agree: in every forward-mode snapshot case, each rule box of the
    // tangent cluster is the right-hand side of a `let v_dot = ..;` of the expansion, and
    // each such line is a box (or, for `let v_dot = a_dot;`, an edge)
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let mut forward_cases = 0;
    for f in snapshot_fns() {
        let g = dot_of(f.clone());
        if !g.contains("cluster_tangent") {
            assert!(g.contains("cluster_reverse"), "{g}");
            continue;
        }
        forward_cases += 1;
        let tokens = crate::expand::differentiable(TokenStream::new(), quote!(#f));
        let code = prettyplease::unparse(&syn::parse2(tokens).expect("expansion parses"));
        let lets: Vec<String> = code
            .lines()
            .map(str::trim)
            .filter_map(|l| l.strip_prefix("let "))
            .filter_map(|l| l.split_once(" = "))
            // `let mut v_dot = init;` starts a loop: a `loop` box
            .filter(|(name, _)| !name.starts_with("mut "))
            .filter(|(name, rhs)| name.ends_with("_dot") && rhs.ends_with(';'))
            .map(|(_, rhs)| squash(rhs.trim_end_matches(';')))
            .collect();
        let boxes: Vec<String> = g
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('t') && l.ends_with(", shape=box];"))
            .filter_map(|l| l.split_once(" [label=\""))
            .map(|(_, rest)| rest.trim_end_matches("\", shape=box];").to_string())
            .filter(|l| !(l.starts_with("phi(") || l.starts_with("loop")))
            .filter(|l| !l.starts_with("return "))
            .map(|l| squash(&l))
            .collect();
        for b in &boxes {
            assert!(lets.contains(b), "box {b} is no line of\n{code}\n{g}");
        }
        for l in &lets {
            let ident = l.chars().all(|c| c.is_alphanumeric() || c == '_');
            assert!(ident || boxes.contains(l), "line {l} is no box in\n{g}");
        }
    }
    assert!(forward_cases >= 5, "{forward_cases} forward-mode cases");
}

#[test]
fn the_text_is_deterministic() {
    // environments are hash maps: nothing may depend on their iteration order
    let f: syn::ItemFn = syn::parse_quote!(
        fn f(x: f64, n: usize) -> f64 {
            let mut y = x;
            for i in 0..n {
                let k = (2 * i + n) as f64;
                y = y * x / k;
            }
            y
        }
    );
    let first = dot_of(f.clone());
    assert!(first.contains("label=\"const<2 * i + n>\""));
    for _ in 0..8 {
        assert_eq!(dot_of(f.clone()), first);
    }
}

#[test]
fn labels_are_escaped() {
    assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_eq!(tidy("x . powi (2)"), "x.powi(2)");
    assert_eq!(tidy("- t0_dot"), "-t0_dot");
    assert_eq!(tidy("- (a_dot * x . sin ())"), "-(a_dot * x.sin())");
    assert_eq!(tidy("a_dot * - b"), "a_dot * -b");
    assert_eq!(tidy("a_dot - b"), "a_dot - b");
}

#[test]
fn a_forward_mode_tuple_returns_the_seeded_sum_of_its_tangents() {
    // f_vjp(x, seed0, seed1) = seed0 * d(x^2)/dx + seed1 * d(2)/dx: a constant result has no
    // tangent, written 0.0 as in the generated code
    let g = dot_of(syn::parse_quote!(
        fn f(x: f64) -> (f64, f64) {
            (x * x, 2.0)
        }
    ));
    for want in [
        "[label=\"t0_dot\"];",
        "[label=\"x_dot * (2.0 * x)\", shape=box];",
        "[label=\"seed0\"];",
        "[label=\"seed1\"];",
        "[label=\"return seed0 * t0_dot + seed1 * 0.0\", shape=box];",
    ] {
        assert!(g.contains(want), "{want} missing in\n{g}");
    }
    well_formed(&g);
    graphviz_accepts(&g);
}
