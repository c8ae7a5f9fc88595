//! DeZero step 42: linear regression by gradient descent.
//!
//! 100 points `y = 5 + 2x + noise` (NumPy's `np.random.seed(0)` draws, reproduced by
//! `dezero::random`), the model `y = x W + b`, the mean squared error written out as the book
//! does (`sum(diff²) / len`), and plain SGD for 100 iterations. The result is the book's:
//! `W = [[2.11807369]], b = [5.46608905]`, loss 0.0790860651.
//!
//! Prints one line per iteration and draws the data and the fitted line as SVG.
//!
//! Run: `cargo run --example linear_regression [-- OUT.svg]` (default
//! `target/linear_regression.svg`).

use dezero::functions::{matmul, sum};
use dezero::layers::Parameter;
use dezero::optimizers::{Optimizer, SGD};
use dezero::{random, Variable};
use ndarray::{Array2, ArrayD, IxDyn};
use plotters::prelude::*;

/// The mean squared error as step 42 writes it: `sum((x0 - x1)²) / len(x0)`.
fn mean_squared_error(x0: &Variable, x1: &Variable) -> Variable {
    let diff = x0 - x1;
    let n = diff.len() as f64;
    sum(diff.pow(2.0)) / n
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/linear_regression.svg".into());

    random::seed(0);
    let x = random::rand(&[100, 1]);
    let y = 5.0 + 2.0 * &x + random::rand(&[100, 1]);
    let (xv, yv) = (Variable::new(x.clone()), Variable::new(y.clone()));

    let w = Parameter::new(ArrayD::zeros(IxDyn(&[1, 1]))).with_name("W");
    let b = Parameter::new(ArrayD::zeros(IxDyn(&[1]))).with_name("b");
    let mut sgd = SGD::new(0.1);
    for i in 0..100 {
        let y_pred = matmul(&xv, &w) + &*b;
        let loss = mean_squared_error(&yv, &y_pred);
        w.cleargrad();
        b.cleargrad();
        loss.backward();
        sgd.update_one(&w);
        sgd.update_one(&b);
        println!(
            "iter {:>3}  W {:.8}  b {:.8}  loss {:.10}",
            i + 1,
            w.data()[[0, 0]],
            b.data()[0],
            loss.item()
        );
    }

    let (w0, b0) = (w.data()[[0, 0]], b.data()[0]);
    draw(
        &out,
        &x.into_dimensionality()?,
        &y.into_dimensionality()?,
        w0,
        b0,
    )?;
    println!("wrote {out}");
    Ok(())
}

fn draw(
    path: &str,
    x: &Array2<f64>,
    y: &Array2<f64>,
    w: f64,
    b: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("step 42: y = {w:.4} x + {b:.4}"),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, 4.5..8.0)?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    let points = x
        .iter()
        .zip(y.iter())
        .map(|(&a, &c)| Circle::new((a, c), 3, BLUE.filled()));
    chart
        .draw_series(points)?
        .label("data")
        .legend(|(px, py)| Circle::new((px + 8, py), 3, BLUE.filled()));
    chart
        .draw_series(LineSeries::new(
            [(0.0, b), (1.0, w + b)],
            RED.stroke_width(2),
        ))?
        .label("fit")
        .legend(|(px, py)| PathElement::new([(px, py), (px + 16, py)], RED.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}
