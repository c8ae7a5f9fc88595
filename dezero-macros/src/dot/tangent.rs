//! The forward-mode (tangent) sweep as DOT: for a function whose `_grad` and `_vjp` run in
//! forward mode, each tangent `v_dot` an oval and each tangent rule a box labelled with the
//! expression the generated code computes (`crate::tangent::Ctx::rule`, the very tokens
//! `emit` prints), reading the forward cluster's values along dashed gray edges.
//!
//! ```text
//! let x_dot = 1.0;                              1.0 -> x_dot
//! let t0 = x * x; let t0_dot = x_dot * (2.0 * x);   x_dot, x -> [x_dot * (2.0 * x)] -> t0_dot
//! seed * out_dot                                seed, out_dot -> [return seed * out_dot]
//! ```

use super::{collect_idents, tidy, Dot, Env, Key};
use crate::ir::{Block, Inst, Operand, Stmt, VarId};
use crate::names;
use crate::tangent::Ctx;
use proc_macro2::TokenStream;

impl Dot<'_> {
    /// The seeds `x_dot = 1.0`, the tangent of every statement, and `_vjp`'s result
    /// `seed * out_dot` (`_grad` returns `(out, out_dot)` from the same sweep).
    pub(super) fn tangent_sweep(&mut self, t: &Ctx, env: &mut Env) {
        for &v in &self.p.params {
            if self.p.vars[v].active {
                let one = self.op_box("1.0");
                let d = self.value(&self.dot_name(v), Key::Tangent(v), env);
                self.edge(&one, &d, "");
            }
        }
        self.tblock(t, &t.p.body, env);
        let seeds: Vec<String> = names::seeds(self.p.outputs.len())
            .iter()
            .map(|s| s.to_string())
            .collect();
        for s in &seeds {
            self.value(s, Key::Named(s.clone()), env);
        }
        // as `emit`: seed0 * out0_dot + seed1 * out1_dot + ..
        let terms: Vec<String> = seeds
            .iter()
            .zip(&self.p.outputs)
            .map(|(s, o)| {
                let d = t.dot(o).map_or("0.0".into(), |d| tidy(&d.to_string()));
                format!("{s} * {d}")
            })
            .collect();
        let ret = self.op_box(&format!("return {}", terms.join(" + ")));
        for (s, o) in seeds.iter().zip(&self.p.outputs) {
            self.edge_from(env, &Key::Named(s.clone()), &ret, "");
            if let (Some(_), Some(v)) = (t.dot(o), o.var()) {
                self.edge_from(env, &Key::Tangent(v), &ret, "");
            }
        }
    }

    /// The tangents of a block, as `emit`'s tangent sweep writes them: one rule per active
    /// primitive, `if`s merging tangents, loops carrying them.
    fn tblock(&mut self, t: &Ctx, b: &Block, env: &mut Env) {
        for s in &b.stmts {
            match s {
                Stmt::Inst(i) => {
                    let Some(&y) = i.dsts.first() else { continue };
                    match t.rule(i) {
                        Some(rule) => self.trule(i, y, &rule, env),
                        // an active result whose tangent is zero still gets its `_dot`
                        None if self.p.vars[y].active && i.op.is_float() => {
                            let zero = self.op_box("0.0");
                            let v = self.value(&self.dot_name(y), Key::Tangent(y), env);
                            self.edge(&zero, &v, "");
                        }
                        None => {}
                    }
                }
                Stmt::If(i) => {
                    let c = self.p.vars[i.cond].name.clone();
                    self.open(&format!("if {c}"));
                    let mut envs = [env.clone(), env.clone()];
                    for (k, (blk, label)) in [(&i.then, "then"), (&i.else_, "else")]
                        .into_iter()
                        .enumerate()
                    {
                        self.open(label);
                        self.tblock(t, blk, &mut envs[k]);
                        self.close();
                    }
                    for m in i.merges.iter().filter(|m| self.p.vars[m.dst].active) {
                        let mut label = format!("phi({c}");
                        for (o, side) in [(&m.then, "then"), (&m.else_, "else")] {
                            if t.dot(o).is_none() {
                                label += &format!("; {side} 0.0");
                            }
                        }
                        let bx = self.op_box(&format!("{label})"));
                        self.primal_edge(i.cond, &bx, "style=dotted");
                        for (o, e, side) in
                            [(&m.then, &envs[0], "then"), (&m.else_, &envs[1], "else")]
                        {
                            if let (Some(_), Some(v)) = (t.dot(o), o.var()) {
                                let attrs = format!("label=\"{side}\"");
                                self.edge_from(e, &Key::Tangent(v), &bx, &attrs);
                            }
                        }
                        let v = self.value(&self.dot_name(m.dst), Key::Tangent(m.dst), env);
                        self.edge(&bx, &v, "");
                    }
                    self.close();
                }
                Stmt::For(l) => {
                    let range = if l.inclusive { "..=" } else { ".." };
                    let (lo, hi) = (self.operand(&l.lo), self.operand(&l.hi));
                    let i = self.p.vars[l.var].name.clone();
                    self.open(&format!("for {i} in {lo}{range}{hi}"));
                    let mut loops = Vec::new();
                    for c in l.carried.iter().filter(|c| self.p.vars[c.phi].active) {
                        let moves = !c.next.same(&Operand::Var(c.phi));
                        let mut parts = Vec::new();
                        if t.dot(&c.init).is_none() {
                            parts.push("0.0".to_string());
                        }
                        if moves && t.dot(&c.next).is_none() {
                            parts.push("next 0.0".to_string());
                        }
                        let label = if parts.is_empty() {
                            "loop".to_string()
                        } else {
                            format!("loop({})", parts.join("; "))
                        };
                        let bx = self.op_box(&label);
                        if let (Some(_), Some(v)) = (t.dot(&c.init), c.init.var()) {
                            self.edge_from(env, &Key::Tangent(v), &bx, "label=\"init\"");
                        }
                        let v = self.value(&self.dot_name(c.phi), Key::Tangent(c.phi), env);
                        self.edge(&bx, &v, "");
                        loops.push((c, bx, moves));
                    }
                    let mut inner = env.clone();
                    self.tblock(t, &l.body, &mut inner);
                    for (c, bx, moves) in loops {
                        if let (true, Some(_), Some(v)) = (moves, t.dot(&c.next), c.next.var()) {
                            let attrs = "label=\"next\", style=dashed, constraint=false";
                            self.edge_from(&inner, &Key::Tangent(v), &bx, attrs);
                        }
                    }
                    self.close();
                }
            }
        }
    }

    /// `let y_dot = rule;`: a box labelled with the rule reading the tangents and forward
    /// values it names, or just an edge for `let y_dot = a_dot;`.
    fn trule(&mut self, i: &Inst, y: VarId, rule: &TokenStream, env: &mut Env) {
        let reads = self.treads(i, rule, env);
        let single = rule.clone().into_iter().count() == 1;
        let from = match reads.as_slice() {
            [k @ Key::Tangent(_)] if single => env.get(k).cloned(),
            _ => None,
        };
        let from = from.unwrap_or_else(|| {
            let bx = self.op_box(&tidy(&rule.to_string()));
            for k in &reads {
                match k {
                    Key::Primal(v) => self.primal_edge(*v, &bx, ""),
                    k => self.edge_from(env, k, &bx, ""),
                }
            }
            bx
        });
        let v = self.value(&self.dot_name(y), Key::Tangent(y), env);
        self.edge(&from, &v, "");
    }

    /// What a rule reads, among the instruction's operands and result: `a_dot` is the
    /// tangent of operand `a`, `a` its value.
    fn treads(&self, i: &Inst, rule: &TokenStream, env: &Env) -> Vec<Key> {
        let mut idents = Vec::new();
        collect_idents(rule.clone(), &mut idents);
        let vars: Vec<VarId> = (i.args.iter().filter_map(Operand::var))
            .chain(i.dsts.iter().copied())
            .collect();
        let mut keys: Vec<Key> = Vec::new();
        for id in idents {
            let tangent = vars
                .iter()
                .map(|&v| Key::Tangent(v))
                .find(|k| env.contains_key(k) && self.names(k, &id));
            let key = tangent.or_else(|| {
                vars.iter()
                    .map(|&v| Key::Primal(v))
                    .find(|k| self.names(k, &id))
            });
            if let Some(k) = key {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// An edge from the forward cluster's node of value `v`.
    fn primal_edge(&mut self, v: VarId, to: &str, attrs: &str) {
        if let Some(from) = self.primal.get(&v).cloned() {
            self.edge(&from, to, attrs);
        }
    }

    /// `x_dot` for value `x`, as `crate::tangent::dot_ident` names it.
    fn dot_name(&self, v: VarId) -> String {
        names::user(&crate::tangent::dot_ident(&self.p.vars[v].name))
    }
}
