//! `create_graph` leaves a reference cycle (x → x.grad → its creator → x) that the runtime frees
//! itself: Newton loops and optimizer loops keep live memory flat without a `cleargrad` to
//! break the cycle, under a counting global allocator (this test binary's own).

use dezero_runtime::functions::{sin, sum};
use dezero_runtime::{BackwardOptions, Variable};
use ndarray::ArrayD;

mod counting;
use counting::live;

const CREATE_GRAPH: BackwardOptions = BackwardOptions {
    retain_grad: false,
    create_graph: true,
};

/// f(x) = x⁴ - 2x² (DeZero step 33).
fn f(x: &Variable) -> Variable {
    x.pow(4.0) - 2.0 * x.pow(2.0)
}

/// Asserts that the live bytes after each iteration (from the second on: the first may set up
/// thread-local state) are all the same.
fn assert_flat(after: &[isize], what: &str) {
    assert!(
        after[1..].iter().all(|&b| b == after[1]),
        "{what}: live bytes per iteration grow: first {:?}, last {:?}",
        &after[..4],
        &after[after.len() - 4..]
    );
}

#[test]
fn newton_with_a_fresh_variable_per_step_and_no_cleargrad_keeps_memory_flat() {
    // Each step: x is new; both passes record their graph (x.grad refers back to x at the end
    // of the step) and nothing is cleared when x goes out of scope.
    let start = live();
    let mut after = Vec::with_capacity(1000); // no reallocation inside the loop
    let mut v = 2.0;
    for _ in 0..1000 {
        let x = Variable::new(ArrayD::from_elem(vec![100], v));
        let y = sum(f(&x));
        y.backward_with(CREATE_GRAPH);
        let gx = x.grad().unwrap();
        x.cleargrad(); // the second derivative alone (DeZero step 33), not to free memory
        sum(&gx).backward_with(CREATE_GRAPH);
        let gx2 = x.grad().unwrap();
        v -= gx.data()[0] / gx2.data()[0];
        after.push(live());
    }
    assert_eq!(v, 1.0);
    assert_flat(&after, "fresh x");
    drop(after);
    assert_eq!(live(), start, "everything freed after the loop");
}

#[test]
fn newton_on_one_variable_is_freed_without_a_final_cleargrad() {
    // The book's loop (step 33), the second pass recording its graph too: at the end x.grad is
    // a recorded gradient that refers back to x; dropping x frees all of it.
    let start = live();
    let mut after = Vec::with_capacity(1000);
    let x = Variable::from(2.0);
    let weak = x.downgrade();
    for _ in 0..1000 {
        let y = f(&x);
        x.cleargrad();
        y.backward_with(CREATE_GRAPH);
        let gx = x.grad().unwrap();
        x.cleargrad();
        gx.backward_with(CREATE_GRAPH);
        let gx2 = x.grad().unwrap();
        x.update(|d| *d -= &(&*gx.data() / &*gx2.data()));
        after.push(live());
    }
    assert_eq!(x.item(), 1.0);
    assert!(x.grad().unwrap().creator().is_some(), "x.grad is recorded");
    assert_flat(&after, "one x");
    drop(x);
    assert!(!weak.is_alive(), "x is freed with its gradient's graph");
    drop(weak); // the weak handle keeps x's allocation (not its contents)
    drop(after);
    assert_eq!(live(), start, "everything freed after the loop");
}

#[test]
fn gradient_descent_with_recorded_gradients_and_update_keeps_memory_flat() {
    // An optimizer step that reads a create_graph gradient (as a gradient penalty would):
    // x <- x - lr * dy/dx with y = sum(sin(x)²), never clearing the last gradient.
    let start = live();
    let mut after = Vec::with_capacity(500);
    let x = Variable::new(ArrayD::from_elem(vec![50], 1.0));
    for _ in 0..500 {
        let s = sin(&x);
        let y = sum(&s * &s);
        x.cleargrad();
        y.backward_with(CREATE_GRAPH);
        x.update(|d| d.scaled_add(-0.1, &x.grad().unwrap().data()));
        after.push(live());
    }
    // d/dx sin² x = sin 2x: descent goes to 0
    assert!(x.data().iter().all(|&v| v.abs() < 1e-12));
    assert_flat(&after, "gradient descent");
    drop(x);
    drop(after);
    assert_eq!(live(), start, "everything freed after the loop");
}

#[test]
fn a_gradient_that_outlives_its_variable_keeps_it_then_frees_both() {
    // x is dropped first but its gradient is still held: the gradient's graph needs x, so both
    // stay; once the gradient is dropped too, the next backward pass frees them.
    let x = Variable::from(3.0);
    let wx = x.downgrade();
    x.pow(3.0).backward_with(CREATE_GRAPH);
    let gx = x.grad().unwrap();
    drop(x);
    assert!(wx.is_alive(), "gx's graph refers to x");
    assert_eq!(gx.item(), 27.0);
    let input = gx.creator().unwrap().inputs().to_vec();
    assert!(
        input.iter().any(|v| v.creator().is_some()),
        "gx = 3x² is recorded"
    );
    drop(input);
    drop(gx);
    assert!(wx.is_alive(), "nothing has looked for the cycle yet");
    // The cycle is unreachable now: the next backward pass (of any kind) frees it.
    let z = Variable::from(1.0);
    (&z * 2.0).backward();
    assert!(!wx.is_alive(), "freed by the next pass");
}
