// `#[custom_vjp]` without the pullback's name is an error that says what to write.
#[dezero::custom_vjp]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
