// An `unsafe` block is rejected at the block.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let y = unsafe { x * x };
    y
}

fn main() {}
