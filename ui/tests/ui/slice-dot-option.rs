// `dot` is not available for functions over slices yet: one error at the option.
#[dezero::differentiable(dot)]
fn f(x: &[f64]) -> f64 {
    x[0]
}

fn main() {}
