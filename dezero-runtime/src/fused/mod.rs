//! Fused element-wise nodes: a scalar function and its pullback applied to whole arrays as ONE
//! graph node (what `#[differentiable]`'s generated `<fn>_op` calls).
//!
//! A formula such as Goldstein–Price built from runtime ops records dozens of nodes, each with
//! a full-size intermediate array kept alive for backward. [`elementwise`] records one node that
//! keeps only its inputs: forward runs the scalar function on every element in one pass, and
//! backward runs the scalar pullback on every element in one pass. [`elementwise_parallel`]
//! does the same with the passes split over threads.
//!
//! On Goldstein–Price over 10^6 elements (forward + backward, `cargo bench --bench fused`) the
//! fused node allocates 17.7× fewer bytes at peak than the 38-op composition (22.9 MiB against
//! 404 MiB, starting from an empty buffer cache) and runs 18–25× faster (the bench's fastest
//! of 10), reusing its buffers (below). Backward's seed is one number, 1.0, which the loops
//! read as a constant, unless the pass retains it (`retain_grad`: then ones of the output's
//! shape, as `z.grad`).
//!
//! # Buffer reuse
//!
//! The arrays a fused node allocates (its output, a retained seed of ones for it, its input
//! gradients) are marked: when such a variable is dropped, an array of 65,536 elements or more
//! goes to a small per-thread cache (at most 4 buffers, 64 MiB), and the next fused node of the
//! same size writes into it instead of a fresh allocation. Arrays of other ops are never kept,
//! and an array is never reused while a variable holds it. [`clear_buffer_cache`] frees the
//! cache; [`cached_buffer_bytes`] says how much it holds.
//!
//! ```
//! use dezero_runtime::{fused::elementwise, Variable};
//! // sphere(x, y) = x² + y², pullback: (2x·gy, 2y·gy)
//! let x = Variable::from(ndarray::array![1.0, 2.0, 3.0]);
//! let y = Variable::from(2.0); // broadcast to every element
//! let z = elementwise("sphere", [&x, &y], |[x, y]| x * x + y * y, |[x, y], gz| {
//!     [2.0 * x * gz, 2.0 * y * gz]
//! });
//! z.backward();
//! assert_eq!(*z.data(), ndarray::array![5.0, 8.0, 13.0].into_dyn());
//! assert_eq!(*x.grad().unwrap().data(), ndarray::array![2.0, 4.0, 6.0].into_dyn());
//! assert_eq!(y.grad().unwrap().item(), 12.0); // 3 elements × 2y
//! ```

pub(crate) mod buffers;
mod kernel;

pub use buffers::{cached_buffer_bytes, clear_buffer_cache};

use ndarray::{ArrayD, IxDyn};

use crate::builtin::{applyn, backward_of, forward_of, Builtin};
use crate::config::is_backprop_enabled;
use crate::function::Function;
use crate::ops::reduce::sum_to_array;
use crate::variable::Variable;

