//! The main demonstration: the notes' test functions (step 24: sphere, matyas,
//! Goldstein–Price) and function chains (step 9's `square(exp(square(x)))`, the notes'
//! `sigmoid(tanh(x))`), each differentiated by both engines, side by side:
//!
//! - `runtime`: the define-by-run runtime records a graph of `Variable` ops, `backward()`
//!   walks it (as DeZero does);
//! - `_grad`: `#[differentiable]` turned the plain `f64` function into generated Rust code
//!   for its gradient, with no graph at all;
//! - `_op`: the same compiled function applied to runtime `Variable`s as ONE graph node,
//!   whose backward runs the generated pullback;
//! - `notes`: the values the study notes print (Python DeZero), and for the chain the
//!   central difference of step 4 (`numeric`).
//!
//! Run: `cargo run --example goldstein_price`. `tests/docs/goldstein_price.rs` checks
//! the printed table.

use dezero::functions::{exp, sigmoid, square, tanh};
use dezero::{numerical_diff, Variable};

/// The functions on runtime `Variable`s, written as the notes write them.
mod graph {
    use dezero::Variable;

    /// sphere(x, y) = x² + y²
    pub fn sphere(x: &Variable, y: &Variable) -> Variable {
        x.pow(2.0) + y.pow(2.0)
    }

    /// matyas(x, y) = 0.26 (x² + y²) - 0.48 x y
    pub fn matyas(x: &Variable, y: &Variable) -> Variable {
        0.26 * (x.pow(2.0) + y.pow(2.0)) - 0.48 * x * y
    }

    /// The Goldstein–Price function.
    pub fn goldstein(x: &Variable, y: &Variable) -> Variable {
        (1.0 + (x + y + 1.0).pow(2.0)
            * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
            * (30.0
                + (2.0 * x - 3.0 * y).pow(2.0)
                    * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                        + 27.0 * y.pow(2.0)))
    }
}

/// The same functions as plain Rust: `#[differentiable]` generates `f_grad`, `f_vjp`, `f_op`.
mod compiled {
    use dezero::differentiable;
    use dezero::math::sigmoid;

    /// sphere(x, y) = x² + y²
    #[differentiable]
    pub fn sphere(x: f64, y: f64) -> f64 {
        x.powi(2) + y.powi(2)
    }

    /// matyas(x, y) = 0.26 (x² + y²) - 0.48 x y
    #[differentiable]
    pub fn matyas(x: f64, y: f64) -> f64 {
        0.26 * (x.powi(2) + y.powi(2)) - 0.48 * x * y
    }

    /// The Goldstein–Price function.
    #[differentiable]
    pub fn goldstein(x: f64, y: f64) -> f64 {
        (1.0 + (x + y + 1.0).powi(2)
            * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2)))
            * (30.0
                + (2.0 * x - 3.0 * y).powi(2)
                    * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y
                        + 27.0 * y.powi(2)))
    }

    /// (e^(x²))², step 9's chain `square(exp(square(x)))`.
    #[differentiable]
    pub fn square_exp_square(x: f64) -> f64 {
        x.powi(2).exp().powi(2)
    }

    /// sigmoid(tanh(x)), the notes' comparison with PyTorch.
    #[differentiable]
    pub fn sigmoid_tanh(x: f64) -> f64 {
        sigmoid(x.tanh())
    }
}

/// One engine's answer: the value (if it gives one) and the gradient, one entry per input.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `runtime`, `_grad`, `_op`, `notes` or `numeric`.
    pub engine: &'static str,
    /// The function's value; `None` where the notes print only the gradient.
    pub value: Option<f64>,
    /// d/dx (and d/dy), in parameter order.
    pub grad: Vec<f64>,
}

/// One function at one point, and every engine's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The call, as printed: `sphere(1, 1)`.
    pub call: &'static str,
    /// `runtime`, `_grad`, `_op`, then `notes` (and `numeric` for the chain).
    pub rows: Vec<Row>,
}

/// Builds the graph `f` on fresh variables holding `at`, runs backward, reads value and grads.
fn on_graph(engine: &'static str, at: &[f64], f: impl Fn(&[Variable]) -> Variable) -> Row {
    let inputs: Vec<Variable> = at.iter().map(|&a| Variable::from(a)).collect();
    let z = f(&inputs);
    z.backward();
    let grad = inputs
        .iter()
        .map(|x| x.grad().expect("every input reaches the output").item())
        .collect();
    Row {
        engine,
        value: Some(z.item()),
        grad,
    }
}

/// A row computed without a graph: `_grad`'s value and gradient.
fn compiled(value: f64, grad: &[f64]) -> Row {
    Row {
        engine: "_grad",
        value: Some(value),
        grad: grad.to_vec(),
    }
}

/// What the notes print.
fn notes(value: Option<f64>, grad: &[f64]) -> Row {
    Row {
        engine: "notes",
        value,
        grad: grad.to_vec(),
    }
}

