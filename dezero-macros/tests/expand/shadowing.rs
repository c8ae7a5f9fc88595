#[differentiable]
fn shadowing(x: f64, scale: i32) -> f64 {
    let x = x * 2.0;
    let mut y = x.sin();
    y += x.max(1.0);
    let z = if y > 0.5 { y * y } else { y.abs() };
    z.powi(scale)
}
