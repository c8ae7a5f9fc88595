//! Layers (DeZero steps 44–45): [`Parameter`]s grouped with the computation that uses them,
//! nested into models.
//!
//! A [`Layer`] says what it computes ([`forward`](Layer::forward)) and what it holds
//! ([`children`](Layer::children): its parameters and sublayers, by name). From that the
//! provided methods walk the whole tree: [`params`](Layer::params),
//! [`cleargrads`](Layer::cleargrads), [`named_params`](Layer::named_params) (the flattened
//! `l0/W` paths of DeZero's `save_weights`), [`save_weights`](Layer::save_weights) and
//! [`load_weights`](Layer::load_weights).
//!
//! ```
//! use dezero_runtime::layers::{Child, Layer, Parameter};
//! use dezero_runtime::Variable;
//! use ndarray::arr1;
//!
//! /// y = a * x + c, elementwise.
//! struct Affine { a: Parameter, c: Parameter }
//!
//! impl Layer for Affine {
//!     fn forward(&self, x: &Variable) -> Variable {
//!         x * &*self.a + &*self.c
//!     }
//!     fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
//!         visit("a", Child::Param(&self.a));
//!         visit("c", Child::Param(&self.c));
//!     }
//! }
//!
//! let layer = Affine { a: arr1(&[2.0]).into(), c: arr1(&[1.0]).into() };
//! let y = layer.forward(&Variable::from(arr1(&[3.0])));
//! assert_eq!(y.data()[0], 7.0);
//! y.backward();
//! assert_eq!(layer.params().len(), 2);
//! assert_eq!(layer.a.grad().unwrap().data()[0], 3.0); // dy/da = x
//! layer.cleargrads();
//! assert!(layer.a.grad().is_none());
//! ```

mod linear;
mod parameter;

pub use linear::Linear;
pub use parameter::Parameter;

use std::path::Path;

use crate::serialize::NpzError;
use crate::variable::Variable;

