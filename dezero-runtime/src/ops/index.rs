//! Indexing and slicing with a backward (DeZero's `get_item` / `GetItemGrad`, step 47):
//! one [`Index`] per axis (a position, a range, a list of positions, or the whole axis).
//!
//! The backward of [`GetItem`] is [`GetItemGrad`], which scatters gy into zeros of x's shape
//! (adding where a list repeats a position, as NumPy's `np.add.at`); the backward of
//! `GetItemGrad` is `GetItem` again, so indexing differentiates to any order.

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo};

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, SliceInfo, SliceInfoElem};

use crate::function::{apply, Function};
use crate::variable::Variable;

/// One axis' part of an index for [`get_item`].
///
/// Converts from `usize` (`At`), `a..b`, `a..=b`, `..b` (`Range`), `a..` (`RangeFrom`), `..`
/// (`All`) and `Vec<usize>` / `&[usize]` (`List`), so an index can be written
/// `&[1.into(), (0..2).into()]`.
///
/// ```
/// use dezero_runtime::functions::Index;
/// assert_eq!(Index::from(3), Index::At(3));
/// assert_eq!(Index::from(1..4), Index::Range(1..4));
/// assert_eq!(Index::from(..), Index::All);
/// assert_eq!(Index::from(vec![0, 0, 2]), Index::List(vec![0, 0, 2]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Index {
    /// The whole axis (NumPy's `:`).
    All,
    /// One position; the axis is removed (NumPy's `x[i]`).
    At(usize),
    /// The positions `start..end` (NumPy's `start:end`; `start == end` selects nothing).
    Range(Range<usize>),
    /// The positions from `start` to the end of the axis (NumPy's `start:`).
    RangeFrom(usize),
    /// These positions in this order, repeats allowed; the axis stays, with the list's length
    /// (NumPy's `x[[0, 0, 2]]`).
    List(Vec<usize>),
}

impl From<usize> for Index {
    fn from(i: usize) -> Self {
        Index::At(i)
    }
}

impl From<Range<usize>> for Index {
    fn from(r: Range<usize>) -> Self {
        Index::Range(r)
    }
}

impl From<RangeInclusive<usize>> for Index {
    fn from(r: RangeInclusive<usize>) -> Self {
        Index::Range(*r.start()..*r.end() + 1)
    }
}

impl From<RangeTo<usize>> for Index {
    fn from(r: RangeTo<usize>) -> Self {
        Index::Range(0..r.end)
    }
}

impl From<RangeFrom<usize>> for Index {
    fn from(r: RangeFrom<usize>) -> Self {
        Index::RangeFrom(r.start)
    }
}

impl From<RangeFull> for Index {
    fn from(_: RangeFull) -> Self {
        Index::All
    }
}

impl From<Vec<usize>> for Index {
    fn from(list: Vec<usize>) -> Self {
        Index::List(list)
    }
}

impl From<&[usize]> for Index {
    fn from(list: &[usize]) -> Self {
        Index::List(list.to_vec())
    }
}

/// An index resolved against a shape: one entry per axis of x.
#[derive(Debug, Clone)]
enum Step {
    At(usize),
    Range(usize, usize),
    List(Vec<usize>),
}

/// The plan of one indexing: x's shape and one step per axis.
#[derive(Debug, Clone)]
struct Plan {
    shape: Vec<usize>,
    steps: Vec<Step>,
}

impl Plan {
    /// Resolves `index` against `shape`.
    ///
    /// # Panics
    /// If there are more indices than axes or an index is out of bounds; the message names
    /// `get_item`, the index, the axis and the shape.
    #[track_caller]
    fn new(shape: &[usize], index: &[Index]) -> Plan {
        if index.len() > shape.len() {
            panic!(
                "get_item: {} indices for shape {shape:?} ({} axes)",
                index.len(),
                shape.len()
            );
        }
        let steps = shape
            .iter()
            .enumerate()
            .map(|(axis, &n)| {
                let out_of_bounds = |what: String| -> ! {
                    panic!(
                        "get_item: {what} is out of bounds for axis {axis} of length {n} (shape {shape:?})"
                    )
                };
                match index.get(axis).unwrap_or(&Index::All) {
                    Index::All => Step::Range(0, n),
                    &Index::At(i) if i < n => Step::At(i),
                    Index::At(i) => out_of_bounds(format!("index {i}")),
                    Index::Range(r) if r.start <= r.end && r.end <= n => Step::Range(r.start, r.end),
                    Index::Range(r) => out_of_bounds(format!("range {r:?}")),
                    &Index::RangeFrom(a) if a <= n => Step::Range(a, n),
                    Index::RangeFrom(a) => out_of_bounds(format!("range {a}..")),
                    Index::List(list) => {
                        if let Some((k, &i)) = list.iter().enumerate().find(|&(_, &i)| i >= n) {
                            out_of_bounds(format!("index {i} (position {k} of the list)"));
                        }
                        Step::List(list.clone())
                    }
                }
            })
            .collect();
        Plan {
            shape: shape.to_vec(),
            steps,
        }
    }

