// `let .. else` is rejected at the `else`.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let y = x else {
        return 0.0;
    };
    y
}

fn main() {}
