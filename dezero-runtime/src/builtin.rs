//! The crate-private fast path of the built-in functions, kept out of the public
//! [`Function`] trait (which stays DeZero's `name` / `forward` / `backward`).
//!
//! - [`Builtin`]: what a built-in implements instead: a one-output forward without the `Vec`
//!   ([`Builtin::value`]) and a backward that pushes its gradients into one buffer shared by the
//!   whole pass ([`Builtin::pullback`]). Each built-in also gets the public `Function` impl
//!   from [`builtin_function!`], so `apply(Add, ..)` and [`Node::function`](crate::Node::function)
//!   work as for any function.
//! - [`Op`]: the type a graph node stores its function as. A built-in is its own `Op`: its node
//!   hands it its outputs' grads by move (so a gradient nothing else holds can be reused in
//!   place) and trusts its gradients. A user function is wrapped in [`User`]: its outputs keep
//!   their grads while its `backward` runs, and what it returns is checked (count and shapes).
//!   One virtual call per node either way.
//! - [`apply1`], [`apply2`], [`applyn`]: applying a built-in with no intermediate `Vec`s.

use ndarray::{ArrayD, IxDyn};

use crate::backward::{check_grads, upstream_grad};
use crate::function::{connect, Function, NodeInner, Slots};
use crate::variable::Variable;

/// A built-in function: one output, a fixed number of inputs, correct by construction.
pub(crate) trait Builtin: Function {
    /// The number of inputs.
    const ARITY: usize;

    /// The function's name (what its `Function::name` returns).
    fn label(&self) -> &'static str;

    /// The output, from the input arrays (exactly [`ARITY`](Builtin::ARITY) of them). Checks
    /// the shapes it needs and panics naming the function and the shapes.
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64>;

    /// Pushes one gradient per input onto `gxs`, each of its input's shape.
    fn pullback(
        &self,
        xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    );

    /// [`pullback`](Builtin::pullback) inside a backward pass: the gradient of an input that is
    /// a [`Variable::constant`] is dropped by the pass unread, so a built-in may push any
    /// placeholder for it instead of computing it (`matmul`, `linear`). By default the pullback.
    fn grads(
        &self,
        xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        self.pullback(xs, ys, gys, gxs);
    }

    /// Backward's seed when the output of this function is the variable `backward` is called
    /// on: ones of `dim`, pooled (fused nodes take theirs from their buffer cache, or give one
    /// number when the seed is not retained). `retained`: the pass keeps outputs' grads.
    fn seed(&self, dim: IxDyn, _retained: bool) -> Variable {
        crate::pool::variable(crate::pool::filled(dim, 1.0))
    }
}

/// What a graph node stores its function as (see the module doc).
pub(crate) trait Op: 'static {
    /// The function, as users see it ([`Node::function`](crate::Node::function)).
    fn function(&self) -> &dyn Function;

    /// Runs this node's backward in a pass: reads (or, for a built-in without `retain_grad`,
    /// takes) its outputs' grads, and pushes one gradient per input onto `gxs`.
    fn backward_node(
        &self,
        node: &NodeInner,
        ys: &[Option<Variable>],
        retain_grad: bool,
        gxs: &mut Vec<Variable>,
    );

    /// Backward's seed for an output of this node (`retained`: the pass keeps it).
    fn seed(&self, dim: IxDyn, retained: bool) -> Variable;
}

impl<B: Builtin> Op for B {
    fn function(&self) -> &dyn Function {
        self
    }

    #[inline]
    fn backward_node(
        &self,
        node: &NodeInner,
        ys: &[Option<Variable>],
        retain_grad: bool,
        gxs: &mut Vec<Variable>,
    ) {
        // The outputs hand over their grads (cleared after this node anyway without
        // retain_grad): a gradient nothing else holds can then be reused in place.
        let take = !retain_grad;
        let gys = node
            .outputs
            .map(|i, _| upstream_grad(node, i, ys[i].as_ref(), take));
        self.grads(&node.inputs, ys, &gys, gxs);
    }

    fn seed(&self, dim: IxDyn, retained: bool) -> Variable {
        Builtin::seed(self, dim, retained)
    }
}

