#[differentiable(wrt(cam, x, w))]
fn project(cam: &[f64], x: &[f64], w: f64, feat: &[f64], out: &mut [f64]) {
    let mut xo = [0.0; 3];
    for i in 0..3 {
        xo[i] = x[i] - cam[C_IDX + i];
    }
    let mut xcam = [0.0; 3];
    rodrigues_rotate_point(&cam[ROT_IDX..], &xo, &mut xcam);
    let mut p = [0.0; 2];
    p[0] = xcam[0] / xcam[2];
    p[1] = xcam[1] / xcam[2];
    let mut pd = [0.0; 2];
    radial_distort(&cam[RAD_IDX..], &p, &mut pd);
    for i in 0..2 {
        out[i] = w * (pd[i] * cam[F_IDX] + cam[X0_IDX + i] - feat[i]);
    }
}
