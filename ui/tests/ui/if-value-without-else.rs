// An `if` that gives a value needs an `else`.
#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    let m = if x[0] > 0.0 { x[0] };
    m
}

fn main() {}
