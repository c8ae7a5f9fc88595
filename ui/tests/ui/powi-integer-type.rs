// `powi` takes an `i32`: an integer parameter of another type as its exponent is rejected at the
// exponent, suggesting the cast (rustc's own error follows at the same place).
#[dezero::differentiable]
fn f(x: f64, n: usize) -> f64 {
    x.powi(n)
}

fn main() {}
