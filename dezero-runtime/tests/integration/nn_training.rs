//! Whole training runs: the book's linear regression (step 42) and sine regression (step 43)
//! reproduce DeZero's numbers, and the spiral classifier (step 48) learns.
//!
//! References from DeZero 0.0.13 under NumPy 2.4, float64 (the book's scripts):
//!
//! ```text
//! np.random.seed(0); x = np.random.rand(100, 1); y = 5 + 2 * x + np.random.rand(100, 1)
//! W, b = Variable(np.zeros((1, 1))), Variable(np.zeros(1)); lr = 0.1, 100 iterations of
//! loss = F.sum((y - (F.matmul(x, W) + b)) ** 2) / 100; W.data -= lr * W.grad.data; ...
//!   -> after 100: W 2.118073690511974, b 5.466089050922982, last loss 0.07908606512411756
//! np.random.seed(0); x = np.random.rand(100, 1); y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)
//! W1 = 0.01 * np.random.randn(1, 10); W2 = 0.01 * np.random.randn(10, 1); b1, b2 = zeros
//! loss = F.mean_squared_error(y, F.linear(F.sigmoid(F.linear(x, W1, b1)), W2, b2)); lr = 0.2
//!   -> loss at iteration 0: 0.8473695850105871, at 1000: 0.2514286285183607
//! # step 48/50 with DeZero's DataLoader, L.Linear patched to dtype=np.float64 and the spiral
//! # computed in float64 (the same generator, without DeZero's float32 cast):
//! train_set.data, train_set.label = get_spiral_f64(True)   # seeds and draws as DeZero's
//! np.random.seed(0); loader = DataLoader(train_set, 30); model = MLP((10, 3))
//! opt = optimizers.SGD(1.0).setup(model)  # 5 epochs of softmax_cross_entropy, average loss:
//!   -> 1.0628399584022825, 0.9821685220398805, 0.969184650119222, 0.9170512456345244,
//!      0.8314706203881015; then l1.W[0, 0] = 0.6799095537097839
//! ```

use approx::assert_relative_eq;
use dezero_runtime::dataloader::DataLoader;
use dezero_runtime::datasets::Spiral;
use dezero_runtime::functions::{
    accuracy, linear, matmul, mean_squared_error, sigmoid, softmax_cross_entropy, sum,
};
use dezero_runtime::layers::{Layer, Parameter};
use dezero_runtime::models::MLP;
use dezero_runtime::optimizers::{Optimizer, SGD};
use dezero_runtime::{no_grad, random, Variable};
use ndarray::{ArrayD, IxDyn};

#[test]
fn linear_regression_reaches_the_books_fit() {
    random::seed(0);
    let x = random::rand(&[100, 1]);
    let y = 5.0 + 2.0 * &x + random::rand(&[100, 1]);
    let (x, y) = (Variable::new(x), Variable::new(y));
    let w = Parameter::new(ArrayD::zeros(IxDyn(&[1, 1])));
    let b = Parameter::new(ArrayD::zeros(IxDyn(&[1])));
    let mut sgd = SGD::new(0.1);
    let mut last = 0.0;
    for _ in 0..100 {
        let diff = &y - (matmul(&x, &w) + &*b);
        let loss = sum(diff.pow(2.0)) / 100.0;
        w.cleargrad();
        b.cleargrad();
        loss.backward();
        sgd.update_one(&w);
        sgd.update_one(&b);
        last = loss.item();
    }
    assert_relative_eq!(w.data()[[0, 0]], 2.118073690511974, max_relative = 1e-12);
    assert_relative_eq!(b.data()[0], 5.466089050922982, max_relative = 1e-12);
    assert_relative_eq!(last, 0.07908606512411756, max_relative = 1e-12);
}

