// Calling a plain function of the same module with a float argument is one error at the
// callee's name in the user's call (the first call of it), saying to annotate it or give it a
// pullback, not rustc's "cannot find function `helper_vjp`".
fn helper(x: f64) -> f64 {
    x * 2.0
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    helper(x) + helper(x * x)
}

fn main() {}
