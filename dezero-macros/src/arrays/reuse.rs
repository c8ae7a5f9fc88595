//! Values the reverse sweep would compute again but that a variable already holds.
//!
//! A derivative reads forward values: `d/dθ sin θ = cos θ`, `d/dx sqrt x = sqrt x / 2x`. The
//! reverse sweep computes them again where it needs them, unless a variable holds the same
//! expression for certain: `let c = theta.cos();` then gives `s_bar * c` instead of
//! `s_bar * theta.cos()`. That is certain for a *stable* variable: assigned once, outside
//! loops, never restored by the reverse sweep (a `let`), from stable variables, parameters
//! nothing assigns, elements of buffers nothing writes at indices nothing assigns, and
//! constants; and where its `let` runs whenever the use does (its block encloses the use).
//! Its value never changes after the `let`, and the expression would give the same value
//! anywhere after. A variable `_vjp` does not compute ([`AFn::unread`]) holds nothing.

use super::ir::{all_stmts, AFn, Decl, Save, Upd, VKind, E, S};
use crate::ir::Op;
use std::collections::HashMap;
use std::mem::{discriminant, Discriminant};

/// A recomputed expression with more nodes than this is not looked up (comparing a long sum
/// would cost more than it saves; a derivative's factors are small).
const SMALL: usize = 32;

/// A block of the body, by address: the blocks around a statement are a path of these.
pub type BlockId = *const S;

struct Def<'a> {
    var: usize,
    value: &'a E,
    /// The blocks around the `let`, outermost first.
    path: Vec<BlockId>,
}

/// The stable variables of a function, by the operator of their value.
pub struct Reuse<'a> {
    defs: HashMap<Discriminant<Op>, Vec<Def<'a>>>,
}

impl<'a> Reuse<'a> {
    pub fn of(f: &'a AFn) -> Self {
        let (sets, written) = (count_sets(&f.body), super::split::written(f));
        let mut stable: Vec<bool> = (f.vars.iter().enumerate())
            .map(|(k, v)| match v.kind {
                VKind::Float => !sets.contains_key(&k),
                VKind::FBuf => !written.contains(&k),
                _ => false,
            })
            .collect();
        // integer names whose value may change: locals, and parameters something assigns
        let ints: Vec<String> = (f.vars.iter().enumerate())
            .filter(|(k, v)| {
                matches!(v.kind, VKind::Int | VKind::Bool)
                    && (!matches!(v.decl, Decl::Param) || written.contains(k))
            })
            .map(|(_, v)| v.ident.to_string())
            .collect();
        let mut defs: HashMap<Discriminant<Op>, Vec<Def<'a>>> = HashMap::new();
        // Blocks outside loops only, in program order (a def reads only earlier defs).
        let mut stack: Vec<(&'a [S], usize, Vec<BlockId>)> =
            vec![(&f.body[..], 0, vec![f.body.as_ptr()])];
        while let Some((block, at, path)) = stack.pop() {
            let Some(s) = block.get(at) else { continue };
            stack.push((block, at + 1, path.clone()));
            match s {
                S::Set {
                    place: super::ir::Place::Var(v),
                    upd: Upd::Set,
                    value,
                    fresh,
                    save,
                } if sets.get(v) == Some(&1)
                    && !f.unread.contains(v)
                    && (*fresh || *save == Save::Skip)
                    && pure(value, &stable, &ints) =>
                {
                    stable[*v] = true;
                    if let E::Op(op, ..) = value {
                        defs.entry(discriminant(op)).or_default().push(Def {
                            var: *v,
                            value,
                            path,
                        });
                    }
                }
                S::If { then, else_, .. } => {
                    for b in [then, else_] {
                        let mut p = path.clone();
                        p.push(b.as_ptr());
                        stack.push((&b[..], 0, p));
                    }
                }
                _ => {}
            }
        }
        Reuse { defs }
    }

    /// A stable variable holding `e`'s value at a statement inside the blocks `path`.
    pub fn holding(&self, e: &E, path: &[BlockId]) -> Option<usize> {
        let E::Op(op, args, _) = e else { return None };
        self.find(op, args, path)
    }

    /// A stable variable holding `recv.name()` (a unary method), at `path`.
    pub fn holding_method(&self, name: &str, recv: &E, path: &[BlockId]) -> Option<usize> {
        let (op, 0) = Op::from_method(name)? else {
            return None;
        };
        self.find(&op, std::slice::from_ref(recv), path)
    }

    /// The stable variable whose value is `op(args)`, at `path`.
    fn find(&self, op: &Op, args: &[E], path: &[BlockId]) -> Option<usize> {
        if args.iter().any(|a| size_over(a, SMALL)) {
            return None;
        }
        self.defs
            .get(&discriminant(op))?
            .iter()
            .find(|d| {
                path.starts_with(&d.path)
                    && matches!(d.value, E::Op(_, xs, _)
                        if xs.len() == args.len() && xs.iter().zip(args).all(|(x, a)| same(x, a)))
            })
            .map(|d| d.var)
    }
}

/// How many times each float variable is assigned, anywhere in the body.
fn count_sets(body: &[S]) -> HashMap<usize, usize> {
    let mut sets = HashMap::new();
    for s in all_stmts(body) {
        if let S::Set {
            place: super::ir::Place::Var(v),
            ..
        } = s
        {
            *sets.entry(*v).or_default() += 1;
        }
    }
    sets
}

/// Whether `e` reads only stable variables and constants free of integer variables, through
/// plain arithmetic and methods (no loads, calls or casts).
fn pure(e: &E, stable: &[bool], ints: &[String]) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            E::Var(v) if stable[*v] => {}
            E::Load(b, t, _) if stable[*b] && !reads_any(t, ints) => {}
            E::Const(t) if !reads_any(t, ints) => {}
            E::Op(Op::Cast(_) | Op::Cmp(_) | Op::Logic(_) | Op::Expr(_) | Op::Call { .. }, ..) => {
                return false
            }
            E::Op(_, args, _) => stack.extend(args),
            _ => return false,
        }
    }
    true
}

/// Whether integer tokens name any of `ints`.
fn reads_any(t: &proc_macro2::TokenStream, ints: &[String]) -> bool {
    let mut names = Vec::new();
    super::ir::idents(t, &mut names);
    names.iter().any(|n| ints.contains(n))
}

/// Whether `e` has more than `n` nodes.
fn size_over(e: &E, n: usize) -> bool {
    let mut count = 0;
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        count += 1;
        if count > n {
            return true;
        }
        if let E::Op(_, args, _) = e {
            stack.extend(args);
        }
    }
    false
}

/// Structural equality of two small expressions.
fn same(a: &E, b: &E) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        match (a, b) {
            (E::Var(x), E::Var(y)) if x == y => {}
            (E::Const(s), E::Const(t)) if s.to_string() == t.to_string() => {}
            (E::Load(x, i, _), E::Load(y, j, _)) if x == y && i.to_string() == j.to_string() => {}
            (E::Op(o, xs, _), E::Op(p, ys, _))
                if discriminant(o) == discriminant(p) && xs.len() == ys.len() =>
            {
                stack.extend(xs.iter().zip(ys));
            }
            _ => return false,
        }
    }
    true
}
