/// y = (exp(x^2))^2, the chain of step 9.
#[differentiable]
pub fn square_exp_square(x: f64) -> f64 {
    let a = x.powi(2);
    let b = a.exp();
    b.powi(2)
}
