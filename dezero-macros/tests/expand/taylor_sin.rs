#[differentiable]
fn taylor_sin(x: f64, n: usize) -> f64 {
    let mut y = 0.0;
    let mut term = x;
    for i in 0..n {
        y += term;
        let k = (2 * i + 2) as f64;
        term = -term * x * x / (k * (k + 1.0));
    }
    y
}
