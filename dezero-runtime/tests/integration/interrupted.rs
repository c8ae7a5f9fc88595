//! A backward pass interrupted by a panic (a user function's backward, a misbehaving gradient,
//! the `data()`-guard panic) leaves no partial gradient on an intermediate variable: after
//! `cleargrad` on the leaves a retry gives exactly the gradients of an uninterrupted pass, on a
//! chain (the walk's one-node fast path) as on a graph that fans out (its heap).

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use dezero_runtime::functions::{exp, sin, square};
use dezero_runtime::{apply, BackwardOptions, Function, Variable};
use ndarray::ArrayD;

/// y = x; its backward panics while `fail` is set, else passes gy through.
struct Flaky {
    fail: Rc<Cell<bool>>,
}

impl Function for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].clone()]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        if self.fail.get() {
            panic!("flaky: backward failed on purpose");
        }
        vec![gys[0].clone()]
    }
}

fn flaky(fail: &Rc<Cell<bool>>, x: &Variable) -> Variable {
    apply(
        Flaky {
            fail: Rc::clone(fail),
        },
        &[x],
    )
    .remove(0)
}

/// Runs `pass`, which must panic.
fn interrupted(pass: impl FnOnce()) {
    let result = catch_unwind(AssertUnwindSafe(pass));
    assert!(result.is_err(), "the pass was meant to panic");
}

#[test]
fn chain_retry_after_a_panicking_user_backward_is_exact() {
    // y = flaky(x⁴ - 2x²) * 1 at x = 2: dy/dx = 4x³ - 4x = 24 (48 if the first pass's grad on
    // flaky's output survived the panic)
    let fail = Rc::new(Cell::new(true));
    let x = Variable::from(2.0);
    let u = flaky(&fail, &(x.pow(4.0) - 2.0 * x.pow(2.0)));
    let y = &u * 1.0;
    interrupted(|| y.backward());
    assert!(u.grad().is_none(), "the interrupted pass left u.grad");
    assert!(y.grad().is_none(), "the interrupted pass left its seed");
    fail.set(false);
    x.cleargrad();
    y.backward();
    assert_eq!(x.grad().unwrap().item(), 24.0);
}

#[test]
fn fan_out_retry_after_a_panicking_user_backward_is_exact() {
    // a = x², y = sin(a) + flaky(a) at x = 0.5: dy/dx = (cos a + 1) 2x; the add node queues two
    // nodes at once, so the walk uses its heap
    let fail = Rc::new(Cell::new(true));
    let x = Variable::from(0.5);
    let a = square(&x);
    let b = sin(&a);
    let c = flaky(&fail, &a);
    let y = &b + &c;
    interrupted(|| y.backward());
    for (name, v) in [("a", &a), ("b", &b), ("c", &c), ("y", &y)] {
        assert!(v.grad().is_none(), "the interrupted pass left {name}.grad");
    }
    fail.set(false);
    x.cleargrad();
    y.backward();
    assert_eq!(x.grad().unwrap().item(), (0.25f64.cos() + 1.0) * 2.0 * 0.5);
}

#[test]
fn retained_grads_of_an_interrupted_pass_are_cleared_too() {
    let fail = Rc::new(Cell::new(true));
    let x = Variable::from(3.0);
    let t = &x * 2.0;
    let y = flaky(&fail, &t) * 5.0;
    let retain = BackwardOptions {
        retain_grad: true,
        ..Default::default()
    };
    interrupted(|| y.backward_with(retain));
    assert!(y.grad().is_none() && t.grad().is_none());
    fail.set(false);
    x.cleargrad();
    y.backward_with(retain);
    assert_eq!(y.grad().unwrap().item(), 1.0);
    assert_eq!(t.grad().unwrap().item(), 5.0);
    assert_eq!(x.grad().unwrap().item(), 10.0);
}

/// y = x, but its backward returns two gradients for one input (the runtime's check panics).
struct WrongCount;
impl Function for WrongCount {
    fn name(&self) -> &str {
        "WrongCount"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![xs[0].clone()]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![gys[0].clone(), gys[0].clone()]
    }
}

#[test]
fn a_rejected_gradient_leaves_no_partial_grads() {
    // y = exp(v) + wrong(x): the check on wrong's gradients panics after exp's output got its
    // grad; a retry without the bad branch sees only its own gradient
    let (v, x) = (Variable::from(0.0), Variable::from(1.0));
    let e = exp(&v);
    let w = apply(WrongCount, &[&x]).remove(0);
    let y = &e * 1.0 + &w * 1.0;
    interrupted(|| y.backward());
    assert!(e.grad().is_none() && w.grad().is_none());
    v.cleargrad();
    let z = &e * 3.0;
    z.backward();
    assert_eq!(v.grad().unwrap().item(), 3.0);
}

#[test]
fn retry_after_the_data_guard_panic_is_exact() {
    // t = (x²)², y = 2t + exp(v): a live data() guard on t makes the pass panic when it writes
    // t.grad, while exp's output still holds its grad (exp's node is queued behind).
    let (x, v) = (Variable::from(1.5), Variable::from(0.5));
    let t = square(square(&x));
    let q = exp(&v);
    let y = &t * 2.0 + &q;
    {
        let _guard = t.data();
        interrupted(|| y.backward());
    }
    assert!(q.grad().is_none(), "the interrupted pass left q.grad");
    x.cleargrad();
    v.cleargrad();
    y.backward();
    assert_eq!(v.grad().unwrap().item(), 0.5f64.exp());
    assert_eq!(x.grad().unwrap().item(), 2.0 * 4.0 * 1.5f64.powi(3));
}

#[test]
fn a_failed_pass_does_not_disturb_the_next_pass_on_another_graph() {
    // the walk's per-pass marks survive a panic consistently: a later pass over a graph that
    // shares the leaf still visits every node once
    let fail = Rc::new(Cell::new(true));
    let x = Variable::from(2.0);
    let y = flaky(&fail, &square(&x)) * 1.0;
    interrupted(|| y.backward());
    x.cleargrad();
    let s = square(&x);
    let z = &s + &s;
    z.backward();
    assert_eq!(x.grad().unwrap().item(), 8.0);
}
