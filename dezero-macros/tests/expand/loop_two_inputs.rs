#[differentiable]
fn loop_two_inputs(x: f64, w: f64) -> f64 {
    let mut s = x;
    for i in 1..=3 {
        for _ in 0..2 {
            s = s * w + x;
        }
        if s > 10.0 {
            s /= i as f64;
        }
    }
    s
}
