//! The adjoint rule of each primitive, with its math, and of calls to annotated functions.

use super::{RStmt, Rev, VjpOut};
use crate::ir::{Inst, Op, Operand, Program, VarId};
use crate::names;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use std::collections::HashSet;

impl Rev<'_> {
    /// The adjoint rules, one per primitive.
    pub(super) fn inst(&mut self, i: &Inst, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        if let Op::Call {
            vjp, float_args, ..
        } = &i.op
        {
            return self.call(i, vjp, float_args, defined, out);
        }
        let (Some(&y), Some(a)) = (i.dsts.first(), i.args.first()) else {
            return;
        };
        if !self.p.vars[y].active || !defined.contains(&y) {
            return;
        }
        let sp = i.span;
        let yb = self.bar(y);
        let yv = self.id(y);
        let av = self.val(a);
        let b = i.args.get(1);
        let bv = b.map(|b| self.val(b));
        let float = self.float();
        let mut c =
            |o: &Operand, neg: bool, term: TokenStream| self.contribute(o, neg, term, defined, out);
        match &i.op {
            // y = a + b  =>  a_bar += y_bar, b_bar += y_bar
            Op::Add => {
                c(a, false, quote_spanned!(sp=> #yb));
                if let Some(b) = b {
                    c(b, false, quote_spanned!(sp=> #yb));
                }
            }
            // y = a - b  =>  a_bar += y_bar, b_bar -= y_bar
            Op::Sub => {
                c(a, false, quote_spanned!(sp=> #yb));
                if let Some(b) = b {
                    c(b, true, quote_spanned!(sp=> #yb));
                }
            }
            // y = a * a  =>  a_bar += y_bar * (2 a)   (one term; exact: doubling does not round)
            Op::Mul if b.is_some_and(|b| b.same(a)) => {
                c(a, false, quote_spanned!(sp=> #yb * (2.0 * #av)))
            }
            // y = a * b  =>  a_bar += y_bar * b, b_bar += y_bar * a
            Op::Mul => {
                if let Some(b) = b {
                    c(a, false, quote_spanned!(sp=> #yb * #bv));
                    c(b, false, quote_spanned!(sp=> #yb * #av));
                }
            }
            // y = a / b  =>  a_bar += y_bar * (1 / b), b_bar -= y_bar * (y / b)
            // (the reciprocal and `y / b` are forward values, off the adjoint's dependency chain)
            Op::Div => {
                if let Some(b) = b {
                    let inv = self.method(b, "recip", &[]);
                    c(a, false, quote_spanned!(sp=> #yb * #inv));
                    c(b, true, quote_spanned!(sp=> #yb * (#yv / #bv)));
                }
            }
            // y = -a  =>  a_bar -= y_bar
            Op::Neg => c(a, true, quote_spanned!(sp=> #yb)),
            // y = a  =>  a_bar += y_bar
            Op::Copy => c(a, false, quote_spanned!(sp=> #yb)),
            // y = a^n  =>  a_bar += y_bar * n * a^(n - 1)
            Op::Powi => {
                let n = b.cloned().unwrap_or(Operand::Const(
                    quote_spanned!(sp=> 1),
                    crate::ast::Scalar::Int,
                ));
                let term = match n.int_literal().filter(|k| i32::try_from(*k).is_ok()) {
                    Some(0) => return,
                    Some(1) => quote_spanned!(sp=> #yb),
                    Some(2) => quote_spanned!(sp=> #yb * (2.0 * #av)),
                    Some(k) => {
                        let kf = proc_macro2::Literal::f64_unsuffixed(k as f64);
                        let k1 = proc_macro2::Literal::i64_unsuffixed(k - 1);
                        let pow = self.method(a, "powi", &[quote_spanned!(sp=> #k1)]);
                        quote_spanned!(sp=> #yb * (#kf * #pow))
                    }
                    // n a^(n - 1), and 0 for n = 0 (the shared convention, dezero_runtime::kinks)
                    None => {
                        let nv = self.val(&n);
                        let slope = Program::kink_call("powi_slope", &[av.clone(), nv]);
                        quote_spanned!(sp=> #yb * #slope)
                    }
                };
                self.contribute(a, false, term, defined, out);
            }
            // y = a^b  =>  a_bar += y_bar * b * a^(b - 1), b_bar += y_bar * y * ln(a)
            // (0 where the conventions say so: b = 0 for a_bar, a = 0 <= b for b_bar; a nonzero
            // literal exponent needs no check)
            Op::Powf => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    let slope = if b.nonzero_float_literal() {
                        let pow = self.method(a, "powf", &[quote_spanned!(sp=> #bv - 1.0)]);
                        quote_spanned!(sp=> (#bv * #pow))
                    } else {
                        Program::kink_call("powf_base_slope", &[av.clone(), bv.clone()])
                    };
                    let exp_slope = Program::kink_call(
                        "powf_exponent_slope",
                        &[av.clone(), bv.clone(), quote!(#yv)],
                    );
                    self.contribute(a, false, quote_spanned!(sp=> #yb * #slope), defined, out);
                    self.contribute(
                        b,
                        false,
                        quote_spanned!(sp=> #yb * #exp_slope),
                        defined,
                        out,
                    );
                }
            }
            // y = exp(a)  =>  a_bar += y_bar * y
            Op::Exp => c(a, false, quote_spanned!(sp=> #yb * #yv)),
            // y = ln(a)  =>  a_bar += y_bar * (1 / a)
            Op::Ln => {
                let inv = self.method(a, "recip", &[]);
                self.contribute(a, false, quote_spanned!(sp=> #yb * #inv), defined, out)
            }
            // y = log10(a)  =>  a_bar += y_bar * (1 / (a ln 10))
            Op::Log10 => c(
                a,
                false,
                quote_spanned!(sp=> #yb * (#av * ::core::#float::consts::LN_10).recip()),
            ),
            // y = sqrt(a)  =>  a_bar += y_bar * (0.5 / y)
            Op::Sqrt => c(a, false, quote_spanned!(sp=> #yb * (0.5 / #yv))),
            // y = sin(a)  =>  a_bar += y_bar * cos(a)
            Op::Sin => {
                let t = self.method(a, "cos", &[]);
                self.contribute(a, false, quote_spanned!(sp=> #yb * #t), defined, out)
            }
            // y = cos(a)  =>  a_bar -= y_bar * sin(a)
            Op::Cos => {
                let t = self.method(a, "sin", &[]);
                self.contribute(a, true, quote_spanned!(sp=> #yb * #t), defined, out)
            }
            // y = tan(a)  =>  a_bar += y_bar * (1 + y^2)
            Op::Tan => c(a, false, quote_spanned!(sp=> #yb * (1.0 + #yv * #yv))),
            // y = tanh(a)  =>  a_bar += y_bar * (1 - y^2)
            Op::Tanh => c(a, false, quote_spanned!(sp=> #yb * (1.0 - #yv * #yv))),
            // y = sinh(a)  =>  a_bar += y_bar * cosh(a)
            Op::Sinh => {
                let t = self.method(a, "cosh", &[]);
                self.contribute(a, false, quote_spanned!(sp=> #yb * #t), defined, out)
            }
            // y = cosh(a)  =>  a_bar += y_bar * sinh(a)
            Op::Cosh => {
                let t = self.method(a, "sinh", &[]);
                self.contribute(a, false, quote_spanned!(sp=> #yb * #t), defined, out)
            }
            // y = |a|  =>  a_bar += y_bar * sign(a), 0 at a = 0 (dezero_runtime::kinks)
            Op::Abs => {
                let t = Program::kink_call("abs_slope", &[av]);
                self.contribute(a, false, quote_spanned!(sp=> #yb * #t), defined, out)
            }
            // y = 1 / a  =>  a_bar -= y_bar * y^2
            Op::Recip => c(a, true, quote_spanned!(sp=> #yb * (#yv * #yv))),
            // y = max(a, b)  =>  a_bar += y_bar * s, b_bar += y_bar * (1 - s), with s the share
            // of the argument max returns: 1 or 0, 0.5 on ties (dezero_runtime::kinks)
            Op::Max | Op::Min => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    let share = if matches!(i.op, Op::Max) {
                        "max_share"
                    } else {
                        "min_share"
                    };
                    let s = Program::kink_call(share, &[av, bv.clone()]);
                    c(a, false, quote_spanned!(sp=> #yb * #s));
                    c(b, false, quote_spanned!(sp=> #yb * (1.0 - #s)));
                }
            }
            // y = hypot(a, b)  =>  a_bar += y_bar * a / y, b_bar += y_bar * b / y
            Op::Hypot => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    c(a, false, quote_spanned!(sp=> #yb * (#av / #yv)));
                    c(b, false, quote_spanned!(sp=> #yb * (#bv / #yv)));
                }
            }
            // y = atan2(a, b)  =>  a_bar += y_bar * b / (a^2 + b^2), b_bar -= y_bar * a / (a^2 + b^2)
            Op::Atan2 => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    c(
                        a,
                        false,
                        quote_spanned!(sp=> #yb * (#bv / (#av * #av + #bv * #bv))),
                    );
                    c(
                        b,
                        true,
                        quote_spanned!(sp=> #yb * (#av / (#av * #av + #bv * #bv))),
                    );
                }
            }
            // y = sigmoid(a)  =>  a_bar += y_bar * y * (1 - y)
            Op::Sigmoid => c(a, false, quote_spanned!(sp=> #yb * (#yv * (1.0 - #yv)))),
            // constants and booleans: no adjoint
            Op::Cast(_) | Op::Cmp(_) | Op::Logic(_) | Op::Not | Op::Expr(_) | Op::Call { .. } => {}
        }
    }

    fn float(&self) -> TokenStream {
        self.p
            .params
            .iter()
            .find_map(|v| match self.p.vars[*v].ty {
                crate::ast::Scalar::Float(f) => Some(f.tokens()),
                _ => None,
            })
            .unwrap_or(quote!(f64))
    }

    fn method(&self, a: &Operand, name: &str, args: &[TokenStream]) -> TokenStream {
        self.p.method_call(a, &self.float(), name, args)
    }

    /// `(d0, d1) = g_vjp(args.., y_bar)`: each float argument gets its gradient back.
    fn call(
        &mut self,
        i: &Inst,
        vjp: &syn::Path,
        float_args: &[bool],
        defined: &mut HashSet<VarId>,
        out: &mut Vec<RStmt>,
    ) {
        let seeds: Vec<Option<VarId>> = i
            .dsts
            .iter()
            .map(|d| (self.p.vars[*d].active && defined.contains(d)).then_some(*d))
            .collect();
        if seeds.iter().all(Option::is_none) {
            return;
        }
        let mut outs = Vec::new();
        let mut later = Vec::new();
        for (k, (a, float)) in i.args.iter().zip(float_args).enumerate() {
            if !float {
                continue;
            }
            let v = match a {
                Operand::Var(v) if self.p.vars[*v].active => *v,
                _ => {
                    outs.push(VjpOut::Skip);
                    continue;
                }
            };
            let repeated = i
                .args
                .iter()
                .enumerate()
                .any(|(j, o)| j != k && o.var() == Some(v));
            if !defined.contains(&v) && !repeated {
                outs.push(VjpOut::Direct(v));
            } else {
                let t = names::local(&format!("d{}", self.temps));
                self.temps += 1;
                later.push((v, t.clone()));
                outs.push(VjpOut::Temp(t));
            }
        }
        for o in &outs {
            if let VjpOut::Direct(v) = o {
                defined.insert(*v);
            }
        }
        out.push(RStmt::Vjp {
            vjp: vjp.clone(),
            span: i.span,
            args: i.args.clone(),
            seeds,
            outs,
        });
        for (v, t) in later {
            self.contribute(&Operand::Var(v), false, quote!(#t), defined, out);
        }
    }
}
