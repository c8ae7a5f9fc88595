// A `std` float method without a derivative rule (`ln_1p`, `f64::atan`, `floor`) is rejected
// at its name, pointing to `#[custom_vjp]` (a `#[differentiable]` function could not express
// it).
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.ln_1p() + f64::atan(x) + x.floor()
}

fn main() {}
