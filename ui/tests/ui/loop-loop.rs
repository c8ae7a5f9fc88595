// The error must point at `loop`, not at the attribute.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    loop {
        y = y * 2.0;
    }
}

fn main() {}
