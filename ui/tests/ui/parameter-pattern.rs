// A destructuring parameter is rejected at the pattern; write `x: f64`.
#[dezero::differentiable]
fn f((a, b): (f64, f64)) -> f64 {
    a * b
}

fn main() {}
