// Every variable that is not defined is reported at its use: reading `z`, updating `w` with a
// compound assignment, the unknown `q` on its right side, assigning `u`, and `k` in an integer
// bound. (Rustc reports no unresolved names once a `compile_error!` is emitted, so the macro
// must name each one itself.) Names that read as constants (`SCALE`) are left to rustc.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    w += x * q;
    u = x;
    let mut s = x;
    for i in 0..k {
        s += x * i as f64;
    }
    s * z
}

fn main() {}
