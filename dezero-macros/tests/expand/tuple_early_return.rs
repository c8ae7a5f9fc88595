#[differentiable]
fn tuple_early_return(a: f64, b: f64) -> (f64, f64) {
    if a > b {
        return (a * b, a - b);
    }
    let s = a + b;
    (s.exp(), s * a)
}
