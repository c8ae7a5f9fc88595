// `#[differentiable]` applied twice, or with `#[custom_vjp]`, is one error at the second
// attribute (the function is not expanded twice into duplicate definitions).
#[dezero::differentiable]
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x * x
}

fn pullback(x: f64, seed: f64) -> f64 {
    seed * 2.0 * x
}

#[dezero::differentiable]
#[dezero::custom_vjp(pullback)]
fn g(x: f64) -> f64 {
    x * x
}

fn main() {
    let _ = f_grad(1.0);
}
