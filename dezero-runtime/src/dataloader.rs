//! [`DataLoader`] (DeZero step 50): a dataset in mini-batches, reshuffled every epoch.

use ndarray::ArrayD;

use crate::datasets::Dataset;
use crate::random::{self, RandomState};

/// Mini-batches of a [`Dataset`] (DeZero's `DataLoader`): an iterator that yields
/// `ceil(len / batch_size)` batches `(x, t)` per epoch, ends the epoch with `None`, and
/// starts the next one (reshuffled) on the following call.
///
/// `x` stacks the inputs along a new first axis (shape `(batch, ..)`), `t` holds the labels.
/// The last batch of an epoch is smaller when `batch_size` does not divide the length.
/// Shuffling draws `np.random.permutation`s from this thread's generator, as DeZero does,
/// unless [`with_seed`](DataLoader::with_seed) gives the loader its own.
///
/// ```
/// use dezero_runtime::{dataloader::DataLoader, datasets::Spiral};
/// let mut loader = DataLoader::new(Spiral::new(true), 30).with_seed(0);
/// for _epoch in 0..2 {
///     let mut seen = 0;
///     for (x, t) in &mut loader {
///         assert_eq!((x.shape(), t.len()), (&[30, 2][..], 30));
///         seen += t.len();
///     }
///     assert_eq!(seen, 300);
/// }
/// ```
pub struct DataLoader<D: Dataset> {
    dataset: D,
    batch_size: usize,
    shuffle: bool,
    rng: Option<RandomState>,
    index: Vec<usize>,
    iteration: usize,
}

impl<D: Dataset> DataLoader<D> {
    /// A shuffling loader of `batch_size` examples per batch; the first epoch's order is
    /// drawn now (as DeZero's constructor does).
    ///
    /// # Panics
    /// If `batch_size` is 0.
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::Spiral};
    /// let loader = DataLoader::new(Spiral::new(true), 64);
    /// assert_eq!(loader.max_iter(), 5); // ceil(300 / 64)
    /// ```
    #[track_caller]
    pub fn new(dataset: D, batch_size: usize) -> Self {
        if batch_size == 0 {
            panic!("DataLoader::new: batch_size must be at least 1");
        }
        let mut loader = DataLoader {
            dataset,
            batch_size,
            shuffle: true,
            rng: None,
            index: Vec::new(),
            iteration: 0,
        };
        loader.reset();
        loader
    }

    /// This loader without shuffling: examples in index order every epoch (DeZero's
    /// `shuffle=False`).
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::{ArrayDataset}};
    /// let ds = ArrayDataset::new(ndarray::array![[0.0], [1.0], [2.0]].into_dyn(), vec![0, 1, 2]);
    /// let mut loader = DataLoader::new(ds, 2).without_shuffle();
    /// let labels: Vec<Vec<usize>> = (&mut loader).map(|(_, t)| t).collect();
    /// assert_eq!(labels, [vec![0, 1], vec![2]]);
    /// ```
    pub fn without_shuffle(mut self) -> Self {
        self.shuffle = false;
        self.reset();
        self
    }

    /// This loader with its own generator, seeded like `np.random.RandomState(seed)`: its
    /// order is the same whatever else draws random numbers. Redraws the current epoch.
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::Spiral};
    /// let first = |seed| DataLoader::new(Spiral::new(true), 10).with_seed(seed).next().unwrap().1;
    /// assert_eq!(first(3), first(3));
    /// assert_ne!(first(3), first(4));
    /// ```
    pub fn with_seed(mut self, seed: u32) -> Self {
        self.rng = Some(RandomState::new(seed));
        self.reset();
        self
    }

    /// Starts a new epoch: iteration 0, and a new order if shuffling (DeZero's `reset`).
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::Spiral};
    /// let mut loader = DataLoader::new(Spiral::new(true), 100);
    /// loader.next();
    /// loader.reset();
    /// assert_eq!(loader.count(), 3);
    /// ```
    pub fn reset(&mut self) {
        self.iteration = 0;
        let n = self.dataset.len();
        self.index = match (self.shuffle, &mut self.rng) {
            (false, _) => (0..n).collect(),
            (true, Some(rng)) => rng.permutation(n),
            (true, None) => random::permutation(n),
        };
    }

    /// The number of batches per epoch, `ceil(len / batch_size)` (DeZero's `max_iter`).
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::Spiral};
    /// assert_eq!(DataLoader::new(Spiral::new(true), 30).max_iter(), 10);
    /// ```
    pub fn max_iter(&self) -> usize {
        self.dataset.len().div_ceil(self.batch_size)
    }

    /// The number of examples per batch.
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::Spiral};
    /// assert_eq!(DataLoader::new(Spiral::new(true), 30).batch_size(), 30);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The dataset.
    ///
    /// ```
    /// use dezero_runtime::{dataloader::DataLoader, datasets::{Dataset, Spiral}};
    /// assert_eq!(DataLoader::new(Spiral::new(true), 30).dataset().len(), 300);
    /// ```
    pub fn dataset(&self) -> &D {
        &self.dataset
    }
}

impl<D: Dataset> Iterator for DataLoader<D> {
    type Item = (ArrayD<f64>, Vec<D::Label>);

    /// The next batch, or `None` at the end of an epoch (after which the loader has reset
    /// for the next one).
    ///
    /// # Panics
    /// As [`Dataset::get_batch`]: if the examples of one batch have inputs of different shapes.
    fn next(&mut self) -> Option<Self::Item> {
        if self.iteration >= self.max_iter() {
            self.reset();
            return None;
        }
        let start = self.iteration * self.batch_size;
        let end = (start + self.batch_size).min(self.index.len());
        let batch = self.dataset.get_batch(&self.index[start..end]);
        self.iteration += 1;
        Some(batch)
    }
}
