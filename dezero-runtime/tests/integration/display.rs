//! Printing matches DeZero's `repr` over NumPy's `str(array)`. The expected strings were
//! printed by NumPy 2.4 (`str(np.array(...))`), then indented as DeZero's `__repr__` does.

use dezero_runtime::Variable;
use ndarray::{array, Array, ArrayD};

fn show(a: ArrayD<f64>) -> String {
    Variable::new(a).to_string()
}

#[test]
fn scalars_print_like_python_floats() {
    assert_eq!(Variable::from(16.0).to_string(), "variable(16.0)");
    assert_eq!(Variable::from(0.1).to_string(), "variable(0.1)");
    assert_eq!(Variable::from(1e-5).to_string(), "variable(1e-05)");
    assert_eq!(Variable::from(1e16).to_string(), "variable(1e+16)");
    assert_eq!(
        Variable::from(123456789.0).to_string(),
        "variable(123456789.0)"
    );
    assert_eq!(Variable::from(-2.0).to_string(), "variable(-2.0)");
    assert_eq!(Variable::from(f64::NAN).to_string(), "variable(nan)");
}

#[test]
fn vectors_pad_to_a_common_width() {
    assert_eq!(
        show(array![1.5, 2.0, 3.25].into_dyn()),
        "variable([1.5  2.   3.25])"
    );
    assert_eq!(show(array![-1.0, 2.0].into_dyn()), "variable([-1.  2.])");
    assert_eq!(show(array![0.0, -0.5].into_dyn()), "variable([ 0.  -0.5])");
    assert_eq!(
        show(array![1.0 / 3.0, 2.0].into_dyn()),
        "variable([0.33333333 2.        ])"
    );
    assert_eq!(
        show(array![f64::NAN, 1.5, f64::INFINITY].into_dyn()),
        "variable([nan 1.5 inf])"
    );
    assert_eq!(
        show(array![f64::NAN, 1.25, f64::NEG_INFINITY].into_dyn()),
        "variable([ nan 1.25 -inf])"
    );
    assert_eq!(
        show(array![f64::NAN, 100.5].into_dyn()),
        "variable([  nan 100.5])"
    );
    assert_eq!(
        show(array![f64::NAN, 1.0].into_dyn()),
        "variable([nan  1.])"
    );
    assert_eq!(
        show(array![f64::NAN, 1e-5, 1.0].into_dyn()),
        "variable([   nan 1.e-05 1.e+00])"
    );
}

#[test]
fn scientific_notation_when_magnitudes_need_it() {
    assert_eq!(
        show(array![1e-5, 1.0].into_dyn()),
        "variable([1.e-05 1.e+00])"
    );
    assert_eq!(
        show(array![1e10, 1.0].into_dyn()),
        "variable([1.e+10 1.e+00])"
    );
}

#[test]
fn matrices_and_3d_arrays_indent_under_variable() {
    assert_eq!(
        show(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn()),
        "variable([[1. 2. 3.]\n          [4. 5. 6.]])"
    );
    let cube = Array::range(0.0, 8.0, 1.0)
        .into_shape_with_order((2, 2, 2))
        .unwrap()
        .into_dyn();
    assert_eq!(
        show(cube),
        "variable([[[0. 1.]\n           [2. 3.]]\n         \n          [[4. 5.]\n           [6. 7.]]])"
    );
}

#[test]
fn large_arrays_are_summarised() {
    let v = Array::range(0.0, 2000.0, 1.0).into_dyn();
    assert_eq!(
        show(v),
        "variable([0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03])"
    );
}

#[test]
fn no_data_and_empty() {
    assert_eq!(Variable::empty().to_string(), "variable(None)");
    assert_eq!(show(ArrayD::zeros(vec![0])), "variable([])");
    assert_eq!(format!("{:?}", Variable::from(7.0)), "variable(7.0)");
}
