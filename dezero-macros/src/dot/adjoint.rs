//! The `_vjp` reverse sweep as DOT: each adjoint contribution a box labelled with the
//! expression the generated code computes, each adjoint version an oval.

use super::{tidy, Dot, Env, Key};
use crate::ir::Operand;
use crate::prune;
use crate::reverse::term::Term;
use crate::reverse::{Branch, RStmt, VjpOut};
use proc_macro2::TokenStream;
use quote::ToTokens;

impl Dot<'_> {
    /// The reverse sweep.
    pub(super) fn rstmts(&mut self, stmts: &[RStmt], env: &mut Env) {
        for s in stmts {
            match s {
                RStmt::Contrib {
                    target,
                    acc,
                    neg,
                    term,
                } => {
                    let bar = format!("{}_bar", self.p.vars[*target].name);
                    let single = term.is_single_token();
                    let ir_term = term;
                    let term = &self.term(term);
                    let term_s = tidy(&term.to_string());
                    let rhs = match (acc, neg) {
                        (false, false) => term_s,
                        (false, true) if single => format!("-{term_s}"),
                        (false, true) => format!("-({term_s})"),
                        (true, false) => format!("{bar} + {term_s}"),
                        (true, true) => format!("{bar} - {term_s}"),
                    };
                    let mut reads = Vec::new();
                    if *acc {
                        reads.push(Key::Adjoint(*target));
                    }
                    reads.extend(self.reads(ir_term, env));
                    let from = match (reads.as_slice(), acc, neg) {
                        // `let y_bar = x_bar;`: an edge, no box
                        ([only], false, false) if single => env.get(only).cloned(),
                        _ => None,
                    };
                    let from = from.unwrap_or_else(|| {
                        let bx = self.op_box(&rhs);
                        for k in &reads {
                            self.edge_from(env, k, &bx, "");
                        }
                        bx
                    });
                    let v = self.value(&bar, Key::Adjoint(*target), env);
                    self.edge(&from, &v, "");
                }
                RStmt::Vjp {
                    vjp,
                    args,
                    seeds,
                    outs,
                    ..
                } => {
                    let bx = self.op_box(&tidy(&vjp.to_token_stream().to_string()));
                    for a in args {
                        self.operand_edge(a, &bx, env, "");
                    }
                    for s in seeds.iter().flatten() {
                        self.edge_from(env, &Key::Adjoint(*s), &bx, "");
                    }
                    for o in outs {
                        let v = match o {
                            VjpOut::Skip => continue,
                            VjpOut::Direct(v) => {
                                let label = format!("{}_bar", self.p.vars[*v].name);
                                self.value(&label, Key::Adjoint(*v), env)
                            }
                            VjpOut::Temp(t) => {
                                let t = t.to_string();
                                self.value(&t, Key::Named(t.clone()), env)
                            }
                        };
                        self.edge(&bx, &v, "");
                    }
                }
                RStmt::If {
                    cond,
                    then,
                    else_,
                    outs,
                } => {
                    let c = self.p.vars[*cond].name.clone();
                    self.open(&format!("if {c}"));
                    let envs = [("then", then), ("else", else_)].map(|(label, b)| {
                        self.open(label);
                        let e = self.branch(b, env);
                        self.close();
                        e
                    });
                    for (k, &v) in outs.iter().enumerate() {
                        let bx = self.op_box(&format!("phi({c})"));
                        self.edge_from(env, &Key::Primal(*cond), &bx, "style=dotted");
                        for (e, (label, b)) in envs.iter().zip([("then", then), ("else", else_)]) {
                            if b.result.get(k) == Some(&true) {
                                let attrs = format!("label=\"{label}\"");
                                self.edge_from(e, &Key::Adjoint(v), &bx, &attrs);
                            }
                        }
                        let label = format!("{}_bar", self.p.vars[v].name);
                        let out = self.value(&label, Key::Adjoint(v), env);
                        self.edge(&bx, &out, "");
                    }
                    self.close();
                }
                RStmt::For { l, pre, body } => {
                    let range = if l.inclusive { "..=" } else { ".." };
                    let (lo, hi) = (self.operand(&l.lo), self.operand(&l.hi));
                    let i = self.p.vars[l.var].name.clone();
                    self.open(&format!("for {i} in ({lo}{range}{hi}).rev()"));
                    self.value(&i, Key::Primal(l.var), env);
                    let mut loops = Vec::new();
                    for &(v, was) in pre {
                        let bx = self.op_box(if was { "loop" } else { "loop(0.0)" });
                        self.edge_from(env, &Key::Adjoint(v), &bx, "label=\"init\"");
                        let label = format!("{}_bar", self.p.vars[v].name);
                        let phi = self.value(&label, Key::Adjoint(v), env);
                        self.edge(&bx, &phi, "");
                        loops.push(bx);
                    }
                    let mut inner = env.clone();
                    if !l.carried.is_empty() {
                        let bx = self.op_box(&format!("restore from {}", l.tape));
                        for c in &l.carried {
                            let name = self.p.vars[c.phi].name.clone();
                            let v = self.value(&name, Key::Primal(c.phi), &mut inner);
                            self.edge(&bx, &v, "");
                        }
                    }
                    let inner = self.branch(body, &inner);
                    for (k, (&(v, _), bx)) in pre.iter().zip(&loops).enumerate() {
                        if body.result.get(k) == Some(&true) {
                            let attrs = "label=\"next\", style=dashed, constraint=false";
                            self.edge_from(&inner, &Key::Adjoint(v), bx, attrs);
                        }
                    }
                    self.close();
                }
            }
        }
    }

    /// A branch or loop body of the reverse sweep: recomputed forward values, then its
    /// adjoint statements. Returns the environment at its end.
    pub(super) fn branch(&mut self, b: &Branch, env: &Env) -> Env {
        let mut e = env.clone();
        // as the generated code: only the recomputed values the adjoint reads
        let (recompute, _) = prune::Liveness::new(self.p).recompute(b);
        self.block(&recompute, &mut e);
        self.rstmts(&b.stmts, &mut e);
        e
    }

    /// The tokens of a reverse term as in `_vjp` (seeds are its seed parameters).
    fn term(&self, t: &Term) -> TokenStream {
        let seeds: Vec<TokenStream> = crate::names::seeds(self.p.outputs.len())
            .into_iter()
            .map(|s| quote::quote!(#s))
            .collect();
        crate::emit::term(self.p, t, &seeds)
    }

    /// The values a reverse term reads, in print order: `t0_bar * x` reads the adjoint of
    /// `t0` and `x`.
    pub(super) fn reads(&self, term: &Term, env: &Env) -> Vec<Key> {
        let seeds = crate::names::seeds(self.p.outputs.len());
        let mut keys: Vec<Key> = Vec::new();
        term.walk(|t| {
            let key = match t {
                Term::Bar(v) => Key::Adjoint(*v),
                Term::Val(Operand::Var(v)) => Key::Primal(*v),
                Term::Temp(i) => Key::Named(i.to_string()),
                Term::Seed(k) => match seeds.get(*k) {
                    Some(s) => Key::Named(s.to_string()),
                    None => return,
                },
                _ => return,
            };
            if env.contains_key(&key) && !keys.contains(&key) {
                keys.push(key);
            }
        });
        keys
    }

    /// The value the generated code means by `ident`; an adjoint first (`x_bar` is the
    /// adjoint of `x` even if the user also has a local `x_bar`: the generated one is
    /// hygienic and shadows nothing, but a reverse term names adjoints far more often).
    pub(super) fn resolve(&self, ident: &str, env: &Env, adjoints: bool) -> Option<Key> {
        let mut found: Vec<&Key> = env
            .keys()
            .filter(|k| self.names(k, ident))
            .filter(|k| adjoints || matches!(k, Key::Primal(_)))
            .collect();
        found.sort_by_key(|k| match k {
            Key::Adjoint(v) => (0, *v),
            Key::Named(_) => (1, 0),
            Key::Primal(v) => (2, *v),
            Key::Tangent(v) => (3, *v),
        });
        found.first().map(|k| (*k).clone())
    }

    /// Whether the generated code calls the value `key` by `ident`.
    pub(super) fn names(&self, key: &Key, ident: &str) -> bool {
        match key {
            Key::Primal(v) => self.p.vars[*v].name == ident,
            Key::Adjoint(v) => ident
                .strip_suffix("_bar")
                .is_some_and(|base| self.p.vars[*v].name == base),
            Key::Named(n) => n == ident,
            Key::Tangent(v) => ident
                .strip_suffix("_dot")
                .is_some_and(|base| self.p.vars[*v].name == base),
        }
    }
}
