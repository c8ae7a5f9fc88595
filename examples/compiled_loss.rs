//! Both engines in one training loop: runtime layers, and a loss compiled by
//! `#[differentiable]` as ONE node of the graph (`log_cosh_loss_op`).
//!
//! A 1-10-1 MLP (sigmoid, DeZero's initialisation) fits `sin(2πx)` from 100 noisy points of
//! which 10 are outliers (+3). The loss is the mean log-cosh of the residuals, written as a
//! plain Rust function over slices: near 0 it is the squared error / 2, far from it |r| - ln 2,
//! so the outliers pull less than under the mean squared error. The macro generates its
//! pullback; `log_cosh_loss_op` puts it in the runtime graph after the network, and
//! `backward` goes through it into the layers. For comparison the same net is trained with the
//! runtime's `mean_squared_error`.
//!
//! Draws the data, both fits and both loss curves as SVG.
//!
//! Run: `cargo run --release --example compiled_loss [-- OUT.svg]` (default
//! `target/compiled_loss.svg`).

use std::f64::consts::PI;

use dezero::functions::mean_squared_error;
use dezero::layers::Layer;
use dezero::models::MLP;
use dezero::optimizers::{Optimizer, SGD};
use dezero::{differentiable, no_grad, random, Variable};
use ndarray::{Array, ArrayD};
use plotters::prelude::*;

/// Mean of `ln(cosh(p_i - t_i))`, computed stably as `|r| + ln(1 + e^(-2|r|)) - ln 2`.
#[differentiable(wrt(pred))]
fn log_cosh_loss(pred: &[f64], target: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..pred.len() {
        let r = (pred[i] - target[i]).abs();
        s += r + (-2.0 * r).exp().ln_1p() - std::f64::consts::LN_2;
    }
    s / pred.len() as f64
}

/// Trains a fresh 1-10-1 MLP for `iters` steps with `loss`; the fit on `grid` and the losses.
fn train(
    x: &Variable,
    y: &ArrayD<f64>,
    grid: &Variable,
    iters: usize,
    loss: impl Fn(&Variable, &ArrayD<f64>) -> Variable,
) -> (Vec<f64>, Vec<f64>) {
    random::seed(0);
    let model = MLP::new(&[10, 1]);
    let mut sgd = SGD::new(0.2);
    let mut losses = Vec::new();
    for i in 0..iters {
        let l = loss(&model.forward(x), y);
        model.cleargrads();
        l.backward();
        sgd.update(&model);
        if i % 100 == 0 {
            losses.push(l.item());
        }
    }
    let _guard = no_grad();
    let fit = model.forward(grid).data().iter().copied().collect();
    (fit, losses)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/compiled_loss.svg".into());

    random::seed(0);
    let x = random::rand(&[100, 1]);
    let mut y = x.mapv(|v| (2.0 * PI * v).sin()) + 0.2 * (random::rand(&[100, 1]) - 0.5);
    for k in (0..100).step_by(10) {
        y[[k, 0]] += 3.0; // outliers
    }
    let xv = Variable::new(x.clone());
    let grid = Array::linspace(0.0, 1.0, 200)
        .into_shape_with_order((200, 1))?
        .into_dyn();
    let gv = Variable::new(grid.clone());
    let iters = 10000;

    // The compiled loss: the network's output is a runtime Variable, the targets plain data.
    let compiled = |p: &Variable, t: &ArrayD<f64>| {
        let target: Vec<f64> = t.iter().copied().collect();
        log_cosh_loss_op(p, &target)
    };
    let (fit_lc, loss_lc) = train(&xv, &y, &gv, iters, compiled);
    let mse = |p: &Variable, t: &ArrayD<f64>| mean_squared_error(p, Variable::new(t.clone()));
    let (fit_mse, loss_mse) = train(&xv, &y, &gv, iters, mse);

    // How far each fit is from the clean sine on the grid.
    let err = |fit: &[f64]| {
        let e: f64 = grid
            .iter()
            .zip(fit)
            .map(|(g, f)| (f - (2.0 * PI * g).sin()).powi(2))
            .sum();
        (e / fit.len() as f64).sqrt()
    };
    println!("loss                 final loss   rms distance to sin(2πx)");
    println!(
        "log-cosh (compiled)  {:>10.5}   {:.4}",
        loss_lc[loss_lc.len() - 1],
        err(&fit_lc)
    );
    println!(
        "mean squared error   {:>10.5}   {:.4}",
        loss_mse[loss_mse.len() - 1],
        err(&fit_mse)
    );

    let g: Vec<f64> = grid.iter().copied().collect();
    draw(&out, &x, &y, &g, &fit_lc, &fit_mse, &loss_lc, &loss_mse)?;
    println!("wrote {out}");
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw(
    path: &str,
    x: &ArrayD<f64>,
    y: &ArrayD<f64>,
    grid: &[f64],
    fit_lc: &[f64],
    fit_mse: &[f64],
    loss_lc: &[f64],
    loss_mse: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (960, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(560);
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "runtime MLP, compiled log-cosh loss vs MSE",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, -1.5..4.2)?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    let points = x
        .iter()
        .zip(y.iter())
        .map(|(&a, &b)| Circle::new((a, b), 3, BLUE.filled()));
    chart
        .draw_series(points)?
        .label("data (10 outliers)")
        .legend(|(px, py)| Circle::new((px + 8, py), 3, BLUE.filled()));
    for (fit, color, label) in [
        (fit_lc, RED, "log-cosh (f_op)"),
        (fit_mse, GREEN, "mean squared error"),
    ] {
        let line = grid.iter().copied().zip(fit.iter().copied());
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))?
            .label(label)
            .legend(move |(px, py)| PathElement::new(vec![(px, py), (px + 16, py)], color));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;

    let top = loss_lc
        .iter()
        .chain(loss_mse)
        .fold(0.0_f64, |a, &b| a.max(b));
    let mut curves = ChartBuilder::on(&right)
        .caption("loss every 100 iterations", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0..loss_lc.len(), 0.0..top * 1.05)?;
    curves.configure_mesh().x_desc("x 100 iterations").draw()?;
    for (loss, color) in [(loss_lc, RED), (loss_mse, GREEN)] {
        curves.draw_series(LineSeries::new(
            loss.iter().copied().enumerate(),
            color.stroke_width(2),
        ))?;
    }
    root.present()?;
    Ok(())
}
