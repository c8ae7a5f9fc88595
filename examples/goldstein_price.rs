//! The main demonstration: the notes' optimisation test functions (step 24) and the function
//! chains of stage 1, differentiated by the define-by-run runtime.
//!
//! Run: `cargo run --example goldstein_price`

use dezero::functions::{exp, sigmoid, square, tanh};
use dezero::{numerical_diff, Variable};

/// sphere(x, y) = x² + y²
fn sphere(x: &Variable, y: &Variable) -> Variable {
    x.pow(2.0) + y.pow(2.0)
}

/// matyas(x, y) = 0.26 (x² + y²) - 0.48 x y
fn matyas(x: &Variable, y: &Variable) -> Variable {
    0.26 * (x.pow(2.0) + y.pow(2.0)) - 0.48 * x * y
}

/// The Goldstein–Price function.
fn goldstein(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

fn main() {
    type F = fn(&Variable, &Variable) -> Variable;
    let cases: [(&str, F); 3] = [
        ("sphere", sphere),
        ("matyas", matyas),
        ("goldstein", goldstein),
    ];
    for (name, f) in cases {
        let (x, y) = (Variable::from(1.0), Variable::from(1.0));
        let z = f(&x, &y);
        z.backward();
        println!("{name}(1, 1) = {z}");
        println!(
            "  x.grad = {}  y.grad = {}",
            x.grad().unwrap(),
            y.grad().unwrap()
        );
    }

    // y = (e^(x²))² at 0.5: backward against the central difference of step 4
    let x = Variable::from(0.5);
    let y = square(exp(square(&x)));
    y.backward();
    let numeric = numerical_diff(|x| square(exp(square(x))), &Variable::from(0.5), 1e-4);
    println!("square(exp(square(0.5))) = {y}");
    println!("  x.grad = {}  numerical = {}", x.grad().unwrap(), numeric);

    // sigmoid(tanh(1.0)), the notes' comparison with PyTorch
    let x = Variable::from(1.0);
    let y = sigmoid(tanh(&x));
    y.backward();
    println!("sigmoid(tanh(1.0)) = {y}");
    println!("  x.grad = {}", x.grad().unwrap());
}
