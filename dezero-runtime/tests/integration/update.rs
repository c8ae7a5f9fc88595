//! `Variable::update`: the in-place update an optimizer needs, which (unlike
//! `x.set_data(&*x.data() - ..)`) cannot trip over a live `data()` guard of its own.

use std::panic::{catch_unwind, AssertUnwindSafe};

use dezero_runtime::functions::sum;
use dezero_runtime::{BackwardOptions, Variable};
use ndarray::{array, ArrayD};

#[test]
fn sgd_step_reads_the_gradient_inside_the_closure() {
    // sum(x²) at (1, -2, 3): grad 2x; x <- x - 0.1 * 2x = 0.8 x
    let x = Variable::from(array![1.0, -2.0, 3.0]);
    sum(&(&x * &x)).backward();
    x.update(|d| *d -= &(0.1 * &*x.grad().unwrap().data()));
    let expected = array![1.0 - 0.1 * 2.0, -2.0 - 0.1 * -4.0, 3.0 - 0.1 * 6.0];
    assert_eq!(*x.data(), expected.into_dyn());
    // the graph is not changed and the grad is still there
    assert!(x.creator().is_none());
    assert_eq!(x.grad().unwrap().data()[0], 2.0);
}

#[test]
fn update_returns_the_closures_value_and_may_replace_the_array() {
    let x = Variable::from(array![1.0, 2.0]);
    let old_sum = x.update(|d| {
        let s = d.sum();
        *d = ArrayD::zeros(vec![2, 2]);
        s
    });
    assert_eq!(old_sum, 3.0);
    assert_eq!(x.shape(), vec![2, 2]);
}

#[test]
fn newton_update_without_a_let() {
    // DeZero step 33 with update: f(x) = x⁴ - 2x², x <- x - f'(x) / f''(x) from 2.0
    let x = Variable::from(2.0);
    for _ in 0..10 {
        let y = x.pow(4.0) - 2.0 * x.pow(2.0);
        x.cleargrad();
        y.backward_with(BackwardOptions {
            create_graph: true,
            ..Default::default()
        });
        let gx = x.grad().unwrap();
        x.cleargrad();
        gx.backward();
        let gx2 = x.grad().unwrap();
        x.update(|d| *d -= &(&*gx.data() / &*gx2.data()));
    }
    assert_eq!(x.item(), 1.0);
}

#[test]
#[should_panic(expected = "update(): a data() guard of this variable is still alive")]
fn update_with_a_live_guard_panics_clearly() {
    let x = Variable::from(1.0);
    let _guard = x.data();
    x.update(|d| *d += 1.0);
}

#[test]
#[should_panic(expected = "update(): the variable has no data")]
fn update_of_an_empty_variable_panics() {
    Variable::empty().update(|d| *d += 1.0);
}

#[test]
fn reading_its_own_data_inside_update_panics_clearly_and_the_array_comes_back() {
    let x = Variable::from(array![1.0, 2.0]);
    let payload = catch_unwind(AssertUnwindSafe(|| {
        x.update(|d| {
            d[0] = 10.0;
            let _ = x.shape(); // the array is lent to the closure
        })
    }))
    .expect_err("reading x inside its update panics");
    let message = payload.downcast::<String>().unwrap();
    assert!(
        message.contains("data(): the variable's data is lent to the closure of its own update()"),
        "{message}"
    );
    // the array is put back as the closure left it
    assert_eq!(*x.data(), array![10.0, 2.0].into_dyn());
    x.update(|d| *d += 1.0);
    assert_eq!(*x.data(), array![11.0, 3.0].into_dyn());
}
