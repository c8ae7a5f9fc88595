//! The graph is freed when the last output handle is dropped (step 17): checked with drop
//! counters on the function objects and weak handles on the variables.

use std::cell::Cell;
use std::rc::Rc;

use dezero_runtime::{apply, no_grad, BackwardOptions, Function, Variable};
use ndarray::ArrayD;

/// y = x (one output per input, any number of inputs and outputs); counts its drops.
struct Counted {
    drops: Rc<Cell<usize>>,
    outputs: usize,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

impl Function for Counted {
    fn name(&self) -> &str {
        "counted"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        let total = xs
            .iter()
            .fold(ArrayD::zeros(xs[0].raw_dim()), |acc, x| acc + *x);
        vec![total; self.outputs]
    }
    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let g = gys.iter().skip(1).fold(gys[0].clone(), |acc, g| &acc + g);
        xs.iter().map(|_| g.clone()).collect()
    }
}

fn counted(drops: &Rc<Cell<usize>>, xs: &[&Variable], outputs: usize) -> Vec<Variable> {
    apply(
        Counted {
            drops: Rc::clone(drops),
            outputs,
        },
        xs,
    )
}

#[test]
fn dropping_the_output_frees_a_chain() {
    let drops = Rc::new(Cell::new(0));
    let x = Variable::from(1.0);
    let a = counted(&drops, &[&x], 1).remove(0);
    let b = counted(&drops, &[&a], 1).remove(0);
    let y = counted(&drops, &[&b], 1).remove(0);
    let (wa, wb) = (a.downgrade(), b.downgrade());
    drop((a, b));
    y.backward();
    assert!(
        wa.is_alive() && wb.is_alive(),
        "the output keeps the graph alive"
    );
    assert_eq!(drops.get(), 0);
    drop(y);
    assert_eq!(drops.get(), 3);
    assert!(!wa.is_alive() && !wb.is_alive());
    assert_eq!(x.grad().unwrap().item(), 1.0, "leaves keep their grads");
}

#[test]
fn dropping_the_output_frees_a_diamond() {
    let drops = Rc::new(Cell::new(0));
    let x = Variable::from(1.0);
    let a = counted(&drops, &[&x], 1).remove(0);
    let b = counted(&drops, &[&a], 1).remove(0);
    let c = counted(&drops, &[&a], 1).remove(0);
    let y = counted(&drops, &[&b, &c], 1).remove(0);
    let weak = [a.downgrade(), b.downgrade(), c.downgrade()];
    drop((a, b, c));
    y.backward();
    assert_eq!(x.grad().unwrap().item(), 2.0);
    drop(y);
    assert_eq!(drops.get(), 4);
    assert!(weak.iter().all(|w| !w.is_alive()));
}

#[test]
fn dropping_the_outputs_frees_a_multi_output_function() {
    let drops = Rc::new(Cell::new(0));
    let x = Variable::from(1.0);
    let mut ys = counted(&drops, &[&x], 2);
    let y1 = ys.pop().unwrap();
    let y0 = ys.pop().unwrap();
    let z = counted(&drops, &[&y0, &y1], 1).remove(0);
    let (w0, w1) = (y0.downgrade(), y1.downgrade());
    drop((y0, y1));
    z.backward();
    assert_eq!(x.grad().unwrap().item(), 2.0);
    drop(z);
    assert_eq!(drops.get(), 2);
    assert!(!w0.is_alive() && !w1.is_alive());

    // one output kept: the node lives (through it) until it is dropped too
    let drops = Rc::new(Cell::new(0));
    let mut ys = counted(&drops, &[&x], 2);
    let y1 = ys.pop().unwrap();
    drop(ys);
    assert_eq!(drops.get(), 0);
    drop(y1);
    assert_eq!(drops.get(), 1);
}

#[test]
fn no_reference_cycle_after_backward() {
    let drops = Rc::new(Cell::new(0));
    let x = Variable::from(2.0);
    let t = counted(&drops, &[&x], 1).remove(0);
    let y = counted(&drops, &[&t, &x], 1).remove(0);
    y.backward_with(BackwardOptions {
        retain_grad: true,
        ..Default::default()
    });
    let wy = y.downgrade();
    drop((t, y));
    assert_eq!(drops.get(), 2);
    assert!(!wy.is_alive());
}

#[test]
fn create_graph_grads_are_freed_by_cleargrad() {
    // With create_graph, x.grad's graph refers back to x (as DeZero's does): clear the grad
    // to free it.
    let x = Variable::from(2.0);
    let wx = x.downgrade();
    let y = x.pow(3.0);
    y.backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let wg = x.grad().unwrap().downgrade();
    drop(y);
    x.cleargrad();
    assert!(!wg.is_alive());
    drop(x);
    assert!(!wx.is_alive());
}

#[test]
fn create_graph_grads_are_freed_without_cleargrad() {
    // The same cycle (x -> x.grad -> mul node -> x), freed by the runtime when x's last handle
    // goes, with its gradient's whole graph.
    let x = Variable::from(2.0);
    let wx = x.downgrade();
    let y = x.pow(3.0);
    y.backward_with(BackwardOptions {
        create_graph: true,
        ..Default::default()
    });
    let gx = x.grad().unwrap();
    assert_eq!(gx.item(), 12.0);
    let wg = gx.downgrade();
    let winput = gx.creator().unwrap().inputs()[0].downgrade();
    drop((y, gx));
    assert!(wg.is_alive(), "x holds its grad");
    drop(x);
    assert!(!wx.is_alive() && !wg.is_alive() && !winput.is_alive());
}

#[test]
fn a_recorded_grad_set_by_the_user_is_freed_too() {
    // set_grad with a recorded gradient that refers back to the variable: the same cycle
    let x = Variable::from(2.0);
    let wx = x.downgrade();
    x.set_grad(Some(&x * 3.0));
    drop(x);
    assert!(!wx.is_alive());
}

#[test]
fn no_grad_keeps_no_creator_and_does_not_retain_inputs() {
    let drops = Rc::new(Cell::new(0));
    let x = Variable::from(3.0);
    let wx = x.downgrade();
    let y = {
        let _guard = no_grad();
        counted(&drops, &[&x], 1).remove(0)
    };
    assert_eq!(drops.get(), 1, "the function object is dropped at once");
    assert!(y.creator().is_none());
    drop(x);
    assert!(!wx.is_alive(), "the output does not keep its input alive");
    assert_eq!(y.item(), 3.0);
}
