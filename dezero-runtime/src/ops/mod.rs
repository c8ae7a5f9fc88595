//! The built-in functions, by family: arithmetic (with broadcasting and the operator
//! overloads), element-wise math, reductions/shape functions, and the tensor functions of
//! DeZero steps 37-41 (shapes, reductions over axes, matrix products, indexing, activations,
//! losses, dropout).

pub(crate) mod activation;
pub(crate) mod arith;
pub(crate) mod axes;
pub(crate) mod dropout;
pub(crate) mod elementary;
pub(crate) mod index;
pub(crate) mod loss;
pub(crate) mod math;
pub(crate) mod matmul;
pub(crate) mod overload;
pub(crate) mod reduce;
pub(crate) mod shape;

use std::cell::RefMut;
use std::rc::Rc;

use ndarray::ArrayD;

use crate::config::is_backprop_enabled;
use crate::threads::each_chunk;
use crate::variable::Variable;

/// The array of a gradient `gy` that a backward rule may overwrite with its result: `Some` only
/// if nothing else can see `gy` (this is its only handle, with no weak handle), it records no
/// graph (no creator, backprop disabled) and its array is not a fused node's cached buffer.
///
/// The backward walk hands a built-in node its outputs' grads by move, so on a chain the
/// upstream gradient is usually unique: writing `gx` into it saves a variable and an array.
/// A gradient shared by two variables (appendix A) is never unique, so never written.
pub(crate) fn reusable_grad(gy: &Variable) -> Option<RefMut<'_, ArrayD<f64>>> {
    if Rc::strong_count(&gy.0) != 1 || Rc::weak_count(&gy.0) != 0 || is_backprop_enabled() {
        return None;
    }
    let inner = gy.0.try_borrow_mut().ok()?;
    if inner.creator.is_some() || inner.recycle {
        return None;
    }
    RefMut::filter_map(inner, |i| i.data.as_mut()).ok()
}

/// `gy` with `f` applied to each element in its own array, if [`reusable_grad`] allows; the same
/// values as `f` mapped into a new array.
pub(crate) fn map_grad_in_place(gy: &Variable, f: impl Fn(f64) -> f64 + Sync) -> Option<Variable> {
    let mut g = reusable_grad(gy)?;
    if g.ndim() == 0 {
        // A scalar: skip ndarray's contiguity checks.
        let v = g.first_mut().expect("a 0-dim array has one element");
        *v = f(*v);
    } else if let Some(gs) = g.as_slice_mut() {
        each_chunk(gs, |_, gs| {
            for v in gs {
                *v = f(*v);
            }
        });
    } else {
        g.mapv_inplace(f);
    }
    drop(g);
    Some(gy.clone())
}

/// `g = f(g, x)` element-wise in `g`'s own array, if [`reusable_grad`] allows and `g` has
/// `x`'s shape; `None` (nothing written) otherwise.
pub(crate) fn zip_grad_in_place(
    gy: &Variable,
    x: &Variable,
    f: impl Fn(f64, f64) -> f64 + Sync,
) -> Option<Variable> {
    zip_grad_slices(gy, x, &f, |gs, xs| {
        for (g, &x) in gs.iter_mut().zip(xs) {
            *g = f(*g, x);
        }
    })
}

/// [`zip_grad_in_place`] with the loop over contiguous chunks given: `slices(g, x)` must give
/// each element what `f` gives it (it is used for 0-dim and strided arrays).
pub(crate) fn zip_grad_slices(
    gy: &Variable,
    x: &Variable,
    f: impl Fn(f64, f64) -> f64,
    slices: impl Fn(&mut [f64], &[f64]) + Sync,
) -> Option<Variable> {
    let mut g = reusable_grad(gy)?;
    let x = x.data();
    if g.ndim() == 0 && x.ndim() == 0 {
        // Scalars: skip ndarray's shape and contiguity checks.
        let v = g.first_mut().expect("a 0-dim array has one element");
        *v = f(*v, *x.first().expect("a 0-dim array has one element"));
    } else if g.shape() != x.shape() {
        return None;
    } else if let (Some(gs), Some(xs)) = (g.as_slice_mut(), x.as_slice()) {
        each_chunk(gs, |start, gs| slices(gs, &xs[start..start + gs.len()]));
    } else {
        g.zip_mut_with(&x, |g, &x| *g = f(*g, x));
    }
    drop(g);
    Some(gy.clone())
}

