// Calling a plain function by a path (here of another module, which the macro does not read):
// the expansion needs `other::helper_vjp`, and rustc's "cannot find" error must land on the
// user's call, not on the attribute.
mod other {
    pub fn helper(x: f64) -> f64 {
        x * 2.0
    }
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    other::helper(x) + x
}

fn main() {}
