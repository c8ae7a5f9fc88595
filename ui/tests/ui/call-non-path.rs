// Only calls by name are supported: calling the result of an expression is rejected at the
// callee expression.
fn pick() -> fn(f64) -> f64 {
    f64::sin
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    (pick())(x)
}

fn main() {}
