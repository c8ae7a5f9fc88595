//! Optimizers (DeZero step 46): update every parameter of a layer from its gradient, in place.
//!
//! [`SGD`], [`MomentumSGD`], [`AdaGrad`], [`AdaDelta`] and [`Adam`] use DeZero's formulas and
//! default hyperparameters. Call [`Optimizer::update`] with the model after `backward`:
//!
//! ```
//! use dezero_runtime::{functions::sum, layers::{Child, Layer, Parameter}, Variable};
//! use dezero_runtime::optimizers::{Optimizer, SGD};
//!
//! struct Point { w: Parameter }
//! impl Layer for Point {
//!     fn forward(&self, x: &Variable) -> Variable { x * &*self.w }
//!     fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
//!         visit("w", Child::Param(&self.w));
//!     }
//! }
//!
//! let model = Point { w: ndarray::arr1(&[3.0]).into() };
//! let mut optimizer = SGD::new(0.25);
//! for _ in 0..2 {
//!     let loss = sum(&(&*model.w * &*model.w)); // w², gradient 2w
//!     model.cleargrads();
//!     loss.backward();
//!     optimizer.update(&model); // w -= 0.25 * 2w, i.e. w halves
//! }
//! assert_eq!(model.w.data()[0], 0.75);
//! ```
//!
//! Each optimizer writes into the parameter's own array: no new array per step, and no
//! `data()` guard is held while writing.

use std::collections::HashMap;

use ndarray::{ArrayD, Zip};

use crate::layers::{Layer, Parameter};

/// Updates parameters from their gradients (DeZero's `Optimizer`).
///
/// Implement [`update_one`](Optimizer::update_one); [`update`](Optimizer::update) calls it
/// for every parameter of the target that has a gradient.
///
/// ```
/// use dezero_runtime::layers::{Layer, Linear, Parameter};
/// use dezero_runtime::optimizers::Optimizer;
///
/// /// Sets every gradient-carrying parameter to zero.
/// struct Zero;
/// impl Optimizer for Zero {
///     fn update_one(&mut self, param: &Parameter) {
///         // Compute the new array first: set_data while a data() guard lives would panic.
///         let zeros = ndarray::ArrayD::zeros(param.data().raw_dim());
///         param.set_data(zeros);
///     }
/// }
///
/// let l = Linear::new(2).with_in_size(2);
/// l.w().set_grad(Some(dezero_runtime::Variable::from(ndarray::Array2::<f64>::ones((2, 2)))));
/// Zero.update(&l);
/// assert_eq!(l.w().data().sum(), 0.0);
/// ```
pub trait Optimizer {
    /// Updates one parameter from its gradient (called only for parameters with a gradient).
    fn update_one(&mut self, param: &Parameter);

    /// Called once at the start of each [`update`](Optimizer::update), before any
    /// `update_one` ([`Adam`] counts its steps here). Does nothing by default.
    fn begin_update(&mut self) {}

    /// Updates every parameter of `target` that has a gradient (DeZero's `update()`; the
    /// target is passed in instead of being kept by `setup`).
    fn update(&mut self, target: &dyn Layer) {
        let params: Vec<Parameter> = target
            .params()
            .into_iter()
            .filter(|p| p.grad().is_some())
            .collect();
        self.begin_update();
        for param in &params {
            self.update_one(param);
        }
    }
}

/// Calls `f(data, grad)` with the parameter's array, writable, and its gradient's array.
///
/// # Panics
/// If the parameter has no gradient or no data, or the shapes differ (the message names
/// `op` and both shapes).
#[track_caller]
fn with_data_and_grad(op: &str, param: &Parameter, f: impl FnOnce(&mut ArrayD<f64>, &ArrayD<f64>)) {
    let Some(grad) = param.grad() else {
        panic!("{op}: the parameter has no gradient; call backward first");
    };
    if !param.has_data() {
        panic!("{op}: the parameter has no data (a layer not run yet?)");
    }
    let g = grad.data();
    param.update(|data| {
        if data.shape() != g.shape() {
            panic!(
                "{op}: gradient of shape {:?} does not match the parameter's shape {:?}",
                g.shape(),
                data.shape()
            );
        }
        f(data, &g);
    });
}

/// Per-parameter state arrays, `K` per parameter, made as zeros on first use (DeZero's
/// `self.vs[id(param)]`). The parameter handle is kept so that its id stays unique.
struct Slots<const K: usize> {
    map: HashMap<usize, (Parameter, [ArrayD<f64>; K])>,
}

