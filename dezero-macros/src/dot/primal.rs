//! The forward instructions as DOT: a box per primitive, an oval per value, clusters for
//! `if` (merged by `phi` boxes) and `for` (loop-carried values through `loop` boxes).

use super::{collect_idents, tidy, Dot, Env, Key};
use crate::ir::{Block, Op, Operand, Stmt};
use quote::ToTokens;

impl Dot<'_> {
    /// `mul`; with constants `sub(19.0, ·)` (`·` a value edge) or, for a method on a value,
    /// its constant arguments: `powi(2)`.
    pub(super) fn label(&self, i: &crate::ir::Inst) -> String {
        let op = op_name(&i.op);
        if i.args.iter().all(|a| a.var().is_some()) || matches!(i.op, Op::Expr(_)) {
            return op;
        }
        let method_on_value =
            i.op.method().is_some() && i.args.first().is_some_and(|a| a.var().is_some());
        let args: Vec<String> = i
            .args
            .iter()
            .skip(usize::from(method_on_value))
            .map(|a| match a {
                Operand::Var(_) => "·".to_string(),
                Operand::Const(..) => self.operand(a),
            })
            .collect();
        format!("{op}({})", args.join(", "))
    }

    /// The forward instructions of `b` (also the recomputed ones in the reverse cluster).
    pub(super) fn block(&mut self, b: &Block, env: &mut Env) {
        for s in &b.stmts {
            match s {
                Stmt::Inst(i) => {
                    let label = self.label(i);
                    let bx = self.op_box(&label);
                    for a in &i.args {
                        self.operand_edge(a, &bx, env, "");
                    }
                    if let Op::Expr(e) = &i.op {
                        // a verbatim integer expression reads the locals it names
                        let mut names = Vec::new();
                        collect_idents(e.to_token_stream(), &mut names);
                        let mut keys: Vec<Key> = Vec::new();
                        for n in &names {
                            if let Some(k) = self.resolve(n, env, false) {
                                if !keys.contains(&k) {
                                    keys.push(k);
                                }
                            }
                        }
                        for k in keys {
                            self.edge_from(env, &k, &bx, "");
                        }
                    }
                    for &d in &i.dsts {
                        let v = self.value(&self.p.vars[d].name.clone(), Key::Primal(d), env);
                        self.edge(&bx, &v, "");
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
                        self.block(blk, &mut envs[k]);
                        self.close();
                    }
                    for m in &i.merges {
                        let mut label = format!("phi({c}");
                        for (o, side) in [(&m.then, "then"), (&m.else_, "else")] {
                            if o.var().is_none() {
                                label += &format!("; {side} {}", self.operand(o));
                            }
                        }
                        let bx = self.op_box(&format!("{label})"));
                        self.edge_from(env, &Key::Primal(i.cond), &bx, "style=dotted");
                        self.operand_edge(&m.then, &bx, &envs[0], "label=\"then\"");
                        self.operand_edge(&m.else_, &bx, &envs[1], "label=\"else\"");
                        let v =
                            self.value(&self.p.vars[m.dst].name.clone(), Key::Primal(m.dst), env);
                        self.edge(&bx, &v, "");
                    }
                    self.close();
                }
                Stmt::For(l) => {
                    let range = if l.inclusive { "..=" } else { ".." };
                    let (lo, hi) = (self.operand(&l.lo), self.operand(&l.hi));
                    let i = self.p.vars[l.var].name.clone();
                    self.open(&format!("for {i} in {lo}{range}{hi}"));
                    self.value(&i, Key::Primal(l.var), env);
                    let mut loops = Vec::new();
                    for c in &l.carried {
                        let bx = match &c.init {
                            Operand::Var(_) => self.op_box("loop"),
                            init => self.op_box(&format!("loop({})", self.operand(init))),
                        };
                        self.operand_edge(&c.init, &bx, env, "label=\"init\"");
                        let v =
                            self.value(&self.p.vars[c.phi].name.clone(), Key::Primal(c.phi), env);
                        self.edge(&bx, &v, "");
                        loops.push(bx);
                    }
                    let mut inner = env.clone();
                    self.block(&l.body, &mut inner);
                    for (c, bx) in l.carried.iter().zip(&loops) {
                        if !c.next.same(&Operand::Var(c.phi)) {
                            let attrs = "label=\"next\", style=dashed, constraint=false";
                            self.operand_edge(&c.next, bx, &inner, attrs);
                        }
                    }
                    self.close();
                }
            }
        }
    }
}

/// The name of a primitive, as the IR's `Display` writes it.
fn op_name(op: &Op) -> String {
    match op {
        Op::Cast(t) => format!("cast<{}>", tidy(&t.to_string())),
        Op::Cmp(o) | Op::Logic(o) => o.to_token_stream().to_string(),
        Op::Expr(e) => format!("const<{}>", tidy(&e.to_token_stream().to_string())),
        Op::Call { func, .. } => format!("call<{}>", tidy(&func.to_token_stream().to_string())),
        other => format!("{other:?}").to_lowercase(),
    }
}
