//! Adjoints a reverse loop only adds into, at an index the loop does not change: summed in a
//! local and added once after the loop.
//!
//! `for j in .. { out[j] += l[k] * x[i]; k += 1 }` has the reverse `x_bar[i] += out_bar[j] *
//! l[k]` in every iteration. Written into memory each time, the sum waits on the previous
//! store at every step (rustc cannot keep it in a register: the loop may panic on an index
//! out of bounds, after which the store must have happened). Summed in a local it runs at
//! the speed of the hand-written loop. The local starts at `-0.0`, so a loop that adds
//! nothing leaves the adjoint as it was, signed zero included.

use super::ir::{all_nodes, all_stmts, idents, stmt_exprs, AFn, Arg, Place, E, S};
use proc_macro2::TokenStream;
use std::collections::HashSet;

/// The `(buffer, index)` loads of `body` whose adjoints can be summed in a local around the
/// reverse of the loop `for pat in .. { body }`: the buffer is active, the body neither
/// writes it nor passes it to a call, and nothing the index reads changes in the loop.
pub fn accumulated(f: &AFn, pat: &TokenStream, body: &[S]) -> Vec<(usize, TokenStream)> {
    let mut changing: Vec<String> = Vec::new();
    idents(pat, &mut changing);
    let mut excluded: HashSet<usize> = HashSet::new();
    let stmts = all_stmts(body);
    for s in &stmts {
        match s {
            S::Set {
                place: Place::Var(v),
                ..
            }
            | S::Other { var: v, .. } => changing.push(f.vars[*v].ident.to_string()),
            S::Set {
                place: Place::Elem(v, _),
                ..
            }
            | S::LocalBuf { var: v, .. } => {
                excluded.insert(*v);
            }
            S::For { pat, .. } => idents(pat, &mut changing),
            S::Call { args, .. } => excluded.extend(bufs(args)),
            _ => {}
        }
    }
    let mut loads: Vec<(usize, TokenStream)> = Vec::new();
    for e in all_nodes(stmt_exprs(&stmts)) {
        match e {
            E::Load(v, idx, _) => loads.push((*v, idx.clone())),
            E::Call { args, .. } => excluded.extend(bufs(args)),
            _ => {}
        }
    }
    let mut out: Vec<(usize, TokenStream)> = Vec::new();
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    for (v, idx) in loads {
        let mut read = Vec::new();
        idents(&idx, &mut read);
        let invariant = !read.iter().any(|n| changing.contains(n));
        if f.vars[v].active
            && !excluded.contains(&v)
            && invariant
            && seen.insert((v, idx.to_string()))
        {
            out.push((v, idx));
        }
    }
    out
}

/// A call's buffers: their shadows go to the callee.
fn bufs(args: &[Arg]) -> impl Iterator<Item = usize> + '_ {
    args.iter().filter_map(|a| match a {
        Arg::Buf { var, .. } => Some(*var),
        _ => None,
    })
}
