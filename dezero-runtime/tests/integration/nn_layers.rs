//! Parameters, layers and models: DeZero's initialisation, lazy input sizes, the parameter
//! tree and its names, and gradients through a model against central differences.

use approx::assert_relative_eq;
use dezero_runtime::functions::{sigmoid, sum, tanh};
use dezero_runtime::layers::{Child, Layer, Linear, Parameter};
use dezero_runtime::models::{Model, MLP};
use dezero_runtime::random::{self, RandomState};
use dezero_runtime::{no_grad, Variable};
use ndarray::{array, Array2, ArrayD};

#[test]
fn linear_initialises_as_dezero() {
    // W = randn(I, O) * sqrt(1 / I) from the thread generator, b = 0.
    random::seed(1);
    let l = Linear::new(4).with_in_size(3);
    let mut rng = RandomState::new(1);
    let want = rng.randn(&[3, 4]) * (1.0f64 / 3.0).sqrt();
    assert_eq!(*l.w().data(), want);
    assert_eq!(
        *l.b().unwrap().data(),
        ArrayD::<f64>::zeros(ndarray::IxDyn(&[4]))
    );
    assert_eq!(
        (l.w().name().as_deref(), l.b().unwrap().name().as_deref()),
        (Some("W"), Some("b"))
    );
}

#[test]
fn linear_learns_its_input_size_from_the_first_input() {
    random::seed(0);
    let l = Linear::new(2);
    assert_eq!(l.in_size(), None);
    let x = Variable::from(array![[1.0, 2.0, 3.0]]);
    let y = l.forward(&x);
    assert_eq!(l.in_size(), Some(3));
    // y = x W + b with W drawn now, b = 0
    let w = l
        .w()
        .data()
        .clone()
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap();
    let want = array![[1.0, 2.0, 3.0]].dot(&w);
    assert_eq!(*y.data(), want.into_dyn());
    // A second input keeps the same W.
    let w_before = l.w().data().clone();
    l.forward(&Variable::from(array![[0.0, 0.0, 0.0]]));
    assert_eq!(*l.w().data(), w_before);
}

#[test]
#[should_panic(expected = "Linear: cannot learn in_size from an input of shape [3]")]
fn linear_needs_a_batch_to_learn_its_input_size() {
    Linear::new(2).forward(&Variable::from(array![1.0, 2.0, 3.0]));
}

#[test]
#[should_panic(expected = "linear")]
fn linear_with_a_wrong_input_size_panics_naming_the_op() {
    Linear::new(2)
        .with_in_size(3)
        .forward(&Variable::from(array![[1.0, 2.0]]));
}

#[test]
fn linear_gradients_match_central_differences() {
    // loss = sum(tanh(x W + b)); check dloss/dW and dloss/db element by element.
    random::seed(3);
    let l = Linear::new(3).with_in_size(2);
    l.b().unwrap().set_data(array![0.1, -0.2, 0.3].into_dyn());
    let x = Variable::from(array![[0.5, -1.0], [2.0, 0.25]]);
    let loss = || sum(tanh(l.forward(&x)));
    l.cleargrads();
    loss().backward();
    for p in l.params() {
        let grad = p.grad().unwrap().data().clone();
        let base = p.data().clone();
        let eps = 1e-4;
        for (i, g) in grad.indexed_iter() {
            let mut plus = base.clone();
            plus[&i] += eps;
            let mut minus = base.clone();
            minus[&i] -= eps;
            let _guard = no_grad();
            p.set_data(plus);
            let fp = loss().item();
            p.set_data(minus);
            let fm = loss().item();
            p.set_data(base.clone());
            assert_relative_eq!(*g, (fp - fm) / (2.0 * eps), max_relative = 1e-6);
        }
    }
}

/// DeZero step 45's TwoLayerNet, written by hand.
struct TwoLayerNet {
    l1: Linear,
    l2: Linear,
}

impl Layer for TwoLayerNet {
    fn forward(&self, x: &Variable) -> Variable {
        self.l2.forward(&sigmoid(self.l1.forward(x)))
    }
    fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
        visit("l1", Child::Layer(&self.l1));
        visit("l2", Child::Layer(&self.l2));
    }
}

