/// sqrt(x^2 + eps): smooth absolute value with a hand-written pullback.
#[dezero::custom_vjp(smooth_abs_pullback)]
pub fn smooth_abs(x: f64, eps: f64) -> f64 {
    (x * x + eps).sqrt()
}
