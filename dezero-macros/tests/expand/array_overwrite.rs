#[differentiable]
fn mixing(x: &[f64; 4]) -> f64 {
    let mut v = [0.0; 4];
    for i in 0..4 {
        v[i] = x[i].sin();
    }
    for _ in 0..3 {
        for i in 0..4 {
            v[i] = v[i] * v[(i + 1) % 4] + x[i];
        }
    }
    v.iter().sum::<f64>()
}
