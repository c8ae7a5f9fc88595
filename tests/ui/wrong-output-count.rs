// Declaring `-> (f64, f64)` but returning one value is rejected at the returned value.
#[dezero::differentiable]
fn f(x: f64) -> (f64, f64) {
    x * x
}

fn main() {}
