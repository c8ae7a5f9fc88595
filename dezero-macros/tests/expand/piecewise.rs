#[differentiable]
fn piecewise(x: f64) -> f64 {
    if x < 0.0 {
        return -x;
    }
    let mut y = x * x;
    if y > 4.0 {
        y = 4.0 + y.ln();
    } else if y > 1.0 {
        y *= 2.0;
    }
    y
}
