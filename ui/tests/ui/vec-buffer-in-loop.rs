// A `vec!` buffer declared inside a loop: declare it at the top of the body (or use an array);
// the generated functions are stubs, so the call in `main` is not a second error.
#[dezero::differentiable]
fn f(x: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for _ in 0..n {
        let mut v = vec![0.0; x.len()];
        v[0] = x[0];
        s += v[0];
    }
    s
}

fn main() {
    let _ = f_grad(&[1.0], 2);
}
