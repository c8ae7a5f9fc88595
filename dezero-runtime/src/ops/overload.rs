//! Operator overloading (DeZero steps 20–22): `+ - * /` and unary `-` on every combination of
//! `Variable`, `&Variable`, `f64` and `ndarray::Array<f64, D>`.
//!
//! A plain number becomes a constant of the operation (`x * 2.0` records one node with input
//! `x`); an array becomes a new leaf variable. Binary operations broadcast like NumPy.

use std::ops::{Add, Div, Mul, Neg, Sub};

use ndarray::{Array, Dimension};

use crate::ops::arith::{self, scalar, Scalar};
use crate::variable::Variable;

fn rsub(c: f64, x: &Variable) -> Variable {
    scalar(Scalar::RSub(c), x)
}
fn radd(c: f64, x: &Variable) -> Variable {
    scalar(Scalar::Add(c), x)
}
fn rmul(c: f64, x: &Variable) -> Variable {
    scalar(Scalar::Mul(c), x)
}
fn rdiv(c: f64, x: &Variable) -> Variable {
    scalar(Scalar::RDiv(c), x)
}
fn add_c(x: &Variable, c: f64) -> Variable {
    scalar(Scalar::Add(c), x)
}
fn sub_c(x: &Variable, c: f64) -> Variable {
    scalar(Scalar::Sub(c), x)
}
fn mul_c(x: &Variable, c: f64) -> Variable {
    scalar(Scalar::Mul(c), x)
}
fn div_c(x: &Variable, c: f64) -> Variable {
    scalar(Scalar::Div(c), x)
}

macro_rules! impl_binop {
    ($Trait:ident, $method:ident, $vv:path, $vc:path, $cv:path) => {
        impl $Trait<&Variable> for &Variable {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: &Variable) -> Variable {
                $vv(self, rhs)
            }
        }
        impl $Trait<Variable> for &Variable {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: Variable) -> Variable {
                $vv(self, &rhs)
            }
        }
        impl $Trait<&Variable> for Variable {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: &Variable) -> Variable {
                $vv(&self, rhs)
            }
        }
        impl $Trait<Variable> for Variable {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: Variable) -> Variable {
                $vv(&self, &rhs)
            }
        }
        impl $Trait<f64> for &Variable {
            type Output = Variable;
            fn $method(self, rhs: f64) -> Variable {
                $vc(self, rhs)
            }
        }
        impl $Trait<f64> for Variable {
            type Output = Variable;
            fn $method(self, rhs: f64) -> Variable {
                $vc(&self, rhs)
            }
        }
        impl $Trait<&Variable> for f64 {
            type Output = Variable;
            fn $method(self, rhs: &Variable) -> Variable {
                $cv(self, rhs)
            }
        }
        impl $Trait<Variable> for f64 {
            type Output = Variable;
            fn $method(self, rhs: Variable) -> Variable {
                $cv(self, &rhs)
            }
        }
        impl<D: Dimension> $Trait<Array<f64, D>> for &Variable {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: Array<f64, D>) -> Variable {
                $vv(self, &Variable::from(rhs))
            }
        }
        impl<D: Dimension> $Trait<Array<f64, D>> for Variable {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: Array<f64, D>) -> Variable {
                $vv(&self, &Variable::from(rhs))
            }
        }
        impl<D: Dimension> $Trait<&Variable> for Array<f64, D> {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: &Variable) -> Variable {
                $vv(&Variable::from(self), rhs)
            }
        }
        impl<D: Dimension> $Trait<Variable> for Array<f64, D> {
            type Output = Variable;
            #[track_caller]
            fn $method(self, rhs: Variable) -> Variable {
                $vv(&Variable::from(self), &rhs)
            }
        }
    };
}

impl_binop!(Add, add, arith::add, add_c, radd);
impl_binop!(Sub, sub, arith::sub, sub_c, rsub);
impl_binop!(Mul, mul, arith::mul, mul_c, rmul);
impl_binop!(Div, div, arith::div, div_c, rdiv);

impl Neg for &Variable {
    type Output = Variable;
    fn neg(self) -> Variable {
        arith::neg(self)
    }
}

impl Neg for Variable {
    type Output = Variable;
    fn neg(self) -> Variable {
        arith::neg(&self)
    }
}
