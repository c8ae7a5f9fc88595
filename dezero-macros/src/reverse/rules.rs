//! The adjoint rule of each primitive (the transpose of its tangent rule in
//! `crate::primitives`), and of calls to annotated functions.

use super::term::{BinOp, Term};
use super::{RStmt, Rev, VjpOut};
use crate::ir::{Inst, Op, Operand, VarId};
use crate::{names, primitives};
use proc_macro2::TokenStream;
use quote::quote;
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
        let Some(&y) = i.dsts.first() else {
            return;
        };
        if !self.p.vars[y].active || !defined.contains(&y) {
            return;
        }
        // a_i_bar ±= y_bar * c_i: the transpose of the tangent rule y' = Σ ± a_i' c_i, with
        // the coefficients of primitives::partials (one table for both modes).
        let sp = i.span;
        for part in primitives::partials(&self.float(), i) {
            let term = match part.coeff {
                Some(c) => Term::bin(Term::Bar(y), BinOp::Mul, c, sp),
                None => Term::Bar(y),
            };
            self.contribute(&i.args[part.arg], part.neg, term, defined, out);
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
            self.contribute(&Operand::Var(v), false, Term::Temp(t), defined, out);
        }
    }
}
