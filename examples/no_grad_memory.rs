//! Memory (step 17–18): the graph lives as long as an output handle; `no_grad` keeps no graph;
//! intermediate gradients are freed unless `retain_grad` is asked for.
//!
//! Run: `cargo run --example no_grad_memory`

use dezero::functions::square;
use dezero::{no_grad, BackwardOptions, Variable};
use ndarray::Array1;

fn main() {
    // The output holds the graph; dropping it frees every intermediate at once.
    let x = Variable::from(Array1::from_elem(10_000, 0.5));
    let a = square(&x);
    let weak_a = a.downgrade();
    let y = square(square(&a));
    drop(a);
    println!("intermediate alive while y is: {}", weak_a.is_alive());
    drop(y);
    println!("intermediate alive after dropping y: {}", weak_a.is_alive());

    // Without backprop no graph is recorded: outputs have no creator.
    let y = {
        let _guard = no_grad();
        square(square(&x))
    };
    println!("under no_grad, y has a creator: {}", y.creator().is_some());

    // Intermediate grads are freed by default, kept with retain_grad.
    let (x0, x1) = (Variable::from(1.0), Variable::from(1.0));
    let t = &x0 + &x1;
    let y = &x0 + &t;
    y.backward();
    println!(
        "default:     t.grad = {:?}, x0.grad = {}",
        t.grad(),
        x0.grad().unwrap()
    );
    x0.cleargrad();
    x1.cleargrad();
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    println!(
        "retain_grad: t.grad = {}, x0.grad = {}",
        t.grad().unwrap(),
        x0.grad().unwrap()
    );
}
