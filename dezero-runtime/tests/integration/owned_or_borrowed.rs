//! Every free function takes its variables by value or by reference, as the operators do.

use std::f64::consts::PI;

use dezero_runtime::functions as F;
use dezero_runtime::Variable;
use ndarray::array;

#[test]
fn an_expression_can_be_passed_without_a_borrow() {
    // d/dx cos(2πx) = -2π sin(2πx) at x = 0.125: -2π sin(π/4)
    let x = Variable::from(0.125);
    let y = F::cos(2.0 * PI * &x);
    y.backward();
    assert_eq!(y.item(), (PI / 4.0).cos());
    assert_eq!(x.grad().unwrap().item(), -(PI / 4.0).sin() * (2.0 * PI));
}

#[test]
fn owned_and_borrowed_arguments_give_the_same_graph_and_values() {
    let x = Variable::from(array![0.3, 0.7]);
    let w = Variable::from(array![1.5, 0.5]);
    let borrowed = [
        F::square(&x),
        F::exp(&x),
        F::log(&x),
        F::sin(&x),
        F::cos(&x),
        F::tan(&x),
        F::tanh(&x),
        F::sinh(&x),
        F::cosh(&x),
        F::sigmoid(&x),
        F::sqrt(&x),
        F::abs(&x),
        F::log10(&x),
        F::recip(&x),
        F::neg(&x),
        F::pow(&x, 3.0),
        F::sum(&x),
        F::sum_to(&x, &[1]),
        F::broadcast_to(&x, &[2, 2]),
        F::add(&x, &w),
        F::sub(&x, &w),
        F::mul(&x, &w),
        F::div(&x, &w),
        F::maximum(&x, &w),
        F::minimum(&x, &w),
        F::powf(&x, &w),
        F::atan2(&x, &w),
        F::hypot(&x, &w),
    ];
    let owned = [
        F::square(x.clone()),
        F::exp(x.clone()),
        F::log(x.clone()),
        F::sin(x.clone()),
        F::cos(x.clone()),
        F::tan(x.clone()),
        F::tanh(x.clone()),
        F::sinh(x.clone()),
        F::cosh(x.clone()),
        F::sigmoid(x.clone()),
        F::sqrt(x.clone()),
        F::abs(x.clone()),
        F::log10(x.clone()),
        F::recip(x.clone()),
        F::neg(x.clone()),
        F::pow(x.clone(), 3.0),
        F::sum(x.clone()),
        F::sum_to(x.clone(), &[1]),
        F::broadcast_to(x.clone(), &[2, 2]),
        F::add(x.clone(), &w),
        F::sub(&x, w.clone()),
        F::mul(x.clone(), w.clone()),
        F::div(x.clone(), &w),
        F::maximum(x.clone(), &w),
        F::minimum(&x, w.clone()),
        F::powf(x.clone(), w.clone()),
        F::atan2(x.clone(), &w),
        F::hypot(&x, w.clone()),
    ];
    for (b, o) in borrowed.iter().zip(&owned) {
        let name = b.creator().unwrap().name().to_string();
        assert_eq!(*b.data(), *o.data(), "{name}");
        assert_eq!(o.creator().unwrap().name(), name);
        assert!(o.creator().unwrap().inputs()[0].ptr_eq(&x), "{name}");
    }
}
