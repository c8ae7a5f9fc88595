//! The split pullback of a function with `&mut` results: `g_vjp_fwd` and `g_vjp_rev`, the two
//! halves of `g_vjp` (Tapenade's split mode).
//!
//! A caller's forward sweep runs `g_vjp_fwd(args.., tape)`: `g`'s forward code, which also
//! pushes onto the caller's tape what `g`'s reverse sweep needs. The caller's reverse sweep
//! runs `g_vjp_rev(args.., shadows.., tape)`, which pops it: `g`'s forward code does not run
//! a second time there, as it does inside `g_vjp`.
//!
//! The contract of both kinds of halves: `g_vjp_rev` pops exactly what `g_vjp_fwd` pushed,
//! and leaves the `&mut` arguments' contents unspecified, as `g_vjp` does. A caller that needs
//! them afterwards saves them before `g_vjp_fwd` and restores them after `g_vjp_rev`.
//!
//! - A function whose forward state the tape can hold (floats, float arrays, and over `f64`
//!   integers and `bool`s the reverse half can declare; no `vec!` workspace) gets
//!   *recording* halves: `g_vjp_fwd` ends by pushing the final values its
//!   reverse sweep reads (float variables, local arrays, `&mut` buffers, integers as their
//!   bits, top-level conditions), and `g_vjp_rev` starts by popping them, then runs the
//!   reverse sweep of `g_vjp`.
//! - Any other gets *replaying* halves: `g_vjp_fwd` saves the `&mut` buffers and runs `g`;
//!   `g_vjp_rev` gives them back and runs `g_vjp`, which runs the forward code again.

use super::ir::{all_stmts, AFn, Arg, Decl, Place, Save, VKind, Var, E, S};
use crate::ir::Op;
use proc_macro2::Ident;
use quote::format_ident;
use std::collections::{HashMap, HashSet};

/// Whether `f` gets recording halves (`f64`: the float type is `f64`, whose tape entries
/// can hold an integer's bits).
pub fn records(f: &AFn, f64: bool) -> bool {
    let arrays = (f.vars.iter())
        .filter(|v| v.kind == VKind::FBuf && !matches!(v.decl, Decl::Param))
        .all(|v| {
            v.init
                .as_ref()
                .is_some_and(|i| !i.to_string().starts_with("vec"))
        });
    arrays && plain(f, &f.body, f64)
}

/// Integers and `bool`s only over `f64` (their bits go on the tape), and only where the
/// reverse half can declare them with their types: top-level `let`s that read no float
/// (declared again as written, then given their final values from the tape), and
/// variables declared elsewhere with a type annotation.
fn plain(f: &AFn, stmts: &[S], f64: bool) -> bool {
    stmts.iter().all(|s| match s {
        S::Other {
            fresh: true,
            var,
            value,
            ..
        } => f64 && matches!(f.vars[*var].decl, Decl::TopLet) && !reads_floats(f, value),
        S::Other { var, .. } => {
            let v = &f.vars[*var];
            f64 && (!matches!(v.decl, Decl::Hoisted) || v.annot.is_some())
        }
        S::If { then, else_, .. } => plain(f, then, f64) && plain(f, else_, f64),
        S::For { body, .. } => plain(f, body, f64),
        _ => true,
    })
}

fn reads_floats(f: &AFn, t: &proc_macro2::TokenStream) -> bool {
    let mut names = Vec::new();
    super::ir::idents(t, &mut names);
    (f.vars.iter())
        .filter(|v| matches!(v.kind, VKind::Float | VKind::FBuf))
        .any(|v| names.contains(&v.ident.to_string()))
}

/// The variables and buffers the body assigns or writes into.
pub fn written(f: &AFn) -> HashSet<usize> {
    let mut out = HashSet::new();
    for s in all_stmts(&f.body) {
        match s {
            S::Set { place, .. } => {
                out.insert(place.var());
            }
            S::Other { var, .. } | S::LocalBuf { var, .. } => {
                out.insert(*var);
            }
            S::Call { args, .. } => out.extend(args.iter().filter_map(|a| match a {
                Arg::Buf {
                    var, mutable: true, ..
                } => Some(*var),
                _ => None,
            })),
            _ => {}
        }
    }
    out
}

/// The buffers whose contents the body reads: loads, and arguments other than `&mut` ones
/// (a callee's reverse half has its `&mut` buffers' contents from its own record).
pub fn loaded(f: &AFn) -> HashSet<usize> {
    let mut out = HashSet::new();
    for s in all_stmts(&f.body) {
        if let S::Call { args, .. } = s {
            out.extend(args.iter().filter_map(|a| match a {
                Arg::Buf {
                    var,
                    mutable: false,
                    ..
                } => Some(*var),
                _ => None,
            }));
        }
    }
    for e in f.nodes() {
        match e {
            E::Load(v, ..) => {
                out.insert(*v);
            }
            E::Call { args, .. } => out.extend(args.iter().filter_map(|a| match a {
                Arg::Buf { var, .. } => Some(*var),
                _ => None,
            })),
            _ => {}
        }
    }
    out
}

