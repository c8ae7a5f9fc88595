//! Models (DeZero step 45): [`Model`], a layer seen as a whole network, and [`MLP`], the
//! multi-layer perceptron.

use std::fmt;
use std::rc::Rc;

use crate::functions::sigmoid;
use crate::layers::{Child, Layer, Linear};
use crate::variable::Variable;

/// A layer used as a whole network (DeZero's `Model`): every [`Layer`] is one, and gets
/// [`plot`](Model::plot).
///
/// ```
/// use dezero_runtime::{models::{Model, MLP}, Variable};
/// let model = MLP::new(&[4, 1]);
/// let dot = model.plot(&Variable::from(ndarray::Array2::<f64>::zeros((2, 3))));
/// assert!(dot.starts_with("digraph g {"));
/// assert!(dot.contains("linear"));
/// ```
pub trait Model: Layer {
    /// The graph of `forward(x)` as Graphviz DOT text, with shapes (DeZero's `plot`, which
    /// also runs `dot`; write the text with [`dot::write`](crate::dot::write) or pipe it to
    /// `dot -Tpng`).
    fn plot(&self, x: &Variable) -> String {
        crate::dot::graph(&self.forward(x), true)
    }
}

impl<L: Layer + ?Sized> Model for L {}

/// The activation between the layers of an [`MLP`].
type Activation = Rc<dyn Fn(&Variable) -> Variable>;

/// A multi-layer perceptron: [`Linear`] layers of the given output sizes with an activation
/// between them, none after the last (DeZero's `MLP`, whose default activation is `sigmoid`).
///
/// Its layers are named `l0`, `l1`, ... as in DeZero, so its weights are saved as `l0/W`,
/// `l0/b`, .... Each layer learns its input size from the first input.
///
/// ```
/// use dezero_runtime::{layers::Layer, models::MLP, Variable};
/// let model = MLP::new(&[10, 3]);
/// let y = model.forward(&Variable::from(ndarray::Array2::<f64>::zeros((5, 2))));
/// assert_eq!(y.shape(), vec![5, 3]);
/// let keys: Vec<String> = model.named_params().into_iter().map(|(k, _)| k).collect();
/// assert_eq!(keys, ["l0/W", "l0/b", "l1/W", "l1/b"]);
/// ```
// The book's name: `MLP` reads as DeZero's `models.MLP`.
#[allow(clippy::upper_case_acronyms)]
pub struct MLP {
    layers: Vec<Linear>,
    activation: Activation,
}

impl MLP {
    /// An MLP with one [`Linear`] layer per output size and `sigmoid` between them.
    ///
    /// # Panics
    /// If `fc_output_sizes` is empty.
    ///
    /// ```
    /// let model = dezero_runtime::models::MLP::new(&[10, 10, 3]);
    /// assert_eq!(model.layers().len(), 3);
    /// assert_eq!(model.layers()[2].out_size(), 3);
    /// ```
    #[track_caller]
    pub fn new(fc_output_sizes: &[usize]) -> Self {
        if fc_output_sizes.is_empty() {
            panic!("MLP::new: needs at least one output size, got []");
        }
        MLP {
            layers: fc_output_sizes.iter().map(|&n| Linear::new(n)).collect(),
            // A closure: the generic `sigmoid` is no `Fn(&Variable)` by itself.
            activation: Rc::new(|x| sigmoid(x)),
        }
    }

    /// This MLP with `activation` between its layers instead of `sigmoid`.
    ///
    /// ```
    /// use dezero_runtime::{functions::tanh, layers::Layer, models::MLP, Variable};
    /// let model = MLP::new(&[1, 1]).with_activation(|x| tanh(x));
    /// let y = model.forward(&Variable::from(ndarray::array![[0.0]]));
    /// // b = 0 and tanh(0) = 0, so the output is 0 whatever W is
    /// assert_eq!(y.item(), 0.0);
    /// ```
    pub fn with_activation(mut self, activation: impl Fn(&Variable) -> Variable + 'static) -> Self {
        self.activation = Rc::new(activation);
        self
    }

    /// The layers, first to last.
    ///
    /// ```
    /// let model = dezero_runtime::models::MLP::new(&[5, 2]);
    /// assert_eq!(model.layers()[0].out_size(), 5);
    /// ```
    pub fn layers(&self) -> &[Linear] {
        &self.layers
    }
}

impl Layer for MLP {
    fn forward(&self, x: &Variable) -> Variable {
        let (last, hidden) = self
            .layers
            .split_last()
            .expect("MLP::new checked non-empty");
        let mut h = x.clone();
        for layer in hidden {
            h = (self.activation)(&layer.forward(&h));
        }
        last.forward(&h)
    }

    fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
        // The first names without formatting (params() walks this tree every training step).
        const NAMES: [&str; 8] = ["l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7"];
        for (i, layer) in self.layers.iter().enumerate() {
            match NAMES.get(i) {
                Some(name) => visit(name, Child::Layer(layer)),
                None => visit(&format!("l{i}"), Child::Layer(layer)),
            }
        }
    }
}

impl fmt::Debug for MLP {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<usize> = self.layers.iter().map(Linear::out_size).collect();
        write!(f, "MLP({sizes:?})")
    }
}
