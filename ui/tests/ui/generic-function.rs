// Type parameters are rejected: the error points at `<T>`, not at the attribute.
#[dezero::differentiable]
fn f<T>(x: f64) -> f64 {
    x * x
}

fn main() {}
