//! Every optimizer takes the steps DeZero's own optimizer takes, to the last bit or within a
//! few ulps.
//!
//! Reference values from DeZero 0.0.13 (float64 arrays; run with `np.int = int` first):
//!
//! ```text
//! class M(Layer):
//!     def __init__(self):
//!         super().__init__(); self.w = Parameter(np.array([1.0, -2.0, 0.5]))
//! m = M(); opt.setup(m)
//! for _ in range(3):
//!     loss = F.sum(m.w * m.w * np.array([1.0, 2.0, 3.0]))   # grad = 2 c w
//!     m.cleargrads(); loss.backward(); opt.update()
//! print([repr(float(v)) for v in m.w.data])
//! ```

use approx::assert_relative_eq;
use dezero_runtime::functions::sum;
use dezero_runtime::layers::{Child, Layer, Parameter};
use dezero_runtime::optimizers::{AdaDelta, AdaGrad, Adam, MomentumSGD, Optimizer, SGD};
use dezero_runtime::Variable;
use ndarray::arr1;

struct M {
    w: Parameter,
}

impl Layer for M {
    fn forward(&self, x: &Variable) -> Variable {
        x * &*self.w
    }
    fn children(&self, visit: &mut dyn FnMut(&str, Child<'_>)) {
        visit("w", Child::Param(&self.w));
    }
}

/// Three steps on loss = Σ c w², c = (1, 2, 3), from w = (1, -2, 0.5).
fn three_steps(opt: &mut dyn Optimizer) -> Vec<f64> {
    let m = M {
        w: arr1(&[1.0, -2.0, 0.5]).into(),
    };
    let w_before = m.w.data().as_ptr();
    let c = arr1(&[1.0, 2.0, 3.0]);
    for _ in 0..3 {
        let loss = sum(&(&*m.w * &*m.w * c.clone()));
        m.cleargrads();
        loss.backward();
        opt.update(&m);
    }
    // The update wrote into the parameter's own array.
    assert_eq!(m.w.data().as_ptr(), w_before);

    m.w.data().iter().copied().collect()
}

fn assert_close(got: &[f64], want: &[f64]) {
    for (g, w) in got.iter().zip(want) {
        assert_relative_eq!(*g, *w, max_relative = 1e-14);
    }
}

#[test]
fn sgd_matches_dezero() {
    // w <- w (1 - 0.2 c) each step: (1 * 0.8³, -2 * 0.6³, 0.5 * 0.4³)
    assert_close(
        &three_steps(&mut SGD::new(0.1)),
        &[0.512, -0.432, 0.03199999999999999],
    );
}

#[test]
fn momentum_sgd_matches_dezero() {
    assert_close(
        &three_steps(&mut MomentumSGD::new(0.1)),
        &[
            0.06199999999999983,
            1.0800000000000005,
            -0.42700000000000016,
        ],
    );
    assert_close(
        &three_steps(&mut MomentumSGD::default()),
        &[0.8897120000000001, -1.5664319999999998, 0.340232],
    );
}

#[test]
fn adagrad_matches_dezero() {
    assert_close(
        &three_steps(&mut AdaGrad::new(0.1)),
        &[0.7804561822187429, -1.7758215152326928, 0.29089917731349885],
    );
}

#[test]
fn adadelta_matches_dezero() {
    assert_close(
        &three_steps(&mut AdaDelta::default()),
        &[0.9864644623414908, -1.986447740515173, 0.48649800729497905],
    );
}

#[test]
fn adam_matches_dezero() {
    let mut adam = Adam::new(0.1);
    assert_close(
        &three_steps(&mut adam),
        &[0.7015863085615979, -1.700623400458036, 0.20487127438521482],
    );
    assert_eq!(adam.t(), 3);
    assert_close(
        &three_steps(&mut Adam::default()),
        &[0.9970000964115369, -1.9970000479801067, 0.4970001934261413],
    );
}

#[test]
fn parameters_without_a_gradient_are_left_alone() {
    let m = M {
        w: arr1(&[1.0]).into(),
    };
    SGD::new(1.0).update(&m);
    assert_eq!(m.w.data()[0], 1.0);
    // Adam still counts the step, as DeZero's update() does.
    let mut adam = Adam::default();
    adam.update(&m);
    assert_eq!(adam.t(), 1);
}

#[test]
fn state_is_per_parameter() {
    // Two parameters with the same gradient history get the same momentum, independently.
    let a = Parameter::new(arr1(&[0.0]).into_dyn());
    let b = Parameter::new(arr1(&[0.0]).into_dyn());
    let mut opt = MomentumSGD::new(1.0).with_momentum(0.5);
    for p in [&a, &b, &a, &b] {
        p.set_grad(Some(Variable::from(arr1(&[1.0]))));
        opt.update_one(p);
    }
    // v1 = -1, v2 = 0.5 * -1 - 1 = -1.5: w = -2.5 for both
    assert_eq!((a.data()[0], b.data()[0]), (-2.5, -2.5));
}

#[test]
#[should_panic(expected = "SGD: gradient of shape [3] does not match the parameter's shape [2, 3]")]
fn a_gradient_made_stale_by_set_data_panics() {
    // set_grad checks shapes; a later set_data of another shape leaves a stale gradient.
    let w = Parameter::new(arr1(&[0.0, 0.0, 0.0]).into_dyn());
    w.set_grad(Some(Variable::from(arr1(&[1.0, 2.0, 3.0]))));
    w.set_data(ndarray::Array2::<f64>::zeros((2, 3)).into_dyn());
    SGD::new(0.1).update_one(&w);
}

#[test]
fn updating_while_the_user_holds_a_data_guard_of_the_gradient_is_fine() {
    // The optimizer only reads the gradient: a live guard on it does not conflict.
    let w = Parameter::new(arr1(&[1.0]).into_dyn());
    let g = Variable::from(arr1(&[1.0]));
    w.set_grad(Some(g.clone()));
    let guard = g.data();
    SGD::new(0.5).update_one(&w);
    assert_eq!(guard[0], 1.0);
    drop(guard);
    assert_eq!(w.data()[0], 0.5);
}
