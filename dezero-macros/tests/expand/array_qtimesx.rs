#[differentiable]
fn qtimesx(d: usize, q: &[f64], l: &[f64], x: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = q[i].exp() * x[i];
    }
    let mut lparamsidx = 0;
    for i in 0..d {
        for j in i + 1..d {
            out[j] += l[lparamsidx] * x[i];
            lparamsidx += 1;
        }
    }
}
