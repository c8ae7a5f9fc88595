#[differentiable]
fn calls_in_expressions(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut p = 1.0;
    for i in 0..2 {
        // two calls in one value, and an overwritten product (saved over the calls' records)
        s += sumsq(&x[i..]) * log_sum_exp(&x[..i + 2]) - 0.5 * sumsq(&x[2..]);
        p *= sumsq(&x[i + 1..]);
    }
    let m = sumsq(x).sqrt() + tanh_sum(2.0, sumsq(&x[1..]), &x[2..]);
    s + p + m + log_sum_exp(x)
}
