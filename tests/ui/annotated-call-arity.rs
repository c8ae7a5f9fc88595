// Calling an annotated function with the wrong number of arguments: rustc's error must point at
// the user's call. KNOWN ISSUE (reported to the lead): besides the three errors at `g(x)`, an
// E0277 "cannot add `(f64, f64)` to `f64`" from the reverse sweep still lands on the attribute.
#[dezero::differentiable]
fn g(x: f64, y: f64) -> f64 {
    x * y
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    g(x) + x
}

fn main() {}
