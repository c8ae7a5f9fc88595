// Assigning to something other than a local variable (a field, a dereference) is rejected at
// the assignment.
struct P {
    v: f64,
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut p = 1.0;
    p.v = x;
    p
}

fn main() {}
