//! The element loops of [`elementwise`](super::elementwise): broadcasting N input arrays to one
//! shape and running a scalar function (forward) or its pullback (backward) on every element,
//! without materialising broadcast copies of the inputs.

use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn};

/// One input as the element loop reads it.
enum Lane<'a> {
    /// A size-1 input broadcast to every element (a scalar or a 0-dim array).
    Scalar(f64),
    /// A contiguous, row-major input of the full shape.
    Slice(&'a [f64]),
    /// Anything else: a broadcast view (zero strides along the broadcast axes).
    View(ArrayViewD<'a, f64>),
}

impl<'a> Lane<'a> {
    fn new(x: &'a ArrayD<f64>, shape: &IxDyn) -> Self {
        if x.shape() == shape.slice() {
            if let Some(s) = x.as_slice() {
                return Lane::Slice(s);
            }
        }
        if x.len() == 1 {
            return Lane::Scalar(*x.first().expect("one element"));
        }
        Lane::View(
            x.broadcast(shape.clone())
                .expect("shapes checked by broadcast_dims"),
        )
    }
}

/// The broadcast shape of all `shapes` under NumPy's rules.
///
/// # Panics
/// If they do not broadcast; the message names `op` and every shape.
#[track_caller]
pub(crate) fn broadcast_dims(op: &str, shapes: &[&[usize]]) -> IxDyn {
    let n = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1; n];
    for shape in shapes {
        let lead = n - shape.len();
        for (axis, &d) in shape.iter().enumerate() {
            let slot = &mut out[lead + axis];
            match (*slot, d) {
                (a, b) if a == b => {}
                (1, b) => *slot = b,
                (_, 1) => {}
                _ => {
                    let list: Vec<String> = shapes.iter().map(|s| format!("{s:?}")).collect();
                    panic!(
                        "{op}: shapes {} do not broadcast together",
                        list.join(" and ")
                    );
                }
            }
        }
    }
    IxDyn(&out)
}

/// `[x0[i], x1[i], ..]` for element `i` of the broadcast shape (fast path: no views).
#[inline(always)]
fn gather<const N: usize>(lanes: &[Lane<'_>; N], i: usize) -> [f64; N] {
    std::array::from_fn(|k| match &lanes[k] {
        Lane::Scalar(v) => *v,
        Lane::Slice(s) => s[i],
        Lane::View(_) => unreachable!("views take the general path"),
    })
}

fn all_flat<const N: usize>(lanes: &[Lane<'_>; N]) -> bool {
    lanes.iter().all(|l| !matches!(l, Lane::View(_)))
}

/// Calls `body(i, args)` for every element `i` of `shape`, in row-major order, where `args`
/// holds the N inputs' values at that element.
#[inline(always)]
fn for_each<const N: usize>(
    xs: [&ArrayD<f64>; N],
    shape: &IxDyn,
    mut body: impl FnMut(usize, [f64; N]),
) {
    let lanes: [Lane<'_>; N] = xs.map(|x| Lane::new(x, shape));
    let n = shape.size();
    if all_flat(&lanes) {
        for i in 0..n {
            body(i, gather(&lanes, i));
        }
        return;
    }
    // General path: walk every input in logical (row-major) order over its broadcast view.
    let views: [ArrayViewD<'_, f64>; N] = xs.map(|x| {
        x.broadcast(shape.clone())
            .expect("shapes checked by broadcast_dims")
    });
    let mut iters = views.each_ref().map(|v| v.iter());
    for i in 0..n {
        let args = std::array::from_fn(|k| *iters[k].next().expect("n elements"));
        body(i, args);
    }
}

/// `y[i] = f(x0[i], x1[i], ..)` over the broadcast `shape`.
pub(crate) fn forward<const N: usize>(
    xs: [&ArrayD<f64>; N],
    shape: &IxDyn,
    f: &impl Fn([f64; N]) -> f64,
) -> ArrayD<f64> {
    let mut y = Vec::with_capacity(shape.size());
    for_each(xs, shape, |_, args| y.push(f(args)));
    ArrayD::from_shape_vec(shape.clone(), y).expect("one value per element")
}

/// `[gx0[i], gx1[i], ..] = pullback([x0[i], x1[i], ..], gy[i])` over the broadcast `shape`,
/// each `gxk` still of the broadcast shape (the caller sums it back to its input's shape).
pub(crate) fn backward<const N: usize>(
    xs: [&ArrayD<f64>; N],
    gy: &ArrayD<f64>,
    shape: &IxDyn,
    pullback: &impl Fn([f64; N], f64) -> [f64; N],
) -> [ArrayD<f64>; N] {
    let n = shape.size();
    let mut gxs: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(n));
    let gy_lane = Lane::new(gy, shape);
    match gy_lane {
        Lane::Slice(gy) => for_each(xs, shape, |i, args| {
            push_all(&mut gxs, pullback(args, gy[i]));
        }),
        Lane::Scalar(gy) => for_each(xs, shape, |_, args| {
            push_all(&mut gxs, pullback(args, gy));
        }),
        Lane::View(view) => {
            let mut gy = view.iter();
            for_each(xs, shape, |_, args| {
                let g = *gy.next().expect("n elements");
                push_all(&mut gxs, pullback(args, g));
            });
        }
    }
    gxs.map(|g| ArrayD::from_shape_vec(shape.clone(), g).expect("one value per element"))
}

#[inline(always)]
fn push_all<const N: usize>(gxs: &mut [Vec<f64>; N], g: [f64; N]) {
    for (v, g) in gxs.iter_mut().zip(g) {
        v.push(g);
    }
}
