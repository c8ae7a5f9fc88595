//! BUG (found by the array property test): a reduction whose closure body is a block,
//! `x.iter().map(|u| { .. }).sum::<f64>()`, is rejected with "give a branch's value a name
//! first: `let m = if c { a } else { b };`" although there is no branch. rustfmt writes every
//! long `map(|u| ..)` closure this way, so formatting a working function breaks it.
use dezero::differentiable;

#[rustfmt::skip]
#[differentiable]
fn block_closure_body(x: &[f64]) -> f64 {
    x.iter().map(|u| { u * u }).sum::<f64>()
}

fn main() {
    let (v, g) = block_closure_body_grad(&[1.0, -2.0, 3.0]);
    assert_eq!(v, 14.0);
    assert_eq!(g, vec![2.0, -4.0, 6.0]);
}
