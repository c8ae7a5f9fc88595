//! dezero-runtime: define-by-run automatic differentiation over `ndarray` (DeZero stages 1–2).
//!
//! Computations on [`Variable`]s record a graph as they run; [`Variable::backward`] walks it in
//! reverse and leaves a gradient in every input.
//!
//! ```
//! use dezero_runtime::{functions::{exp, square}, Variable};
//! // y = (e^(x²))² at x = 0.5
//! let x = Variable::from(0.5);
//! let y = square(&exp(&square(&x)));
//! y.backward();
//! assert_eq!(y.item(), 1.648721270700128);
//! assert_eq!(x.grad().unwrap().item(), 3.297442541400256);
//! ```
//!
//! - [`Variable`]: a cheap handle over an `ArrayD<f64>` with its grad and creator.
//! - [`Function`]: the trait behind every operation; implement it for your own, then [`apply`].
//! - [`functions`]: `square`, `exp`, `sin`, `add`, `sum`, ...; the operators `+ - * /` and unary
//!   `-` work on variables, numbers and arrays, broadcasting like NumPy.
//! - [`no_grad`] / [`using_config`]: scope the backprop switch; [`test_mode`]: scope
//!   inference mode (dropout off).
//! - [`fused::elementwise`]: a scalar function and its pullback as one element-wise node.
//! - [`pool`]: the large arrays the built-in functions allocate are reused, not freed.
//! - [`dot::graph`]: the graph as Graphviz DOT text (DeZero step 26).
//! - [`numerical_diff`] / [`gradient_check`]: check gradients by central differences.
//! - Neural networks (DeZero steps 42–53): [`layers`] and [`models`] hold [`layers::Parameter`]s,
//!   [`optimizers`] update them, [`datasets`] and [`dataloader`] feed them, [`serialize`] saves
//!   them as `.npz`, [`random`] draws like NumPy.
//!
//! # Threads
//!
//! A graph belongs to one thread: `Variable` is an `Rc` handle (neither `Send` nor `Sync`), and
//! the backprop switch of [`no_grad`] / [`using_config`] is per thread. Arrays can be moved
//! between threads with `data().to_owned()`. Within one graph, [`set_num_threads`] lets the
//! element-wise loops over large arrays run on several threads, with the same results bit for
//! bit.
//!
//! # Memory
//!
//! A function node holds its inputs strongly and its outputs weakly, so the graph lives exactly
//! as long as some handle to an output does, and has no reference cycle. Dropping even a chain
//! of a million operations is a loop, not a recursion. The one cycle DeZero's design makes, a
//! variable and the gradient `create_graph` recorded for it (which refers back to it), is
//! freed by the runtime once the program holds neither: see
//! [`BackwardOptions::create_graph`].

mod backward;
mod broadcast;
mod builtin;
mod config;
mod cycles;
mod display;
pub mod dot;
mod error;
mod function;
pub mod functions;
pub mod fused;
pub mod kinks;
mod numerical;
mod ops;
pub mod pool;
mod release;
mod threads;
mod variable;
mod vector_math;

// Neural networks (DeZero steps 42-53).
pub mod dataloader;
pub mod datasets;
pub mod layers;
pub mod models;
pub mod optimizers;
pub mod random;
pub mod serialize;

pub use backward::BackwardOptions;
pub use config::{is_backprop_enabled, no_grad, using_config, Config, ConfigGuard};
pub use error::GradCheckError;
pub use function::{apply, Function, Node};
pub use numerical::{gradient_check, gradient_check_with, numerical_diff, DEFAULT_EPS};
pub use ops::dropout::{is_training, test_mode, TestModeGuard};
pub use threads::{num_threads, set_num_threads};
pub use variable::{Variable, WeakVariable};
pub use vector_math::{set_vector_math, vector_math};
