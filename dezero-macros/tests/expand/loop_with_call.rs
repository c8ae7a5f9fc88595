#[differentiable]
fn loop_with_call(x: f64, n: usize) -> f64 {
    let mut acc = x;
    for i in 0..=n {
        let w = i as f64 * 0.1;
        if acc > 2.0 {
            acc = acc.sqrt() + sq(w * x);
        } else {
            acc = sq(acc) + x * w;
        }
    }
    acc
}
