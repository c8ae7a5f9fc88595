// `grad` / `vjp` without `= name` is an error on the key itself, saying to write `grad = name`.
#[dezero::differentiable(grad)]
fn f(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable(grad = f2_grad, vjp)]
fn f2(x: f64) -> f64 {
    x * x
}

fn main() {}
