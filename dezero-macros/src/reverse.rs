//! IR -> adjoint statements: the reverse sweep, one contribution per line.
//!
//! Walks the primal IR backwards. Each instruction `y = op(args)` whose `y_bar` exists adds one
//! contribution to the adjoint of each active argument; the first contribution defines it
//! (`let a_bar = ..;`), later ones shadow it (`let a_bar = a_bar + ..;`).
//! An `if` becomes an `if` on the saved condition that recomputes the taken branch and runs its
//! adjoint; a `for` replays the iterations backwards from the forward sweep's tape.

use crate::ir::{Block, For, If, Inst, Op, Operand, Program, Stmt, VarId};
use crate::names;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use std::collections::{BTreeSet, HashSet};

/// The adjoint sweeps of a function: seeded with `1.0` (for `_grad`) and with the seed
/// parameters (for `_vjp`).
pub struct Adjoint {
    pub grad: Sweep,
    pub vjp: Sweep,
}

/// One reverse sweep and, per float parameter, whether its adjoint was defined (else `0.0`).
pub struct Sweep {
    pub stmts: Vec<RStmt>,
    pub grads: Vec<Option<VarId>>,
}

/// One statement of the reverse sweep.
pub enum RStmt {
    /// `let t_bar = term;` / `let t_bar = t_bar + term;` (`-` when `neg`).
    Contrib {
        target: VarId,
        acc: bool,
        neg: bool,
        term: TokenStream,
    },
    /// `let (a_bar, d0) = g_vjp(args.., seeds..);`
    Vjp {
        vjp: syn::Path,
        span: Span,
        args: Vec<Operand>,
        seeds: Vec<Option<VarId>>,
        outs: Vec<VjpOut>,
    },
    /// `let (x_bar, ..) = if c { recompute; adjoint; (x_bar, ..) } else { .. };`
    If {
        cond: VarId,
        then: Branch,
        else_: Branch,
        outs: Vec<VarId>,
    },
    /// `let mut x_bar = x_bar; for i in (lo..hi).rev() { (x_bar, ..) = { pop; recompute; adjoint; (..) }; }`
    For {
        l: Box<For>,
        /// Adjoints updated by the loop, and whether each existed before it.
        pre: Vec<(VarId, bool)>,
        body: Branch,
    },
}

/// A branch (or loop body) of the reverse sweep.
pub struct Branch {
    pub recompute: Block,
    pub stmts: Vec<RStmt>,
    /// Per entry of the enclosing statement's `outs`: defined here (`x_bar`) or not (`0.0`).
    pub result: Vec<bool>,
}

/// Where one gradient returned by a `_vjp` goes.
pub enum VjpOut {
    /// An inactive or constant float argument: `_`.
    Skip,
    /// Straight into a new adjoint.
    Direct(VarId),
    /// Into a temporary (`d0`), added to the adjoint by a following `Contrib`.
    Temp(Ident),
}

