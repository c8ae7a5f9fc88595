// An integer literal where a float method needs a float (`powf`, `max`, ...) is rejected at the
// literal, suggesting `2.0` (and `powi` for `powf`).
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.powf(2) + x.max(0) + f64::hypot(x, 3)
}

fn main() {}
