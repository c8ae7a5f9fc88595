// The reverse sweep evaluates a loop's bounds again, so the loop must not assign what they read.
#[dezero::differentiable]
fn f(x: &[f64]) -> f64 {
    let mut n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        s += x[i];
        n = 1;
    }
    s
}

fn main() {}
