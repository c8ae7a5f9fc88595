#[differentiable]
fn log_sum_exp(x: &[f64]) -> f64 {
    let mut mx = f64::NEG_INFINITY;
    for i in 0..x.len() {
        if mx < x[i] {
            mx = x[i];
        }
    }
    x.iter().map(|v| (v - mx).exp()).sum::<f64>().ln() + mx
}
