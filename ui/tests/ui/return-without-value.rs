// `return;` in a function returning a float is one error at the `return`, saying to write the
// value (not a second one at the `if`'s condition, nor rustc's E0069).
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    if x > 1.0 {
        return;
    }
    x * x
}

fn main() {}
