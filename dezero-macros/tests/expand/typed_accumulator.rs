#[differentiable]
fn typed_accumulator(x: f64, y: f64, n: usize) -> f64 {
    let mut s: f64 = 1.0;
    for _ in 0..n {
        s = s.sin() * x + y;
    }
    let a: f64 = if s > 0.0 { 1.0 } else { 2.0 };
    s * a
}
