// A `bool` parameter used as a number: rustc's type error must land on the user's expression.
#[dezero::differentiable]
fn f(x: f64, flag: bool) -> f64 {
    x * flag
}

fn main() {}
