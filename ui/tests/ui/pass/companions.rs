// The issue-5 companions compile without warnings: `<fn>_op` (one fused runtime node) for
// f64 functions with one result, including `#[custom_vjp]` ones, private and `pub` ones in
// modules, raw identifiers and integer parameters; `<fn>_dot` with `#[differentiable(dot)]`.
#![deny(warnings)]
use dezero::{custom_vjp, differentiable, Variable};

mod kernels {
    use dezero::differentiable;

    /// A documented public kernel: its `_op` and `_dot` are public too.
    #[differentiable(dot, grad = value_and_slope)]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

// `r#type_op` is spelled `type_op`; the node is named "type".
#[differentiable]
fn r#type(r#in: f64, r#fn: i32) -> f64 {
    r#in.powi(r#fn)
}

// A parameter named like the closure's seed does not capture it.
#[differentiable]
fn scaled(seed: f64, x: f64) -> f64 {
    seed * x
}

#[custom_vjp(twice_pullback)]
fn twice(x: f64) -> f64 {
    2.0 * x
}

fn twice_pullback(_x: f64, seed: f64) -> f64 {
    2.0 * seed
}

// f32 and tuple-valued functions get no `_op` (the runtime holds f64, a node has one output).
#[differentiable]
fn half(x: f32) -> f32 {
    x * 0.5
}

#[differentiable]
fn both(x: f64) -> (f64, f64) {
    (x, x * x)
}

pub fn main() {
    let x = Variable::from(vec![1.0, 2.0]);
    let y = kernels::cube_op(&x);
    y.backward();
    assert_eq!(x.grad().unwrap().data().as_slice().unwrap(), &[3.0, 12.0]);
    assert!(kernels::cube_dot().starts_with("digraph \"cube\""));
    assert_eq!(kernels::value_and_slope(2.0), (8.0, 12.0));
    let t = type_op(&Variable::from(3.0), 2);
    assert_eq!(t.item(), 9.0);
    assert_eq!(t.creator().unwrap().name(), "type");
    assert_eq!(
        scaled_op(&Variable::from(2.0), &Variable::from(5.0)).item(),
        10.0
    );
    assert_eq!(twice_op(&Variable::from(4.0)).item(), 8.0);
    assert_eq!((half(1.0), half_grad(1.0)), (0.5, (0.5, 0.5)));
    assert_eq!((both(2.0), both_vjp(2.0, 1.0, 1.0)), ((2.0, 4.0), 5.0));
}
