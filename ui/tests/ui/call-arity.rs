// A known function called by path with the wrong number of arguments is rejected at the call,
// suggesting the same function-style call (never a method such as `x.sigmoid(..)`).
use dezero::math::sigmoid;

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    f64::hypot(x) + dezero::math::sigmoid(x, x) + sigmoid(x, x) + f64::exp(x, x)
}

fn main() {}
