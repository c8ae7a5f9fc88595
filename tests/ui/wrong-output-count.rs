// Declaring `-> (f64, f64)` but returning another number of values is rejected at the returned
// value, underlining the whole expression (not only its first token).
#[dezero::differentiable]
fn f(x: f64) -> (f64, f64) {
    x * x + x.sin()
}

#[dezero::differentiable]
fn g(x: f64) -> (f64, f64) {
    let y = x * 2.0;
    (y, x, y * x)
}

fn main() {}
