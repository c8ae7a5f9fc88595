// A function computes in one float type: a `let` annotated with, or a cast to, the other float
// type is rejected at that type (a round trip through `f32` would also change the value).
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let y: f32 = 1.5;
    ((x as f32) as f64) * x + y as f64
}

fn main() {}
