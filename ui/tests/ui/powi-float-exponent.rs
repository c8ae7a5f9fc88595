// `powi` with a float exponent is rejected at the exponent, suggesting `powf`; rustc's own type
// error (from the unchanged function) lands on the same `2.0`.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.powi(2.0)
}

fn main() {}
