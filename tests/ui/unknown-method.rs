// An unknown method is rejected at the method's name, listing the supported ones; the same for
// a path call such as `f64::floor(x)`.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.floor() + f64::cbrt(x)
}

fn main() {}
