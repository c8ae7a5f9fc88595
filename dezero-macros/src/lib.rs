//! dezero-macros: `#[differentiable]`, compile-time reverse-mode automatic differentiation.
//!
//! The attribute lowers the body of an ordinary Rust function into forward code plus
//! generated adjoint code at compile time: no graph, no tape for straight-line code, and
//! output a person can read with `cargo expand`. Use it through the `dezero` crate
//! (`dezero::differentiable`, `dezero::custom_vjp`), whose pages carry the same documentation;
//! the generated code names the runtime only through `::dezero::__private`.
//!
//! - [`macro@differentiable`]: the user guide. What it generates (`f_grad`, `f_vjp`, `f_op`,
//!   `f_dot`), the language it accepts, how `if` and `for` are differentiated, forward mode
//!   for one float parameter, the fused runtime node, benchmarks.
//! - [`macro@custom_vjp`]: a hand-written pullback for a function the macro cannot see into.
//!
//! ```
//! use dezero::differentiable;
//!
//! #[differentiable]
//! fn sphere(x: f64, y: f64) -> f64 {
//!     x * x + y * y
//! }
//!
//! // z = x^2 + y^2 at (1, 1): dz/dx = 2x = 2, dz/dy = 2y = 2
//! assert_eq!(sphere_grad(1.0, 1.0), (2.0, (2.0, 2.0)));
//! ```

use proc_macro::TokenStream;

mod arrays;
mod ast;
mod custom;
mod dot;
mod emit;
mod errors;
mod expand;
mod ir;
mod names;
mod op;
mod primitives;
mod prune;
mod reverse;
mod source;
mod tangent;
mod tree;
mod validate;

#[cfg(test)]
mod snapshots;

#[cfg(test)]
mod no_panic;

#[cfg(test)]
mod bodies;

#[cfg(test)]
mod scale;

