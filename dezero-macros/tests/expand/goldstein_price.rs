#[differentiable]
fn goldstein_price(x: f64, y: f64) -> f64 {
    (1.0 + (x + y + 1.0).powi(2)
        * (19.0 - 14.0 * x + 3.0 * x.powi(2) - 14.0 * y + 6.0 * x * y + 3.0 * y.powi(2)))
        * (30.0
            + (2.0 * x - 3.0 * y).powi(2)
                * (18.0 - 32.0 * x + 12.0 * x.powi(2) + 48.0 * y - 36.0 * x * y + 27.0 * y.powi(2)))
}
