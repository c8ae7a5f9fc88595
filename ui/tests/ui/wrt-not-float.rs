// `wrt(..)` names an integer parameter: only floats and float slices are differentiated.
#[dezero::differentiable(wrt(x, n))]
fn f(x: &[f64], n: usize) -> f64 {
    x[n]
}

fn main() {}
