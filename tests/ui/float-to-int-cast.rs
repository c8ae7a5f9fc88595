// Casting a float to an integer has no derivative: rejected at the cast, and at a float used
// as `powi`'s exponent.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let n = x as i32;
    x.powi(x as i32) + (n as f64)
}

fn main() {}
