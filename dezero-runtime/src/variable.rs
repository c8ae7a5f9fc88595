//! [`Variable`]: the cheap, clonable handle over an `ArrayD<f64>` that the graph is made of.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::{Rc, Weak};

use ndarray::{Array, ArrayD, Dimension, IxDyn};

use crate::function::{Node, NodeInner};

/// A node of the computational graph holding an n-dimensional `f64` array (DeZero's `Variable`).
///
/// `Variable` is a handle: `clone()` copies a pointer, never the array, and two clones are the
/// same variable ([`Variable::ptr_eq`]). A variable made by applying a [`Function`](crate::Function)
/// remembers its creator, so [`backward`](Variable::backward) can walk the graph back to the
/// inputs. 0-dim arrays are the scalars.
///
/// Data is always an `ndarray` array of `f64`: the type system is what rejects "not an array"
/// (DeZero raises `TypeError` at run time). A variable may also have *no data*
/// ([`Variable::empty`]); it prints as `variable(None)`.
///
/// ```
/// use dezero_runtime::Variable;
/// use ndarray::array;
/// let x = Variable::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// assert_eq!(x.shape(), vec![2, 3]);
/// assert_eq!((x.ndim(), x.size(), x.len()), (2, 6, 2));
/// assert_eq!(x.dtype(), "float64");
/// let y = Variable::from(3.0);
/// assert_eq!(y.ndim(), 0);
/// assert_eq!(y.item(), 3.0);
/// ```
pub struct Variable(pub(crate) Rc<RefCell<VariableInner>>);

pub(crate) struct VariableInner {
    pub(crate) data: Option<ArrayD<f64>>,
    pub(crate) grad: Option<Variable>,
    pub(crate) creator: Option<Rc<NodeInner>>,
    pub(crate) generation: usize,
    pub(crate) name: Option<String>,
    /// Set by fused nodes on the arrays they allocated: when this variable is dropped, its
    /// buffer goes back to the fused nodes' cache ([`crate::fused::clear_buffer_cache`]).
    pub(crate) recycle: bool,
    /// Set on the large arrays the built-in functions allocate: when this variable is dropped,
    /// its buffer goes to the runtime's pool ([`crate::pool`]).
    pub(crate) pooled: bool,
    /// Set while [`Variable::update`] lends the array to its closure (`data` is `None` then).
    pub(crate) updating: bool,
    /// False for a [`Variable::constant`]: backward gives it no grad.
    pub(crate) requires_grad: bool,
}

impl VariableInner {
    /// The panic message of `what` on a variable without data (or whose data is lent to
    /// [`Variable::update`]).
    #[cold]
    pub(crate) fn no_data(&self, what: &str) -> String {
        if self.updating {
            format!(
                "{what}: the variable's data is lent to the closure of its own update(); use the \
                 array the closure receives"
            )
        } else {
            crate::error::no_data(what)
        }
    }
}

impl Clone for Variable {
    /// Another handle to the same variable (an `Rc` clone; the array is not copied).
    fn clone(&self) -> Self {
        Variable(Rc::clone(&self.0))
    }
}

impl Drop for Variable {
    /// Drops this handle. A variable holding a recorded (`create_graph`) gradient may be on a
    /// reference cycle through it: when such a handle goes, the cycle is freed if nothing
    /// outside holds it any more (`cycles.rs`).
    #[inline]
    fn drop(&mut self) {
        crate::cycles::on_drop(self);
    }
}

impl Variable {
    /// A variable holding `data`, with no creator, no grad and no name.
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// let x = Variable::new(ndarray::arr1(&[1.0, 2.0]).into_dyn());
    /// assert_eq!(x.shape(), vec![2]);
    /// ```
    pub fn new(data: ArrayD<f64>) -> Self {
        Self::from_parts(Some(data), None, 0)
    }

    /// A variable with no data (DeZero's `Variable(None)`); it prints as `variable(None)`.
    ///
    /// Reading its data ([`data`](Variable::data), [`shape`](Variable::shape), ...) or calling
    /// [`backward`](Variable::backward) on it panics; give it data with
    /// [`set_data`](Variable::set_data).
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// let x = Variable::empty();
    /// assert!(!x.has_data());
    /// assert_eq!(x.to_string(), "variable(None)");
    /// ```
    pub fn empty() -> Self {
        Self::from_parts(None, None, 0)
    }

    pub(crate) fn from_parts(
        data: Option<ArrayD<f64>>,
        creator: Option<Rc<NodeInner>>,
        generation: usize,
    ) -> Self {
        Variable(Rc::new(RefCell::new(VariableInner {
            data,
            grad: None,
            creator,
            generation,
            name: None,
            recycle: false,
            pooled: false,
            updating: false,
            requires_grad: true,
        })))
    }

