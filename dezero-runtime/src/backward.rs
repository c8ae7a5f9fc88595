//! Reverse-mode differentiation: [`Variable::backward`] and its options.
//!
//! The walk is a loop over a max-heap keyed by generation (DeZero steps 15–16): every node is
//! processed once, after all the nodes that consume its outputs, so diamond-shaped graphs are
//! right and graphs of any depth work (no recursion).

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;

use ndarray::ArrayD;

use crate::config::{using_config, Config};
use crate::function::NodeInner;
use crate::variable::Variable;

/// Options of [`Variable::backward_with`].
///
/// ```
/// use dezero_runtime::{BackwardOptions, Variable};
/// let opts = BackwardOptions { retain_grad: true, ..Default::default() };
/// assert!(!opts.create_graph);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackwardOptions {
    /// Keep the gradients of intermediate variables (DeZero's `retain_grad=True`). By default
    /// only variables without a creator (leaves) keep their grad.
    pub retain_grad: bool,
    /// Record the gradient computation itself as a graph, so gradients can be differentiated
    /// again (DeZero's `create_graph=True`, step 33+).
    ///
    /// The recorded graph of `x.grad` usually refers back to `x` (for `y = x²`,
    /// `x.grad = 2 x gy`), so `x` and its grad keep each other alive: a reference cycle, which
    /// Python's garbage collector frees and `Rc` alone would not. The runtime frees these
    /// cycles itself once nothing outside them is held (when the last handle to `x` is dropped,
    /// or at a later backward pass): no `cleargrad` is needed to free memory.
    pub create_graph: bool,
}

thread_local! {
    static PASS: Cell<u64> = const { Cell::new(0) };
}

/// A fresh pass id (nodes remember the last pass that queued them).
fn next_pass() -> u64 {
    PASS.with(|p| {
        p.set(p.get() + 1);
        p.get()
    })
}

/// Armed for the length of a pass: if the pass unwinds (a panic in a function's backward, in the
/// check of its gradients, or the `data()`-guard panic), dropping it clears every gradient the
/// pass may have stored on a variable with a creator, so no partial gradient is left to be
/// accumulated onto by the next pass. Disarmed (`root = None`) when the pass completes.
struct Interrupted {
    pass: u64,
    root: Option<Rc<NodeInner>>,
}

impl Drop for Interrupted {
    fn drop(&mut self) {
        if let Some(root) = self.root.take() {
            clear_interrupted(root, self.pass);
        }
    }
}

/// Clears the grads of the outputs of every node queued by `pass` (marked `visited == pass`):
/// these are exactly the variables with a creator that can have received a gradient. Leaves
/// keep theirs (`cleargrad` them to start over). Never panics: a variable still borrowed by a
/// caller (the `data()`-guard case) cannot have been written by the pass, and is skipped.
fn clear_interrupted(root: Rc<NodeInner>, pass: u64) {
    let cleared = next_pass();
    root.visited.set(cleared);
    let mut stack = vec![root];
    let mut grads: Vec<Variable> = Vec::new();
    while let Some(node) = stack.pop() {
        for y in node.outputs.iter().filter_map(|w| w.upgrade()) {
            if let Ok(mut inner) = y.try_borrow_mut() {
                grads.extend(inner.grad.take());
            }
        }
        for x in node.inputs.iter() {
            let Ok(inner) = x.0.try_borrow() else {
                continue;
            };
            if let Some(c) = &inner.creator {
                if c.visited.get() == pass {
                    c.visited.set(cleared);
                    stack.push(Rc::clone(c));
                }
            }
        }
        grads.clear(); // dropped outside any borrow
    }
}

/// A node in the backward queue, keyed by its generation (kept inline so that heap
/// comparisons do not chase the node pointer).
struct Queued(usize, Rc<NodeInner>);