/// Generates, at compile time, the derivatives of a float function `f`: `f_grad` (value and
/// gradient), `f_vjp` (pullback), `f_op` (`f` as ONE node of a runtime graph) and, with
/// `#[differentiable(dot)]`, `f_dot` (the graph the macro built, as Graphviz DOT).
///
/// The attribute lowers the body of an ordinary Rust function into forward code plus
/// generated reverse-mode adjoint code: no graph, no tape for straight-line code, and output
/// a person can read with `cargo expand` (`cargo install cargo-expand`, then `cargo expand
/// --example NAME` or `cargo expand --lib`). A function of one float parameter gets
/// forward-mode code instead, see [below](#one-float-parameter-forward-mode). This page is the
/// user guide; the sections below say what is generated, what the body may contain and how
/// each construct is differentiated.
///
/// ```
/// use dezero::differentiable;
///
/// /// Goldstein-Price's little sister.
/// #[differentiable(grad = matyas_value_and_grad)]
/// pub fn matyas(x: f64, y: f64) -> f64 {
///     0.26 * (x * x + y * y) - 0.48 * x * y
/// }
///
/// #[differentiable]
/// fn relu_sum(x: f32, n: u32) -> f32 {
///     let mut s = 0.0;
///     for i in 0..n {
///         let shifted = x - i as f32;
///         if shifted > 0.0 {
///             s += shifted;
///         }
///     }
///     s
/// }
///
/// let (z, (gx, gy)) = matyas_value_and_grad(1.0, 1.0);
/// assert!((z - 0.04).abs() < 1e-12);
/// assert_eq!((gx, gy), (0.040000000000000036, 0.040000000000000036));
/// // x = 2.5, n = 4: the terms 2.5, 1.5, 0.5 are positive, so ds/dx = 3
/// assert_eq!(relu_sum_grad(2.5, 4), (4.5, 3.0));
/// ```
///
/// # The contract
///
/// For `#[differentiable] fn f(a: f64, b: f64, n: usize) -> f64 { .. }` the same scope gets:
///
/// | item | signature | meaning |
/// |------|-----------|---------|
/// | `f` | unchanged | the user's function, token for token |
/// | `f_grad` | `(a, b, n) -> (f64, (f64, f64))` | value and gradient w.r.t. every float parameter, in parameter order |
/// | `f_vjp` | `(a, b, n, seed: f64) -> (f64, f64)` | the pullback of `seed`; generated code calls it to compose annotated functions |
/// | `f_op` | `(a: &Variable, b: &Variable, n) -> Variable` | `f` element-wise on runtime variables as ONE graph node (see [below](#two-engines-together-f_op-and-f_dot)) |
/// | `f_dot` | `() -> &'static str` | with `#[differentiable(dot)]` only: the static graph the macro built, as Graphviz DOT |
///
/// - With exactly one float parameter the gradient is a bare float: `f_grad(a, n) -> (f64, f64)`,
///   `f_vjp(a, n, seed) -> f64`.
/// - Integer and `bool` parameters are constants: passed through, no gradient.
/// - A function computes in `f64` or in `f32` (one of them throughout).
/// - A function returning a tuple `(f64, f64)` gets only `f_vjp`, with one seed per result
///   (`seed0, seed1`): the gradient of a vector-valued function is a Jacobian, and the pullback
///   is what composition needs.
/// - `#[differentiable(grad = name, vjp = name, op = name)]` renames the generated functions
///   (composition looks for `<callee>_vjp`, so rename `vjp` only for functions nobody calls);
///   `no_op` generates no `f_op` (for associated functions in an `impl` block); `dot` adds `f_dot`.
/// - Visibility, attributes and doc comments of `f` carry over to the generated functions;
///   each also gets a one-line doc saying what it is.
/// - Stable names: `<fn>_grad`, `<fn>_vjp`, `<fn>_op`, `<fn>_dot` and their signatures. The locals inside generated
///   bodies (`t0`, `x_1`, `x_bar`, `c0`, `tape0`) may change between releases.
///
/// ```
/// use dezero::differentiable;
///
/// #[differentiable]
/// fn sphere(x: f64, y: f64) -> f64 {
///     x * x + y * y
/// }
///
/// // z = x^2 + y^2 at (1, 1): dz/dx = 2x = 2, dz/dy = 2y = 2
/// assert_eq!(sphere_grad(1.0, 1.0), (2.0, (2.0, 2.0)));
/// assert_eq!(sphere_vjp(1.0, 1.0, 0.5), (1.0, 1.0));
/// ```
///
/// # What it generates
///
/// For `fn matyas(x: f64, y: f64) -> f64 { 0.26 * (x * x + y * y) - 0.48 * x * y }`,
/// `matyas_grad` expands to (`cargo expand` shows it; this is the snapshot
/// `dezero-macros/tests/expand/matyas.expanded.rs`, which a test compares with this page):
///
/// <!-- snapshot: dezero-macros/tests/expand/matyas.expanded.rs -->
/// ```text
/// fn matyas_grad(x: f64, y: f64) -> (f64, (f64, f64)) {
///     let t0 = x * x;  // forward sweep: one `let` per primitive
///     let t1 = y * y;
///     let t2 = t0 + t1;
///     let t3 = 0.26 * t2;
///     let t4 = 0.48 * x;
///     let t5 = t4 * y;
///     let out = t3 - t5;
///     let out_bar = 1.0;  // reverse sweep
///     let y_bar = out_bar * ((0.26 * (2.0 * y)) - t4);
///     let x_bar = out_bar * ((0.26 * (2.0 * x)) - (y * 0.48));
///     (out, (x_bar, y_bar))
/// }
/// ```
///
/// `matyas_vjp(x, y, seed)` is the same reverse sweep with `out_bar = seed`, after only the
/// forward values it reads (`t4`). The reverse sweep is built in exact reverse order, one
/// adjoint contribution per use of each value (`t3_bar = out_bar`, `t5_bar = -out_bar`,
/// `t2_bar = t3_bar * 0.26`, ...), then simplified before it is printed: an adjoint reached
/// through copies, negations and constant scalings is inlined into its uses, and the
/// contributions to one adjoint that share a root adjoint are grouped into one product
/// `root_bar * (m1 + m2)` whose multipliers come from forward values, as a hand-written
/// gradient factors them. The terms left are summed in one `let` as a balanced tree
/// (`let x_bar = (a + b) + (c - d);`), so the additions do not wait on each other; a loop
/// accumulator adds its previous value last (`let x_bar = (a + b) + x_bar;`).
///
/// # The language it accepts
///
/// - Float literals and parameters, `+ - * /`, unary `-`, parentheses, `+= -= *= /=`.
/// - The methods `powi` (integer exponent), `powf` (constant or variable exponent), `exp`, `ln`,
///   `log10`, `sqrt`, `sin`, `cos`, `tan`, `tanh`, `sinh`, `cosh`, `abs`, `recip`, `max`, `min`,
///   `hypot`, `atan2`, `atan`, `asin`, `acos`, `asinh`, `acosh`, `atanh`, `cbrt`, `ln_1p`,
///   `exp_m1`, `exp2`, `log2`, `mul_add`, `clamp`, and `signum`, `floor`, `ceil`, `round`,
///   `trunc` (derivative 0), also written `f64::exp(x)`; and `sigmoid(x)`, `softplus(x)`,
///   `erf(x)`, `erfc(x)` of `dezero::math` (the macro recognises any path ending in one of those
///   names that is bare or goes through a `math` module). Each primitive's derivative is written
///   once, for both modes; at kinks, ties and NaNs (`abs` at 0, `max` ties, `x.powi(0)` at 0,
///   `clamp` at its bounds) the macro and the runtime follow one convention, the table of
///   `dezero::kinks`.
/// - `let` (optionally typed), shadowing, `let mut` with reassignment (lowered to SSA
///   versions `y`, `y_1`, ..), blocks as expressions.
/// - `if`/`else if`/`else`, as expressions and statements, nested, on comparisons of any values
///   (`&&`, `||`, `!` too). Only the branch taken contributes to the gradient.
/// - `for i in a..b` and `a..=b`, bounds constants or integer expressions; `i as f64` makes the
///   index a (constant) float. Variables the body reassigns are loop-carried.
/// - Early `return`: `if c { ..; return e; } rest` is lowered as `if c { ..; e } else { rest }`;
///   `return` works at the top level of the body and in such `if`s, not inside loops.
/// - Calls `g(a, b)` of other `#[differentiable]` (or `#[custom_vjp]`) functions: the forward
///   calls `g`, the reverse sweep calls `g_vjp(a, b, y_bar)`. Integer arguments pass through.
///   A callee returning a tuple is bound with `let (u, v) = g(..);`.
/// - A tuple `(a, b)` as the function's result.
/// - Expressions that mention no float (integer and `bool` arithmetic on constants, including
///   their method calls such as `n.pow(2)`) are copied verbatim: they are constants.
///
/// Size: a body may be one expression of any length (a sum of 10,000 products) and thousands
/// of `let`s; the macro's time grows about linearly with it. Parentheses may nest 4,000 deep
/// (rustc's own parser stops well before), blocks, `if`s and `else if` links 128 deep; deeper
/// is a `compile_error!` asking to split the expression with `let`.
///
/// Anything else is a `compile_error!` at that code, saying what is not supported and what to
/// write instead: `while`/`loop`, closures, unknown methods, references, `unsafe`, `match`,
/// `break`/`continue`, items and macros inside the body, generics over types, float-to-integer
/// `as` casts, `%` on floats. A call `g(x)` of a function `g` of the same module that is not
/// annotated is reported at the call (annotate `g`, or give it a
/// [`custom_vjp`](attr.custom_vjp.html)): the macro reads that from the function's source file
/// where it can; otherwise (`other::g(x)`, a module with glob imports, macro-generated code)
/// rustc reports it at the call as "cannot find function `g_vjp`". On error the expansion is
/// the errors, the function (unchanged but for the mistakes reported, so rustc does not repeat
/// them) and `unreachable!()` stubs of `f_grad`/`f_vjp`, so callers see one error, not a
/// cascade. The macro never panics.
///
/// # Slices, arrays and `&mut` buffers
///
/// A function with a slice, array or reference parameter is differentiated over memory:
/// parameters `&[F]`, `&mut [F]`, `&[F; N]`, `&mut [F; N]`, `[F; N]`, `&Vec<F>`, `&mut F` and
/// integer slices beside the scalars; results `-> F`, `-> [F; N]` or none (the `&mut`
/// buffers). The body may index (`x[i]`, `obs[2 * i] as usize`), write (`v[i] = e`, `+=`,
/// `*=`, `*out = e`), take `x.len()`, views (`let t = &x[a..];`), local buffers
/// (`vec![0.0; n]` at the top, `[0.0; N]` and `[a, b, c]` anywhere), loop over ranges and
/// `x.iter()`, reduce
/// (`x.iter().map(|v| e).sum::<F>()`, `(a..b).map(|i| e).sum::<F>()`), branch, call other
/// annotated functions with sub-slices (`g(d, &x[i * d..], &mut ws)`) and unannotated ones on
/// constants, and keep `assert!`s. `wrt(a, b)` names the differentiated parameters (default:
/// every float one).
///
/// - `f_grad(..) -> (F, grads)` for a float result: `Vec<F>` per slice, `[F; N]` per array.
/// - `f_vjp(..)`: after each float slice `x` its shadow `x_bar: &mut [F]` (Enzyme's
///   `Duplicated`), into which the gradient is added; a `&mut` buffer's shadow is its seed;
///   `-> [F; N]` takes `seed: [F; N]` (a unit seed gives a Jacobian row); the float scalars'
///   gradients are returned. What a `&mut` buffer holds afterwards is unspecified, and so is
///   what the shadow of a slice outside `wrt(..)` holds (scratch space for the helpers).
/// - `f_vjp_fwd(.., tape: &mut Vec<F>)` and `f_vjp_rev(<f_vjp's parameters>.., tape)`: the two
///   halves of `f_vjp`. The forward half runs `f` (returning its result) and pushes onto `tape`
///   what the reverse sweep needs; the reverse half pops exactly that and adds the gradients as
///   `f_vjp` does. Annotated callers call the halves, so a helper's forward code runs once; a
///   Jacobian is one forward half, then one reverse half per row from a copy of the record.
/// - `f_op(..)`: ONE runtime node whose inputs are the `wrt` slices as `Variable`s.
/// - A call that passes a value carrying a derivative to a helper whose `wrt(..)` leaves that
///   parameter out is a compile error at the argument (through `f_vjp_wrt()`, a `const fn`).
///
/// The reverse sweep restores what the forward sweep overwrote from a tape (lent by a per-thread
/// pool: no allocation per call once warm), only where a derivative needs the old value. It
/// computes again the cheap values a derivative reads (arithmetic); in loops, the forward sweep
/// keeps the costly ones (`exp`, `ln`, `sin`, .., a libm call) on the tape instead.
///
/// ```
/// #[dezero::differentiable(wrt(w))]
/// fn weighted_sq(w: &[f64], x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() {
///         s += w[i] * x[i] * x[i];
///     }
///     s
/// }
/// let (v, gw) = weighted_sq_grad(&[1.0, 2.0], &[3.0, 4.0]);
/// assert_eq!((v, gw), (41.0, vec![9.0, 16.0]));
///
/// // the split pullback: one forward half, the reverse half from its record
/// let mut tape = Vec::new();
/// let value = weighted_sq_vjp_fwd(&[1.0, 2.0], &[3.0, 4.0], &mut tape);
/// let (mut w_bar, mut x_bar) = ([0.0; 2], [0.0; 2]);
/// weighted_sq_vjp_rev(&[1.0, 2.0], &mut w_bar, &[3.0, 4.0], &mut x_bar, 1.0, &mut tape);
/// assert_eq!((value, w_bar, tape.len()), (41.0, [9.0, 16.0], 0));
/// ```
///
/// # How control flow is differentiated
///
/// - `if`: the forward saves the condition (`let c0 = x < 0.0;`) and merges the values the
///   branches change (`let y_2 = if c0 { ..; y_1 } else { ..; y };`). The reverse sweep is
///   `let (x_bar, ..) = if c0 { <recompute the branch>; <its adjoint>; (x_bar, ..) } else { .. };`:
///   the values of the taken branch that its adjoint reads are recomputed (values inside a
///   branch are not in scope after it), so a branch costs at most its forward twice.
/// - `for`: the forward saves, per iteration, the loop-carried values the reverse sweep reads
///   (none: no tape) on a tape: an array `[0.0; N]` when both bounds are integer literals (at
///   most 4096 iterations), otherwise a slice of a 32-entry stack array, or of one `Vec` sized
///   from the range when the loop runs longer (one allocation per loop execution, the only
///   place generated code allocates). The reverse runs `(lo..hi).rev()`, restores that
///   iteration's state, recomputes what the iteration's adjoint reads and runs it, updating
///   `let mut` adjoint accumulators declared before the loop.
/// - Forward code nothing reads is not emitted: a `_vjp` does not compute the value unless its
///   adjoint needs it, and a recomputed branch keeps only what its adjoint reads. Calls of
///   annotated functions are assumed pure (as differentiating them already assumes).
///
/// # One float parameter: forward mode
///
/// With exactly one float parameter (and no calls of other annotated functions) the gradient
/// is one directional derivative, so `f_grad` and `f_vjp` run in forward (tangent) mode
/// instead: one sweep carrying `v_dot = dv/dx` beside every value, through `if`s (merged like
/// the values) and loops (carried like the values), no tape; `f_vjp(x, seed)` is
/// `seed * f'(x)`. A loop then runs once, as in a hand-written derivative.
///
/// For step 9's chain `fn square_exp_square(x: f64) -> f64 { let a = x.powi(2); let b =
/// a.exp(); b.powi(2) }` (snapshot `dezero-macros/tests/expand/square_exp_chain.expanded.rs`):
///
/// <!-- snapshot: dezero-macros/tests/expand/square_exp_chain.expanded.rs -->
/// ```text
/// pub fn square_exp_square_grad(x: f64) -> (f64, f64) {
///     let x_dot = 1.0;
///     let a = x.powi(2);
///     let a_dot = x_dot * (2.0 * x);
///     let b = a.exp();
///     let b_dot = a_dot * b;
///     let out = b.powi(2);
///     let out_dot = b_dot * (2.0 * b);
///     (out, out_dot)
/// }
/// ```
///
/// # Custom derivative rules
///
/// A function the macro cannot see into (a library call, a numerically careful formula) gets a
/// hand-written pullback with [`custom_vjp`](attr.custom_vjp.html); annotated functions then call
/// it like any other.
///
/// # Two engines together: `f_op` and `f_dot`
///
/// `f_op` puts a compiled function into a define-by-run graph: forward runs `f` on every
/// element of its inputs (broadcast like the runtime's binary ops, 0-dim and scalar variables
/// included), backward runs `f_vjp` on every element and sums each input's gradient back to
/// its shape. It is ONE node (`dezero::fused::elementwise`) named after the Rust function, with
/// no intermediate arrays, instead of one runtime op per primitive. Integer and `bool`
/// parameters stay plain values, captured by the node. `#[custom_vjp]` functions get an `f_op`
/// too.
///
/// Only `f64` functions with one result and no generic parameters get an `f_op`: the runtime's
/// arrays hold `f64`, a fused node has one output, and the node's closures call `f` without
/// naming generic arguments. Higher-order derivatives do not go through the node (backward with
/// `create_graph` panics there): the pullback is compiled code, opaque to the runtime.
/// In an `impl` block `f_grad`, `f_vjp` and `f_op` are associated functions; `f_op` calls
/// `Self::f` and `Self::f_vjp`, which the macro knows to write from the function's source file
/// (where it cannot read it, as in macro-generated code, write `#[differentiable(no_op)]`).
/// Annotated associated functions call each other as `Self::g(x)`.
/// `#[differentiable(no_op)]` leaves `f_op` out, `#[differentiable(op = name)]` renames it.
///
/// ```
/// use dezero::{differentiable, Variable};
///
/// #[differentiable(dot)]
/// fn taylor_sin(x: f64, n: usize) -> f64 {
///     let mut y = 0.0;
///     let mut term = x;
///     for i in 0..n {
///         y += term;
///         let k = (2 * i + 2) as f64;
///         term = -term * x * x / (k * (k + 1.0));
///     }
///     y
/// }
///
/// let x = Variable::from(vec![0.0, 0.5, 1.0]);
/// let y = taylor_sin_op(&x, 20); // one node named "taylor_sin", `n` passed by value
/// y.backward();
/// assert_eq!(y.creator().unwrap().name(), "taylor_sin");
/// let dx = x.grad().unwrap().data().clone();
/// // d/dx sin x = cos x, to rounding with 20 terms
/// assert!((dx[[1]] - 0.5f64.cos()).abs() < 1e-15);
///
/// // The static graph: one float parameter, so a "forward" and a "tangent" cluster (no
/// // reverse sweep: `taylor_sin_grad` and `taylor_sin_vjp` run in forward mode), the loop
/// // a cluster of each.
/// let dot = taylor_sin_dot();
/// assert!(dot.starts_with("digraph \"taylor_sin\""));
/// assert!(dot.contains("label=\"forward mode (one float parameter)\""));
/// assert!(dot.contains("label=\"tangent (taylor_sin_vjp)\""));
/// assert!(dot.contains("label=\"for i in 0..n\""));
/// assert!(dot.contains("[label=\"x_dot\"]") && !dot.contains("_bar"));
/// ```
///
/// `f_dot()` (generated with `#[differentiable(dot)]`) returns the graph of what the macro
/// built, at compile time: the primal instructions (`mul`, `powi(2)`, `sub(19.0, ·)` with `·`
/// a value input) and the `f_vjp` reverse sweep (each contribution a box labelled with the
/// expression the generated code computes, e.g. `t0_bar * x`). Values are ovals named as in
/// the generated code (`x`, `t3`, `x_bar`); `if` and `for` are clusters whose merges are `phi`
/// boxes and whose loop-carried values are `loop` boxes with a dashed back edge; a dashed gray
/// edge is the reverse sweep reading a forward value. For a function with one float parameter
/// (forward mode, see above) the second cluster is the tangent sweep `f_grad` and `f_vjp` run
/// instead, and the graph is labelled "forward mode (one float parameter)": tangents are ovals
/// (`x_dot = 1.0`, `t0_dot`), each tangent rule a box labelled with the expression the
/// generated code computes (`x_dot * (2.0 * x)`), reading forward values along dashed gray
/// edges, and the last box is `f_vjp`'s result `seed * out_dot`. Render it with
/// `dot -Tsvg f.dot -o f.svg`. The layout of the text may change between releases.
///
/// # Benchmarks
///
/// `cargo bench --bench differentiable` (Criterion, in the workspace's `dezero-benches` package) times value + full gradient of
/// Goldstein–Price, Rosenbrock and a 20-term Taylor sine (a loop): `f_grad` against a
/// hand-written gradient, the primal alone, the runtime, and the crates a Rust user would pick
/// instead (`num-dual` forward mode; `easy-ml` and `reverse` tapes), at one fixed point and
/// over 1024 varied points. `cargo bench --bench differentiable -- summary` prints these
/// ratios from the fastest of 200 runs (one run, a shared and noisy 2-core machine):
///
/// | ratio (one point / 1024 points) | Goldstein–Price | Rosenbrock | Taylor sin, 20 terms |
/// |---|---|---|---|
/// | generated / hand-written | 1.05 / 1.16 | 1.07 / 1.09 | 0.96 / 0.92 |
/// | generated / primal | 2.50 / 2.06 | 1.63 / 1.87 | 1.27 / 1.27 |
/// | `num-dual` time / generated | 1.05 / 1.21 | 1.91 / 1.54 | 1.23 / 1.23 |
/// | `easy-ml` time / generated | 46 / 80 | 108 / 150 | 9 / 9 |
/// | `reverse` time / generated | 53 / 99 | 118 / 166 | 10 / 10 |
///
/// Goals: ≤ 1.1× hand-written, ≤ 3× primal, faster than every peer. Met for the Taylor loop
/// (one float parameter: forward mode, the loop runs once) and Rosenbrock; for Goldstein–Price
/// (1.48 / 1.63 before) the reverse sweep factors each shared adjoint out of the sums, as the
/// hand-written gradient does, and reads through the last link of each adjoint chain so the
/// forward products are ready before the late factor; it misses ≤ 1.1× only over 1024 points.
/// Reassociated adjoint sums, reciprocals and forward-mode tangents can change the last bits
/// of a gradient; the value `f_grad` returns is `f`'s, bit for bit.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(attr.into(), item.into()).into()
}