impl<const K: usize> Default for Slots<K> {
    fn default() -> Self {
        Slots {
            map: HashMap::new(),
        }
    }
}

impl<const K: usize> Slots<K> {
    fn take(&mut self, param: &Parameter) -> [ArrayD<f64>; K] {
        match self.map.remove(&param.id()) {
            Some((_, arrays)) => arrays,
            None => {
                let dim = param.data().raw_dim();
                std::array::from_fn(|_| ArrayD::zeros(dim.clone()))
            }
        }
    }

    fn put(&mut self, param: &Parameter, arrays: [ArrayD<f64>; K]) {
        self.map.insert(param.id(), (param.clone(), arrays));
    }
}

/// Stochastic gradient descent: `W -= lr * gW` (DeZero's `SGD`, default `lr = 0.01`).
///
/// ```
/// use dezero_runtime::{layers::Parameter, optimizers::{Optimizer, SGD}, Variable};
/// let w = Parameter::new(ndarray::arr1(&[1.0]).into_dyn());
/// w.set_grad(Some(Variable::from(ndarray::arr1(&[2.0]))));
/// SGD::new(0.1).update_one(&w);
/// assert_eq!(w.data()[0], 0.8);
/// ```
#[allow(clippy::upper_case_acronyms)] // DeZero's name
#[derive(Debug, Clone)]
pub struct SGD {
    /// The learning rate.
    pub lr: f64,
}

impl SGD {
    /// SGD with learning rate `lr`.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::optimizers::SGD::new(1.0).lr, 1.0);
    /// ```
    pub fn new(lr: f64) -> Self {
        SGD { lr }
    }
}

impl Default for SGD {
    /// `lr = 0.01`, DeZero's default.
    fn default() -> Self {
        SGD::new(0.01)
    }
}

impl Optimizer for SGD {
    /// # Panics
    /// If the gradient's shape differs from the parameter's.
    #[track_caller]
    fn update_one(&mut self, param: &Parameter) {
        let lr = self.lr;
        with_data_and_grad("SGD", param, |w, g| w.zip_mut_with(g, |w, &g| *w -= lr * g));
    }
}

/// SGD with momentum: `v = momentum * v - lr * gW; W += v` (DeZero's `MomentumSGD`,
/// defaults `lr = 0.01`, `momentum = 0.9`).
///
/// ```
/// use dezero_runtime::{layers::Parameter, optimizers::{MomentumSGD, Optimizer}, Variable};
/// let w = Parameter::new(ndarray::arr1(&[1.0]).into_dyn());
/// let mut opt = MomentumSGD::new(0.1);
/// for _ in 0..2 {
///     w.set_grad(Some(Variable::from(ndarray::arr1(&[1.0]))));
///     opt.update_one(&w);
/// }
/// // v1 = -0.1, v2 = 0.9 * -0.1 - 0.1 = -0.19: w = 1 - 0.1 - 0.19
/// assert!((w.data()[0] - 0.71).abs() < 1e-15);
/// ```
pub struct MomentumSGD {
    /// The learning rate.
    pub lr: f64,
    /// The decay of the velocity.
    pub momentum: f64,
    vs: Slots<1>,
}

impl MomentumSGD {
    /// Momentum SGD with learning rate `lr` and `momentum = 0.9`.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::optimizers::MomentumSGD::new(0.1).momentum, 0.9);
    /// ```
    pub fn new(lr: f64) -> Self {
        MomentumSGD {
            lr,
            momentum: 0.9,
            vs: Slots::default(),
        }
    }

    /// This optimizer with another momentum.
    ///
    /// ```
    /// let opt = dezero_runtime::optimizers::MomentumSGD::new(0.1).with_momentum(0.5);
    /// assert_eq!(opt.momentum, 0.5);
    /// ```
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
}

impl Default for MomentumSGD {
    /// `lr = 0.01`, `momentum = 0.9`, DeZero's defaults.
    fn default() -> Self {
        MomentumSGD::new(0.01)
    }
}

impl std::fmt::Debug for MomentumSGD {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MomentumSGD(lr: {}, momentum: {})",
            self.lr, self.momentum
        )
    }
}

impl Optimizer for MomentumSGD {
    /// # Panics
    /// If the gradient's shape differs from the parameter's.
    #[track_caller]
    fn update_one(&mut self, param: &Parameter) {
        let (lr, momentum) = (self.lr, self.momentum);
        let [mut v] = self.vs.take(param);
        with_data_and_grad("MomentumSGD", param, |w, g| {
            Zip::from(w).and(&mut v).and(g).for_each(|w, v, &g| {
                *v = *v * momentum - lr * g;
                *w += *v;
            });
        });
        self.vs.put(param, [v]);
    }
}