    /// A variable holding `data` that backward gives no gradient (PyTorch's
    /// `requires_grad=False`): typically a batch of input data.
    ///
    /// [`Variable::new`] is DeZero's `Variable`: every leaf gets its `grad`. A constant is a
    /// leaf opted out of that: backward passes over it (its [`grad`](Variable::grad) stays
    /// `None`), so the built-in functions skip computing its gradient where that costs work
    /// (`matmul` and `linear`: `gy · wᵀ` for an input batch). The gradients of everything else
    /// are the same as with [`Variable::new`].
    ///
    /// ```
    /// use dezero_runtime::{functions::{matmul, sum}, Variable};
    /// let x = Variable::constant(ndarray::array![[1.0, 2.0]].into_dyn());
    /// let w = Variable::new(ndarray::array![[3.0], [4.0]].into_dyn());
    /// sum(matmul(&x, &w)).backward();
    /// assert!(x.grad().is_none());
    /// assert_eq!(*w.grad().unwrap().data(), ndarray::array![[1.0], [2.0]].into_dyn());
    /// assert!(!x.requires_grad());
    /// ```
    pub fn constant(data: ArrayD<f64>) -> Self {
        let x = Self::new(data);
        x.inner_mut().requires_grad = false;
        x
    }

    /// Whether backward gives this variable a gradient: false only for a
    /// [`Variable::constant`].
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// assert!(Variable::from(vec![1.0]).requires_grad());
    /// assert!(!Variable::constant(ndarray::arr1(&[1.0]).into_dyn()).requires_grad());
    /// ```
    pub fn requires_grad(&self) -> bool {
        self.0.borrow().requires_grad
    }

