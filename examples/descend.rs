//! Showcase: the two engines together. Gradient descent (with momentum) on the Rosenbrock
//! function from four starting points at once.
//!
//! - The positions are runtime `Variable`s: `x` and `y` hold one element per starting point.
//! - The function is written once, as plain Rust, and compiled by `#[differentiable]`;
//!   `rosenbrock_op(&x, &y)` applies it to the arrays as ONE graph node whose backward runs
//!   the generated pullback `rosenbrock_vjp` on every element.
//! - The rest of the computation (the sum, the update) is ordinary define-by-run code.
//!
//! It prints progress every 600 steps and writes `descend.svg`: the paths on the function's
//! contour map and the loss curve. It also writes the static graph the macro built
//! (`#[differentiable(dot)]`) to `rosenbrock_static.dot` (and `.svg` with Graphviz). The files
//! go to `target/examples-output/`, or to the directory given as the first argument.
//!
//! Run: `cargo run --example descend` (a few seconds in debug). The README's pictures are
//! regenerated with `cargo run --release --example descend -- docs`.

mod output;

use std::path::Path;

use dezero::functions::sum;
use dezero::{differentiable, Variable};
use plotters::prelude::*;

/// Rosenbrock's banana: a curved valley y = x² with its minimum 0 at (1, 1).
#[differentiable(dot)]
fn rosenbrock(x: f64, y: f64) -> f64 {
    100.0 * (y - x * x).powi(2) + (1.0 - x).powi(2)
}

const STARTS: [(f64, f64); 4] = [(-1.5, 2.5), (0.0, 2.0), (-1.2, 1.0), (1.8, 3.0)];
const STEPS: usize = 6000;
const LR: f64 = 3e-4;
const MOMENTUM: f64 = 0.9;
const PICTURE: &str = "descend.svg";
const STATIC_DOT: &str = "rosenbrock_static.dot";

/// Positions of every start after each step, and the total loss before each step.
struct Run {
    paths: Vec<Vec<(f64, f64)>>,
    losses: Vec<f64>,
}

/// The same formula composed from runtime ops: 9 nodes and their intermediate arrays per step.
fn rosenbrock_composed(x: &Variable, y: &Variable) -> Variable {
    100.0 * (y - x * x).pow(2.0) + (1.0 - x).pow(2.0)
}

/// Momentum descent on `loss(x, y)` summed over the starts; `verbose` prints progress.
fn descend(loss_fn: fn(&Variable, &Variable) -> Variable, verbose: bool) -> Run {
    let x = Variable::from(STARTS.iter().map(|s| s.0).collect::<Vec<_>>()).with_name("x");
    let y = Variable::from(STARTS.iter().map(|s| s.1).collect::<Vec<_>>()).with_name("y");
    let (mut vx, mut vy) = (vec![0.0; STARTS.len()], vec![0.0; STARTS.len()]);
    let mut run = Run {
        paths: STARTS.iter().map(|&s| vec![s]).collect(),
        losses: Vec::with_capacity(STEPS),
    };
    for step in 0..=STEPS {
        // with rosenbrock_op: one fused node for the whole batch, then a runtime sum
        let loss = sum(loss_fn(&x, &y));
        x.cleargrad();
        y.cleargrad();
        loss.backward();
        run.losses.push(loss.item());
        if step == 0 && verbose {
            agree(&x, &y);
        }
        if step % 600 == 0 && verbose {
            report(step, &loss, &x, &y);
        }
        if step == STEPS {
            break;
        }
        let (gx, gy) = (
            x.grad().unwrap().data().clone(),
            y.grad().unwrap().data().clone(),
        );
        let mut xs = x.data().clone();
        let mut ys = y.data().clone();
        for k in 0..STARTS.len() {
            vx[k] = MOMENTUM * vx[k] - LR * gx[[k]];
            vy[k] = MOMENTUM * vy[k] - LR * gy[[k]];
            xs[[k]] += vx[k];
            ys[[k]] += vy[k];
            run.paths[k].push((xs[[k]], ys[[k]]));
        }
        x.set_data(xs);
        y.set_data(ys);
    }
    run
}

/// The fused node's gradients are the compiled `rosenbrock_grad`'s, element by element.
fn agree(x: &Variable, y: &Variable) {
    let (gx, gy) = (x.grad().unwrap(), y.grad().unwrap());
    for (k, &(x0, y0)) in STARTS.iter().enumerate() {
        let (_, (dx, dy)) = rosenbrock_grad(x0, y0);
        assert_eq!((gx.data()[[k]], gy.data()[[k]]), (dx, dy));
    }
    println!("fused node gradients == rosenbrock_grad at every start");
}