/// A user function in a node: applied with [`apply`](crate::apply), its gradients checked.
pub(crate) struct User<F>(pub(crate) F);

impl<F: Function> Op for User<F> {
    fn function(&self) -> &dyn Function {
        &self.0
    }

    fn backward_node(
        &self,
        node: &NodeInner,
        ys: &[Option<Variable>],
        _retain_grad: bool,
        gxs: &mut Vec<Variable>,
    ) {
        let gys = node
            .outputs
            .map(|i, _| upstream_grad(node, i, ys[i].as_ref(), false));
        gxs.extend(self.0.backward(&node.inputs, ys, &gys));
        drop(gys);
        check_grads(node, gxs);
    }

    fn seed(&self, dim: IxDyn, _retained: bool) -> Variable {
        Variable::new(ArrayD::ones(dim))
    }
}

/// Implements the public [`Function`] of built-ins from their [`Builtin`] impl.
macro_rules! builtin_function {
    ($($ty:ty),* $(,)?) => {
        $(
            impl $crate::Function for $ty {
                fn name(&self) -> &str {
                    $crate::builtin::Builtin::label(self)
                }
                #[track_caller]
                fn forward(&self, xs: &[&ndarray::ArrayD<f64>]) -> Vec<ndarray::ArrayD<f64>> {
                    $crate::builtin::forward_of(self, xs)
                }
                #[track_caller]
                fn backward(
                    &self,
                    xs: &[$crate::Variable],
                    ys: &[Option<$crate::Variable>],
                    gys: &[$crate::Variable],
                ) -> Vec<$crate::Variable> {
                    $crate::builtin::backward_of(self, xs, ys, gys)
                }
            }
        )*
    };
}
pub(crate) use builtin_function;

/// [`Function::forward`] of a built-in: its [`Builtin::value`] in a `Vec`, after checking the
/// number of inputs.
#[track_caller]
pub(crate) fn forward_of<B: Builtin>(f: &B, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
    if xs.len() != B::ARITY {
        panic!(
            "function `{}`: takes {} input(s), got {}",
            f.label(),
            B::ARITY,
            xs.len()
        );
    }
    vec![f.value(xs)]
}

/// [`Function::backward`] of a built-in: its [`Builtin::pullback`] into a `Vec`, after checking
/// the number of inputs and upstream gradients.
#[track_caller]
pub(crate) fn backward_of<B: Builtin>(
    f: &B,
    xs: &[Variable],
    ys: &[Option<Variable>],
    gys: &[Variable],
) -> Vec<Variable> {
    if xs.len() != B::ARITY || gys.len() != 1 {
        panic!(
            "function `{}`: backward takes {} input(s) and 1 upstream gradient, got {} and {}",
            f.label(),
            B::ARITY,
            xs.len(),
            gys.len()
        );
    }
    let mut gxs = Vec::with_capacity(B::ARITY);
    f.pullback(xs, ys, gys, &mut gxs);
    gxs
}

/// Applies a one-input built-in: no intermediate `Vec`s.
#[track_caller]
pub(crate) fn apply1<B: Builtin>(f: B, x: &Variable) -> Variable {
    debug_assert_eq!(B::ARITY, 1);
    let y = f.value(&[&*x.data()]);
    connect(f, || Slots::One([x.clone()]), y)
}

/// Applies a two-input built-in.
#[track_caller]
pub(crate) fn apply2<B: Builtin>(f: B, x0: &Variable, x1: &Variable) -> Variable {
    debug_assert_eq!(B::ARITY, 2);
    let y = f.value(&[&*x0.data(), &*x1.data()]);
    connect(f, || Slots::Two([x0.clone(), x1.clone()]), y)
}

/// Applies a built-in of any number of inputs.
#[track_caller]
pub(crate) fn applyn<B: Builtin>(f: B, xs: &[&Variable]) -> Variable {
    debug_assert_eq!(B::ARITY, xs.len());
    let y = {
        let guards: Vec<_> = xs.iter().map(|x| x.data()).collect();
        let arrays: Vec<&ArrayD<f64>> = guards.iter().map(|g| &**g).collect();
        f.value(&arrays)
    };
    connect(
        f,
        || Slots::from_vec(xs.iter().map(|&x| x.clone()).collect()),
        y,
    )
}
