//! Neural-network training (DeZero steps 48 and 51) against its peers, the book's DeZero and
//! PyTorch eager (`benches/nn_peer.py`, float64, one thread), on the same workloads:
//!
//! | name                    | what                                                               |
//! |-------------------------|--------------------------------------------------------------------|
//! | `spiral_epoch`          | one epoch of step 48: `MLP(10, 3)`, 10 batches of 30 from a        |
//! |                         | `DataLoader` (reshuffled), softmax cross entropy, SGD lr 1.0       |
//! | `mlp_784_1000_10_step`  | one step on a batch of 100 random inputs: `MLP(1000, 10)` (sigmoid)|
//! |                         | forward, softmax cross entropy, cleargrads, backward, SGD lr 0.01 |
//!
//! Each row also prints the fastest of 5 runs of 20 (or 10) calls, which is how the peer
//! times itself: compare those lines with the peer's. The spiral row prints it a second time
//! with `set_vector_math(true)` (the exponentials of sigmoid and softmax vectorized).
//!
//! The input batches are `Variable::constant`s, which backward gives no gradient, as PyTorch
//! does for a tensor without `requires_grad` (DeZero computes `x.grad` for every leaf; the MLP
//! row also prints its time with `Variable::new(x)`, which does the same).
//!
//! Run: `cargo bench --bench nn`, then `python3 benches/nn_peer.py` right after it, or
//! `python3 benches/nn_rounds.py`, which alternates the two for several rounds and compares
//! each side's best (single rounds on a shared machine catch either side in a slow spell).
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use dezero::dataloader::DataLoader;
use dezero::datasets::Spiral;
use dezero::functions::softmax_cross_entropy;
use dezero::layers::Layer;
use dezero::models::MLP;
use dezero::optimizers::{Optimizer, SGD};
use dezero::{random, set_vector_math, Variable};

/// One epoch of step 48; returns the average loss.
fn spiral_epoch(loader: &mut DataLoader<Spiral>, model: &MLP, optimizer: &mut SGD) -> f64 {
    let mut sum_loss = 0.0;
    for (x, t) in &mut *loader {
        let y = model.forward(&Variable::constant(x));
        let loss = softmax_cross_entropy(&y, &t);
        model.cleargrads();
        loss.backward();
        optimizer.update(model);
        sum_loss += loss.item() * t.len() as f64;
    }
    sum_loss / 300.0
}

/// One training step of the 784-1000-10 MLP; returns the loss.
fn mlp_step(model: &MLP, x: &Variable, t: &[usize], optimizer: &mut SGD) -> f64 {
    let loss = softmax_cross_entropy(model.forward(x), t);
    model.cleargrads();
    loss.backward();
    optimizer.update(model);
    loss.item()
}

/// Seconds per call: the fastest of `repeat` runs of `number` calls (the peer's `best`).
fn best(mut f: impl FnMut(), number: usize, repeat: usize) -> f64 {
    f();
    (0..repeat)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..number {
                f();
            }
            t.elapsed().as_secs_f64() / number as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn benches(c: &mut Criterion) {
    random::seed(0);
    let mut loader = DataLoader::new(Spiral::new(true), 30);
    let model = MLP::new(&[10, 3]);
    let mut optimizer = SGD::new(1.0);
    // The row trains as the example does: the first epochs lower the loss.
    let first = spiral_epoch(&mut loader, &model, &mut optimizer);
    let later = (0..20)
        .map(|_| spiral_epoch(&mut loader, &model, &mut optimizer))
        .last()
        .unwrap();
    assert!(later < first, "spiral loss {first} -> {later}");
    // `nn_rounds.py` reads the first line; the second names its setting first.
    for (vector, label) in [(false, ""), (true, "with set_vector_math(true): ")] {
        set_vector_math(vector);
        let ms = best(
            || {
                black_box(spiral_epoch(&mut loader, &model, &mut optimizer));
            },
            20,
            5,
        ) * 1e3;
        println!("{label}spiral epoch ms (best of 5 x 20, as the peer): {ms}");
    }
    set_vector_math(false);
    c.bench_function("spiral_epoch", |b| {
        b.iter(|| black_box(spiral_epoch(&mut loader, &model, &mut optimizer)))
    });

    random::seed(0);
    let data = random::rand(&[100, 784]);
    let x = Variable::constant(data.clone());
    let t: Vec<usize> = random::permutation(1000)
        .into_iter()
        .take(100)
        .map(|i| i % 10)
        .collect();
    let model = MLP::new(&[1000, 10]);
    let mut optimizer = SGD::new(0.01);
    let first = mlp_step(&model, &x, &t, &mut optimizer);
    let second = mlp_step(&model, &x, &t, &mut optimizer);
    assert!(second < first, "mlp loss {first} -> {second}");
    let ms = best(
        || {
            black_box(mlp_step(&model, &x, &t, &mut optimizer));
        },
        10,
        5,
    ) * 1e3;
    println!("mlp 784-1000-10 step ms (best of 5 x 10, as the peer): {ms}");
    let x_leaf = Variable::new(data);
    let ms = best(
        || {
            black_box(mlp_step(&model, &x_leaf, &t, &mut optimizer));
        },
        10,
        5,
    ) * 1e3;
    println!("mlp 784-1000-10 step ms with x.grad computed (Variable::new): {ms}");
    c.bench_function("mlp_784_1000_10_step", |b| {
        b.iter(|| black_box(mlp_step(&model, &x, &t, &mut optimizer)))
    });
}

criterion_group! {
    name = nn;
    config = Criterion::default().measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(nn);