/// Both sweeps of `p`.
pub fn adjoint(p: &Program) -> syn::Result<Adjoint> {
    let one: Vec<TokenStream> = p.outputs.iter().map(|_| quote!(1.0)).collect();
    let seeds: Vec<TokenStream> = names::seeds(p.outputs.len())
        .into_iter()
        .map(|s| quote!(#s))
        .collect();
    Ok(Adjoint {
        grad: sweep(p, &one),
        vjp: sweep(p, &seeds),
    })
}

fn sweep(p: &Program, seeds: &[TokenStream]) -> Sweep {
    let mut r = Rev { p, temps: 0 };
    let mut defined = HashSet::new();
    let mut stmts = Vec::new();
    for (o, s) in p.outputs.iter().zip(seeds) {
        r.contribute(o, false, s.clone(), &mut defined, &mut stmts);
    }
    r.block(&p.body, &mut defined, &mut stmts);
    let grads = p
        .params
        .iter()
        .filter(|v| p.vars[**v].active)
        .map(|v| defined.contains(v).then_some(*v))
        .collect();
    Sweep { stmts, grads }
}

struct Rev<'p> {
    p: &'p Program,
    temps: usize,
}

impl Rev<'_> {
    fn id(&self, v: VarId) -> Ident {
        self.p.vars[v].ident()
    }

    fn bar(&self, v: VarId) -> Ident {
        names::bar(&self.p.vars[v].name)
    }

    fn val(&self, o: &Operand) -> TokenStream {
        match o {
            Operand::Var(v) => {
                let id = self.id(*v);
                quote!(#id)
            }
            Operand::Const(t, _) => quote!(#t),
        }
    }

    /// Adds `term` (negated if `neg`) to the adjoint of `target`, if it is active.
    fn contribute(
        &self,
        target: &Operand,
        neg: bool,
        term: TokenStream,
        defined: &mut HashSet<VarId>,
        out: &mut Vec<RStmt>,
    ) {
        if let Operand::Var(v) = target {
            if self.p.vars[*v].active {
                out.push(RStmt::Contrib {
                    target: *v,
                    acc: defined.contains(v),
                    neg,
                    term,
                });
                defined.insert(*v);
            }
        }
    }

    fn block(&mut self, b: &Block, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        for s in b.stmts.iter().rev() {
            match s {
                Stmt::Inst(i) => self.inst(i, defined, out),
                Stmt::If(i) => self.if_(i, defined, out),
                Stmt::For(l) => self.for_(l, defined, out),
            }
        }
    }

    /// The adjoint rules, one per primitive.
    fn inst(&mut self, i: &Inst, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
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
            // y = a * b  =>  a_bar += y_bar * b, b_bar += y_bar * a
            Op::Mul => {
                if let Some(b) = b {
                    c(a, false, quote_spanned!(sp=> #yb * #bv));
                    c(b, false, quote_spanned!(sp=> #yb * #av));
                }
            }
            // y = a / b  =>  a_bar += y_bar / b, b_bar -= y_bar * y / b
            Op::Div => {
                if let Some(b) = b {
                    c(a, false, quote_spanned!(sp=> #yb / #bv));
                    c(b, true, quote_spanned!(sp=> #yb * #yv / #bv));
                }
            }
            // y = -a  =>  a_bar -= y_bar
            Op::Neg => c(a, true, quote_spanned!(sp=> #yb)),
            // y = a^n  =>  a_bar += y_bar * n * a^(n - 1)
            Op::Powi => {
                let n = b
                    .cloned()
                    .unwrap_or(Operand::Const(quote_spanned!(sp=> 1), crate::ast::Scalar::Int));
                let term = match literal_int(&n) {
                    Some(0) => return,
                    Some(1) => quote_spanned!(sp=> #yb),
                    Some(2) => quote_spanned!(sp=> #yb * 2.0 * #av),
                    Some(k) => {
                        let kf = proc_macro2::Literal::f64_unsuffixed(k as f64);
                        let k1 = proc_macro2::Literal::i64_unsuffixed(k - 1);
                        let pow = self.method(a, "powi", &[quote_spanned!(sp=> #k1)]);
                        quote_spanned!(sp=> #yb * #kf * #pow)
                    }
                    None => {
                        let nv = self.val(&n);
                        let pow = self.method(a, "powi", &[quote_spanned!(sp=> #nv - 1)]);
                        quote_spanned!(sp=> #yb * (#nv as #float) * #pow)
                    }
                };
                self.contribute(a, false, term, defined, out);
            }
            // y = a^b  =>  a_bar += y_bar * b * a^(b - 1), b_bar += y_bar * y * ln(a)
            Op::Powf => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    let pow = self.method(a, "powf", &[quote_spanned!(sp=> #bv - 1.0)]);
                    let ln = self.method(a, "ln", &[]);
                    self.contribute(a, false, quote_spanned!(sp=> #yb * #bv * #pow), defined, out);
                    self.contribute(b, false, quote_spanned!(sp=> #yb * #yv * #ln), defined, out);
                }
            }
            // y = exp(a)  =>  a_bar += y_bar * y
            Op::Exp => c(a, false, quote_spanned!(sp=> #yb * #yv)),
            // y = ln(a)  =>  a_bar += y_bar / a
            Op::Ln => c(a, false, quote_spanned!(sp=> #yb / #av)),
            // y = log10(a)  =>  a_bar += y_bar / (a * ln 10)
            Op::Log10 => c(
                a,
                false,
                quote_spanned!(sp=> #yb / (#av * ::core::#float::consts::LN_10)),
            ),
            // y = sqrt(a)  =>  a_bar += y_bar / (2 y)
            Op::Sqrt => c(a, false, quote_spanned!(sp=> #yb / (2.0 * #yv))),
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
            // y = |a|  =>  a_bar += y_bar * signum(a)
            Op::Abs => {
                let t = self.method(a, "signum", &[]);
                self.contribute(a, false, quote_spanned!(sp=> #yb * #t), defined, out)
            }
            // y = 1 / a  =>  a_bar -= y_bar * y^2
            Op::Recip => c(a, true, quote_spanned!(sp=> #yb * #yv * #yv)),
            // y = max(a, b)  =>  the larger argument (a on ties) gets y_bar
            Op::Max | Op::Min => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    let cmp = if matches!(i.op, Op::Max) {
                        quote_spanned!(sp=> >=)
                    } else {
                        quote_spanned!(sp=> <=)
                    };
                    c(a, false, quote_spanned!(sp=> if #av #cmp #bv { #yb } else { 0.0 }));
                    c(b, false, quote_spanned!(sp=> if #av #cmp #bv { 0.0 } else { #yb }));
                }
            }
            // y = hypot(a, b)  =>  a_bar += y_bar * a / y, b_bar += y_bar * b / y
            Op::Hypot => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    c(a, false, quote_spanned!(sp=> #yb * #av / #yv));
                    c(b, false, quote_spanned!(sp=> #yb * #bv / #yv));
                }
            }
            // y = atan2(a, b)  =>  a_bar += y_bar * b / (a^2 + b^2), b_bar -= y_bar * a / (a^2 + b^2)
            Op::Atan2 => {
                if let (Some(b), Some(bv)) = (b, &bv) {
                    c(a, false, quote_spanned!(sp=> #yb * #bv / (#av * #av + #bv * #bv)));
                    c(b, true, quote_spanned!(sp=> #yb * #av / (#av * #av + #bv * #bv)));
                }
            }
            // y = sigmoid(a)  =>  a_bar += y_bar * y * (1 - y)
            Op::Sigmoid => c(a, false, quote_spanned!(sp=> #yb * #yv * (1.0 - #yv))),
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

    /// `a.name(args)`, or `f64::name(a, args)` when `a` is a literal (whose type is ambiguous).
    fn method(&self, a: &Operand, name: &str, args: &[TokenStream]) -> TokenStream {
        let m = Ident::new(name, Span::call_site());
        let av = self.val(a);
        match a {
            Operand::Var(_) => quote!(#av.#m(#(#args),*)),
            Operand::Const(..) => {
                let f = self.float();
                quote!(#f::#m(#av #(, #args)*))
            }
        }
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

    fn if_(&mut self, i: &If, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        let branch = |r: &mut Self, block: &Block, then: bool| {
            let mut d = defined.clone();
            let mut stmts = Vec::new();
            for m in &i.merges {
                if r.p.vars[m.dst].active && defined.contains(&m.dst) {
                    let yb = r.bar(m.dst);
                    let src = if then { &m.then } else { &m.else_ };
                    r.contribute(src, false, quote!(#yb), &mut d, &mut stmts);
                }
            }
            r.block(block, &mut d, &mut stmts);
            (stmts, d)
        };
        let (ts, td) = branch(self, &i.then, true);
        let (es, ed) = branch(self, &i.else_, false);
        let mut local = BTreeSet::new();
        i.then.defs(&mut local);
        i.else_.defs(&mut local);
        let outs: Vec<VarId> = targets(&ts)
            .union(&targets(&es))
            .filter(|v| !local.contains(v))
            .copied()
            .collect();
        if outs.is_empty() {
            return;
        }
        let then = Branch {
            recompute: i.then.clone(),
            stmts: ts,
            result: outs.iter().map(|v| td.contains(v)).collect(),
        };
        let else_ = Branch {
            recompute: i.else_.clone(),
            stmts: es,
            result: outs.iter().map(|v| ed.contains(v)).collect(),
        };
        defined.extend(outs.iter().copied());
        out.push(RStmt::If {
            cond: i.cond,
            then,
            else_,
            outs,
        });
    }

    fn for_(&mut self, l: &For, defined: &mut HashSet<VarId>, out: &mut Vec<RStmt>) {
        let phis: Vec<&crate::ir::Carry> = l
            .carried
            .iter()
            .filter(|c| self.p.vars[c.phi].active && !c.next.same(&Operand::Var(c.phi)))
            .collect();
        let body = |r: &mut Self, d: &mut HashSet<VarId>| {
            let mut stmts = Vec::new();
            for c in &phis {
                d.insert(c.phi);
                let pb = r.bar(c.phi);
                r.contribute(&c.next, false, quote!(#pb), d, &mut stmts);
            }
            for c in &phis {
                d.remove(&c.phi);
            }
            r.block(&l.body, d, &mut stmts);
            stmts
        };
        // Pass 1 finds which outer adjoints the body touches; pass 2 emits with them declared.
        let temps = self.temps;
        let mut d = defined.clone();
        let first = body(self, &mut d);
        let mut local = BTreeSet::new();
        l.body.defs(&mut local);
        local.insert(l.var);
        let mut outs: BTreeSet<VarId> = targets(&first)
            .into_iter()
            .filter(|v| !local.contains(v))
            .collect();
        outs.extend(phis.iter().map(|c| c.phi));
        if outs.is_empty() {
            return;
        }
        self.temps = temps;
        let mut d = defined.clone();
        d.extend(outs.iter().copied());
        let stmts = body(self, &mut d);
        let outs: Vec<VarId> = outs.into_iter().collect();
        let result = outs.iter().map(|v| d.contains(v)).collect();
        let pre = outs.iter().map(|v| (*v, defined.contains(v))).collect();
        defined.extend(outs.iter().copied());
        out.push(RStmt::For {
            l: Box::new(l.clone()),
            pre,
            body: Branch {
                recompute: l.body.clone(),
                stmts,
                result,
            },
        });
        for c in &phis {
            let pb = self.bar(c.phi);
            self.contribute(&c.init, false, quote!(#pb), defined, out);
        }
    }
}

/// The adjoints a list of reverse statements defines or updates.
fn targets(stmts: &[RStmt]) -> BTreeSet<VarId> {
    let mut out = BTreeSet::new();
    for s in stmts {
        match s {
            RStmt::Contrib { target, .. } => {
                out.insert(*target);
            }
            RStmt::Vjp { outs, .. } => out.extend(outs.iter().filter_map(|o| match o {
                VjpOut::Direct(v) => Some(*v),
                _ => None,
            })),
            RStmt::If { outs, .. } => out.extend(outs.iter().copied()),
            RStmt::For { pre, .. } => out.extend(pre.iter().map(|p| p.0)),
        }
    }
    out
}

fn literal_int(o: &Operand) -> Option<i64> {
    match o {
        Operand::Const(t, _) => t.to_string().parse().ok(),
        Operand::Var(_) => None,
    }
}
