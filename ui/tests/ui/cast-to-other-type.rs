// `as` only casts to float or integer types: casting a float `as char` is rejected at the type.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let c = x as char;
    x
}

fn main() {}
