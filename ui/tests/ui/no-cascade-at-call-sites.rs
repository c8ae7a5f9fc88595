// On an error the macro still emits `f_grad`/`f_vjp` stubs: the only error is the `while`, not
// "cannot find function `f_grad`" at the callers.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    while y < 10.0 {
        y = y * 2.0;
    }
    y
}

fn main() {
    let (_value, _slope) = f_grad(1.0);
    let _pulled: f64 = f_vjp(1.0, 0.5);
}