fn report(step: usize, loss: &Variable, x: &Variable, y: &Variable) {
    let node = loss.creator().unwrap().inputs()[0].creator().unwrap();
    let points: Vec<String> = x
        .data()
        .iter()
        .zip(y.data().iter())
        .map(|(a, b)| format!("({a:+.4}, {b:+.4})"))
        .collect();
    println!(
        "step {step:>4}  loss {:>12.6e}  [{} node] {}",
        loss.item(),
        node.name(),
        points.join(" ")
    );
}

/// A light-to-dark blue ramp for t in [0, 1].
fn shade(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(250.0, 40.0), mix(250.0, 70.0), mix(255.0, 140.0))
}

const PATH_COLORS: [RGBColor; 4] = [
    RGBColor(220, 50, 47),
    RGBColor(240, 160, 0),
    RGBColor(40, 160, 60),
    RGBColor(150, 60, 200),
];

fn draw(run: &Run, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1000, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(520);

    let (xr, yr) = (-2.0..2.0, -1.0..3.0);
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "rosenbrock_op: descent with momentum, 4 starts",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(xr.clone(), yr.clone())?;
    chart.configure_mesh().disable_mesh().draw()?;
    // contour map: log(1 + f) on a 40 x 40 grid, drawn with the compiled function itself
    let n = 40;
    let (dx, dy) = (
        (xr.end - xr.start) / n as f64,
        (yr.end - yr.start) / n as f64,
    );
    let top = (1.0 + rosenbrock(-2.0, -1.0)).ln();
    chart.draw_series((0..n * n).map(|c| {
        let (i, j) = (c % n, c / n);
        let (x0, y0) = (xr.start + i as f64 * dx, yr.start + j as f64 * dy);
        let f = rosenbrock(x0 + dx / 2.0, y0 + dy / 2.0);
        let color = shade((1.0 + f).ln() / top);
        Rectangle::new([(x0, y0), (x0 + dx, y0 + dy)], color.filled())
    }))?;
    for (k, path) in run.paths.iter().enumerate() {
        let color = PATH_COLORS[k % PATH_COLORS.len()];
        // every 5th position keeps the picture small without changing its shape
        let points = path.iter().step_by(5).chain(path.last()).copied();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(format!("start ({}, {})", STARTS[k].0, STARTS[k].1))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
        chart.draw_series([Circle::new(path[0], 5, color.filled())])?;
    }
    chart.draw_series([Cross::new((1.0, 1.0), 7, BLACK.stroke_width(2))])?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;

    let lo = run.losses.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = run.losses.iter().copied().fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&right)
        .caption("total loss (log10) per step", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0..run.losses.len(), lo.log10().floor()..hi.log10().ceil())?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("log10 loss")
        .draw()?;
    let curve = run
        .losses
        .iter()
        .enumerate()
        .step_by(5)
        .map(|(s, l)| (s, l.log10()));
    chart.draw_series(LineSeries::new(curve, BLUE.stroke_width(2)))?;
    root.present()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = std::time::Instant::now();
    let run = descend(rosenbrock_op, true);
    let fused = start.elapsed();
    println!(
        "{} steps x {} starts in {:.2?}: each step one `rosenbrock` node, its sum, and backward",
        STEPS,
        STARTS.len(),
        fused
    );
    // the same descent with the formula composed from runtime ops lands on the same points
    let start = std::time::Instant::now();
    let composed = descend(rosenbrock_composed, false);
    let elapsed = start.elapsed();
    for (a, b) in run.paths.iter().zip(&composed.paths) {
        let (a, b) = (a.last().unwrap(), b.last().unwrap());
        assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
    }
    println!(
        "composed from runtime ops instead: {elapsed:.2?} ({:.1}x the fused time), same end points",
        elapsed.as_secs_f64() / fused.as_secs_f64()
    );
    for (k, path) in run.paths.iter().enumerate() {
        let (x, y) = *path.last().unwrap();
        println!(
            "start {:?} -> ({x:.6}, {y:.6}), f = {:.3e}",
            STARTS[k],
            rosenbrock(x, y)
        );
    }
    let dir = output::dir()?;
    let picture = dir.join(PICTURE);
    draw(&run, &picture)?;
    println!("wrote {}", picture.display());
    write_static_graph(&dir)?;
    Ok(())
}

/// `#[differentiable(dot)]` made `rosenbrock_dot()`: the graph the macro built at compile time.
/// Written as DOT, and rendered to SVG when Graphviz's `dot` program is installed.
fn write_static_graph(dir: &Path) -> std::io::Result<()> {
    let dot = dir.join(STATIC_DOT);
    std::fs::write(&dot, rosenbrock_dot())?;
    println!(
        "wrote {} (the static graph of `rosenbrock` and its pullback)",
        dot.display()
    );
    let svg = dot.with_extension("svg");
    match std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot)
        .arg("-o")
        .arg(&svg)
        .status()
    {
        Ok(s) if s.success() => println!("wrote {}", svg.display()),
        _ => println!(
            "(install Graphviz to render it: dot -Tsvg {} -o {})",
            dot.display(),
            svg.display()
        ),
    }
    Ok(())
}
