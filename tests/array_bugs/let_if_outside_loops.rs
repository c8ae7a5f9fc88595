//! BUG (found by the array property test): in a function over slices, `let m = if c { a }
//! else { b };` outside loops does not compile: the generated code uses `m` where it never
//! declared it (E0425 "cannot find value `m` in this scope"). Inside a loop it works.
use dezero::differentiable;

#[differentiable]
fn let_if_outside_loops(x: &[f64]) -> f64 {
    let m = if x[0] > 0.0 { x[1] } else { x[2] };
    m * x[0]
}

fn main() {
    let (v, g) = let_if_outside_loops_grad(&[1.0, 2.0, 3.0]);
    assert_eq!(v, 2.0);
    assert_eq!(g, vec![2.0, 1.0, 0.0]);
    let (v, g) = let_if_outside_loops_grad(&[-1.0, 2.0, 3.0]);
    assert_eq!(v, -3.0);
    assert_eq!(g, vec![3.0, 0.0, -1.0]);
}
