// `%` on floats has no derivative we support: the error points at the `%` operator.
#[dezero::differentiable]
fn f(x: f64, y: f64) -> f64 {
    x % y
}

fn main() {}
