//! A compiled function over slices as ONE node of a runtime graph: what `#[differentiable]`'s
//! `f_op` builds for a function with slice parameters.

use dezero_runtime::{apply, Function, Variable};
use ndarray::ArrayD;
use std::borrow::Cow;

/// The node: the function of the inputs' data (each read in standard order as one slice),
/// and its pullback, which adds `seed · df/dx_i` into the `i`-th shadow.
struct SliceFn<const N: usize, F, P> {
    name: &'static str,
    f: F,
    pullback: P,
}

/// Builds the node `name` over `inputs`; its output is a 0-dimensional array. Its backward
/// calls `pullback` (compiled code, not runtime ops), so it is differentiated once: under
/// `create_graph` its gradients are constants of the new graph.
///
/// `f` gets each input's data as a slice (arrays of any shape, in standard order);
/// `pullback` gets them again, the seed, and one zeroed shadow per input to add the
/// gradient into.
///
/// # Panics
///
/// In backward, if `pullback` leaves a shadow of the wrong length (it cannot: the shadows
/// are allocated here).
///
/// ```
/// use dezero::{Variable, __private::slice_op};
///
/// let x = Variable::new(ndarray::arr1(&[1.0, 2.0, 3.0]).into_dyn());
/// // sum of squares, with its pullback
/// let y = slice_op(
///     "sumsq",
///     [&x],
///     |[x]| x.iter().map(|v| v * v).sum(),
///     |[x], seed, [gx]| {
///         for (g, v) in gx.iter_mut().zip(x) {
///             *g += seed * 2.0 * v;
///         }
///     },
/// );
/// y.backward();
/// assert_eq!(y.item(), 14.0);
/// assert_eq!(x.grad().unwrap().data().as_slice().unwrap(), &[2.0, 4.0, 6.0]);
/// ```
pub fn slice_op<const N: usize, F, P>(
    name: &'static str,
    inputs: [&Variable; N],
    f: F,
    pullback: P,
) -> Variable
where
    F: Fn([&[f64]; N]) -> f64 + 'static,
    P: Fn([&[f64]; N], f64, [&mut [f64]; N]) + 'static,
{
    let node = SliceFn::<N, F, P> { name, f, pullback };
    apply(node, &inputs)
        .pop()
        .unwrap_or_else(|| unreachable!("one output"))
}

/// Each array's elements in standard order (a copy only when the array is not contiguous).
fn standard<'a>(xs: &[&'a ArrayD<f64>]) -> Vec<Cow<'a, [f64]>> {
    xs.iter()
        .map(|a| match a.as_slice() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(a.iter().copied().collect()),
        })
        .collect()
}

impl<const N: usize, F, P> Function for SliceFn<N, F, P>
where
    F: Fn([&[f64]; N]) -> f64 + 'static,
    P: Fn([&[f64]; N], f64, [&mut [f64]; N]) + 'static,
{
    fn name(&self) -> &str {
        self.name
    }

    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        let data = standard(xs);
        let slices: [&[f64]; N] = std::array::from_fn(|i| &*data[i]);
        vec![ndarray::arr0((self.f)(slices)).into_dyn()]
    }

    fn backward(&self, xs: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        let arrays: Vec<std::cell::Ref<'_, ArrayD<f64>>> = xs.iter().map(Variable::data).collect();
        let refs: Vec<&ArrayD<f64>> = arrays.iter().map(|a| &**a).collect();
        let data = standard(&refs);
        let slices: [&[f64]; N] = std::array::from_fn(|i| &*data[i]);
        let mut shadows: Vec<Vec<f64>> = data.iter().map(|d| vec![0.0; d.len()]).collect();
        {
            let mut it = shadows.iter_mut();
            let bars: [&mut [f64]; N] =
                std::array::from_fn(|_| it.next().map_or(&mut [][..], |s| &mut s[..]));
            (self.pullback)(slices, gys[0].item(), bars);
        }
        shadows
            .into_iter()
            .zip(&refs)
            .map(|(g, x)| {
                let g = ArrayD::from_shape_vec(x.raw_dim(), g).unwrap_or_else(|e| {
                    panic!("{}: gradient of shape {:?}: {e}", self.name, x.shape())
                });
                Variable::new(g)
            })
            .collect()
    }
}
