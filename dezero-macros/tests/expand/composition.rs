#[differentiable]
fn composition(a: f64, b: f64) -> f64 {
    sphere(a, b) * sphere(b, 2.0) + sigmoid_tanh(a)
}
