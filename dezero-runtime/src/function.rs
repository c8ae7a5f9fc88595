//! The [`Function`] trait users implement, the graph [`Node`] it becomes when applied, and
//! [`apply`], which runs `forward` and connects the graph.
//!
//! # Why the trait has this shape
//!
//! - `forward` works on plain arrays (`&[&ArrayD<f64>]` in, `Vec<ArrayD<f64>>` out): any number
//!   of inputs and outputs (DeZero step 11–12), and no graph bookkeeping in user code.
//! - `backward` works on [`Variable`]s, not arrays. It runs with backprop *disabled* by default,
//!   so it costs no graph; with `create_graph` it runs with backprop enabled and the gradient
//!   computation itself is recorded, which is how DeZero gets higher-order derivatives
//!   (step 33+) without changing any function. A node that prefers arrays (for example a fused
//!   element-wise node) reads `xs[i].data()`, computes its pullback on arrays and wraps the
//!   result with `Variable::new`: allowed, but that gradient is then a constant for
//!   `create_graph`.
//! - `backward` receives the inputs `xs`, the outputs `ys` and the upstream gradients `gys`, so
//!   a rule can use whichever is cheaper (`exp`: `gx = gy * y`; `sin`: `gx = gy * cos(x)`).
//!   The node holds outputs only weakly: `ys[i]` is `None` if the caller dropped that output
//!   (possible only for multi-output functions). A missing upstream gradient is passed as
//!   zeros of that output's shape.
//! - For functions applied with [`apply`] (every user function) the runtime checks what
//!   `backward` returns: one gradient per input, each of its input's shape. A wrong count or
//!   shape panics naming the function. Built-in functions are correct by construction and skip
//!   the check; their fast path (no `Vec` per call, gradients reused in place) is crate-private
//!   (`builtin.rs`), so this trait is all a user implements.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use ndarray::{ArrayD, IxDyn};

use crate::builtin::{Op, User};
use crate::config::is_backprop_enabled;
use crate::variable::{Variable, VariableInner};

/// A differentiable operation: DeZero's `Function` class.
///
/// Implement `forward` on arrays and `backward` on variables, then call it with [`apply`].
///
/// ```
/// use dezero_runtime::{apply, Function, Variable};
/// use ndarray::ArrayD;
///
/// /// y = x². Backward: gx = 2 x gy.
/// struct Square;
/// impl Function for Square {
///     fn name(&self) -> &str { "Square" }
///     fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
///         vec![xs[0].mapv(|x| x * x)]
///     }
///     fn backward(&self, xs: &[Variable], _ys: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
///         vec![2.0 * &xs[0] * &gys[0]]
///     }
/// }
///
/// let x = Variable::from(3.0);
/// let y = apply(Square, &[&x]).remove(0);
/// y.backward();
/// assert_eq!((y.item(), x.grad().unwrap().item()), (9.0, 6.0));
/// ```
pub trait Function: 'static {
    /// A short name for messages and graph walks (`"exp"`, `"add"`, ...).
    fn name(&self) -> &str;

    /// Computes the outputs from the input arrays (as many outputs as the function has).
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>>;

    /// Computes one gradient per input from the upstream gradients `gys` (one per output).
    ///
    /// `xs` are the inputs, `ys` the outputs (`None` where the caller dropped one). Write it with
    /// `Variable` operations so that `create_graph` can record it. Each returned gradient must
    /// have its input's shape.
    fn backward(&self, xs: &[Variable], ys: &[Option<Variable>], gys: &[Variable])
        -> Vec<Variable>;
}

/// Inputs or outputs of a node: one or two inline (the common cases, no allocation), or a `Vec`.
pub(crate) enum Slots<T> {
    One([T; 1]),
    Two([T; 2]),
    Many(Vec<T>),
}

impl<T> Slots<T> {
    pub(crate) fn from_vec(mut v: Vec<T>) -> Self {
        match v.len() {
            1 => Slots::One([v.pop().expect("len 1")]),
            2 => {
                let b = v.pop().expect("len 2");
                let a = v.pop().expect("len 2");
                Slots::Two([a, b])
            }
            _ => Slots::Many(v),
        }
    }

