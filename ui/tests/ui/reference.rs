// References (`&x`, `&mut x`) are rejected at the reference expression.
fn helper(x: &mut f64) {
    *x += 1.0;
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    helper(&mut y);
    y
}

fn main() {}
