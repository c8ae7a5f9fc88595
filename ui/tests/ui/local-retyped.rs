// A local declared again with another type: every local of a function over slices has one type.
#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    let a = x[0];
    let a = 2;
    x[a]
}

fn main() {}
