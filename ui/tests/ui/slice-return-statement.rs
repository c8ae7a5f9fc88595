// `return` in a function over slices: let the body end with the value.
#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    if x[0] > 0.0 {
        return x[0];
    }
    -x[0]
}

fn main() {}
