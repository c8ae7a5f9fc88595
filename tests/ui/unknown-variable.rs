// A variable that is not defined is reported at its use, once: reading `z`, and updating `w`
// with a compound assignment.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    w += x;
    x * z
}

fn main() {}
