// `wrt(..)` names a parameter that does not exist: one error at the name.
#[dezero::differentiable(wrt(z))]
fn f(x: &[f64], y: f64) -> f64 {
    x[0] * y
}

fn main() {}
