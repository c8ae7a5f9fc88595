// Only `let x`, `let mut x` and `let (a, b) = g(..)` are supported: a slice pattern is rejected
// at the pattern.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let [a, b] = [x, x];
    a * b
}

fn main() {}
