// Calling a plain function with a float argument: the expansion needs `helper_vjp`, and rustc's
// "cannot find" error must land on `helper` in the user's call, not on the attribute.
fn helper(x: f64) -> f64 {
    x * 2.0
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    helper(x) + x
}

fn main() {}