/// AdaGrad: `h += gW²; W -= lr * gW / (sqrt(h) + eps)` (DeZero's `AdaGrad`, defaults
/// `lr = 0.001`, `eps = 1e-8`).
///
/// ```
/// use dezero_runtime::{layers::Parameter, optimizers::{AdaGrad, Optimizer}, Variable};
/// let w = Parameter::new(ndarray::arr1(&[1.0]).into_dyn());
/// w.set_grad(Some(Variable::from(ndarray::arr1(&[4.0]))));
/// AdaGrad::new(0.5).update_one(&w);
/// // h = 16: w = 1 - 0.5 * 4 / (4 + 1e-8)
/// assert!((w.data()[0] - 0.5).abs() < 1e-8);
/// ```
pub struct AdaGrad {
    /// The learning rate.
    pub lr: f64,
    /// Added to the root of the sum of squares, against division by zero.
    pub eps: f64,
    hs: Slots<1>,
}

impl AdaGrad {
    /// AdaGrad with learning rate `lr` and `eps = 1e-8`.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::optimizers::AdaGrad::new(0.1).eps, 1e-8);
    /// ```
    pub fn new(lr: f64) -> Self {
        AdaGrad {
            lr,
            eps: 1e-8,
            hs: Slots::default(),
        }
    }
}

impl Default for AdaGrad {
    /// `lr = 0.001`, `eps = 1e-8`, DeZero's defaults.
    fn default() -> Self {
        AdaGrad::new(0.001)
    }
}

impl std::fmt::Debug for AdaGrad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdaGrad(lr: {}, eps: {})", self.lr, self.eps)
    }
}

impl Optimizer for AdaGrad {
    /// # Panics
    /// If the gradient's shape differs from the parameter's.
    #[track_caller]
    fn update_one(&mut self, param: &Parameter) {
        let (lr, eps) = (self.lr, self.eps);
        let [mut h] = self.hs.take(param);
        with_data_and_grad("AdaGrad", param, |w, g| {
            Zip::from(w).and(&mut h).and(g).for_each(|w, h, &g| {
                *h += g * g;
                *w -= lr * g / (h.sqrt() + eps);
            });
        });
        self.hs.put(param, [h]);
    }
}

/// AdaDelta (DeZero's `AdaDelta`, defaults `rho = 0.95`, `eps = 1e-6`; no learning rate):
/// `msg = rho msg + (1 - rho) gW²; dx = sqrt((msdx + eps) / (msg + eps)) gW;
/// msdx = rho msdx + (1 - rho) dx²; W -= dx`.
///
/// ```
/// use dezero_runtime::{layers::Parameter, optimizers::{AdaDelta, Optimizer}, Variable};
/// let w = Parameter::new(ndarray::arr1(&[1.0]).into_dyn());
/// w.set_grad(Some(Variable::from(ndarray::arr1(&[1.0]))));
/// AdaDelta::default().update_one(&w);
/// // msg = 0.05, dx = sqrt(1e-6 / (0.05 + 1e-6))
/// assert!((w.data()[0] - (1.0 - (1e-6f64 / 0.050001).sqrt())).abs() < 1e-15);
/// ```
pub struct AdaDelta {
    /// The decay of both running averages.
    pub rho: f64,
    /// Added inside both roots.
    pub eps: f64,
    state: Slots<2>,
}

impl Default for AdaDelta {
    /// `rho = 0.95`, `eps = 1e-6`, DeZero's defaults.
    fn default() -> Self {
        AdaDelta {
            rho: 0.95,
            eps: 1e-6,
            state: Slots::default(),
        }
    }
}

impl std::fmt::Debug for AdaDelta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdaDelta(rho: {}, eps: {})", self.rho, self.eps)
    }
}

impl Optimizer for AdaDelta {
    /// # Panics
    /// If the gradient's shape differs from the parameter's.
    #[track_caller]
    fn update_one(&mut self, param: &Parameter) {
        let (rho, eps) = (self.rho, self.eps);
        let [mut msg, mut msdx] = self.state.take(param);
        with_data_and_grad("AdaDelta", param, |w, g| {
            Zip::from(w)
                .and(&mut msg)
                .and(&mut msdx)
                .and(g)
                .for_each(|w, msg, msdx, &g| {
                    *msg = *msg * rho + (1.0 - rho) * g * g;
                    let dx = ((*msdx + eps) / (*msg + eps)).sqrt() * g;
                    *msdx = *msdx * rho + (1.0 - rho) * dx * dx;
                    *w -= dx;
                });
        });
        self.state.put(param, [msg, msdx]);
    }
}

