// An integer literal in float arithmetic or a float comparison (`x * 2`, `s += 1`, `s > 0`) is
// one error, rustc's at the user's operator with "consider using a floating-point literal",
// not repeated from the generated code at the attribute.
#[dezero::differentiable]
fn f(x: f64, y: f64) -> f64 {
    x * 2 + y
}

#[dezero::differentiable]
fn g(x: f64, n: usize) -> f64 {
    let mut s = x;
    for _ in 0..n {
        s += 1;
    }
    if s > 0 { s } else { -s }
}

fn main() {}
