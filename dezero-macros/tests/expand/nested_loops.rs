#[differentiable]
fn nested_loops(x: f64) -> f64 {
    let mut s = x;
    for i in 1..=3 {
        for _ in 0..2 {
            s = s * x + 1.0;
        }
        if s > 10.0 {
            s /= i as f64;
        }
    }
    s
}
