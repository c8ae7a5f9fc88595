// `let y;` with a later assignment is rejected at the `let`: every binding needs a value.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let y;
    y = x * x;
    y
}

fn main() {}