    /// The basic part of the index (positions and ranges; lists as whole axes) as ndarray's
    /// slice description.
    fn basic(&self) -> SliceInfo<Vec<SliceInfoElem>, IxDyn, IxDyn> {
        let elems = self
            .steps
            .iter()
            .map(|s| match *s {
                Step::At(i) => SliceInfoElem::Index(i as isize),
                Step::Range(a, b) => SliceInfoElem::Slice {
                    start: a as isize,
                    end: Some(b as isize),
                    step: 1,
                },
                Step::List(_) => SliceInfoElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                },
            })
            .collect::<Vec<_>>();
        SliceInfo::try_from(elems).expect("one element per axis, checked in Plan::new")
    }

    /// Each list with the axis it applies to after the positions have removed theirs, and the
    /// length of that axis in x.
    fn lists(&self) -> Vec<(Axis, &[usize], usize)> {
        let mut removed = 0;
        let mut lists = Vec::new();
        for (axis, (s, &n)) in self.steps.iter().zip(&self.shape).enumerate() {
            match s {
                Step::At(_) => removed += 1,
                Step::List(l) => lists.push((Axis(axis - removed), l.as_slice(), n)),
                Step::Range(..) => {}
            }
        }
        lists
    }

    /// `x[index]` as a new contiguous array.
    fn gather(&self, x: &ArrayD<f64>) -> ArrayD<f64> {
        let view: ArrayViewD<'_, f64> = x.slice(self.basic());
        let mut lists = self.lists().into_iter();
        let Some((axis, first, _)) = lists.next() else {
            return view.as_standard_layout().into_owned();
        };
        let mut y = view.select(axis, first);
        for (axis, list, _) in lists {
            y = y.select(axis, list);
        }
        y
    }

    /// Zeros of x's shape with `gy` added at the indexed positions (repeats add up).
    fn scatter(&self, gy: &ArrayD<f64>) -> ArrayD<f64> {
        // Undo the lists, last first: each gives back its axis' full length.
        let mut g = gy.clone();
        for (axis, list, n) in self.lists().into_iter().rev() {
            let mut shape = g.shape().to_vec();
            shape[axis.0] = n;
            let mut full = ArrayD::zeros(IxDyn(&shape));
            for (j, &i) in list.iter().enumerate() {
                let mut dst = full.index_axis_mut(axis, i);
                dst += &g.index_axis(axis, j);
            }
            g = full;
        }
        let mut gx = ArrayD::zeros(IxDyn(&self.shape));
        gx.slice_mut(self.basic()).assign(&g);
        gx
    }
}

/// y = x\[index\]. Backward: gx = GetItemGrad(gy): zeros of x's shape with gy added at the
/// indexed positions. Made by [`get_item`].
///
/// ```
/// use dezero_runtime::{functions::{get_item, Index}, BackwardOptions, Variable};
/// let x = Variable::from(vec![1.0, 2.0, 3.0]);
/// let y = get_item(&x, &[Index::At(2)]);
/// assert_eq!(y.creator().unwrap().name(), "get_item");
/// y.backward_with(BackwardOptions { create_graph: true, ..Default::default() });
/// assert_eq!(x.grad().unwrap().creator().unwrap().name(), "get_item_grad");
/// ```
#[derive(Debug, Clone)]
pub struct GetItem(Plan);

impl Function for GetItem {
    fn name(&self) -> &str {
        "get_item"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![self.0.gather(xs[0])]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![apply(GetItemGrad(self.0.clone()), &[&gys[0]]).remove(0)]
    }
}

