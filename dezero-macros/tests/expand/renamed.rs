/// The Rosenbrock function.
#[differentiable(grad = rosenbrock_gradient, vjp = rosenbrock_pullback)]
pub(crate) fn rosenbrock(x0: f64, x1: f64) -> f64 {
    100.0 * (x1 - x0 * x0).powi(2) + (x0 - 1.0).powi(2)
}
