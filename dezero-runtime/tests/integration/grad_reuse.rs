//! The backward walk writes a gradient into the upstream gradient's own array when nothing else
//! holds it: the values are those of a fresh array, and a gradient anyone else can see (a
//! user's, one shared by two variables, one behind a weak handle, a retained one) is never
//! written.

use dezero_runtime::{BackwardOptions, Variable};
use ndarray::array;

#[test]
fn scalar_chain_gradients_are_exact() {
    // y = 1 - (-(3x / 2))^3 at x = 2: u = -(1.5x) = -3, y = 1 - u^3,
    // dy/dx = -3u^2 * (-1.5) = 4.5 * 9 = 40.5
    let x = Variable::from(2.0);
    let u = -(&x * 3.0 / 2.0);
    let y = 1.0 - u.pow(3.0);
    y.backward();
    assert_eq!(y.item(), 28.0);
    assert_eq!(x.grad().unwrap().item(), 40.5);
}

#[test]
fn retained_grads_keep_their_values() {
    // t = 3x, y = t * t at x = 2: dy/dt = 2t = 12, dy/dx = 36
    let x = Variable::from(2.0);
    let t = &x * 3.0;
    let y = &t * &t;
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    assert_eq!(y.grad().unwrap().item(), 1.0);
    assert_eq!(t.grad().unwrap().item(), 12.0);
    assert_eq!(x.grad().unwrap().item(), 36.0);
}

#[test]
fn a_user_held_gradient_is_never_written() {
    // y = 2x with y.grad = 5 set by the user: dx = 10, and the user's 5 stays 5
    let x = Variable::from(1.0);
    let y = &x * 2.0;
    let g = Variable::from(5.0);
    y.set_grad(Some(g.clone()));
    y.backward();
    assert_eq!(x.grad().unwrap().item(), 10.0);
    assert_eq!(g.item(), 5.0);
}

#[test]
fn a_weakly_held_gradient_is_never_written() {
    let x = Variable::from(1.0);
    let y = &x * 2.0;
    let g = Variable::from(5.0);
    let weak = g.downgrade();
    y.set_grad(Some(g));
    y.backward();
    assert_eq!(x.grad().unwrap().item(), 10.0);
    // The gradient was freed when y's grad was cleared, not reused under the weak handle.
    assert!(weak.upgrade().is_none());
}

#[test]
fn a_gradient_shared_by_two_variables_is_never_written() {
    // y = a + b with a = 3x, b = -x: both get the very gy of y (appendix A), then each is
    // scaled: dx = 3 - 1 = 2, and a's retained grad is still 1 after b's backward
    let x = Variable::from(2.0);
    let a = &x * 3.0;
    let b = -&x;
    let y = &a + &b;
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    assert_eq!(x.grad().unwrap().item(), 2.0);
    assert_eq!(a.grad().unwrap().item(), 1.0);
    assert_eq!(b.grad().unwrap().item(), 1.0);

    // Without retain_grad too: the shared gy is read twice, each read must see 1.
    let x = Variable::from(2.0);
    let y = &x * 3.0 + -&x;
    y.backward();
    assert_eq!(x.grad().unwrap().item(), 2.0);
}

#[test]
fn arrays_and_broadcasting_use_fresh_arrays_where_shapes_differ() {
    // s = sum(2 x0 x1) with x0 of shape (2,), x1 0-dim: ds/dx0 = 2 x1 = 6, ds/dx1 = 2 sum(x0) = 6
    let x0 = Variable::from(array![1.0, 2.0]);
    let x1 = Variable::from(3.0);
    let z = (&x0 * &x1) * 2.0;
    let s = dezero_runtime::functions::sum(&z);
    s.backward();
    assert_eq!(*x0.grad().unwrap().data(), array![6.0, 6.0].into_dyn());
    assert_eq!(x1.grad().unwrap().item(), 6.0);
    // pow on an array: d/dx x^2 = 2x
    let x = Variable::from(array![1.0, -2.0]);
    dezero_runtime::functions::sum(x.pow(2.0)).backward();
    assert_eq!(*x.grad().unwrap().data(), array![2.0, -4.0].into_dyn());
}
