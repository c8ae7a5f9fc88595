// A `std` float method without a derivative rule (`fract`, `f64::to_degrees`, `copysign`) is
// rejected at its name, pointing to `#[custom_vjp]` (a `#[differentiable]` function could not
// express it).
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.fract() + f64::to_degrees(x) + x.copysign(1.0)
}

fn main() {}