#[test]
fn sine_regression_follows_the_books_losses() {
    random::seed(0);
    let x = random::rand(&[100, 1]);
    let y = x.mapv(|v| (2.0 * std::f64::consts::PI * v).sin()) + random::rand(&[100, 1]);
    let (x, y) = (Variable::new(x), Variable::new(y));
    let w1 = Parameter::new(0.01 * random::randn(&[1, 10]));
    let b1 = Parameter::new(ArrayD::zeros(IxDyn(&[10])));
    let w2 = Parameter::new(0.01 * random::randn(&[10, 1]));
    let b2 = Parameter::new(ArrayD::zeros(IxDyn(&[1])));
    let params = [&w1, &b1, &w2, &b2];
    let mut sgd = SGD::new(0.2);
    let mut losses = Vec::new();
    for _ in 0..=1000 {
        let h = sigmoid(linear(&x, &w1, Some(&b1)));
        let loss = mean_squared_error(&y, linear(&h, &w2, Some(&b2)));
        params.iter().for_each(|p| p.cleargrad());
        loss.backward();
        params.iter().for_each(|p| sgd.update_one(p));
        losses.push(loss.item());
    }
    assert_relative_eq!(losses[0], 0.8473695850105871, max_relative = 1e-12);
    assert_relative_eq!(losses[1000], 0.2514286285183607, max_relative = 1e-11);
}

/// Average loss of each epoch and the final training accuracy: step 48's loop.
fn train_spiral(epochs: usize) -> (Vec<f64>, f64, f64) {
    random::seed(0);
    let mut loader = DataLoader::new(Spiral::new(true), 30);
    let model = MLP::new(&[10, 3]);
    let mut optimizer = SGD::new(1.0);
    let everything = || {
        let s = Spiral::new(true);
        (
            Variable::new(s.data().clone().into_dyn()),
            s.labels().to_vec(),
        )
    };
    let (x_all, t_all) = everything();
    let mut losses = Vec::new();
    let mut accuracy_before = None;
    for _ in 0..epochs {
        let mut sum_loss = 0.0;
        for (x, t) in &mut loader {
            let y = model.forward(&Variable::new(x));
            if accuracy_before.is_none() {
                let _guard = no_grad();
                accuracy_before = Some(accuracy(model.forward(&x_all), &t_all));
            }
            let loss = softmax_cross_entropy(&y, &t);
            model.cleargrads();
            loss.backward();
            optimizer.update(&model);
            sum_loss += loss.item() * t.len() as f64;
        }
        losses.push(sum_loss / 300.0);
    }
    let _guard = no_grad();
    let accuracy_after = accuracy(model.forward(&x_all), &t_all);
    (losses, accuracy_before.unwrap(), accuracy_after)
}

#[test]
fn spiral_training_is_dezeros_run() {
    // The same draws in the same order as DeZero: the loader's first permutation, then each
    // Linear's W at its first forward, then one permutation per epoch.
    random::seed(0);
    let mut loader = DataLoader::new(Spiral::new(true), 30);
    let model = MLP::new(&[10, 3]);
    let mut optimizer = SGD::new(1.0);
    let mut losses = Vec::new();
    for _ in 0..5 {
        let mut sum_loss = 0.0;
        for (x, t) in &mut loader {
            let loss = softmax_cross_entropy(model.forward(&Variable::new(x)), &t);
            model.cleargrads();
            loss.backward();
            optimizer.update(&model);
            sum_loss += loss.item() * t.len() as f64;
        }
        losses.push(sum_loss / 300.0);
    }
    let dezero = [
        1.0628399584022825,
        0.9821685220398805,
        0.969184650119222,
        0.9170512456345244,
        0.8314706203881015,
    ];
    for (ours, theirs) in losses.iter().zip(dezero) {
        assert_relative_eq!(*ours, theirs, max_relative = 1e-12);
    }
    assert_relative_eq!(
        model.layers()[1].w().data()[[0, 0]],
        0.6799095537097839,
        max_relative = 1e-12
    );
}

#[test]
fn spiral_training_reduces_the_loss() {
    // 40 of step 48's 300 epochs: the loss starts near ln 3 = 1.0986 (three equal classes)
    // and must have fallen well below it; the accuracy must have risen above chance.
    let (losses, acc_before, acc_after) = train_spiral(40);
    assert!(
        losses[0] > 0.9 && losses[0] < 1.2,
        "first epoch {}",
        losses[0]
    );
    let last = *losses.last().unwrap();
    assert!(
        last < 0.8 * losses[0],
        "epoch 40 loss {last} vs epoch 1 {}",
        losses[0]
    );
    assert!(losses[30..].iter().all(|&l| l < losses[0]), "{losses:?}");
    assert!(
        acc_after > acc_before && acc_after > 0.5,
        "accuracy {acc_before} -> {acc_after}"
    );
}
