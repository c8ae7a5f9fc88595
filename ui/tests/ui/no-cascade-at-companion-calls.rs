// On an error the macro also emits `f_op` and (with `dot`) `f_dot` stubs: the only error is
// the `while`, not "cannot find function `f_op`" / "`f_dot`" at the callers.
#[dezero::differentiable(dot)]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    while y < 10.0 {
        y = y * 2.0;
    }
    y * n as f64
}

fn main() {
    let x = dezero::Variable::from(1.0);
    let _node: dezero::Variable = f_op(&x, 3);
    let _picture: &'static str = f_dot();
}
