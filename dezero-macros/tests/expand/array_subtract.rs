#[differentiable]
fn subtract(d: usize, x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = x[i] - y[i];
    }
}