    /// Write access to the inner state, with a clear message if a `data()` guard is alive.
    #[track_caller]
    pub(crate) fn inner_mut(&self) -> RefMut<'_, VariableInner> {
        match self.0.try_borrow_mut() {
            Ok(inner) => inner,
            Err(_) => panic!(
                "a data() guard of a variable is still alive while its grad or name is being \
                 written (by backward, cleargrad, set_grad or set_name); drop the guard first"
            ),
        }
    }

    /// This variable with its name set (builder style).
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(1.0).with_name("x");
    /// assert_eq!(x.name().as_deref(), Some("x"));
    /// ```
    pub fn with_name(self, name: impl Into<String>) -> Self {
        self.set_name(name);
        self
    }

    /// The variable's name, if it has one.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::Variable::from(1.0).name(), None);
    /// ```
    pub fn name(&self) -> Option<String> {
        self.0.borrow().name.clone()
    }

    /// Sets the variable's name.
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(1.0);
    /// x.set_name("x");
    /// assert_eq!(x.name().as_deref(), Some("x"));
    /// ```
    pub fn set_name(&self, name: impl Into<String>) {
        self.inner_mut().name = Some(name.into());
    }

    /// Read access to the array (a guard that derefs to `ArrayD<f64>`).
    ///
    /// Drop the guard before calling [`set_data`](Variable::set_data) on the same variable; to
    /// change the array from its old value, use [`update`](Variable::update).
    ///
    /// # Panics
    /// If the variable has no data ([`Variable::empty`]).
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(2.0);
    /// assert_eq!(x.data().sum(), 2.0);
    /// ```
    #[track_caller]
    pub fn data(&self) -> Ref<'_, ArrayD<f64>> {
        let inner = self.0.borrow();
        if inner.data.is_none() {
            panic!("{}", inner.no_data("data()"));
        }
        Ref::map(inner, |i| i.data.as_ref().expect("checked above"))
    }

    /// Read access to the array, or `None` if the variable has no data.
    ///
    /// ```
    /// assert!(dezero_runtime::Variable::empty().try_data().is_none());
    /// ```
    pub fn try_data(&self) -> Option<Ref<'_, ArrayD<f64>>> {
        Ref::filter_map(self.0.borrow(), |i| i.data.as_ref()).ok()
    }

    /// Whether the variable holds an array.
    ///
    /// ```
    /// assert!(dezero_runtime::Variable::from(1.0).has_data());
    /// ```
    pub fn has_data(&self) -> bool {
        self.0.borrow().data.is_some()
    }

    /// Replaces the array. The graph is not changed: a creator's backward will see the new
    /// data, exactly as assigning `x.data` does in DeZero.
    ///
    /// To change the array in place from its old value (an optimizer step), use
    /// [`update`](Variable::update).
    ///
    /// # Panics
    /// If a [`data`](Variable::data) guard of this variable is alive. The natural one-liner
    /// `x.set_data(&*x.data() - &(lr * g))` is exactly that case: the guard made in the
    /// argument lives until the end of the statement, so it is still alive when `set_data`
    /// writes. Write `x.update(|d| *d -= &(lr * g))` instead, or compute the new array in a
    /// `let` first.
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(1.0);
    /// x.set_data(ndarray::arr0(5.0).into_dyn());
    /// assert_eq!(x.item(), 5.0);
    /// // from its old value: the new array first, then set_data (or use update)
    /// let next = &*x.data() * 2.0;
    /// x.set_data(next);
    /// assert_eq!(x.item(), 10.0);
    /// ```
    #[track_caller]
    pub fn set_data(&self, data: ArrayD<f64>) {
        match self.0.try_borrow_mut() {
            Ok(mut inner) => inner.data = Some(data),
            Err(_) => panic!(
                "set_data(): a data() guard of this variable is still alive; \
                 compute the new array in a `let` first, then call set_data"
            ),
        }
    }

    /// Changes the array in place: `f` gets it as `&mut ArrayD<f64>` and may modify or
    /// replace it (an optimizer step, a Newton update). Returns what `f` returns.
    ///
    /// While `f` runs the array is lent to it, and everything else about the variable can be
    /// read, its gradient in particular: `x.update(|d| d.scaled_add(-lr, &x.grad().unwrap().data()))`
    /// works. Like [`set_data`](Variable::set_data), it does not change the graph. If `f`
    /// panics, the array (as `f` left it) is put back.
    ///
    /// # Panics
    /// If the variable has no data, or a [`data`](Variable::data) guard of it is alive when
    /// `update` is called; if `f` reads this variable's own data (through `data()`, `shape()`,
    /// `item()`, ...): use the array `f` receives.
    ///
    /// ```
    /// use dezero_runtime::{functions::sum, Variable};
    /// use ndarray::array;
    /// // one gradient-descent step on sum(x²): x <- x - lr * 2x
    /// let x = Variable::from(array![1.0, -2.0]);
    /// sum(&(&x * &x)).backward();
    /// let lr = 0.25;
    /// x.update(|d| d.scaled_add(-lr, &x.grad().unwrap().data()));
    /// assert_eq!(*x.data(), array![0.5, -1.0].into_dyn());
    ///
    /// // Newton's method on y = x² - 2 from 1.0 (x <- x - y / y'), with a plain expression:
    /// let x = Variable::from(1.0);
    /// for _ in 0..5 {
    ///     let y = &x * &x - 2.0;
    ///     x.cleargrad();
    ///     y.backward();
    ///     let step = &*y.data() / &*x.grad().unwrap().data();
    ///     x.update(|d| *d -= &step);
    /// }
    /// assert!((x.item() - 2f64.sqrt()).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn update<R>(&self, f: impl FnOnce(&mut ArrayD<f64>) -> R) -> R {
        let data = match self.0.try_borrow_mut() {
            Ok(mut inner) => match inner.data.take() {
                Some(data) => {
                    inner.updating = true;
                    data
                }
                None => panic!("{}", inner.no_data("update()")),
            },
            Err(_) => panic!(
                "update(): a data() guard of this variable is still alive; drop it first (the \
                 closure receives the array)"
            ),
        };
        /// Puts the array back when `f` returns or panics.
        struct Lent<'a> {
            var: &'a Variable,
            data: Option<ArrayD<f64>>,
        }
        impl Drop for Lent<'_> {
            fn drop(&mut self) {
                if let Ok(mut inner) = self.var.0.try_borrow_mut() {
                    inner.data = self.data.take();
                    inner.updating = false;
                }
            }
        }
        let mut lent = Lent {
            var: self,
            data: Some(data),
        };
        f(lent.data.as_mut().expect("lent until dropped"))
    }

    /// The single element of a size-1 variable (any number of dimensions).
    ///
    /// # Panics
    /// If the variable has no data or does not have exactly one element.
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// assert_eq!(Variable::from(4.0).item(), 4.0);
    /// assert_eq!(Variable::from(ndarray::array![[7.0]]).item(), 7.0);
    /// ```
    #[track_caller]
    pub fn item(&self) -> f64 {
        let data = self.data();
        if data.len() != 1 {
            panic!(
                "item(): the variable has shape {:?} ({} elements); item() needs exactly one element",
                data.shape(),
                data.len()
            );
        }
        *data.iter().next().expect("one element")
    }

    /// The shape of the array, like NumPy's `shape` (`vec![]` for a 0-dim variable).
    ///
    /// # Panics
    /// If the variable has no data.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::Variable::from(1.0).shape(), Vec::<usize>::new());
    /// ```
    #[track_caller]
    pub fn shape(&self) -> Vec<usize> {
        self.data().shape().to_vec()
    }

    pub(crate) fn dim(&self) -> IxDyn {
        self.data().raw_dim()
    }

    /// The number of dimensions (0 for a scalar).
    ///
    /// # Panics
    /// If the variable has no data.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::Variable::from(ndarray::array![1.0, 2.0]).ndim(), 1);
    /// ```
    #[track_caller]
    pub fn ndim(&self) -> usize {
        self.data().ndim()
    }

    /// The number of elements (1 for a scalar).
    ///
    /// # Panics
    /// If the variable has no data.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::Variable::from(ndarray::array![[1.0, 2.0]]).size(), 2);
    /// ```
    #[track_caller]
    pub fn size(&self) -> usize {
        self.data().len()
    }

    /// The length of the first dimension, like Python's `len(x)`.
    ///
    /// # Panics
    /// If the variable has no data, or is 0-dim: like NumPy (`len()` of a 0-d array is a
    /// `TypeError`), a scalar has no first dimension. Use [`size`](Variable::size) for the
    /// element count.
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// assert_eq!(x.len(), 2);
    /// ```
    #[track_caller]
    pub fn len(&self) -> usize {
        let data = self.data();
        match data.shape().first() {
            Some(&n) => n,
            None => panic!("len(): a 0-dim variable has no first dimension (use size())"),
        }
    }

    /// Whether the first dimension is 0 (see [`len`](Variable::len), which this mirrors).
    ///
    /// # Panics
    /// As [`len`](Variable::len).
    ///
    /// ```
    /// assert!(dezero_runtime::Variable::from(ndarray::Array1::<f64>::zeros(0)).is_empty());
    /// ```
    #[track_caller]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type, always `"float64"` (NumPy's name for `f64`).
    ///
    /// ```
    /// assert_eq!(dezero_runtime::Variable::from(1.0).dtype(), "float64");
    /// ```
    pub fn dtype(&self) -> &'static str {
        "float64"
    }

    /// The gradient computed by [`backward`](Variable::backward), if any.
    ///
    /// The gradient is itself a `Variable` (so that a backward with `create_graph` can
    /// differentiate it again) and always has this variable's shape.
    ///
    /// ```
    /// use dezero_runtime::{functions::square, Variable};
    /// let x = Variable::from(3.0);
    /// square(&x).backward();
    /// assert_eq!(x.grad().unwrap().item(), 6.0);
    /// ```
    pub fn grad(&self) -> Option<Variable> {
        self.0.borrow().grad.clone()
    }

    /// Sets (or with `None`, clears) the gradient. `backward` accumulates onto a present grad,
    /// and on the variable it is called on uses it as the seed instead of ones.
    ///
    /// # Panics
    /// If `grad` has no data, or a shape other than this variable's (a gradient always has its
    /// variable's shape; the message names both shapes). A variable with no data accepts any
    /// gradient. Also if a [`data`](Variable::data) guard of this variable is alive.
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(1.0);
    /// x.set_grad(Some(dezero_runtime::Variable::from(0.5)));
    /// assert_eq!(x.grad().unwrap().item(), 0.5);
    /// ```
    #[track_caller]
    pub fn set_grad(&self, grad: Option<Variable>) {
        if let Some(g) = &grad {
            let Some(gd) = g.try_data() else {
                panic!("set_grad(): the gradient has no data (variable(None))");
            };
            if let Some(d) = self.try_data() {
                if d.shape() != gd.shape() {
                    panic!(
                        "set_grad(): a gradient of shape {:?} for a variable of shape {:?}; a \
                         gradient must have its variable's shape",
                        gd.shape(),
                        d.shape()
                    );
                }
            }
        }
        let recorded = grad.as_ref().is_some_and(|g| g.creator().is_some());
        self.inner_mut().grad = grad;
        if recorded {
            crate::cycles::register(self);
        }
    }

    /// Clears the gradient, so that the next `backward` starts from zero (DeZero's `cleargrad`).
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// let x = Variable::from(3.0);
    /// (&x + &x).backward();
    /// x.cleargrad();
    /// assert!(x.grad().is_none());
    /// ```
    pub fn cleargrad(&self) {
        self.inner_mut().grad = None;
    }

    /// The node of the function that made this variable (`None` for a leaf, or for a result
    /// computed with backprop disabled).
    ///
    /// ```
    /// use dezero_runtime::{functions::exp, Variable};
    /// let x = Variable::from(1.0);
    /// let y = exp(&x);
    /// let node = y.creator().unwrap();
    /// assert_eq!(node.name(), "exp");
    /// assert!(node.inputs()[0].ptr_eq(&x));
    /// assert!(x.creator().is_none());
    /// ```
    pub fn creator(&self) -> Option<Node> {
        self.0.borrow().creator.clone().map(Node)
    }

    /// The generation: 0 for a leaf, creator's generation + 1 otherwise.
    ///
    /// ```
    /// use dezero_runtime::{functions::square, Variable};
    /// let x = Variable::from(2.0);
    /// assert_eq!(square(&square(&x)).generation(), 2);
    /// ```
    pub fn generation(&self) -> usize {
        self.0.borrow().generation
    }

    /// Whether `self` and `other` are the same variable (Python's `is`).
    ///
    /// ```
    /// use dezero_runtime::Variable;
    /// let x = Variable::from(1.0);
    /// assert!(x.ptr_eq(&x.clone()));
    /// assert!(!x.ptr_eq(&Variable::from(1.0)));
    /// ```
    pub fn ptr_eq(&self, other: &Variable) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// A number identifying this variable while it is alive (its address; Python's `id`).
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(1.0);
    /// assert_eq!(x.id(), x.clone().id());
    /// ```
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    /// A weak handle: it does not keep the variable (or its graph) alive.
    ///
    /// ```
    /// use dezero_runtime::{functions::square, Variable};
    /// let x = Variable::from(2.0);
    /// let y = square(&square(&x));
    /// let a = y.creator().unwrap().inputs()[0].downgrade(); // the intermediate x²
    /// assert!(a.upgrade().is_some());
    /// drop(y); // frees the whole graph
    /// assert!(a.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakVariable {
        WeakVariable(Rc::downgrade(&self.0))
    }

    /// `self` raised to the constant power `c` (the method form of [`functions::pow`](crate::functions::pow)).
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(2.0);
    /// let y = x.pow(3.0);
    /// y.backward();
    /// assert_eq!((y.item(), x.grad().unwrap().item()), (8.0, 12.0));
    /// ```
    pub fn pow(&self, c: f64) -> Variable {
        crate::functions::pow(self, c)
    }
}

