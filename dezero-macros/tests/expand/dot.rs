#[differentiable(dot)]
fn damped(x: f64) -> f64 {
    let y = x.sin() * x;
    if y > 0.0 {
        y.sqrt()
    } else {
        -y
    }
}
