//! DeZero step 43: a two-layer network fits a noisy sine.
//!
//! 100 points `y = sin(2πx) + noise` (NumPy's `np.random.seed(0)` draws, reproduced by
//! `dezero::random`), `linear → sigmoid → linear` with 10 hidden units initialised as the book
//! does (`0.01 * randn`), mean squared error, SGD with lr 0.2 for 10000 iterations. The losses
//! printed every 1000 iterations are the book's (0.8473695850105871, 0.2514286285183607, ...,
//! 0.07722132399559317).
//!
//! Draws the data and the fitted curve as SVG.
//!
//! Run: `cargo run --release --example sine_regression [-- OUT.svg]` (default
//! `target/sine_regression.svg`).

use std::f64::consts::PI;

use dezero::functions::{linear, mean_squared_error, sigmoid};
use dezero::layers::Parameter;
use dezero::optimizers::{Optimizer, SGD};
use dezero::{no_grad, random, Variable};
use ndarray::{Array, ArrayD, IxDyn};
use plotters::prelude::*;

struct TwoLayerNet {
    w1: Parameter,
    b1: Parameter,
    w2: Parameter,
    b2: Parameter,
}

impl TwoLayerNet {
    /// Step 43's initialisation: `W = 0.01 * randn`, `b = 0`, in the book's order of draws.
    fn new(i: usize, h: usize, o: usize) -> Self {
        TwoLayerNet {
            w1: Parameter::new(0.01 * random::randn(&[i, h])),
            b1: Parameter::new(ArrayD::zeros(IxDyn(&[h]))),
            w2: Parameter::new(0.01 * random::randn(&[h, o])),
            b2: Parameter::new(ArrayD::zeros(IxDyn(&[o]))),
        }
    }

    fn predict(&self, x: &Variable) -> Variable {
        let y = linear(x, &self.w1, Some(&self.b1));
        let y = sigmoid(&y);
        linear(&y, &self.w2, Some(&self.b2))
    }

    fn params(&self) -> [&Parameter; 4] {
        [&self.w1, &self.b1, &self.w2, &self.b2]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/sine_regression.svg".into());

    random::seed(0);
    let x = random::rand(&[100, 1]);
    let y = x.mapv(|v| (2.0 * PI * v).sin()) + random::rand(&[100, 1]);
    let (xv, yv) = (Variable::new(x.clone()), Variable::new(y.clone()));

    let net = TwoLayerNet::new(1, 10, 1);
    let mut sgd = SGD::new(0.2);
    for i in 0..10000 {
        let loss = mean_squared_error(&yv, net.predict(&xv));
        for p in net.params() {
            p.cleargrad();
        }
        loss.backward();
        for p in net.params() {
            sgd.update_one(p);
        }
        if i % 1000 == 0 {
            println!("iter {i:>5}  loss {}", loss.item());
        }
    }

    let curve = {
        let _guard = no_grad();
        let t = Array::linspace(0.0, 1.0, 200)
            .into_shape_with_order((200, 1))?
            .into_dyn();
        let p = net.predict(&Variable::new(t.clone()));
        let p = p.data().iter().copied().collect::<Vec<_>>();
        t.iter().copied().zip(p).collect::<Vec<_>>()
    };
    draw(&out, &x, &y, &curve)?;
    println!("wrote {out}");
    Ok(())
}

fn draw(
    path: &str,
    x: &ArrayD<f64>,
    y: &ArrayD<f64>,
    curve: &[(f64, f64)],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "step 43: linear → sigmoid → linear on sin(2πx) + noise",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, -1.2..2.2)?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    let points = x
        .iter()
        .zip(y.iter())
        .map(|(&a, &b)| Circle::new((a, b), 3, BLUE.filled()));
    chart
        .draw_series(points)?
        .label("data")
        .legend(|(px, py)| Circle::new((px + 8, py), 3, BLUE.filled()));
    chart
        .draw_series(LineSeries::new(curve.iter().copied(), RED.stroke_width(2)))?
        .label("network")
        .legend(|(px, py)| PathElement::new([(px, py), (px + 16, py)], RED.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}
