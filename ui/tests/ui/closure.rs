// A closure in the body is rejected at the closure.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let g = |t: f64| t * t;
    g(x)
}

fn main() {}
