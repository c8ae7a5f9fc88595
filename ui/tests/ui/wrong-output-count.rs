// Declaring `-> (f64, f64)` but returning another number of values is rejected at the returned
// value, underlining the whole expression (not only its first token), for tail values and for
// early `return`s alike (never at the `if`'s condition).
#[dezero::differentiable]
fn f(x: f64) -> (f64, f64) {
    x * x + x.sin()
}

#[dezero::differentiable]
fn g(x: f64) -> (f64, f64) {
    let y = x * 2.0;
    (y, x, y * x)
}

#[dezero::differentiable]
fn h(x: f64) -> (f64, f64) {
    if x > 0.0 {
        return x;
    }
    (x, x)
}

#[dezero::differentiable]
fn k(x: f64) -> f64 {
    if x > 0.0 {
        return (x, x + 1.0);
    }
    x
}

fn main() {}
