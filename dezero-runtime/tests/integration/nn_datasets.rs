//! The spiral data is DeZero's, and the data loader batches and shuffles as DeZero's does.
//!
//! Reference values: DeZero's `get_spiral` run in float64 under NumPy 2.4 (the same code with
//! `dtype=np.float64` for `x`; DeZero's own float32 output agrees to 3e-8):
//!
//! ```text
//! np.random.seed(1984 if train else 2020)
//! ... theta = j * 4.0 + 4.0 * rate + np.random.randn() * 0.2
//!     x[ix] = [radius * np.sin(theta), radius * np.cos(theta)]
//! indices = np.random.permutation(300); x, t = x[indices], t[indices]
//! print(x[:3], t[:10], x[-1], x.sum(), np.abs(x).sum())
//! ```

use approx::assert_relative_eq;
use dezero_runtime::dataloader::DataLoader;
use dezero_runtime::datasets::{get_spiral, ArrayDataset, Dataset, Spiral};
use dezero_runtime::random::{self, RandomState};
use ndarray::array;

fn assert_rows(x: &ndarray::Array2<f64>, rows: &[(usize, [f64; 2])]) {
    for &(i, want) in rows {
        for k in 0..2 {
            // sin/cos may differ from NumPy's by an ulp; the randoms are exact.
            assert_relative_eq!(x[[i, k]], want[k], max_relative = 1e-15);
        }
    }
}

#[test]
fn spiral_train_is_dezeros() {
    let (x, t) = get_spiral(true);
    assert_eq!(x.dim(), (300, 2));
    assert_eq!(t[..10], [1, 1, 2, 0, 1, 2, 0, 0, 1, 2]);
    assert_rows(
        &x,
        &[
            (0, [-0.1398138800906841, -0.007216573562835411]),
            (1, [0.3704939152535435, 0.5820947163135052]),
            (2, [0.1374263048201837, -0.17179642238262693]),
            (299, [0.02506495352636701, 0.07597202185489776]),
        ],
    );
    assert_relative_eq!(x.sum(), -13.916731190759949, max_relative = 1e-12);
    assert_relative_eq!(
        x.mapv(f64::abs).sum(),
        188.92349661456365,
        max_relative = 1e-12
    );
    for class in 0..3 {
        assert_eq!(t.iter().filter(|&&c| c == class).count(), 100);
    }
}

#[test]
fn spiral_test_is_dezeros() {
    let (x, t) = get_spiral(false);
    assert_eq!(t[..10], [0, 1, 0, 1, 2, 2, 1, 2, 2, 0]);
    assert_rows(
        &x,
        &[
            (0, [0.13246453477044992, 0.13620993733222356]),
            (2, [-0.4163083164299422, -0.7525206878692885]),
            (299, [-0.1666290007276846, 0.03368643816869467]),
        ],
    );
    assert_relative_eq!(x.sum(), -11.263850646350514, max_relative = 1e-12);
}

#[test]
fn spiral_does_not_touch_the_thread_generator() {
    random::seed(5);
    let before = random::with_rng(|rng| rng.clone().next_u32());
    let _ = Spiral::new(true);
    assert_eq!(random::with_rng(|rng| rng.next_u32()), before);
}

#[test]
fn spiral_dataset_reads_rows_and_transforms() {
    let s = Spiral::new(true);
    let (x, t) = s.get(2);
    assert_eq!(x.as_slice().unwrap(), s.data().row(2).as_slice().unwrap());
    assert_eq!(t, 2);
    let halved = s.clone().transform(|x| x / 2.0);
    assert_eq!(halved.len(), 300);
    assert_eq!(halved.get(2).0[1], s.data()[[2, 1]] / 2.0);
}

#[test]
#[should_panic(expected = "Spiral::get: index 300 is out of range for 300 examples")]
fn reading_past_the_end_panics() {
    Spiral::new(true).get(300);
}

#[test]
#[should_panic(expected = "ArrayDataset::new: data of shape [3, 2] for 2 labels")]
fn array_dataset_checks_its_lengths() {
    ArrayDataset::new(ndarray::Array2::<f64>::zeros((3, 2)).into_dyn(), vec![0, 1]);
}

