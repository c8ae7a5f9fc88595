// Calling an annotated function with the wrong number of arguments: every rustc error points at
// the user's call `g(x)` (the primal call, the `_vjp` call, and the `_vjp` result's type), none
// at the attribute.
#[dezero::differentiable]
fn g(x: f64, y: f64) -> f64 {
    x * y
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    g(x) + x
}

fn main() {}
