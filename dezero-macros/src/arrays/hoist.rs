//! Adjoints a reverse loop only adds into, at an index the loop does not change: summed in a
//! local and added once after the loop.
//!
//! `for j in .. { out[j] += l[k] * x[i]; k += 1 }` has the reverse `x_bar[i] += out_bar[j] *
//! l[k]` in every iteration. Written into memory each time, the sum waits on the previous
//! store at every step (rustc cannot keep it in a register: the loop may panic on an index
//! out of bounds, after which the store must have happened). Summed in a local it runs at
//! the speed of the hand-written loop. The local starts at `-0.0`, so a loop that adds
//! nothing leaves the adjoint as it was, signed zero included.

use super::ir::{idents, AFn, Arg, Place, E, S};
use proc_macro2::TokenStream;
use std::collections::HashSet;

/// The `(buffer, index)` loads of `body` whose adjoints can be summed in a local around the
/// reverse of the loop `for pat in .. { body }`: the buffer is active, the body neither
/// writes it nor passes it to a call, and nothing the index reads changes in the loop.
pub fn accumulated(f: &AFn, pat: &TokenStream, body: &[S]) -> Vec<(usize, TokenStream)> {
    let mut changing: Vec<String> = Vec::new();
    idents(pat, &mut changing);
    let mut excluded: HashSet<usize> = HashSet::new();
    let mut loads: Vec<(usize, TokenStream)> = Vec::new();
    let mut exprs: Vec<&E> = Vec::new();
    let mut stack: Vec<&[S]> = vec![body];
    while let Some(list) = stack.pop() {
        for s in list {
            match s {
                S::Set { place, value, .. } => {
                    exprs.push(value);
                    match place {
                        Place::Var(v) => changing.push(f.vars[*v].ident.to_string()),
                        Place::Elem(v, _) => {
                            excluded.insert(*v);
                        }
                    }
                }
                S::Other { var, .. } => changing.push(f.vars[*var].ident.to_string()),
                S::LocalBuf { var, .. } => {
                    excluded.insert(*var);
                }
                S::For { pat, body, .. } => {
                    idents(pat, &mut changing);
                    stack.push(body);
                }
                S::If { then, else_, .. } => {
                    stack.push(then);
                    stack.push(else_);
                }
                S::Call { args, .. } => call_args(args, &mut exprs, &mut excluded),
                S::Keep(_) => {}
            }
        }
    }
    while let Some(e) = exprs.pop() {
        match e {
            E::Load(v, idx, _) => loads.push((*v, idx.clone())),
            E::Op(_, args, _) => exprs.extend(args),
            E::Call { args, .. } => call_args(args, &mut exprs, &mut excluded),
            E::Var(_) | E::Const(_) => {}
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

/// A call's buffers are excluded (their shadows go to the callee); its float arguments are
/// expressions like any other.
fn call_args<'e>(args: &'e [Arg], exprs: &mut Vec<&'e E>, excluded: &mut HashSet<usize>) {
    for a in args {
        match a {
            Arg::Float(e) => exprs.push(e),
            Arg::Buf { var, .. } => {
                excluded.insert(*var);
            }
            Arg::Other(_) => {}
        }
    }
}
