// Nothing to differentiate: with no float parameter the error names the function.
#[dezero::differentiable]
fn f(n: i32) -> f64 {
    2.0
}

fn main() {}
