// A parameter that is neither a float, an integer nor `bool` is rejected at its type.
#[dezero::differentiable]
fn f(x: f64, v: Vec<f64>) -> f64 {
    x * x
}

fn main() {}