/// The calls in a statement's value `e` that go through the callee's halves: active calls
/// with a buffer argument (so the callee is an array function, which has halves), reached
/// from the root through `+ - * /` and negation only. Each of those has a reverse-sweep
/// contribution whenever it is active, so each forward half gets its reverse half.
pub fn split_calls(e: &E, vars: &[Var]) -> HashSet<*const E> {
    let mut out = HashSet::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            E::Op(Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Neg, args, _) => stack.extend(args),
            E::Call { args, .. }
                if args.iter().any(|a| matches!(a, Arg::Buf { .. })) && e.active(vars) =>
            {
                out.insert(e as *const E);
            }
            _ => {}
        }
    }
    out
}

/// `g_vjp_wrt`, the `const fn` saying for each parameter of `g` whether `g_vjp` passes a
/// derivative through it (callers check it for every argument that carries one).
pub fn wrt_name(vjp: &Ident) -> Ident {
    format_ident!("{}_wrt", vjp)
}

/// For every call of an array function in `f` (one with a buffer argument), an assertion,
/// evaluated at compile time, that the callee passes a derivative through each argument
/// that carries one: a helper differentiated only `wrt(..)` some parameters would otherwise
/// drop the others' derivatives without a word.
pub fn wrt_checks(f: &AFn) -> proc_macro2::TokenStream {
    let mut out = proc_macro2::TokenStream::new();
    let mut calls: Vec<(&syn::Path, &syn::Path, &[Arg], proc_macro2::Span)> = Vec::new();
    for s in all_stmts(&f.body) {
        if let S::Call {
            func,
            vjp,
            args,
            span,
        } = s
        {
            calls.push((func, vjp, args, *span));
        }
    }
    for e in f.nodes() {
        if let E::Call {
            func,
            vjp,
            args,
            span,
        } = e
        {
            calls.push((func, vjp, args, *span));
        }
    }
    // one assertion per callee and parameter, at its first call
    let mut seen: HashSet<(String, usize)> = HashSet::new();
    for (func, vjp, args, span) in calls {
        if !args.iter().any(|a| matches!(a, Arg::Buf { .. })) {
            continue;
        }
        let mut wrt = vjp.clone();
        if let Some(last) = wrt.segments.last_mut() {
            last.ident = wrt_name(&last.ident);
        }
        let name = func
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        for (k, a) in args.iter().enumerate() {
            if !a.active(&f.vars) || !seen.insert((quote::quote!(#wrt).to_string(), k)) {
                continue;
            }
            let sp = match a {
                Arg::Buf { span, .. } => *span,
                Arg::Float(E::Load(_, _, sp) | E::Op(_, _, sp) | E::Call { span: sp, .. }) => *sp,
                _ => span,
            };
            let msg = format!("argument {} of `{name}` carries a derivative, but `{name}` is not differentiated with respect to that parameter: add it to `{name}`'s `wrt(..)`", k + 1);
            out.extend(
                quote::quote_spanned!(sp=> const _: () = ::core::assert!(#wrt()[#k], #msg);),
            );
        }
    }
    out
}

/// `g_vjp_fwd` for the pullback `g_vjp`.
pub fn fwd_name(vjp: &Ident) -> Ident {
    format_ident!("{}_fwd", vjp)
}

/// `g_vjp_rev` for the pullback `g_vjp`.
pub fn rev_name(vjp: &Ident) -> Ident {
    format_ident!("{}_rev", vjp)
}

/// The halves' paths for the pullback path `vjp` (`ba::g_vjp` -> `ba::g_vjp_fwd`).
pub fn paths(vjp: &syn::Path) -> (syn::Path, syn::Path) {
    let (mut fwd, mut rev) = (vjp.clone(), vjp.clone());
    if let (Some(f), Some(r)) = (fwd.segments.last_mut(), rev.segments.last_mut()) {
        f.ident = fwd_name(&f.ident);
        r.ident = rev_name(&r.ident);
    }
    (fwd, rev)
}

/// The float variables every assignment of which is [`Save::Recompute`]: loop-local values
/// the reverse sweep assigns again before it reads them, so no half records them.
pub fn recomputed(f: &AFn) -> HashSet<usize> {
    let mut saves: HashMap<usize, bool> = HashMap::new();
    for s in all_stmts(&f.body) {
        if let S::Set {
            place: Place::Var(v),
            save,
            ..
        } = s
        {
            let all = saves.entry(*v).or_insert(true);
            *all &= *save == Save::Recompute;
        }
    }
    (saves.into_iter())
        .filter_map(|(v, all)| all.then_some(v))
        .collect()
}
