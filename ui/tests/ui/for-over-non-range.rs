// `for` must run over a bounded range: a reversed range and an open range are each rejected at
// the iterated expression.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    for _ in (0..3).rev() {
        y = y * x;
    }
    for _ in 0.. {
        y = y * x;
    }
    y
}

fn main() {}
