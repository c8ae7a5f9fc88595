//! [`Linear`]: the fully connected layer `y = x W + b` (DeZero step 44).

use ndarray::{ArrayD, IxDyn};

use crate::functions::linear;
use crate::layers::{Child, Layer, Parameter};
use crate::random;
use crate::variable::Variable;

/// The fully connected layer `y = x · W + b` (DeZero's `L.Linear`).
///
/// `W` has shape `(in_size, out_size)` and starts as `randn(in_size, out_size) * sqrt(1 /
/// in_size)` drawn from this thread's generator ([`random::seed`]); `b` has shape
/// `(out_size)` and starts at zero. Without [`with_in_size`](Linear::with_in_size) the input
/// size is learnt from the first input, as DeZero's `in_size=None`: `W` has no data until then.
///
/// ```
/// use dezero_runtime::{layers::{Layer, Linear}, random, Variable};
/// random::seed(0);
/// let l = Linear::new(3);
/// assert!(!l.w().has_data()); // in_size not known yet
/// let y = l.forward(&Variable::from(ndarray::Array2::<f64>::ones((5, 2))));
/// assert_eq!(y.shape(), vec![5, 3]);
/// assert_eq!(l.w().shape(), vec![2, 3]);
/// // W = randn(2, 3) * sqrt(1/2): NumPy's first normal for seed 0 is 1.764052345967664
/// assert_eq!(l.w().data()[[0, 0]], 1.764052345967664 * 0.5f64.sqrt());
/// ```
pub struct Linear {
    w: Parameter,
    b: Option<Parameter>,
    out_size: usize,
}

impl Linear {
    /// A layer with `out_size` outputs whose input size is set by its first input.
    ///
    /// ```
    /// let l = dezero_runtime::layers::Linear::new(10);
    /// assert_eq!((l.in_size(), l.out_size()), (None, 10));
    /// assert_eq!(l.b().unwrap().shape(), vec![10]);
    /// ```
    pub fn new(out_size: usize) -> Self {
        Linear {
            w: Parameter::empty().with_name("W"),
            b: Some(Parameter::new(ArrayD::zeros(IxDyn(&[out_size]))).with_name("b")),
            out_size,
        }
    }

    /// This layer with its input size given, so `W` is drawn now (DeZero's `in_size=`).
    ///
    /// # Panics
    /// If `in_size` is 0, or if `W` was already initialised.
    ///
    /// ```
    /// let l = dezero_runtime::layers::Linear::new(3).with_in_size(2);
    /// assert_eq!(l.w().shape(), vec![2, 3]);
    /// ```
    #[track_caller]
    pub fn with_in_size(self, in_size: usize) -> Self {
        if self.w.has_data() {
            panic!("Linear::with_in_size: W is already initialised");
        }
        self.init_w(in_size);
        self
    }

    /// This layer without the bias `b` (DeZero's `nobias=True`): `y = x · W`.
    ///
    /// ```
    /// use dezero_runtime::layers::{Layer, Linear};
    /// let l = Linear::new(3).without_bias();
    /// assert!(l.b().is_none());
    /// assert_eq!(l.params().len(), 1);
    /// ```
    pub fn without_bias(mut self) -> Self {
        self.b = None;
        self
    }

    /// The weight `W`, of shape `(in_size, out_size)` (no data before the input size is known).
    ///
    /// ```
    /// assert_eq!(dezero_runtime::layers::Linear::new(3).w().name().as_deref(), Some("W"));
    /// ```
    pub fn w(&self) -> &Parameter {
        &self.w
    }

    /// The bias `b`, of shape `(out_size)`, if the layer has one.
    ///
    /// ```
    /// let l = dezero_runtime::layers::Linear::new(3);
    /// assert_eq!(l.b().unwrap().data().sum(), 0.0);
    /// ```
    pub fn b(&self) -> Option<&Parameter> {
        self.b.as_ref()
    }

    /// The input size, once known (the number of rows of `W`).
    ///
    /// ```
    /// assert_eq!(dezero_runtime::layers::Linear::new(3).with_in_size(4).in_size(), Some(4));
    /// ```
    pub fn in_size(&self) -> Option<usize> {
        self.w.try_data().map(|w| w.shape()[0])
    }

    /// The output size.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::layers::Linear::new(3).out_size(), 3);
    /// ```
    pub fn out_size(&self) -> usize {
        self.out_size
    }

    #[track_caller]
    fn init_w(&self, in_size: usize) {
        if in_size == 0 {
            panic!(
                "Linear: in_size must be at least 1 (W would be {in_size}x{})",
                self.out_size
            );
        }
        let scale = (1.0 / in_size as f64).sqrt();
        let mut w = random::randn(&[in_size, self.out_size]);
        w.mapv_inplace(|v| v * scale);
        self.w.set_data(w);
    }
}

impl Layer for Linear {
    /// `x · W + b`; on the first call without a known input size, `W` is drawn for
    /// `in_size = x.shape()[1]`.
    ///
    /// # Panics
    /// If the input size is still unknown and `x` is not 2-D `(batch, in_size)`, or if the
    /// shapes do not fit `linear` (its message names the shapes).
    #[track_caller]
    fn forward(&self, x: &Variable) -> Variable {
        if !self.w.has_data() {
            let shape = x.shape();
            let &[_, in_size] = shape.as_slice() else {
                panic!(
                    "Linear: cannot learn in_size from an input of shape {shape:?}; \
                     expected (batch, in_size), or give with_in_size(..)"
                );
            };
            self.init_w(in_size);
        }
        linear(x, &self.w, self.b.as_ref().map(Parameter::variable))
    }

    fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
        visit("W", Child::Param(&self.w));
        if let Some(b) = &self.b {
            visit("b", Child::Param(b));
        }
    }
}
