// `break` and `continue` inside a `for` loop are rejected at each of them.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    for i in 0..10 {
        if i == 3 {
            continue;
        }
        if i == 5 {
            break;
        }
        y = y * x;
    }
    y
}

fn main() {}