/// Attaches a hand-written pullback to a function the macro cannot see into, as JAX's
/// `custom_vjp`; `#[differentiable]` functions can then call it like an annotated function.
///
/// `#[custom_vjp(pullback)] fn f(x: f64, n: i32) -> f64` keeps `f` and generates
/// `f_vjp(x, n, seed) -> f64`, which calls `pullback(x, n, seed)` (so `pullback` has exactly
/// the `_vjp` signature: the parameters, then one seed per result, returning the gradient of
/// each float parameter), and, for a single `f64` result, `f_grad(x, n) -> (f64, f64)` =
/// `(f(x, n), f_vjp(x, n, 1.0))` and `f_op`, `f` element-wise on runtime variables as ONE
/// graph node whose backward runs `f_vjp`, as for [`differentiable`](attr.differentiable.html).
///
/// ```
/// use dezero::{custom_vjp, differentiable};
///
/// /// A numerically careful `ln(1 + e^x)` with its derivative written by hand.
/// #[custom_vjp(softplus_pullback)]
/// fn softplus(x: f64) -> f64 {
///     if x > 30.0 { x } else { x.exp().ln_1p() }
/// }
///
/// fn softplus_pullback(x: f64, seed: f64) -> f64 {
///     seed * dezero::math::sigmoid(x)
/// }
///
/// #[differentiable]
/// fn loss(w: f64) -> f64 {
///     softplus(2.0 * w) * 0.5
/// }
///
/// // d/dw 0.5 softplus(2w) = sigmoid(2w); at w = 0 that is 0.5
/// assert_eq!(loss_grad(0.0).1, 0.5);
/// ```
#[proc_macro_attribute]
pub fn custom_vjp(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::custom_vjp(attr.into(), item.into()).into()
}
