// Calling an `f32` annotated function from an `f64` one: every rustc error lands on the user's
// code (the argument, the call, the user's own `+`), none on the attribute: the generated code
// types each call's result and the `_grad` seed, so the mismatch stops at the call.
#[dezero::differentiable]
fn g(x: f32) -> f32 {
    x * x
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    g(x) + x
}

fn main() {}
