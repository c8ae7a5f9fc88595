// Expressions outside the language (an array, a field access, `?`) are rejected at each one.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let a = [x, x];
    let b = (x, x).0;
    a[0] + b
}

fn main() {}