/// A non-owning handle to a [`Variable`], made by [`Variable::downgrade`].
#[derive(Clone)]
pub struct WeakVariable(Weak<RefCell<VariableInner>>);

impl WeakVariable {
    /// The variable, if it is still alive.
    ///
    /// ```
    /// let x = dezero_runtime::Variable::from(1.0);
    /// let w = x.downgrade();
    /// assert!(w.upgrade().unwrap().ptr_eq(&x));
    /// ```
    pub fn upgrade(&self) -> Option<Variable> {
        self.0.upgrade().map(Variable)
    }

    /// Whether the variable is still alive.
    ///
    /// ```
    /// let w = dezero_runtime::Variable::from(1.0).downgrade();
    /// assert!(!w.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.0.strong_count() > 0
    }
}

impl std::fmt::Debug for WeakVariable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeakVariable(alive: {})", self.is_alive())
    }
}

impl From<f64> for Variable {
    /// A 0-dim variable (a scalar).
    fn from(value: f64) -> Self {
        Variable::new(ndarray::arr0(value).into_dyn())
    }
}

impl<D: Dimension> From<Array<f64, D>> for Variable {
    /// A variable over the array, of any dimension.
    fn from(array: Array<f64, D>) -> Self {
        Variable::new(array.into_dyn())
    }
}

impl From<Vec<f64>> for Variable {
    /// A 1-dim variable.
    fn from(values: Vec<f64>) -> Self {
        Variable::new(ArrayD::from_shape_vec(IxDyn(&[values.len()]), values).expect("1-dim"))
    }
}

impl AsRef<Variable> for Variable {
    /// The variable itself: what lets every function of [`functions`](crate::functions) take
    /// a variable by value or by reference alike (`cos(&x)`, `cos(2.0 * &x)`).
    ///
    /// ```
    /// use dezero_runtime::{functions::cos, Variable};
    /// let x = Variable::from(0.25);
    /// let a = cos(&x); // borrowed
    /// let b = cos(2.0 * std::f64::consts::PI * &x); // an owned temporary
    /// assert_eq!(a.item(), 0.25f64.cos());
    /// assert!(b.item().abs() < 1e-15);
    /// ```
    fn as_ref(&self) -> &Variable {
        self
    }
}

impl From<&Variable> for Variable {
    /// Another handle to the same variable.
    fn from(v: &Variable) -> Self {
        v.clone()
    }
}
