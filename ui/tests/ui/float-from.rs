// `f64::from(i)` is rejected at the call, saying to write `i as f64` (and rustc adds nothing
// where `From<usize>` does not exist).
#[dezero::differentiable]
fn f(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += f64::from(i) * x;
    }
    s
}

fn main() {}