/// `x.mapv(f)`, with a fast path for 0-dim arrays (the scalars of a scalar graph), which skips
/// ndarray's general n-dim iteration, and one for large contiguous arrays: a plain loop over
/// slices into a pooled buffer ([`crate::pool`]), split over the threads
/// [`crate::set_num_threads`] allows. The same values either way.
#[inline]
pub(crate) fn map(x: &ArrayD<f64>, f: impl Fn(f64) -> f64 + Sync) -> ArrayD<f64> {
    map_slices(x, &f, |xs, ys| {
        for (y, &x) in ys.iter_mut().zip(xs) {
            *y = f(x);
        }
    })
}

/// [`map`] with the loop over contiguous chunks given: `slices(x, y)` must give each element
/// what `f` gives it (it is used for 0-dim, small and strided arrays).
#[inline]
pub(crate) fn map_slices(
    x: &ArrayD<f64>,
    f: impl Fn(f64) -> f64,
    slices: impl Fn(&[f64], &mut [f64]) + Sync,
) -> ArrayD<f64> {
    if x.ndim() == 0 {
        // Cloning keeps the (empty) shape and strides: cheaper than building an IxDyn.
        let mut y = x.clone();
        let v = y.first_mut().expect("a 0-dim array has one element");
        *v = f(*v);
        y
    } else if let (true, Some(xs)) = (x.len() >= crate::pool::MIN_LEN, x.as_slice()) {
        let mut y = crate::pool::array(x.raw_dim());
        let ys = y.as_slice_mut().expect("a new array is contiguous");
        each_chunk(ys, |start, ys| slices(&xs[start..start + ys.len()], ys));
        y
    } else {
        x.mapv(f)
    }
}

/// `x0 op x1` with NumPy broadcasting (`general`), with fast paths: two 0-dim arrays; large
/// contiguous arrays of one shape (a loop over slices into a pooled buffer); a large
/// contiguous array and a one-element array of no more dimensions (the other broadcast as a
/// number). The same values on every path.
#[inline]
pub(crate) fn zip_map(
    x0: &ArrayD<f64>,
    x1: &ArrayD<f64>,
    f: impl Fn(f64, f64) -> f64 + Sync,
    general: impl FnOnce(&ArrayD<f64>, &ArrayD<f64>) -> ArrayD<f64>,
) -> ArrayD<f64> {
    if x0.ndim() == 0 && x1.ndim() == 0 {
        let b = *x1.first().expect("a 0-dim array has one element");
        return map(x0, |a| f(a, b));
    }
    let large = x0.len().max(x1.len()) >= crate::pool::MIN_LEN;
    if large {
        if x0.shape() == x1.shape() {
            if let (Some(a), Some(b)) = (x0.as_slice(), x1.as_slice()) {
                let mut y = crate::pool::array(x0.raw_dim());
                let ys = y.as_slice_mut().expect("a new array is contiguous");
                each_chunk(ys, |start, ys| {
                    for ((y, &a), &b) in ys.iter_mut().zip(&a[start..]).zip(&b[start..]) {
                        *y = f(a, b);
                    }
                });
                return y;
            }
        } else if x1.len() == 1 && x1.ndim() <= x0.ndim() && x0.is_standard_layout() {
            let b = *x1.first().expect("one element");
            return map(x0, |a| f(a, b));
        } else if x0.len() == 1 && x0.ndim() <= x1.ndim() && x1.is_standard_layout() {
            let a = *x0.first().expect("one element");
            return map(x1, |b| f(a, b));
        }
    }
    general(x0, x1)
}
