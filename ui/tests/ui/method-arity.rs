// A supported method with the wrong number of arguments is rejected at the call, suggesting the
// method form (`x.max(..)`). Function-style calls have their own case: call-arity.rs.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.max(1.0, 2.0) + x.exp(2.0)
}

fn main() {}
