#[differentiable]
fn sigmoid_tanh(x: f64) -> f64 {
    dezero::math::sigmoid(x.tanh())
}
