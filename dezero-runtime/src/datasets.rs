//! Datasets (DeZero step 49): the [`Dataset`] trait, the [`Spiral`] toy dataset and
//! [`ArrayDataset`] over arrays in memory.
//!
//! ```
//! use dezero_runtime::datasets::{Dataset, Spiral};
//! let train = Spiral::new(true);
//! assert_eq!(train.len(), 300);
//! let (x, t) = train.get(0);
//! assert_eq!(x.shape(), &[2]);
//! assert_eq!(t, 1); // DeZero's spiral: the first shuffled point is of class 1
//! ```

use ndarray::{Array2, ArrayD, ArrayViewD, Axis, IxDyn};

use crate::random::RandomState;

/// Examples that can be read by index (DeZero's `Dataset`): each is an input array and a
/// label.
///
/// ```
/// use dezero_runtime::datasets::{ArrayDataset, Dataset};
/// let ds = ArrayDataset::new(ndarray::array![[1.0, 2.0], [3.0, 4.0]].into_dyn(), vec![0, 1]);
/// let (x, t) = ds.get(1);
/// assert_eq!((x[1], t), (4.0, 1));
/// ```
pub trait Dataset {
    /// The label of one example (`usize` for a class, as
    /// [`softmax_cross_entropy`](crate::functions::softmax_cross_entropy) takes).
    type Label;

    /// The number of examples.
    fn len(&self) -> usize;

    /// The example at `index`: its input and its label (DeZero's `dataset[index]`).
    ///
    /// # Panics
    /// If `index >= len()`.
    fn get(&self, index: usize) -> (ArrayD<f64>, Self::Label);

    /// The examples at `indices`, inputs stacked along a new first axis (shape `(batch, ..)`)
    /// and labels in order: what [`DataLoader`](crate::dataloader::DataLoader) yields.
    ///
    /// The default reads each example with [`get`](Dataset::get) and stacks them; a dataset
    /// that keeps its inputs in one array can gather the rows at once instead.
    ///
    /// # Panics
    /// If an index is out of range, or the inputs have different shapes.
    ///
    /// ```
    /// use dezero_runtime::datasets::{Dataset, Spiral};
    /// let s = Spiral::new(true);
    /// let (x, t) = s.get_batch(&[2, 0]);
    /// assert_eq!(x.shape(), &[2, 2]);
    /// assert_eq!(t, [s.labels()[2], s.labels()[0]]);
    /// assert_eq!(x[[1, 0]], s.data()[[0, 0]]);
    /// ```
    #[track_caller]
    fn get_batch(&self, indices: &[usize]) -> (ArrayD<f64>, Vec<Self::Label>) {
        let (xs, ts): (Vec<ArrayD<f64>>, Vec<Self::Label>) =
            indices.iter().map(|&i| self.get(i)).unzip();
        (stack(&xs), ts)
    }

    /// Whether there are no examples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// This dataset with `f` applied to each input as it is read (DeZero's `transform=`).
    ///
    /// ```
    /// use dezero_runtime::datasets::{Dataset, Spiral};
    /// let halved = Spiral::new(true).transform(|x| x / 2.0);
    /// let (x, _) = halved.get(0);
    /// assert_eq!(x[0], Spiral::new(true).get(0).0[0] / 2.0);
    /// ```
    fn transform<F>(self, f: F) -> Transformed<Self, F>
    where
        Self: Sized,
        F: Fn(ArrayD<f64>) -> ArrayD<f64>,
    {
        Transformed { dataset: self, f }
    }
}

/// The inputs stacked along a new first axis (`np.array([example[0] for example in batch])`).
#[track_caller]
fn stack(xs: &[ArrayD<f64>]) -> ArrayD<f64> {
    let views: Vec<ArrayViewD<'_, f64>> = xs.iter().map(|x| x.view()).collect();
    match ndarray::stack(Axis(0), &views) {
        Ok(x) => x,
        Err(_) if xs.is_empty() => ArrayD::zeros(IxDyn(&[0])),
        Err(e) => {
            let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
            panic!(
                "Dataset::get_batch: cannot stack inputs of shapes {shapes:?} into one batch ({e})"
            )
        }
    }
}

/// Rows `indices` of `data` (along axis 0) and their labels, each index checked first.
#[track_caller]
fn gather<L: Clone>(
    what: &str,
    data: ArrayViewD<'_, f64>,
    labels: &[L],
    indices: &[usize],
) -> (ArrayD<f64>, Vec<L>) {
    if let Some(&i) = indices.iter().find(|&&i| i >= labels.len()) {
        panic!(
            "{what}: index {i} is out of range for {} examples",
            labels.len()
        );
    }
    (
        select_rows(data, indices),
        indices.iter().map(|&i| labels[i].clone()).collect(),
    )
}