    pub(crate) fn map<U>(&self, mut f: impl FnMut(usize, &T) -> U) -> Slots<U> {
        match self {
            Slots::One([a]) => Slots::One([f(0, a)]),
            Slots::Two([a, b]) => Slots::Two([f(0, a), f(1, b)]),
            Slots::Many(v) => Slots::Many(v.iter().enumerate().map(|(i, x)| f(i, x)).collect()),
        }
    }

    /// Moves every element into `out`, leaving this empty.
    pub(crate) fn take_into(&mut self, out: &mut Vec<T>) {
        match std::mem::replace(self, Slots::Many(Vec::new())) {
            Slots::One(a) => out.extend(a),
            Slots::Two(a) => out.extend(a),
            Slots::Many(v) => out.extend(v),
        }
    }
}

impl<T> std::ops::Deref for Slots<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Slots::One(a) => a,
            Slots::Two(a) => a,
            Slots::Many(v) => v,
        }
    }
}

/// A node; the function is stored inline (`Rc<NodeInner<F>>` unsizes to `Rc<NodeInner>`), so
/// applying a function costs one allocation for the node. `F` is a built-in, or a user
/// function wrapped in [`User`] (see [`Op`]).
pub(crate) struct NodeInner<F: ?Sized = dyn Op> {
    pub(crate) inputs: Slots<Variable>,
    pub(crate) outputs: Slots<Weak<std::cell::RefCell<VariableInner>>>,
    /// Output shapes, kept only for multi-output functions (to make zero gradients for outputs
    /// the caller dropped).
    pub(crate) output_dims: Vec<IxDyn>,
    pub(crate) generation: usize,
    /// The id of the last backward pass that queued this node.
    pub(crate) visited: Cell<u64>,
    pub(crate) func: F,
}

/// A function applied in the graph: its inputs (held strongly) and outputs (held weakly).
///
/// Obtained from [`Variable::creator`]. Cloning is cheap; [`Node::ptr_eq`] compares identity.
///
/// ```
/// use dezero_runtime::{functions::{exp, square}, Variable};
/// let x = Variable::from(0.5);
/// let a = square(&x);
/// let b = exp(&a);
/// let node = b.creator().unwrap();
/// assert_eq!(node.name(), "exp");
/// assert!(node.inputs()[0].ptr_eq(&a));
/// assert!(node.outputs()[0].as_ref().unwrap().ptr_eq(&b));
/// assert!(node.inputs()[0].creator().unwrap().inputs()[0].ptr_eq(&x));
/// ```
#[derive(Clone)]
pub struct Node(pub(crate) Rc<NodeInner>);

impl Node {
    /// The function's name.
    ///
    /// ```
    /// let y = dezero_runtime::functions::sin(dezero_runtime::Variable::from(1.0));
    /// assert_eq!(y.creator().unwrap().name(), "sin");
    /// ```
    pub fn name(&self) -> &str {
        self.0.func.function().name()
    }

    /// The function object itself.
    ///
    /// ```
    /// let y = dezero_runtime::functions::cos(dezero_runtime::Variable::from(1.0));
    /// assert_eq!(y.creator().unwrap().function().name(), "cos");
    /// ```
    pub fn function(&self) -> &dyn Function {
        self.0.func.function()
    }

    /// The input variables, in order.
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// let (a, b) = (Variable::from(1.0), Variable::from(2.0));
    /// let node = (&a + &b).creator().unwrap();
    /// assert!(node.inputs()[1].ptr_eq(&b));
    /// ```
    pub fn inputs(&self) -> &[Variable] {
        &self.0.inputs
    }

    /// The outputs, in order; `None` for an output that has been dropped.
    ///
    /// ```
    /// let node = dezero_runtime::functions::exp(dezero_runtime::Variable::from(1.0)).creator().unwrap();
    /// assert!(node.outputs()[0].is_none()); // the output was a temporary
    /// ```
    pub fn outputs(&self) -> Vec<Option<Variable>> {
        self.0
            .outputs
            .iter()
            .map(|w| w.upgrade().map(Variable))
            .collect()
    }

