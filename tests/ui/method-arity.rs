// A supported method with the wrong number of arguments is rejected at the call.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.max(1.0, 2.0) + f64::hypot(x) + dezero::math::sigmoid(x, x)
}

fn main() {}