/// Something a layer holds directly: a parameter or a sublayer.
///
/// ```
/// use dezero_runtime::layers::{Child, Parameter};
/// let w = Parameter::empty();
/// assert!(matches!(Child::Param(&w), Child::Param(_)));
/// ```
#[derive(Clone, Copy)]
pub enum Child<'a> {
    /// A parameter of this layer.
    Param(&'a Parameter),
    /// A sublayer, whose own children are part of this layer's tree.
    Layer(&'a dyn Layer),
}

/// A computation with learnable parameters, possibly made of other layers (DeZero's `Layer`;
/// a [`Model`](crate::models::Model) is a layer too).
///
/// Implement [`forward`](Layer::forward) and [`children`](Layer::children); the rest is
/// provided. Parameters are [`Parameter`] handles, so a layer computes through `&self`
/// (a layer that learns its input size, like [`Linear`], fills its parameter on first use).
///
/// ```
/// use dezero_runtime::layers::{Child, Layer, Parameter};
/// use dezero_runtime::Variable;
///
/// struct Scale(Parameter);
/// impl Layer for Scale {
///     fn forward(&self, x: &Variable) -> Variable { x * &*self.0 }
///     fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
///         visit("s", Child::Param(&self.0));
///     }
/// }
///
/// /// Two scales in a row: a layer of layers.
/// struct Twice { l1: Scale, l2: Scale }
/// impl Layer for Twice {
///     fn forward(&self, x: &Variable) -> Variable { self.l2.forward(&self.l1.forward(x)) }
///     fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
///         visit("l1", Child::Layer(&self.l1));
///         visit("l2", Child::Layer(&self.l2));
///     }
/// }
///
/// let one = || Scale(Parameter::new(ndarray::arr0(3.0).into_dyn()));
/// let model = Twice { l1: one(), l2: one() };
/// assert_eq!(model.forward(&Variable::from(2.0)).item(), 18.0);
/// let names: Vec<String> = model.named_params().into_iter().map(|(k, _)| k).collect();
/// assert_eq!(names, ["l1/s", "l2/s"]);
/// ```
pub trait Layer {
    /// The layer's computation on `x` (DeZero's `forward`, which `layer(x)` calls).
    fn forward(&self, x: &Variable) -> Variable;

    /// Calls `visit` once for each parameter and sublayer this layer holds directly, in a
    /// fixed order, with the name it has in the saved weights (DeZero's attribute names).
    ///
    /// Names must be unique within one layer and must not contain `/`.
    fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>));

    /// Every parameter of this layer and of its sublayers, depth first, in `children` order
    /// (DeZero's `params()`).
    ///
    /// ```
    /// use dezero_runtime::layers::{Layer, Linear};
    /// let l = Linear::new(3).with_in_size(2);
    /// let shapes: Vec<Vec<usize>> = l.params().iter().map(|p| p.shape()).collect();
    /// assert_eq!(shapes, [vec![2, 3], vec![3]]); // W, b
    /// ```
    fn params(&self) -> Vec<crate::layers::Parameter> {
        let mut out = Vec::new();
        self.children(&mut |_, child| match child {
            Child::Param(p) => out.push(p.clone()),
            Child::Layer(l) => out.extend(l.params()),
        });
        out
    }

    /// Clears the gradient of every parameter (DeZero's `cleargrads()`), so that the next
    /// `backward` starts from zero.
    ///
    /// ```
    /// use dezero_runtime::layers::{Layer, Linear};
    /// let l = Linear::new(1).with_in_size(1);
    /// l.b().unwrap().set_grad(Some(dezero_runtime::Variable::from(vec![1.0])));
    /// l.cleargrads();
    /// assert!(l.params().iter().all(|p| p.grad().is_none()));
    /// ```
    fn cleargrads(&self) {
        for p in self.params() {
            p.cleargrad();
        }
    }

    /// Every parameter with its path of names joined by `/` (`l0/W`, `l0/b`, `l1/W`, ...):
    /// the keys of DeZero's `_flatten_params`, which `save_weights` writes.
    ///
    /// ```
    /// use dezero_runtime::layers::{Layer, Linear};
    /// let keys: Vec<String> = Linear::new(2).named_params().into_iter().map(|(k, _)| k).collect();
    /// assert_eq!(keys, ["W", "b"]);
    /// ```
    fn named_params(&self) -> Vec<(String, crate::layers::Parameter)> {
        let mut out = Vec::new();
        self.children(&mut |name, child| match child {
            Child::Param(p) => out.push((name.to_string(), p.clone())),
            Child::Layer(l) => {
                for (key, p) in l.named_params() {
                    out.push((format!("{name}/{key}"), p));
                }
            }
        });
        out
    }

    /// Saves every parameter to an `.npz` archive under its [`named_params`](Layer::named_params)
    /// key (DeZero's `save_weights`; NumPy reads it with `np.load(path)["l0/W"]`).
    ///
    /// # Errors
    /// [`NpzError::NoData`] if a parameter has no data yet (run the model once first),
    /// [`NpzError::Io`] if the file cannot be written (a partial file is removed).
    ///
    /// ```
    /// use dezero_runtime::layers::{Layer, Linear};
    /// let path = std::env::temp_dir().join("dezero_doc_save_weights.npz");
    /// let l = Linear::new(3).with_in_size(2);
    /// l.save_weights(&path)?;
    /// let copy = Linear::new(3);
    /// copy.load_weights(&path)?;
    /// assert_eq!(*copy.w().data(), *l.w().data());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), dezero_runtime::serialize::NpzError>(())
    /// ```
    fn save_weights(&self, path: impl AsRef<Path>) -> Result<(), NpzError>
    where
        Self: Sized,
    {
        crate::serialize::save_weights(self, path.as_ref())
    }

    /// Loads every parameter from an `.npz` archive written by [`save_weights`](Layer::save_weights)
    /// or by DeZero's (DeZero's `load_weights`). A parameter with no data yet takes the
    /// array's shape; one with data must match it. Nothing is changed unless every parameter
    /// loads; extra arrays in the archive are ignored.
    ///
    /// # Errors
    /// [`NpzError::MissingKey`] if a parameter has no array, [`NpzError::Shape`] if a shape
    /// differs, or the errors of [`load_npz`](crate::serialize::load_npz).
    ///
    /// ```
    /// use dezero_runtime::layers::{Layer, Linear};
    /// let path = std::env::temp_dir().join("dezero_doc_load_weights.npz");
    /// Linear::new(3).with_in_size(2).save_weights(&path)?;
    /// let wrong = Linear::new(4).with_in_size(2);
    /// assert!(wrong.load_weights(&path).is_err()); // W is 2x3 in the file
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), dezero_runtime::serialize::NpzError>(())
    /// ```
    fn load_weights(&self, path: impl AsRef<Path>) -> Result<(), NpzError>
    where
        Self: Sized,
    {
        crate::serialize::load_weights(self, path.as_ref())
    }
}
