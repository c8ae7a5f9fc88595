#[differentiable]
fn softplus(x: f32) -> f32 {
    (1.0 + x.exp()).ln()
}
