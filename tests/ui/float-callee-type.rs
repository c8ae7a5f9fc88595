// Calling an `f32` annotated function from an `f64` one: rustc's type error in the expansion
// must land on the user's argument or call, not on the attribute. KNOWN ISSUE (reported to the
// lead): three of the ten errors (the adjoint's E0308/E0277) still land on the attribute.
#[dezero::differentiable]
fn g(x: f32) -> f32 {
    x * x
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    g(x) + x
}

fn main() {}
