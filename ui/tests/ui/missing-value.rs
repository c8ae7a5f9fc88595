// A block used as a value must end with an expression: rejected at the block.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let y = {
        x * x;
    };
    y
}

fn main() {}