/// Applies a scalar function and its pullback element-wise to N variables as ONE graph node.
///
/// - `name` is the node's name ([`Node::name`](crate::Node::name)), usually the scalar
///   function's Rust name.
/// - `f([x0, x1, ..])` is the scalar function; it runs once per element of the broadcast shape.
/// - `pullback([x0, x1, ..], gy)` returns `[∂f/∂x0 · gy, ∂f/∂x1 · gy, ..]` at one element
///   (the vector-Jacobian product, what `#[differentiable]` generates as `<fn>_vjp`).
///
/// The inputs broadcast like the runtime's binary ops (NumPy rules; scalars and 0-dim variables
/// included) without materialising broadcast copies: contiguous inputs and size-1 inputs are
/// read in place, other broadcast inputs through their broadcast views, 128 elements at a
/// time. The result has the broadcast shape. In backward each input's gradient is summed back to that input's shape, as
/// for [`add`](crate::functions::add) and friends.
///
/// The node is a normal [`Function`]: it has a generation, is not recorded under
/// [`no_grad`](crate::no_grad), holds its output weakly, and its intermediate gradients follow
/// `retain_grad`. It keeps only its inputs for backward, no intermediate arrays.
///
/// # Higher-order derivatives
///
/// Not supported through a fused node: the pullback is a black box to the runtime, so the
/// gradient it produces cannot be differentiated again. Backward with
/// [`create_graph`](crate::BackwardOptions::create_graph) panics when it reaches a fused node
/// rather than silently treating its gradient as a constant. Compose runtime ops where second
/// derivatives are needed.
///
/// # Panics
/// If the inputs' shapes do not broadcast together (the message names `name` and every
/// shape); if an input has no data; in backward with `create_graph` (see above).
///
/// ```
/// use dezero_runtime::{fused::elementwise, Variable};
/// // matyas(x, y) = 0.26 (x² + y²) − 0.48 x y, at (1, 1): value 0.04, gradient (0.04, 0.04)
/// let matyas = |[x, y]: [f64; 2]| 0.26 * (x * x + y * y) - 0.48 * x * y;
/// let matyas_vjp = |[x, y]: [f64; 2], g: f64| {
///     [(0.52 * x - 0.48 * y) * g, (0.52 * y - 0.48 * x) * g]
/// };
/// let (x, y) = (Variable::from(1.0), Variable::from(1.0));
/// let z = elementwise("matyas", [&x, &y], matyas, matyas_vjp);
/// z.backward();
/// assert_eq!(z.creator().unwrap().name(), "matyas");
/// assert!((z.item() - 0.04).abs() < 1e-15);
/// assert!((x.grad().unwrap().item() - 0.04).abs() < 1e-15);
/// ```
#[track_caller]
pub fn elementwise<const N: usize, F, P>(
    name: &'static str,
    inputs: [&Variable; N],
    f: F,
    pullback: P,
) -> Variable
where
    F: Fn([f64; N]) -> f64 + 'static,
    P: Fn([f64; N], f64) -> [f64; N] + 'static,
{
    record(name, inputs, OneThread { f, pullback })
}

/// [`elementwise`], with the element loops split over the machine's threads.
///
/// Same node, same results bit for bit; the closures must be `Sync` (plain functions
/// and closures capturing numbers are). Arrays under 65,536 elements, and inputs that are
/// broadcast other than as size-1 constants, still run on one thread. Worth it only when the
/// scalar function is costly and cores are idle: see the benchmark `fused` for figures.
///
/// # Panics
/// As [`elementwise`].
///
/// ```
/// use dezero_runtime::{fused::elementwise_parallel, Variable};
/// let x = Variable::new(ndarray::Array1::linspace(0.0, 1.0, 100_000).into_dyn());
/// let y = elementwise_parallel("sin", [&x], |[x]| x.sin(), |[x], g| [x.cos() * g]);
/// y.backward();
/// assert_eq!(y.data()[99_999], 1f64.sin());
/// assert_eq!(x.grad().unwrap().data()[0], 1.0);
/// ```
#[track_caller]
pub fn elementwise_parallel<const N: usize, F, P>(
    name: &'static str,
    inputs: [&Variable; N],
    f: F,
    pullback: P,
) -> Variable
where
    F: Fn([f64; N]) -> f64 + Sync + 'static,
    P: Fn([f64; N], f64) -> [f64; N] + Sync + 'static,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    record(
        name,
        inputs,
        Threads {
            f,
            pullback,
            threads,
        },
    )
}

#[track_caller]
fn record<const N: usize, L: Loops<N>>(
    name: &'static str,
    inputs: [&Variable; N],
    loops: L,
) -> Variable {
    let y = applyn(Elementwise::<N, L> { name, loops }, &inputs);
    y.0.borrow_mut().recycle = true; // its buffer goes back to the cache when y is dropped
    y
}

/// The element loops of a node: one thread or several.
trait Loops<const N: usize>: 'static {
    fn forward(&self, xs: [&ArrayD<f64>; N], shape: &IxDyn) -> ArrayD<f64>;
    fn backward(&self, xs: [&ArrayD<f64>; N], gy: &ArrayD<f64>, shape: &IxDyn) -> [ArrayD<f64>; N];
}

struct OneThread<F, P> {
    f: F,
    pullback: P,
}