#[test]
fn loader_batches_one_epoch_then_resets() {
    let ds = ArrayDataset::new(
        array![[0.0, 0.5], [1.0, 1.5], [2.0, 2.5], [3.0, 3.5], [4.0, 4.5]].into_dyn(),
        vec![0, 1, 2, 3, 4],
    );
    let mut loader = DataLoader::new(ds, 2).without_shuffle();
    assert_eq!(loader.max_iter(), 3);
    let batches: Vec<_> = (&mut loader).collect();
    assert_eq!(batches.len(), 3);
    assert_eq!(batches[0].0, array![[0.0, 0.5], [1.0, 1.5]].into_dyn());
    assert_eq!(batches[2].0, array![[4.0, 4.5]].into_dyn()); // the short last batch
    assert_eq!(batches[2].1, [4]);
    // The epoch ended with None and the loader reset: the next epoch is whole again.
    assert_eq!((&mut loader).count(), 3);
}

#[test]
fn loader_shuffles_each_epoch_as_numpy_permutation() {
    // Its own generator: epoch k's order is the k-th permutation(300) of RandomState(7).
    let mut loader = DataLoader::new(Spiral::new(true), 30).with_seed(7);
    let mut rng = RandomState::new(7);
    let labels = Spiral::new(true).labels().to_vec();
    for _epoch in 0..3 {
        let order = rng.permutation(300);
        let got: Vec<usize> = (&mut loader).flat_map(|(_, t)| t).collect();
        let want: Vec<usize> = order.iter().map(|&i| labels[i]).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn loader_without_a_seed_draws_from_the_thread_generator() {
    random::seed(0);
    let loader = DataLoader::new(Spiral::new(true), 300);
    random::seed(0);
    let order = random::permutation(300);
    let (x, _) = { loader }.next().unwrap();
    let data = Spiral::new(true).data().clone();
    assert_eq!(x.shape(), &[300, 2]);
    assert_eq!(x[[0, 0]], data[[order[0], 0]]);
    assert_eq!(x[[299, 1]], data[[order[299], 1]]);
}

#[test]
#[should_panic(expected = "DataLoader::new: batch_size must be at least 1")]
fn a_zero_batch_size_panics() {
    DataLoader::new(Spiral::new(true), 0);
}

#[test]
fn get_batch_gathers_what_get_reads() {
    let s = Spiral::new(true);
    let idx = [5, 0, 299, 5];
    let (x, t) = s.get_batch(&idx);
    // Transformed uses the default (get + stack) path: with the identity it must agree.
    let (x_default, t_default) = s.clone().transform(|x| x).get_batch(&idx);
    assert_eq!((&x, &t), (&x_default, &t_default));
    for (row, &i) in idx.iter().enumerate() {
        assert_eq!(x.index_axis(ndarray::Axis(0), row), s.get(i).0);
        assert_eq!(t[row], s.labels()[i]);
    }
    let ds = ArrayDataset::new(
        ndarray::Array3::from_shape_fn((4, 2, 3), |(i, j, k)| (i * 100 + j * 10 + k) as f64)
            .into_dyn(),
        vec!['a', 'b', 'c', 'd'],
    );
    let (x, t) = ds.get_batch(&[3, 1]);
    assert_eq!(x.shape(), &[2, 2, 3]);
    assert_eq!((x[[0, 1, 2]], x[[1, 0, 0]]), (312.0, 100.0));
    assert_eq!(t, ['d', 'b']);
    assert_eq!(ds.get_batch(&[]).0.shape(), &[0, 2, 3]);
    // Data in another layout (column-major here) goes through ndarray's `select`: same batch.
    let data = ndarray::Array2::from_shape_fn((5, 3), |(i, j)| (i * 10 + j) as f64);
    let c_order = ArrayDataset::new(data.clone().into_dyn(), vec![0; 5]);
    let f_order = ArrayDataset::new(
        data.t().as_standard_layout().t().to_owned().into_dyn(),
        vec![0; 5],
    );
    let idx = [4, 0, 2, 2];
    assert_eq!(c_order.get_batch(&idx).0, f_order.get_batch(&idx).0);
    assert_eq!(
        c_order.get_batch(&idx).0,
        data.select(ndarray::Axis(0), &idx).into_dyn()
    );
}

#[test]
#[should_panic(expected = "Spiral::get_batch: index 300 is out of range for 300 examples")]
fn get_batch_checks_its_indices() {
    Spiral::new(true).get_batch(&[0, 300]);
}
