// A destructuring `for` pattern is rejected at the pattern.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    for (i, j) in 0..3 {
        y = y * x;
    }
    y
}

fn main() {}