impl<const N: usize, F, P> Loops<N> for OneThread<F, P>
where
    F: Fn([f64; N]) -> f64 + 'static,
    P: Fn([f64; N], f64) -> [f64; N] + 'static,
{
    fn forward(&self, xs: [&ArrayD<f64>; N], shape: &IxDyn) -> ArrayD<f64> {
        kernel::forward(xs, shape, &self.f)
    }
    fn backward(&self, xs: [&ArrayD<f64>; N], gy: &ArrayD<f64>, shape: &IxDyn) -> [ArrayD<f64>; N] {
        kernel::backward(xs, gy, shape, &self.pullback)
    }
}

struct Threads<F, P> {
    f: F,
    pullback: P,
    threads: usize,
}

impl<const N: usize, F, P> Loops<N> for Threads<F, P>
where
    F: Fn([f64; N]) -> f64 + Sync + 'static,
    P: Fn([f64; N], f64) -> [f64; N] + Sync + 'static,
{
    fn forward(&self, xs: [&ArrayD<f64>; N], shape: &IxDyn) -> ArrayD<f64> {
        kernel::forward_parallel(xs, shape, &self.f, self.threads)
    }
    fn backward(&self, xs: [&ArrayD<f64>; N], gy: &ArrayD<f64>, shape: &IxDyn) -> [ArrayD<f64>; N] {
        kernel::backward_parallel(xs, gy, shape, &self.pullback, self.threads)
    }
}

/// y = f(x0, x1, ..) element-wise. Backward: gxk = pullback(x0, x1, .., gy)[k] element-wise,
/// each summed to its input's shape.
struct Elementwise<const N: usize, L> {
    name: &'static str,
    loops: L,
}

impl<const N: usize, L: Loops<N>> Builtin for Elementwise<N, L> {
    const ARITY: usize = N;

    fn label(&self) -> &'static str {
        self.name
    }

    #[track_caller]
    fn value(&self, xs: &[&ArrayD<f64>]) -> ArrayD<f64> {
        let xs: [&ArrayD<f64>; N] = std::array::from_fn(|k| xs[k]);
        let shape = crate::broadcast::shape(self.name, &xs.map(|x| x.shape()));
        self.loops.forward(xs, &shape)
    }

    fn pullback(
        &self,
        xs: &[Variable],
        _: &[Option<Variable>],
        gys: &[Variable],
        gxs: &mut Vec<Variable>,
    ) {
        if is_backprop_enabled() {
            panic!(
                "fused node `{}`: higher-order derivatives (backward with create_graph) are not \
                 supported through a fused element-wise node; compose runtime ops instead",
                self.name
            );
        }
        let guards: Vec<_> = xs.iter().map(|x| x.data()).collect();
        let arrays: [&ArrayD<f64>; N] = std::array::from_fn(|k| &*guards[k]);
        let gy = gys[0].data();
        // The output's shape: gy may be the one-number seed (see `seed`).
        let shape = crate::broadcast::shape(self.name, &arrays.map(|x| x.shape()));
        let grads = self.loops.backward(arrays, &gy, &shape);
        gxs.extend(grads.into_iter().zip(arrays).map(|(gx, x)| {
            if gx.shape() == x.shape() {
                buffers::marked(gx)
            } else {
                let summed = sum_to_array(&gx, x.shape());
                buffers::give(gx);
                buffers::marked(summed)
            }
        }));
    }

    /// Ones of `dim` if the pass retains the seed (as `z.grad`); otherwise one number, 1.0,
    /// which the backward loops read as a constant (it never leaves the pass: a pass without
    /// `retain_grad` clears its outputs' grads), saving a pass that writes ones over the
    /// output's size and one that reads them back.
    fn seed(&self, dim: IxDyn, retained: bool) -> Variable {
        if retained {
            buffers::ones_seed(dim)
        } else {
            Variable::new(ArrayD::from_elem(IxDyn(&[]), 1.0))
        }
    }
}

impl<const N: usize, L: Loops<N>> Function for Elementwise<N, L> {
    fn name(&self) -> &str {
        self.name
    }

    #[track_caller]
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        forward_of(self, xs)
    }

    #[track_caller]
    fn backward(
        &self,
        xs: &[Variable],
        ys: &[Option<Variable>],
        gys: &[Variable],
    ) -> Vec<Variable> {
        backward_of(self, xs, ys, gys)
    }
}