/// `data.select(Axis(0), indices)` (indices checked): for data in standard layout, one copy
/// of each row into a buffer of the batch's size (ndarray's `select` appends row by row).
fn select_rows(data: ArrayViewD<'_, f64>, indices: &[usize]) -> ArrayD<f64> {
    let Some(flat) = data.as_slice() else {
        return data.select(Axis(0), indices);
    };
    if data.ndim() == 0 {
        return data.select(Axis(0), indices);
    }
    let row: usize = data.shape()[1..].iter().product();
    let mut out = Vec::with_capacity(indices.len() * row);
    for &i in indices {
        out.extend_from_slice(&flat[i * row..(i + 1) * row]);
    }
    let mut shape = data.shape().to_vec();
    shape[0] = indices.len();
    ArrayD::from_shape_vec(shape, out).expect("one row per index")
}

/// A dataset whose inputs go through a function as they are read ([`Dataset::transform`]).
///
/// ```
/// use dezero_runtime::datasets::{ArrayDataset, Dataset};
/// let ds = ArrayDataset::new(ndarray::array![[1.0], [2.0]].into_dyn(), vec![(), ()]).transform(|x| x * 10.0);
/// assert_eq!(ds.get(1).0[0], 20.0);
/// ```
pub struct Transformed<D, F> {
    dataset: D,
    f: F,
}

impl<D: Dataset, F: Fn(ArrayD<f64>) -> ArrayD<f64>> Dataset for Transformed<D, F> {
    type Label = D::Label;

    fn len(&self) -> usize {
        self.dataset.len()
    }

    #[track_caller]
    fn get(&self, index: usize) -> (ArrayD<f64>, D::Label) {
        let (x, t) = self.dataset.get(index);
        ((self.f)(x), t)
    }
}

/// A dataset over arrays in memory: example `i` is `data[i]` (a row along the first axis)
/// with label `labels[i]`.
///
/// ```
/// use dezero_runtime::datasets::{ArrayDataset, Dataset};
/// let ds = ArrayDataset::new(ndarray::Array3::<f64>::zeros((4, 2, 2)).into_dyn(), vec![0.5; 4]);
/// assert_eq!(ds.len(), 4);
/// assert_eq!(ds.get(3).0.shape(), &[2, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct ArrayDataset<L> {
    data: ArrayD<f64>,
    labels: Vec<L>,
}

impl<L> ArrayDataset<L> {
    /// The dataset of the rows of `data`, labelled by `labels`.
    ///
    /// # Panics
    /// If `data` is 0-dim or its first dimension is not `labels.len()`.
    ///
    /// ```
    /// let ds = dezero_runtime::datasets::ArrayDataset::new(ndarray::array![1.0, 2.0].into_dyn(), vec![1, 0]);
    /// assert_eq!(ds.labels(), [1, 0]);
    /// ```
    #[track_caller]
    pub fn new(data: ArrayD<f64>, labels: Vec<L>) -> Self {
        if data.shape().first() != Some(&labels.len()) {
            panic!(
                "ArrayDataset::new: data of shape {:?} for {} labels; the first dimension must be the number of labels",
                data.shape(),
                labels.len()
            );
        }
        ArrayDataset { data, labels }
    }

    /// All inputs, one example per row.
    ///
    /// ```
    /// let ds = dezero_runtime::datasets::ArrayDataset::new(ndarray::array![[1.0], [2.0]].into_dyn(), vec![0, 0]);
    /// assert_eq!(ds.data().shape(), &[2, 1]);
    /// ```
    pub fn data(&self) -> &ArrayD<f64> {
        &self.data
    }

    /// All labels.
    ///
    /// ```
    /// let ds = dezero_runtime::datasets::ArrayDataset::new(ndarray::array![[1.0]].into_dyn(), vec![7]);
    /// assert_eq!(ds.labels(), [7]);
    /// ```
    pub fn labels(&self) -> &[L] {
        &self.labels
    }
}

impl<L: Clone> Dataset for ArrayDataset<L> {
    type Label = L;

    fn len(&self) -> usize {
        self.labels.len()
    }