/// Every function by every engine.
pub fn cases() -> Vec<Case> {
    use compiled::*;
    let (x, y) = (1.0, 1.0);
    let (sphere_z, (sphere_dx, sphere_dy)) = sphere_grad(x, y);
    let (matyas_z, (matyas_dx, matyas_dy)) = matyas_grad(x, y);
    let (gp_z, (gp_dx, gp_dy)) = goldstein_grad(x, y);
    let (chain_y, chain_dx) = square_exp_square_grad(0.5);
    let (st_y, st_dx) = sigmoid_tanh_grad(1.0);
    let chain = |v: &Variable| square(exp(square(v)));
    vec![
        Case {
            call: "sphere(1, 1)",
            rows: vec![
                on_graph("runtime", &[x, y], |v| graph::sphere(&v[0], &v[1])),
                compiled(sphere_z, &[sphere_dx, sphere_dy]),
                on_graph("_op", &[x, y], |v| sphere_op(&v[0], &v[1])),
                notes(None, &[2.0, 2.0]),
            ],
        },
        Case {
            call: "matyas(1, 1)",
            rows: vec![
                on_graph("runtime", &[x, y], |v| graph::matyas(&v[0], &v[1])),
                compiled(matyas_z, &[matyas_dx, matyas_dy]),
                on_graph("_op", &[x, y], |v| matyas_op(&v[0], &v[1])),
                notes(None, &[0.040000000000000036, 0.040000000000000036]),
            ],
        },
        Case {
            call: "goldstein(1, 1)",
            rows: vec![
                on_graph("runtime", &[x, y], |v| graph::goldstein(&v[0], &v[1])),
                compiled(gp_z, &[gp_dx, gp_dy]),
                on_graph("_op", &[x, y], |v| goldstein_op(&v[0], &v[1])),
                notes(None, &[-5376.0, 8064.0]),
            ],
        },
        Case {
            call: "square(exp(square(0.5)))",
            rows: vec![
                on_graph("runtime", &[0.5], |v| chain(&v[0])),
                compiled(chain_y, &[chain_dx]),
                on_graph("_op", &[0.5], |v| square_exp_square_op(&v[0])),
                notes(Some(1.648721270700128), &[3.297442541400256]),
                Row {
                    engine: "numeric",
                    value: None,
                    grad: vec![numerical_diff(chain, &Variable::from(0.5), 1e-4).sum()],
                },
            ],
        },
        Case {
            call: "sigmoid(tanh(1))",
            rows: vec![
                on_graph("runtime", &[1.0], |v| sigmoid(tanh(&v[0]))),
                compiled(st_y, &[st_dx]),
                on_graph("_op", &[1.0], |v| sigmoid_tanh_op(&v[0])),
                notes(None, &[0.09112821805819912]),
            ],
        },
    ]
}

/// The table `main` prints: one line per engine, values as Python prints them (`2.0`).
pub fn report(cases: &[Case]) -> String {
    let mut out = String::from(
        "Both engines on the notes' functions (steps 9 and 24), beside what the notes print:\n\
         runtime = define-by-run graph + backward(), _grad = #[differentiable]'s generated\n\
         gradient (no graph), _op = the compiled function as ONE runtime node + backward()\n\n",
    );
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:?}"));
    out += &format!(
        "{:<25} {:<8} {:<21} {:<21} {}\n",
        "function", "engine", "value", "x.grad", "y.grad"
    );
    for case in cases {
        for (i, row) in case.rows.iter().enumerate() {
            let call = if i == 0 { case.call } else { "" };
            let grads: Vec<String> = row.grad.iter().map(|&g| cell(Some(g))).collect();
            let line = format!(
                "{call:<25} {:<8} {:<21} {}",
                row.engine,
                cell(row.value),
                grads
                    .iter()
                    .map(|g| format!("{g:<21}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            out += line.trim_end();
            out.push('\n');
        }
    }
    out + &agreement(cases)
}

/// The last line: whether the three engines agree bit for bit with each other and with the
/// notes, or which answers differ (the central difference only has to be close: 1e-6).
pub fn agreement(cases: &[Case]) -> String {
    let mut differ = Vec::new();
    for case in cases {
        let runtime = &case.rows[0];
        for row in &case.rows[1..] {
            let same = |a: f64, b: f64| match row.engine {
                "numeric" => (a - b).abs() < 1e-6,
                _ => a.to_bits() == b.to_bits(),
            };
            let value_ok = row.value.is_none_or(|v| same(v, runtime.value.unwrap()));
            let grad_ok = row.grad.len() == runtime.grad.len()
                && row
                    .grad
                    .iter()
                    .zip(&runtime.grad)
                    .all(|(&a, &b)| same(a, b));
            if !(value_ok && grad_ok) {
                differ.push(format!("{} {}", case.call, row.engine));
            }
        }
    }
    if differ.is_empty() {
        "\nruntime, _grad and _op agree bit for bit, and with every value the notes print\n".into()
    } else {
        format!("\nDIFFERENT from the runtime: {}\n", differ.join(", "))
    }
}

fn main() {
    print!("{}", report(&cases()));
}
