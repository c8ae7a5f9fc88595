// A helper differentiated only `wrt(a)` is passed a value that carries a derivative in `b`:
// one error at that argument (the helper would drop its derivative).
#[dezero::differentiable(wrt(a))]
fn scaled(a: f64, b: f64, x: &[f64]) -> f64 {
    a * b * x[0]
}

#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    scaled(2.0, x[1], x)
}

fn main() {}
