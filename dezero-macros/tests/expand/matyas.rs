#[differentiable]
fn matyas(x: f64, y: f64) -> f64 {
    0.26 * (x * x + y * y) - 0.48 * x * y
}
