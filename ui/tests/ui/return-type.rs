// The result must be a float or a tuple of floats: `-> i32` and a missing `->` are rejected.
#[dezero::differentiable]
fn f(x: f64) -> i32 {
    1
}

#[dezero::differentiable]
fn g(x: f64) {
    let _y = x * x;
}

#[dezero::differentiable]
fn h(x: f64) -> (f64, String) {
    (x, String::new())
}

fn main() {}
