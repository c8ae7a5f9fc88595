//! `cargo run --example goldstein_price`, the README's first command: the example's table,
//! computed by its own functions (the file is included as a module), prints the values the
//! notes print, from the runtime graph, `#[differentiable]`'s `_grad` and the fused `_op`.

#[allow(dead_code)]
#[path = "../../examples/goldstein_price.rs"]
mod example;

/// What the example prints, line for line.
const PRINTED: &str = "\
Both engines on the notes' functions (steps 9 and 24), beside what the notes print:
runtime = define-by-run graph + backward(), _grad = #[differentiable]'s generated
gradient (no graph), _op = the compiled function as ONE runtime node + backward()

function                  engine   value                 x.grad                y.grad
sphere(1, 1)              runtime  2.0                   2.0                   2.0
                          _grad    2.0                   2.0                   2.0
                          _op      2.0                   2.0                   2.0
                          notes                          2.0                   2.0
matyas(1, 1)              runtime  0.040000000000000036  0.040000000000000036  0.040000000000000036
                          _grad    0.040000000000000036  0.040000000000000036  0.040000000000000036
                          _op      0.040000000000000036  0.040000000000000036  0.040000000000000036
                          notes                          0.040000000000000036  0.040000000000000036
goldstein(1, 1)           runtime  1876.0                -5376.0               8064.0
                          _grad    1876.0                -5376.0               8064.0
                          _op      1876.0                -5376.0               8064.0
                          notes                          -5376.0               8064.0
square(exp(square(0.5)))  runtime  1.648721270700128     3.297442541400256
                          _grad    1.648721270700128     3.297442541400256
                          _op      1.648721270700128     3.297442541400256
                          notes    1.648721270700128     3.297442541400256
                          numeric                        3.2974426293330694
sigmoid(tanh(1))          runtime  0.6816997421945262    0.09112821805819912
                          _grad    0.6816997421945262    0.09112821805819912
                          _op      0.6816997421945262    0.09112821805819912
                          notes                          0.09112821805819912

runtime, _grad and _op agree bit for bit, and with every value the notes print
";

#[test]
fn the_example_prints_the_notes_values_from_both_engines() {
    assert_eq!(example::report(&example::cases()), PRINTED);
}

#[test]
fn every_engine_gives_the_notes_gradients_bit_for_bit() {
    // step 24 at (1, 1): sphere 2, 2; matyas 0.040000000000000036 each (0.52 - 0.48 in f64);
    // Goldstein-Price -5376, 8064. Step 9: (e^(x^2))^2 at 0.5 = 1.648721270700128, d/dx =
    // 4x e^(2x^2) = 3.297442541400256. sigmoid(tanh(1)): 0.09112821805819912.
    let expected: [(&str, &[f64]); 5] = [
        ("sphere(1, 1)", &[2.0, 2.0]),
        (
            "matyas(1, 1)",
            &[0.040000000000000036, 0.040000000000000036],
        ),
        ("goldstein(1, 1)", &[-5376.0, 8064.0]),
        ("square(exp(square(0.5)))", &[3.297442541400256]),
        ("sigmoid(tanh(1))", &[0.09112821805819912]),
    ];
    let cases = example::cases();
    assert_eq!(cases.len(), expected.len());
    for (case, (call, grad)) in cases.iter().zip(expected) {
        assert_eq!(case.call, call);
        for engine in ["runtime", "_grad", "_op", "notes"] {
            let row = case.rows.iter().find(|r| r.engine == engine).unwrap();
            assert_eq!(row.grad, grad, "{call} {engine}");
        }
    }
    let chain = &cases[3];
    for row in &chain.rows[..4] {
        assert_eq!(row.value, Some(1.648721270700128), "chain {}", row.engine);
    }
    // step 4: the central difference (eps 1e-4) the notes print
    let numeric = chain.rows.iter().find(|r| r.engine == "numeric").unwrap();
    assert_eq!(numeric.grad, [3.2974426293330694]);
}

#[test]
fn the_readme_shows_lines_the_example_prints() {
    let readme = include_str!("../../README.md");
    let marker = "<!-- output: cargo run --example goldstein_price -->\n```text\n";
    let start = readme
        .find(marker)
        .expect("README shows the example's output")
        + marker.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let printed: Vec<&str> = PRINTED.lines().collect();
    let mut lines = 0;
    for line in shown.lines().filter(|l| *l != "...") {
        assert!(printed.contains(&line), "README line not printed: {line:?}");
        lines += 1;
    }
    assert!(lines >= 5);
}