    /// The generation: the largest generation among the inputs.
    ///
    /// ```
    /// use dezero_runtime::{functions::square, Variable};
    /// let y = square(&square(&Variable::from(1.0)));
    /// assert_eq!(y.creator().unwrap().generation(), 1);
    /// ```
    pub fn generation(&self) -> usize {
        self.0.generation
    }

    /// Whether both handles are the same node.
    ///
    /// ```
    /// let y = dezero_runtime::functions::exp(dezero_runtime::Variable::from(1.0));
    /// assert!(y.creator().unwrap().ptr_eq(&y.creator().unwrap()));
    /// ```
    pub fn ptr_eq(&self, other: &Node) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("function", &self.name())
            .field("generation", &self.0.generation)
            .field("inputs", &self.0.inputs.len())
            .field("outputs", &self.0.outputs.len())
            .finish()
    }
}

/// Applies `f` to `inputs`: runs `forward` on their arrays and wraps each output in a new
/// variable. With backprop enabled the outputs get a creator node holding `f` and the inputs.
///
/// # Panics
/// If an input has no data, or `forward` returns no output.
///
/// ```
/// use dezero_runtime::{apply, functions::Add, Variable};
/// let ys = apply(Add, &[&Variable::from(2.0), &Variable::from(3.0)]);
/// assert_eq!(ys[0].item(), 5.0);
/// ```
#[track_caller]
pub fn apply<F: Function>(f: F, inputs: &[&Variable]) -> Vec<Variable> {
    let ys = {
        let guards: Vec<_> = inputs.iter().map(|x| x.data()).collect();
        let xs: Vec<&ArrayD<f64>> = guards.iter().map(|g| &**g).collect();
        f.forward(&xs)
    };
    if ys.is_empty() {
        panic!("function `{}`: forward returned no output", f.name());
    }
    if !is_backprop_enabled() {
        return ys.into_iter().map(Variable::new).collect();
    }
    let inputs = Slots::from_vec(inputs.iter().map(|&x| x.clone()).collect());
    let generation = inputs.iter().map(Variable::generation).max().unwrap_or(0);
    let output_dims = if ys.len() > 1 {
        ys.iter().map(|y| y.raw_dim()).collect()
    } else {
        Vec::new()
    };
    let outputs: Vec<Variable> = ys
        .into_iter()
        .map(|y| Variable::from_parts(Some(y), None, generation + 1))
        .collect();
    let weak = Slots::from_vec(outputs.iter().map(|y| Rc::downgrade(&y.0)).collect());
    link(User(f), inputs, weak, output_dims, generation, &outputs);
    outputs
}

/// Wraps the one output `y` of `f` in a variable and, with backprop enabled, records the node
/// (the inputs are made only then).
pub(crate) fn connect<O: Op>(
    f: O,
    inputs: impl FnOnce() -> Slots<Variable>,
    y: ArrayD<f64>,
) -> Variable {
    let pooled = crate::pool::poolable(&y);
    if !is_backprop_enabled() {
        let output = Variable::new(y);
        if pooled {
            output.0.borrow_mut().pooled = true;
        }
        return output;
    }
    let inputs = inputs();
    let generation = inputs.iter().map(Variable::generation).max().unwrap_or(0);
    let output = Variable::from_parts(Some(y), None, generation + 1);
    if pooled {
        output.0.borrow_mut().pooled = true;
    }
    let weak = Slots::One([Rc::downgrade(&output.0)]);
    link(
        f,
        inputs,
        weak,
        Vec::new(),
        generation,
        std::slice::from_ref(&output),
    );
    output
}

fn link<O: Op>(
    f: O,
    inputs: Slots<Variable>,
    outputs: Slots<Weak<std::cell::RefCell<VariableInner>>>,
    output_dims: Vec<IxDyn>,
    generation: usize,
    strong: &[Variable],
) {
    let node: Rc<NodeInner> = Rc::new(NodeInner {
        inputs,
        outputs,
        output_dims,
        generation,
        visited: Cell::new(0),
        func: f,
    });
    for y in strong {
        y.0.borrow_mut().creator = Some(Rc::clone(&node));
    }
}
