// Tuples are only allowed as the result or bound from a call: a tuple value mid-body is
// rejected at the tuple.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let t = (x, x * x);
    x
}

fn main() {}