/// Adam (DeZero's `Adam`, defaults `alpha = 0.001`, `beta1 = 0.9`, `beta2 = 0.999`,
/// `eps = 1e-8`): at step t, `m += (1 - beta1)(gW - m); v += (1 - beta2)(gW² - v);
/// W -= lr_t m / (sqrt(v) + eps)` with `lr_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t)`.
///
/// (PyTorch adds `eps` to the bias-corrected `sqrt(v_hat)` instead; the two differ only
/// through `eps`.)
///
/// ```
/// use dezero_runtime::{layers::{Layer, Linear}, optimizers::{Adam, Optimizer}, Variable};
/// let l = Linear::new(1).with_in_size(1).without_bias();
/// l.w().set_data(ndarray::array![[1.0]].into_dyn());
/// l.w().set_grad(Some(Variable::from(ndarray::array![[0.5]])));
/// let mut opt = Adam::new(0.1);
/// opt.update(&l);
/// // step 1: m = 0.05, v = 0.00025, lr_1 = 0.1 sqrt(0.001) / 0.1: a step of about alpha
/// assert!((l.w().data()[[0, 0]] - 0.9).abs() < 1e-6);
/// assert_eq!(opt.t(), 1);
/// ```
pub struct Adam {
    /// The step size.
    pub alpha: f64,
    /// The decay of the mean of the gradients.
    pub beta1: f64,
    /// The decay of the mean of their squares.
    pub beta2: f64,
    /// Added to the root of the second moment.
    pub eps: f64,
    t: u32,
    state: Slots<2>,
}

impl Adam {
    /// Adam with step size `alpha` and DeZero's other defaults.
    ///
    /// ```
    /// let opt = dezero_runtime::optimizers::Adam::new(0.01);
    /// assert_eq!((opt.beta1, opt.beta2, opt.eps), (0.9, 0.999, 1e-8));
    /// ```
    pub fn new(alpha: f64) -> Self {
        Adam {
            alpha,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            t: 0,
            state: Slots::default(),
        }
    }

    /// The number of [`update`](Optimizer::update)s so far.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::optimizers::Adam::default().t(), 0);
    /// ```
    pub fn t(&self) -> u32 {
        self.t
    }

    /// The step size of the current step, `alpha sqrt(1 - beta2^t) / (1 - beta1^t)`
    /// (DeZero's `Adam.lr`).
    ///
    /// ```
    /// use dezero_runtime::optimizers::{Adam, Optimizer};
    /// let mut opt = Adam::new(0.1);
    /// opt.begin_update(); // t = 1
    /// assert!((opt.lr() - 0.1 * 0.001f64.sqrt() / 0.1).abs() < 1e-15);
    /// ```
    pub fn lr(&self) -> f64 {
        let t = self.t as i32;
        let fix1 = 1.0 - self.beta1.powi(t);
        let fix2 = 1.0 - self.beta2.powi(t);
        self.alpha * fix2.sqrt() / fix1
    }
}

impl Default for Adam {
    /// `alpha = 0.001`, DeZero's default.
    fn default() -> Self {
        Adam::new(0.001)
    }
}

impl std::fmt::Debug for Adam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Adam(alpha: {}, beta1: {}, beta2: {}, eps: {}, t: {})",
            self.alpha, self.beta1, self.beta2, self.eps, self.t
        )
    }
}

impl Optimizer for Adam {
    fn begin_update(&mut self) {
        self.t += 1;
    }

    /// # Panics
    /// If the gradient's shape differs from the parameter's, or if called before any
    /// [`begin_update`](Optimizer::begin_update) (step 0 has no step size).
    #[track_caller]
    fn update_one(&mut self, param: &Parameter) {
        if self.t == 0 {
            panic!(
                "Adam: update_one before the first begin_update (use update(), which counts steps)"
            );
        }
        let (beta1, beta2, eps, lr) = (self.beta1, self.beta2, self.eps, self.lr());
        let [mut m, mut v] = self.state.take(param);
        with_data_and_grad("Adam", param, |w, g| {
            Zip::from(w)
                .and(&mut m)
                .and(&mut v)
                .and(g)
                .for_each(|w, m, v, &g| {
                    *m += (1.0 - beta1) * (g - *m);
                    *v += (1.0 - beta2) * (g * g - *v);
                    *w -= lr * *m / (v.sqrt() + eps);
                });
        });
        self.state.put(param, [m, v]);
    }
}
