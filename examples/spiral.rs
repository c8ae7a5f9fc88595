//! DeZero step 48: a multi-layer perceptron classifies the spiral dataset.
//!
//! DeZero's spiral (300 points on 3 arms, NumPy-identical), `MLP::new(&[10, 3])` (sigmoid
//! between the layers), softmax cross entropy, SGD with lr 1.0, 300 epochs of 10 batches of 30
//! reshuffled every epoch (a [`DataLoader`]). Prints one line per epoch, as the book does;
//! the loss falls from about 1.1 to about 0.1 as in the book's figure. The random draws come
//! in DeZero's order, so the losses are those of DeZero run in float64 after
//! `np.random.seed(0)` (dezero-runtime/tests/integration/nn_training.rs checks five epochs to 1e-12).
//!
//! Draws the decision regions with the training points, and the loss curve, as SVG.
//!
//! Run: `cargo run --release --example spiral [-- OUT.svg]` (default `target/spiral.svg`).

use dezero::dataloader::DataLoader;
use dezero::datasets::Spiral;
use dezero::functions::softmax_cross_entropy;
use dezero::layers::Layer;
use dezero::models::MLP;
use dezero::optimizers::{Optimizer, SGD};
use dezero::{no_grad, random, Variable};
use ndarray::Array2;
use plotters::prelude::*;

const MAX_EPOCH: usize = 300;
const BATCH_SIZE: usize = 30;
const HIDDEN_SIZE: usize = 10;
const LR: f64 = 1.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/spiral.svg".into());

    random::seed(0);
    let train = Spiral::new(true);
    let (x, t) = (train.data().clone(), train.labels().to_vec());
    let mut loader = DataLoader::new(train, BATCH_SIZE);
    let model = MLP::new(&[HIDDEN_SIZE, 3]);
    let mut optimizer = SGD::new(LR);

    let mut losses = Vec::with_capacity(MAX_EPOCH);
    for epoch in 0..MAX_EPOCH {
        let mut sum_loss = 0.0;
        for (batch_x, batch_t) in &mut loader {
            let y = model.forward(&Variable::new(batch_x));
            let loss = softmax_cross_entropy(&y, &batch_t);
            model.cleargrads();
            loss.backward();
            optimizer.update(&model);
            sum_loss += loss.item() * batch_t.len() as f64;
        }
        let avg_loss = sum_loss / x.nrows() as f64;
        losses.push(avg_loss);
        println!("epoch {}, loss {avg_loss:.2}", epoch + 1);
    }

    draw(&out, &model, &x, &t, &losses)?;
    println!("wrote {out}");
    Ok(())
}

const CLASS_COLORS: [RGBColor; 3] = [
    RGBColor(220, 50, 47),
    RGBColor(40, 120, 220),
    RGBColor(40, 160, 60),
];

/// The predicted class of each grid cell centre, row by row.
fn predict_classes(model: &MLP, points: Array2<f64>) -> Vec<usize> {
    let _guard = no_grad();
    let y = model.forward(&Variable::new(points.into_dyn()));
    let scores = y.data();
    scores
        .rows()
        .into_iter()
        .map(|row| (0..row.len()).fold(0, |best, k| if row[k] > row[best] { k } else { best }))
        .collect()
}

fn draw(
    path: &str,
    model: &MLP,
    x: &Array2<f64>,
    t: &[usize],
    losses: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1040, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(520);

    let (lo, hi, h): (f64, f64, f64) = (-1.1, 1.1, 0.025);
    let n = ((hi - lo) / h).round() as usize;
    let centres = Array2::from_shape_fn((n * n, 2), |(c, k)| {
        let (i, j) = (c % n, c / n);
        lo + (if k == 0 { i } else { j }) as f64 * h + h / 2.0
    });
    let classes = predict_classes(model, centres.clone());

    let mut chart = ChartBuilder::on(&left)
        .caption("step 48: MLP(10, 3) decision regions", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(lo..hi, lo..hi)?;
    chart.configure_mesh().disable_mesh().draw()?;
    chart.draw_series(centres.rows().into_iter().zip(&classes).map(|(c, &k)| {
        let (x0, y0) = (c[0] - h / 2.0, c[1] - h / 2.0);
        Rectangle::new(
            [(x0, y0), (x0 + h, y0 + h)],
            CLASS_COLORS[k].mix(0.25).filled(),
        )
    }))?;
    for (k, color) in CLASS_COLORS.iter().enumerate() {
        let points = x
            .rows()
            .into_iter()
            .zip(t)
            .filter(|(_, &c)| c == k)
            .map(|(p, _)| (p[0], p[1]));
        let color = *color;
        chart
            .draw_series(points.map(move |p| Circle::new(p, 3, color.filled())))?
            .label(format!("class {k}"))
            .legend(move |(px, py)| Circle::new((px + 8, py), 3, color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    let top = losses.iter().copied().fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&right)
        .caption("average loss per epoch", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(1..losses.len(), 0.0..top * 1.05)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("loss")
        .draw()?;
    let curve = losses.iter().enumerate().map(|(e, &l)| (e + 1, l));
    chart.draw_series(LineSeries::new(curve, BLUE.stroke_width(2)))?;
    root.present()?;
    Ok(())
}
