// A slice of something that is not a float or an integer: the error names the parameter's type
// and lists the slice types that are accepted.
#[dezero::differentiable]
fn f(x: &[f64], names: &[String]) -> f64 {
    x[0]
}

fn main() {
    let _ = f_grad(&[1.0], &[]);
}