/// A layer of layers with its own parameter too.
struct Outer {
    scale: Parameter,
    net: TwoLayerNet,
}

impl Layer for Outer {
    fn forward(&self, x: &Variable) -> Variable {
        self.net.forward(x) * &*self.scale
    }
    fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
        visit("scale", Child::Param(&self.scale));
        visit("net", Child::Layer(&self.net));
    }
}

#[test]
fn params_walk_the_tree_depth_first_with_dezeros_keys() {
    let model = Outer {
        scale: Parameter::new(ndarray::arr0(2.0).into_dyn()),
        net: TwoLayerNet {
            l1: Linear::new(10),
            l2: Linear::new(1),
        },
    };
    let keys: Vec<String> = model.named_params().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        ["scale", "net/l1/W", "net/l1/b", "net/l2/W", "net/l2/b"]
    );
    assert_eq!(model.params().len(), 5);
    assert!(model.params()[1].ptr_eq(model.net.l1.w()));

    let y = model.forward(&Variable::from(Array2::<f64>::ones((4, 1))));
    sum(&y).backward();
    assert!(model.params().iter().all(|p| p.grad().is_some()));
    model.cleargrads();
    assert!(model.params().iter().all(|p| p.grad().is_none()));
}

#[test]
fn mlp_is_linear_sigmoid_linear() {
    random::seed(0);
    let mlp = MLP::new(&[5, 2]);
    let x = Variable::from(array![[0.3, -0.7], [1.0, 0.5], [0.0, 2.0]]);
    let y = mlp.forward(&x);
    let l = mlp.layers();
    let by_hand = l[1].forward(&sigmoid(l[0].forward(&x)));
    assert_eq!(*y.data(), *by_hand.data());
    assert_eq!(y.shape(), vec![3, 2]);
    let keys: Vec<String> = mlp.named_params().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["l0/W", "l0/b", "l1/W", "l1/b"]);
    // Names past the first eight layers too.
    let deep = MLP::new(&[1; 11]);
    let names: Vec<String> = deep.named_params().into_iter().map(|(k, _)| k).collect();
    let expected: Vec<String> = (0..11)
        .flat_map(|i| [format!("l{i}/W"), format!("l{i}/b")])
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn mlp_takes_another_activation() {
    random::seed(0);
    let mlp = MLP::new(&[4, 4, 1]).with_activation(|x| tanh(x));
    let x = Variable::from(array![[0.3, -0.7]]);
    let y = mlp.forward(&x);
    let l = mlp.layers();
    let by_hand = l[2].forward(&tanh(l[1].forward(&tanh(l[0].forward(&x)))));
    assert_eq!(*y.data(), *by_hand.data());
    assert_eq!(format!("{mlp:?}"), "MLP([4, 4, 1])");
}

#[test]
#[should_panic(expected = "MLP::new: needs at least one output size")]
fn an_mlp_needs_a_layer() {
    MLP::new(&[]);
}

#[test]
fn model_plot_draws_the_forward_graph() {
    let net = TwoLayerNet {
        l1: Linear::new(3),
        l2: Linear::new(1),
    };
    let dot = net.plot(&Variable::from(Array2::<f64>::zeros((2, 2))));
    assert!(dot.starts_with("digraph g {"));
    assert_eq!(dot.matches("linear").count(), 2);
    assert!(dot.contains("sigmoid"));
    // Verbose labels: the parameters by name with their shapes.
    assert!(dot.contains("label=\"W: (2, 3) float64\""), "{dot}");
    assert!(dot.contains("label=\"b: (1,) float64\""), "{dot}");
}

#[test]
fn parameter_is_a_variable() {
    let p = Parameter::new(array![1.0, 2.0].into_dyn()).with_name("p");
    let v: Variable = p.clone().into();
    assert!(v.ptr_eq(&p));
    assert_eq!(p.to_string(), "variable([1. 2.])");
    assert_eq!(format!("{p:?}"), "variable([1. 2.])");
    let y = sum(&(&*p * &*p));
    y.backward();
    assert_eq!(*p.grad().unwrap().data(), array![2.0, 4.0].into_dyn());
}
