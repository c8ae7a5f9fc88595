//! NumPy broadcasting, implemented once for the binary ops, `sum_to` / `broadcast_to` and the
//! fused element-wise nodes.
//!
//! Shapes are aligned from their last axis; along each axis the sizes must be equal or one of
//! them 1, and a missing leading axis counts as 1. The result takes the larger size on each axis.

use ndarray::IxDyn;

/// The broadcast shape of all `shapes` under NumPy's rules (`[]` for no shape).
///
/// # Panics
/// If they do not broadcast together; the message names `op` and every shape:
/// `add: shapes [2] and [3] do not broadcast together`.
#[track_caller]
pub(crate) fn shape(op: &str, shapes: &[&[usize]]) -> IxDyn {
    let n = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = IxDyn(&vec![1; n]);
    for s in shapes {
        let lead = n - s.len();
        for (axis, &d) in s.iter().enumerate() {
            let slot = &mut out[lead + axis];
            match (*slot, d) {
                (a, b) if a == b => {}
                (1, b) => *slot = b,
                (_, 1) => {}
                _ => mismatch(op, shapes),
            }
        }
    }
    out
}

#[cold]
#[track_caller]
fn mismatch(op: &str, shapes: &[&[usize]]) -> ! {
    let list: Vec<String> = shapes.iter().map(|s| format!("{s:?}")).collect();
    panic!(
        "{op}: shapes {} do not broadcast together",
        list.join(" and ")
    )
}

/// Whether `from` broadcasts to exactly `to` (so an array of shape `to` can be summed down to
/// `from`): `from` has no more axes than `to`, and each of its axes, aligned from the right, is
/// 1 or `to`'s size.
pub(crate) fn broadcasts_to(from: &[usize], to: &[usize]) -> bool {
    from.len() <= to.len()
        && from
            .iter()
            .rev()
            .zip(to.iter().rev())
            .all(|(&f, &t)| f == t || f == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_broadcast_like_numpy() {
        assert_eq!(shape("op", &[&[2, 3], &[3]]), IxDyn(&[2, 3]));
        assert_eq!(shape("op", &[&[2, 1], &[1, 3]]), IxDyn(&[2, 3]));
        assert_eq!(shape("op", &[&[], &[4]]), IxDyn(&[4]));
        assert_eq!(shape("op", &[&[5, 1, 3], &[4, 1], &[3]]), IxDyn(&[5, 4, 3]));
        assert_eq!(shape("op", &[&[0], &[1]]), IxDyn(&[0]));
        assert_eq!(shape("op", &[]), IxDyn(&[]));
    }

    #[test]
    #[should_panic(expected = "f: shapes [2, 3] and [1] and [2] do not broadcast together")]
    fn a_mismatch_names_the_op_and_every_shape() {
        shape("f", &[&[2, 3], &[1], &[2]]);
    }

    #[test]
    fn broadcasts_to_is_the_one_way_check() {
        assert!(broadcasts_to(&[3], &[2, 3]));
        assert!(broadcasts_to(&[1, 3], &[2, 3]));
        assert!(broadcasts_to(&[], &[2, 3]));
        assert!(!broadcasts_to(&[2, 3], &[3]));
        assert!(!broadcasts_to(&[2], &[2, 3]));
        assert!(!broadcasts_to(&[4], &[1]));
    }
}
