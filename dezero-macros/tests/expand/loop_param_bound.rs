#[differentiable]
fn loop_param_bound(x: f64, w: f64, n: usize) -> f64 {
    let mut s = x;
    for i in 0..n {
        let k = (i + 1) as f64;
        s = (s * w).sin() + x / k;
    }
    s
}