/// y = zeros of the indexed array's shape with gy added at the indexed positions (the
/// backward of [`GetItem`]). Backward: ggy = ggx\[index\].
///
/// ```
/// use dezero_runtime::{functions::{get_item, Index}, BackwardOptions, Variable};
/// let x = Variable::from(vec![1.0, 2.0, 3.0]);
/// get_item(&x, &[Index::List(vec![0, 0])]).backward_with(BackwardOptions {
///     create_graph: true,
///     ..Default::default()
/// });
/// let gx = x.grad().unwrap(); // made by GetItemGrad
/// assert_eq!(*gx.data(), ndarray::array![2.0, 0.0, 0.0].into_dyn());
/// assert_eq!(gx.creator().unwrap().name(), "get_item_grad");
/// ```
#[derive(Debug, Clone)]
pub struct GetItemGrad(Plan);

impl Function for GetItemGrad {
    fn name(&self) -> &str {
        "get_item_grad"
    }
    fn forward(&self, xs: &[&ArrayD<f64>]) -> Vec<ArrayD<f64>> {
        vec![self.0.scatter(xs[0])]
    }
    fn backward(&self, _: &[Variable], _: &[Option<Variable>], gys: &[Variable]) -> Vec<Variable> {
        vec![apply(GetItem(self.0.clone()), &[&gys[0]]).remove(0)]
    }
}

/// Indexes and slices `x`, one [`Index`] per leading axis (the rest are taken whole):
/// DeZero's `get_item` / `x[...]`.
///
/// `At(i)` removes its axis, `Range`/`RangeFrom`/`All` keep it (shortened), `List` keeps it
/// with the list's length. Each entry applies to its own axis ("orthogonal" indexing). With
/// at most one `List` this is exactly NumPy's `x[...]`, unless a slice separates the list
/// from an `At` (NumPy then moves the list's axis first: `x[1, :, [0, 1]]` has shape `(2, n)`
/// in NumPy, `(n, 2)` here). With several lists NumPy pairs them up (`x[[0, 1], [2, 3]]`
/// picks 2 elements); here they pick a 2×2 block, like `x[np.ix_([0, 1], [2, 3])]`. Steps
/// and negative positions are not supported.
///
/// Derivative: gx is zeros of x's shape with gy added at the picked positions (a position a
/// list repeats receives the sum of its gradients).
///
/// # Panics
/// If there are more indices than axes, or a position or range is out of bounds (unlike
/// Python, ranges are not clipped); the message names `get_item`, the axis and the shape.
///
/// ```
/// use dezero_runtime::{functions::{get_item, sum, Index}, Variable};
/// use ndarray::array;
/// let x = Variable::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// // x[1]
/// assert_eq!(*get_item(&x, &[Index::At(1)]).data(), array![4.0, 5.0, 6.0].into_dyn());
/// // x[:, 1:3]
/// let y = get_item(&x, &[Index::All, (1..3).into()]);
/// assert_eq!(*y.data(), array![[2.0, 3.0], [5.0, 6.0]].into_dyn());
/// // x[[0, 0, 1]]: rows repeat, and so do their gradients
/// let y = get_item(&x, &[vec![0, 0, 1].into()]);
/// sum(&y).backward();
/// assert_eq!(*x.grad().unwrap().data(), array![[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]].into_dyn());
/// ```
#[track_caller]
pub fn get_item(x: impl AsRef<Variable>, index: &[Index]) -> Variable {
    let x = x.as_ref();
    let plan = Plan::new(&x.shape(), index);
    apply(GetItem(plan), &[x]).remove(0)
}

impl Variable {
    /// `self` indexed and sliced (the method form of [`get_item`]).
    ///
    /// # Panics
    /// As [`get_item`].
    ///
    /// ```
    /// use dezero_runtime::{functions::Index, Variable};
    /// let x = Variable::from(ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    /// let y = x.get_item(&[Index::All, Index::At(0)]);
    /// assert_eq!(*y.data(), ndarray::array![1.0, 3.0].into_dyn());
    /// ```
    #[track_caller]
    pub fn get_item(&self, index: &[Index]) -> Variable {
        get_item(self, index)
    }
}
