// A call that writes a `&mut` buffer is a statement of its own.
#[dezero::differentiable]
fn g(x: &[f64], out: &mut [f64]) {
    out[0] = x[0];
}

#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    let mut v = [0.0; 1];
    let s = g(x, &mut v) + 1.0;
    s
}

fn main() {}
