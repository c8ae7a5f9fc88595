// Macros in the body, as a statement or as an expression, are rejected at the macro call.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    println!("{x}");
    x * x
}

#[dezero::differentiable]
fn g(x: f64) -> f64 {
    let y = std::hint::black_box(x) + f64::from(dbg!(1u8));
    y
}

fn main() {}
