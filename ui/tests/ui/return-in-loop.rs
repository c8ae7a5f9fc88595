// `return` is allowed at the end or in a top-level `if`: a `return` inside a loop is rejected at
// the `return`.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    for i in 0..3 {
        if y > 2.0 {
            return y;
        }
        y = y * x;
    }
    y
}

fn main() {}
