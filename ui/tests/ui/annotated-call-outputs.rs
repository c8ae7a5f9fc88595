// Binding a call to an annotated function with the wrong number of results: every rustc error
// points at the user's `let` or call, none at the attribute.
#[dezero::differentiable]
fn pair(x: f64) -> (f64, f64) {
    (x, x * x)
}

#[dezero::differentiable]
fn single(x: f64) -> f64 {
    x * 2.0
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let (a, b) = single(x);
    a + b
}

#[dezero::differentiable]
fn g(x: f64) -> f64 {
    let a = pair(x);
    a + x
}

fn main() {}
