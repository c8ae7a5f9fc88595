// A range used as a value (not as a `for` loop's bounds) is rejected at the range.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let r = 0..3;
    x
}

fn main() {}