impl Queued {
    fn new(node: Rc<NodeInner>) -> Self {
        Queued(node.generation, node)
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

/// The nodes waiting for their backward, largest generation first: a max-heap, with one node
/// kept beside it so that a chain (one node queued at a time) never touches the heap.
#[derive(Default)]
struct Queue {
    next: Option<Queued>,
    heap: BinaryHeap<Queued>,
}

impl Queue {
    fn push(&mut self, node: Queued) {
        match self.next.take() {
            None => self.next = Some(node),
            Some(next) => {
                self.heap.push(next);
                self.heap.push(node);
            }
        }
    }

    fn pop(&mut self) -> Option<Queued> {
        match self.next.take() {
            Some(next) if self.heap.peek().is_none_or(|top| next >= *top) => Some(next),
            Some(next) => {
                self.heap.push(next);
                self.heap.pop()
            }
            None => self.heap.pop(),
        }
    }
}

impl Variable {
    /// Computes the gradient of this variable with respect to every variable it depends on.
    ///
    /// Seeds this variable's grad with ones of its shape (if it has no grad yet), then walks
    /// the graph by generation. Gradients accumulate: call [`cleargrad`](Variable::cleargrad)
    /// between uses. Intermediate grads are freed; see [`backward_with`](Variable::backward_with).
    ///
    /// Accumulation always makes a new variable (`g = g + gx`), never writes into an array
    /// another variable can see (only into the fresh `gx` when nothing else holds it), so
    /// two variables may safely share one gradient variable (after `y = x + x`, `x.grad` starts
    /// as the very `gy` of `y`, then becomes a new sum; appendix A).
    ///
    /// # Panics
    /// If this variable has no data, or holds a grad (the seed) of another shape than its data;
    /// if a variable that already holds a grad of one shape receives a gradient of another
    /// (its data changed shape with [`set_data`](Variable::set_data) since: `cleargrad` it); if
    /// a function's `backward` returns the wrong number of gradients or a gradient of the wrong
    /// shape (the message names the function). NaN and
    /// infinities are not errors: they propagate as IEEE arithmetic says. Empty arrays work
    /// (their gradients are empty arrays).
    ///
    /// A panic that interrupts the pass (in a function's `backward`, in the check of what it
    /// returned, or the `data()`-guard panic) leaves no partial gradient on any variable with a
    /// creator that the pass reached (this variable's seed included, and `retain_grad` or not):
    /// they are cleared while the panic unwinds. Leaves keep what they had received; after
    /// [`cleargrad`](Variable::cleargrad) on them, a retry computes exactly the gradients of an
    /// uninterrupted pass.
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// // z = x^2 + y^2 at (2, 3): dz/dx = 2x = 4, dz/dy = 2y = 6
    /// let (x, y) = (Variable::from(2.0), Variable::from(3.0));
    /// let z = x.pow(2.0) + y.pow(2.0);
    /// z.backward();
    /// assert_eq!(z.item(), 13.0);
    /// assert_eq!(x.grad().unwrap().item(), 4.0);
    /// assert_eq!(y.grad().unwrap().item(), 6.0);
    /// ```
    #[track_caller]
    pub fn backward(&self) {
        self.backward_with(BackwardOptions::default());
    }

    /// [`backward`](Variable::backward) with options (`retain_grad`, `create_graph`).
    ///
    /// # Panics
    /// As [`backward`](Variable::backward).
    ///
    /// ```
    /// use dezero_runtime::{BackwardOptions, Variable};
    /// // t = x0 + x1; y = x0 + t: with retain_grad, t keeps its grad
    /// let (x0, x1) = (Variable::from(1.0), Variable::from(1.0));
    /// let t = &x0 + &x1;
    /// let y = &x0 + &t;
    /// y.backward_with(BackwardOptions { retain_grad: true, ..Default::default() });
    /// assert_eq!(t.grad().unwrap().item(), 1.0);
    ///
    /// // Second derivative of x^3 at 2: 6x = 12
    /// let x = Variable::from(2.0);
    /// let y = x.pow(3.0);
    /// y.backward_with(BackwardOptions { create_graph: true, ..Default::default() });
    /// let gx = x.grad().unwrap();
    /// x.cleargrad();
    /// gx.backward();
    /// assert_eq!(x.grad().unwrap().item(), 12.0);
    /// ```
    #[track_caller]
    pub fn backward_with(&self, options: BackwardOptions) {
        crate::cycles::before_pass();
        let (seed, creator) = {
            let inner = self.0.borrow();
            let Some(data) = inner.data.as_ref() else {
                panic!("{}", inner.no_data("backward()"));
            };
            if let Some(g) = &inner.grad {
                let g = g.0.borrow();
                let g = g.data.as_ref().map(|g| g.shape());
                if g != Some(data.shape()) {
                    panic!(
                        "backward(): the variable has shape {:?} but its grad (the seed) has \
                         shape {:?}; set_data changed its shape since: cleargrad() first",
                        data.shape(),
                        g.unwrap_or_default()
                    );
                }
            }
            // Ones, made by the creator (a fused node gives one number unless it is retained).
            let seed = inner.grad.is_none().then(|| match &inner.creator {
                Some(c) => c.func.seed(data.raw_dim(), options.retain_grad),
                None => Variable::new(ArrayD::ones(data.raw_dim())),
            });
            (seed, inner.creator.clone())
        };
        if let Some(seed) = seed {
            self.inner_mut().grad = Some(seed);
        }
        let Some(creator) = creator else { return };

        let pass = next_pass();
        let mut interrupted = Interrupted {
            pass,
            root: Some(Rc::clone(&creator)),
        };
        let _config = using_config(Config {
            enable_backprop: options.create_graph,
        });
        let mut queue = Queue::default();
        creator.visited.set(pass);
        queue.push(Queued::new(creator));

        // One buffer for every node's input gradients (no `Vec` per node).
        let mut gxs: Vec<Variable> = Vec::new();
        while let Some(Queued(_, node)) = queue.pop() {
            let ys = node.outputs.map(|_, w| w.upgrade().map(Variable));
            gxs.clear();
            node.func
                .backward_node(&node, &ys, options.retain_grad, &mut gxs);

            for (x, gx) in node.inputs.iter().zip(gxs.drain(..)) {
                let mut inner = x.inner_mut();
                if !inner.requires_grad {
                    // A constant (a leaf): no grad; `gx` may be a placeholder (`Builtin::grads`).
                    continue;
                }
                if let Some(g) = &inner.grad {
                    check_accumulated(g, &gx);
                }
                if let Some(g) = inner.grad.take() {
                    // Never written into an array another variable can see (appendix A): into
                    // `gx`'s own array when nothing else holds it (not while recording a
                    // graph), else a new one. `add` reads only `g` and `gx`, so `x` is released
                    // while it runs. The same values either way (g + gx).
                    drop(inner);
                    let sum = crate::ops::zip_grad_in_place(&gx, &g, |gx, g| g + gx)
                        .unwrap_or_else(|| crate::functions::add(&g, &gx));
                    inner = x.inner_mut();
                    inner.grad = Some(sum);
                } else {
                    inner.grad = Some(gx);
                }
                if let Some(c) = &inner.creator {
                    if c.visited.get() != pass {
                        c.visited.set(pass);
                        queue.push(Queued::new(Rc::clone(c)));
                    }
                }
                if options.create_graph && (inner.creator.is_none() || options.retain_grad) {
                    // It keeps a recorded gradient, which may lead back to it (cycles.rs).
                    drop(inner);
                    crate::cycles::register(x);
                }
            }
            if !options.retain_grad {
                for y in ys.iter().flatten() {
                    y.inner_mut().grad = None;
                }
            }
        }
        interrupted.root = None; // the pass completed
    }
}

/// The gradient flowing into output `i`: its grad (moved out with `take`), or zeros of its
/// shape if it has none or was dropped.
#[inline]
pub(crate) fn upstream_grad(
    node: &NodeInner,
    i: usize,
    y: Option<&Variable>,
    take: bool,
) -> Variable {
    match y {
        Some(y) => {
            let grad = if take {
                y.inner_mut().grad.take()
            } else {
                y.0.borrow().grad.clone()
            };
            let inner = y.0.borrow();
            match grad {
                Some(g) => g,
                None => Variable::new(ArrayD::zeros(
                    inner
                        .data
                        .as_ref()
                        .map(|d| d.raw_dim())
                        .unwrap_or_else(|| node.output_dims[i].clone()),
                )),
            }
        }
        None => Variable::new(ArrayD::zeros(node.output_dims[i].clone())),
    }
}

/// Panics unless the gradient `g` a variable already holds has the shape of the gradient `gx`
/// being added to it (which has the variable's shape): a grad left from before `set_data`
/// changed the shape would otherwise broadcast silently.
#[inline]
fn check_accumulated(g: &Variable, gx: &Variable) {
    let (Ok(g), Ok(gx)) = (g.0.try_borrow(), gx.0.try_borrow()) else {
        return; // a grad that is its own variable: nothing sensible to compare
    };
    let old = g.data.as_ref().map(|d| d.shape());
    let new = gx.data.as_ref().map(|d| d.shape());
    if old != new {
        accumulation_mismatch(new.unwrap_or_default(), old.unwrap_or_default());
    }
}

#[cold]
fn accumulation_mismatch(shape: &[usize], grad: &[usize]) -> ! {
    panic!(
        "backward(): a variable of shape {shape:?} already holds a grad of shape {grad:?} (from \
         before set_data changed its shape?); cleargrad() it first"
    )
}

/// Panics unless a user function's `backward` returned one gradient per input, each of its
/// input's shape (the message names the function).
pub(crate) fn check_grads(node: &NodeInner, gxs: &[Variable]) {
    let name = node.func.function().name();
    if gxs.len() != node.inputs.len() {
        panic!(
            "function `{name}`: backward returned {} gradients for {} inputs",
            gxs.len(),
            node.inputs.len()
        );
    }
    for (i, (x, gx)) in node.inputs.iter().zip(gxs).enumerate() {
        let x = x.0.borrow();
        let g = gx.0.borrow();
        let (Some(xd), Some(gd)) = (x.data.as_ref(), g.data.as_ref()) else {
            panic!("function `{name}`: backward returned a gradient with no data for input {i}");
        };
        if xd.shape() != gd.shape() {
            panic!(
                "function `{name}`: backward returned a gradient of shape {:?} for input {i} of shape {:?}",
                gd.shape(),
                xd.shape()
            );
        }
    }
}
