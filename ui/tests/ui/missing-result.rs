// A body that does not end with its result is one error: at the last statement when there is
// no result expression, at the `;` when one follows the result (never "not a tuple", nor
// rustc's "expected `f64`, found `()`" again).
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let y = x * 2.0;
}

#[dezero::differentiable]
fn g(x: f64) -> (f64, f64) {
    let y = x * 2.0;
    (y, x);
}

fn main() {}
