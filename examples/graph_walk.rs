//! Walking the graph (step 7): a variable knows its creator, a node its inputs and outputs,
//! and everything compares by identity.
//!
//! Run: `cargo run --example graph_walk`

use dezero::functions::{exp, square};
use dezero::Variable;

fn main() {
    let x = Variable::from(0.5).with_name("x");
    let a = square(&x).with_name("a");
    let b = exp(&a).with_name("b");
    let y = square(&b).with_name("y");

    // Walk from y back to the leaf, one creator at a time.
    let mut v = y.clone();
    while let Some(node) = v.creator() {
        let input = &node.inputs()[0];
        let output = node.outputs()[0].clone().expect("alive: we hold it");
        println!(
            "{} = {}({})   generation {}",
            output.name().unwrap_or_default(),
            node.name(),
            input.name().unwrap_or_default(),
            node.generation()
        );
        v = input.clone();
    }
    assert!(v.ptr_eq(&x), "the walk ends at x itself");
    assert!(y.creator().unwrap().inputs()[0].ptr_eq(&b));

    y.backward();
    println!("y = {y}, dy/dx = {}", x.grad().unwrap());
}
