// A function over slices returns one float or nothing: a `Vec` result is an error at the type,
// saying to return through a `&mut [f64]` parameter.
#[dezero::differentiable]
fn f(x: &[f64]) -> Vec<f64> {
    x.to_vec()
}

fn main() {}
