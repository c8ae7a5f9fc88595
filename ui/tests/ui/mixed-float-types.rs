// `f64` and `f32` in one function are rejected at the type that differs.
#[dezero::differentiable]
fn f(x: f64, y: f32) -> f64 {
    x * x
}

fn main() {}
