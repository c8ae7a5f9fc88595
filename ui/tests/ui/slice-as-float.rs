// A slice used where a float is expected: index it or reduce it.
#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    x * 2.0
}

fn main() {}
