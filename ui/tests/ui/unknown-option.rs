// An unknown attribute option is an error on the option's name, listing the valid options.
#[dezero::differentiable(gradient = g)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
