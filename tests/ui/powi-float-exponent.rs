// `powi` takes an `i32`: rustc's type error in the expansion must land on the user's `2.0`.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.powi(2.0)
}

fn main() {}