    #[track_caller]
    fn get(&self, index: usize) -> (ArrayD<f64>, L) {
        if index >= self.len() {
            panic!(
                "Dataset::get: index {index} is out of range for {} examples",
                self.len()
            );
        }
        (
            self.data.index_axis(Axis(0), index).to_owned(),
            self.labels[index].clone(),
        )
    }

    /// The rows at `indices` gathered in one copy.
    #[track_caller]
    fn get_batch(&self, indices: &[usize]) -> (ArrayD<f64>, Vec<L>) {
        gather(
            "Dataset::get_batch",
            self.data.view(),
            &self.labels,
            indices,
        )
    }
}

/// DeZero's spiral data (`dezero.datasets.get_spiral`): 300 points of 2 coordinates on three
/// interleaved arms, with their arm (0, 1 or 2) as the label, shuffled.
///
/// The generator is NumPy's, seeded with 1984 for the training set and 2020 for the test
/// set, so the points are the ones DeZero makes (in `f64`; DeZero stores them as `f32`).
/// Unlike DeZero, it does not re-seed this thread's generator: it uses its own.
///
/// ```
/// let (x, t) = dezero_runtime::datasets::get_spiral(true);
/// assert_eq!((x.dim(), t.len()), ((300, 2), 300));
/// // Point i of arm j has radius i / 100.
/// assert!(x.rows().into_iter().all(|p| p.dot(&p).sqrt() < 1.0));
/// ```
pub fn get_spiral(train: bool) -> (Array2<f64>, Vec<usize>) {
    let mut rng = RandomState::new(if train { 1984 } else { 2020 });
    let (num_data, num_class) = (100, 3);
    let data_size = num_class * num_data;
    let mut x = Array2::zeros((data_size, 2));
    let mut t = vec![0; data_size];
    for j in 0..num_class {
        for i in 0..num_data {
            let rate = i as f64 / num_data as f64;
            let radius = 1.0 * rate;
            let theta = j as f64 * 4.0 + 4.0 * rate + rng.standard_normal() * 0.2;
            let ix = num_data * j + i;
            x[[ix, 0]] = radius * theta.sin();
            x[[ix, 1]] = radius * theta.cos();
            t[ix] = j;
        }
    }
    let indices = rng.permutation(data_size);
    let x = x.select(Axis(0), &indices);
    let t = indices.iter().map(|&i| t[i]).collect();
    (x, t)
}

/// The spiral dataset ([`get_spiral`]) as a [`Dataset`] (DeZero's `datasets.Spiral`).
///
/// ```
/// use dezero_runtime::datasets::{Dataset, Spiral};
/// let test = Spiral::new(false);
/// assert_eq!(test.len(), 300);
/// assert_eq!(test.labels()[..4], [0, 1, 0, 1]);
/// ```
#[derive(Debug, Clone)]
pub struct Spiral {
    data: Array2<f64>,
    labels: Vec<usize>,
}

impl Spiral {
    /// The training set (`train = true`, seed 1984) or the test set (seed 2020).
    ///
    /// ```
    /// let s = dezero_runtime::datasets::Spiral::new(true);
    /// assert_eq!(s.data().dim(), (300, 2));
    /// ```
    pub fn new(train: bool) -> Self {
        let (data, labels) = get_spiral(train);
        Spiral { data, labels }
    }

    /// All points, one per row.
    ///
    /// ```
    /// assert_eq!(dezero_runtime::datasets::Spiral::new(true).data().ncols(), 2);
    /// ```
    pub fn data(&self) -> &Array2<f64> {
        &self.data
    }

    /// All labels (each point's arm).
    ///
    /// ```
    /// let s = dezero_runtime::datasets::Spiral::new(true);
    /// assert_eq!(s.labels().iter().filter(|&&t| t == 2).count(), 100);
    /// ```
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }
}

impl Dataset for Spiral {
    type Label = usize;

    fn len(&self) -> usize {
        self.labels.len()
    }

    #[track_caller]
    fn get(&self, index: usize) -> (ArrayD<f64>, usize) {
        if index >= self.len() {
            panic!(
                "Spiral::get: index {index} is out of range for {} examples",
                self.len()
            );
        }
        (
            self.data.row(index).to_owned().into_dyn(),
            self.labels[index],
        )
    }

    /// The rows at `indices` gathered in one copy.
    #[track_caller]
    fn get_batch(&self, indices: &[usize]) -> (ArrayD<f64>, Vec<usize>) {
        gather(
            "Spiral::get_batch",
            self.data.view().into_dyn(),
            &self.labels,
            indices,
        )
    }
}
