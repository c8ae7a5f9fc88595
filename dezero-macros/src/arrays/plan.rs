//! What the forward sweep saves: for each assignment, [`Save::Tape`] unless the reverse
//! sweep can do without the overwritten value ([`Save::Skip`]) or assign the value again
//! ([`Save::Recompute`]). (The values a derivative reads inside an expression are another
//! matter, decided where the reverse sweep is printed: computed again when cheap, kept on
//! the tape in loops when a libm call, `primitives::costly`.)
//!
//! The reverse sweep reads a variable's value where a derivative reads it. Positions are
//! compared in statement order (a counter over the body, depth first) with the chain of loops
//! and branches around each statement:
//!
//! - An accumulation `s += e` needs no save if every read of `s` comes after it and, where a
//!   read shares a loop with it, `s` is reset (`s = ..`) at the top of that loop's body before
//!   it: each iteration's reads then see only that iteration's sum, which the reverse sweep
//!   never needs to take apart (`let mut f = 0.0; for l in .. { f += .. } out += f`).
//! - A write into a buffer needs no save if every read of the buffer (a load, or a call it is
//!   passed to) comes after it and shares no loop with it: `out[i] = x[i] - y[i]` (never
//!   read), `xo[i] = x[i] - c[i]` read by a call after the loop.
//! - A `&mut` argument of a call needs no save if the buffer was made (`[0.0; N]`,
//!   `vec![0.0; n]`) just before the call, in the same block: the reverse sweep fills it
//!   again. A local `[0.0; N]` in a branch outside loops is made once, over its own zeros:
//!   nothing to save either; so is the `let` of a float there.
//! - An integer `n += k` of a constant `k` (a literal, a parameter, a loop index) is undone
//!   by `n -= k` in the reverse sweep, exactly.
//! - A loop-local `v = e` (the only assignment of `v`, at the top of a loop's body, every read
//!   of `v` after it in the same body, nothing `e` reads assigned later in the body) is
//!   assigned again at the top of the reverse iteration instead (`for v in x.iter()`, a
//!   closure's parameter, `let t = a * x[i];` in a loop).

use super::ir::{idents, AFn, Arg, Place, Save, Upd, VKind, Var, E, S};
use proc_macro2::TokenStream;
use std::collections::{HashMap, HashSet};

/// A statement's position: its order and the ids of the loops and branches around it
/// (outermost first), each with whether it is a loop.
#[derive(Clone)]
struct Pos {
    order: usize,
    around: Vec<(usize, bool)>,
}

#[derive(Default)]
struct Facts {
    /// Per variable: where the reverse sweep may read it.
    reads: HashMap<usize, Vec<Pos>>,
    /// Per variable: its assignments, whether each is an accumulation.
    sets: HashMap<usize, Vec<(Pos, bool)>>,
    /// Per buffer: where it is written (elements, or as a `&mut` argument).
    writes: HashMap<usize, Vec<Pos>>,
    /// Per buffer: where the reverse sweep may read its elements (loads, and calls, whose
    /// pullbacks run the callee again).
    buf_reads: HashMap<usize, Vec<Pos>>,
    /// Names of integer variables, and where each is assigned.
    int_sets: HashMap<String, Vec<Pos>>,
    /// The last order of each container's body.
    ends: HashMap<usize, usize>,
    /// Per local buffer: where it is made (zeroed), with its element.
    made: HashMap<usize, Vec<(Pos, TokenStream)>>,
}

/// Sets [`Save`] on every assignment of `f`.
pub fn plan(f: &mut AFn) {
    let mut facts = Facts::default();
    let mut w = Walk {
        vars: &f.vars,
        facts: &mut facts,
        order: 0,
        around: Vec::new(),
        next_id: 0,
    };
    w.block(&f.body);
    let end = Pos {
        order: usize::MAX,
        around: Vec::new(),
    };
    for e in &f.ret {
        w.reads_of(e, &end);
    }
    let mut order = 0;
    let mut around = Vec::new();
    let mut next_id = 0;
    decide(
        &mut f.body,
        &f.vars,
        &facts,
        &mut order,
        &mut around,
        &mut next_id,
    );
    f.unread = unread(f);
}

struct Walk<'a> {
    vars: &'a [Var],
    facts: &'a mut Facts,
    order: usize,
    around: Vec<(usize, bool)>,
    next_id: usize,
}

impl Walk<'_> {
    fn pos(&self) -> Pos {
        Pos {
            order: self.order,
            around: self.around.clone(),
        }
    }

    fn block(&mut self, stmts: &[S]) {
        for s in stmts {
            self.order += 1;
            let pos = self.pos();
            match s {
                S::Set {
                    place, upd, value, ..
                } => {
                    self.reads_of(value, &pos);
                    match place {
                        Place::Var(v) => self
                            .facts
                            .sets
                            .entry(*v)
                            .or_default()
                            .push((pos.clone(), *upd != Upd::Set)),
                        Place::Elem(v, idx) => {
                            self.facts.writes.entry(*v).or_default().push(pos.clone());
                            self.token_reads(idx, &pos);
                        }
                    }
                }
                S::Other { var, value, .. } => {
                    let name = self.vars[*var].ident.to_string();
                    self.facts
                        .int_sets
                        .entry(name)
                        .or_default()
                        .push(pos.clone());
                    self.token_reads(value, &pos);
                }
                S::For { lo, hi, body, .. } => {
                    self.token_reads(lo, &pos);
                    self.token_reads(hi, &pos);
                    self.nested(body, true);
                }
                S::If { then, else_, .. } => {
                    self.nested(then, false);
                    self.nested(else_, false);
                }
                S::Call { args, .. } => {
                    for a in args {
                        match a {
                            Arg::Float(e) => self.reads_of(e, &pos),
                            Arg::Buf {
                                var, mutable: true, ..
                            } => {
                                self.facts.writes.entry(*var).or_default().push(pos.clone());
                                self.buf_read(*var, &pos);
                            }
                            Arg::Buf { var, .. } => self.buf_read(*var, &pos),
                            Arg::Other(_) => {}
                        }
                    }
                }
                S::LocalBuf { var, fill, .. } => {
                    self.facts.writes.entry(*var).or_default().push(pos.clone());
                    let made = self.facts.made.entry(*var).or_default();
                    made.push((pos.clone(), fill.clone()));
                }
                S::Keep(_) => {}
            }
        }
    }

    fn nested(&mut self, body: &[S], is_loop: bool) {
        let id = self.next_id;
        self.next_id += 1;
        self.around.push((id, is_loop));
        self.block(body);
        self.around.pop();
        self.facts.ends.insert(id, self.order);
    }

    fn reads_of(&mut self, e: &E, pos: &Pos) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match e {
                E::Var(v) => self.facts.reads.entry(*v).or_default().push(pos.clone()),
                E::Load(b, idx, _) => {
                    self.buf_read(*b, pos);
                    self.token_reads(idx, pos);
                }
                E::Const(t) => self.token_reads(t, pos),
                E::Op(_, args, _) => stack.extend(args),
                E::Call { args, .. } => {
                    for a in args {
                        match a {
                            Arg::Float(e) => stack.push(e),
                            Arg::Buf { var, .. } => self.buf_read(*var, pos),
                            Arg::Other(_) => {}
                        }
                    }
                }
            }
        }
    }

    fn buf_read(&mut self, b: usize, pos: &Pos) {
        self.facts.buf_reads.entry(b).or_default().push(pos.clone());
    }

    /// A float variable named in integer tokens (an index `x[s as usize]`) is read there.
    fn token_reads(&mut self, t: &TokenStream, pos: &Pos) {
        let mut names = Vec::new();
        idents(t, &mut names);
        for n in names {
            if let Some(v) = self
                .vars
                .iter()
                .position(|v| v.kind == VKind::Float && v.ident == n)
            {
                self.facts.reads.entry(v).or_default().push(pos.clone());
            }
        }
    }
}

/// The containers two positions share, outermost first.
fn common(a: &Pos, b: &Pos) -> Vec<(usize, bool)> {
    a.around
        .iter()
        .zip(&b.around)
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| *x)
        .collect()
}

fn decide(
    stmts: &mut [S],
    vars: &[Var],
    facts: &Facts,
    order: &mut usize,
    around: &mut Vec<(usize, bool)>,
    next_id: &mut usize,
) {
    for s in stmts.iter_mut() {
        *order += 1;
        let pos = Pos {
            order: *order,
            around: around.clone(),
        };
        match s {
            S::Set {
                place: Place::Var(v),
                upd,
                value,
                fresh: false,
                save,
            } => {
                if *upd != Upd::Set && skip_accumulation(*v, &pos, facts) {
                    *save = Save::Skip;
                } else if *upd == Upd::Set && recomputable(*v, value, &pos, facts) {
                    *save = Save::Recompute;
                } else if *upd == Upd::Set && first_let_outside_loops(*v, vars, &pos, facts) {
                    *save = Save::Skip;
                }
            }
            S::Set {
                place: Place::Elem(b, _),
                save,
                ..
            } if read_after(facts.buf_reads.get(b), &pos) => *save = Save::Skip,
            S::Other {
                op, value, save, ..
            } if matches!(op.to_string().as_str(), "+=" | "-=") && constant(value, facts) => {
                *save = Save::Invert;
            }
            S::LocalBuf { save, .. } => {
                *save = if around.iter().any(|(_, is_loop)| *is_loop) {
                    Save::Tape
                } else {
                    Save::Skip
                };
            }
            S::Call { args, .. } => {
                for a in args {
                    if let Arg::Buf {
                        var,
                        mutable: true,
                        known,
                        ..
                    } = a
                    {
                        *known = known_before(*var, &pos, facts);
                    }
                }
            }
            S::For { body, .. } => {
                around.push((*next_id, true));
                *next_id += 1;
                decide(body, vars, facts, order, around, next_id);
                around.pop();
            }
            S::If { then, else_, .. } => {
                around.push((*next_id, false));
                *next_id += 1;
                decide(then, vars, facts, order, around, next_id);
                around.pop();
                around.push((*next_id, false));
                *next_id += 1;
                decide(else_, vars, facts, order, around, next_id);
                around.pop();
            }
            _ => {}
        }
    }
}

/// Whether `at` is the `let` of a variable declared in a branch (hoisted), outside loops: it
/// overwrites only the declaration's zero, which nothing can read.
fn first_let_outside_loops(v: usize, vars: &[Var], at: &Pos, facts: &Facts) -> bool {
    let first = facts
        .sets
        .get(&v)
        .and_then(|s| s.iter().map(|(p, _)| p.order).min());
    matches!(vars[v].decl, super::ir::Decl::Hoisted)
        && first == Some(at.order)
        && !at.around.iter().any(|(_, is_loop)| *is_loop)
}

/// The element every place of buffer `b` holds at `at`, if the last write before `at` made
/// the buffer (`[0.0; N]`, `vec![0.0; n]`) in the same block: each time `at` runs, that
/// write ran just before.
fn known_before(b: usize, at: &Pos, facts: &Facts) -> Option<TokenStream> {
    let writes = facts.writes.get(&b)?;
    let last = writes
        .iter()
        .filter(|w| w.order < at.order)
        .max_by_key(|w| w.order)?;
    let made = facts.made.get(&b)?;
    let (pos, fill) = made.iter().find(|(p, _)| p.order == last.order)?;
    (pos.around == at.around).then(|| fill.clone())
}

/// Whether integer tokens read only literals and variables nothing assigns (parameters, loop
/// indices): the same value wherever the reverse sweep evaluates them.
fn constant(t: &TokenStream, facts: &Facts) -> bool {
    let mut names = Vec::new();
    idents(t, &mut names);
    names.iter().all(|n| !facts.int_sets.contains_key(n))
}

/// Whether every read comes after `at` and outside the loops around `at`: the reverse sweep
/// then reads the value `at` leaves, never an older one.
fn read_after(reads: Option<&Vec<Pos>>, at: &Pos) -> bool {
    reads.is_none_or(|rs| {
        rs.iter()
            .all(|r| r.order > at.order && !common(r, at).iter().any(|(_, is_loop)| *is_loop))
    })
}

fn skip_accumulation(v: usize, at: &Pos, facts: &Facts) -> bool {
    let reads = facts.reads.get(&v).map_or(&[][..], |r| &r[..]);
    let sets = facts.sets.get(&v).map_or(&[][..], |s| &s[..]);
    reads.iter().all(|r| {
        if r.order <= at.order {
            return false;
        }
        let shared = common(r, at);
        // the innermost loop both are in
        let Some(k) = shared.iter().rposition(|(_, is_loop)| *is_loop) else {
            return true;
        };
        let chain = &shared[..=k];
        // a reset at the top of that loop's body, before the accumulation
        sets.iter()
            .any(|(p, acc)| !acc && p.around == chain && p.order < at.order)
    })
}

fn recomputable(v: usize, e: &E, at: &Pos, facts: &Facts) -> bool {
    // directly in a loop's body
    let Some(&(lp, true)) = at.around.last() else {
        return false;
    };
    let end = facts.ends.get(&lp).copied().unwrap_or(usize::MAX);
    let in_rest =
        |p: &Pos| p.order > at.order && p.order <= end && p.around.starts_with(&at.around);
    // its only assignment
    if facts.sets.get(&v).map_or(0, Vec::len) != 1 {
        return false;
    }
    // read only after it, in the same body
    let reads = facts.reads.get(&v).map_or(&[][..], |r| &r[..]);
    if !reads.iter().all(in_rest) {
        return false;
    }
    // what it reads stays as it is for the rest of the body
    let mut ok = true;
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            E::Var(u) => {
                ok &= facts
                    .sets
                    .get(u)
                    .is_none_or(|s| !s.iter().any(|(p, _)| in_rest(p)));
            }
            E::Load(b, idx, _) => {
                ok &= facts.writes.get(b).is_none_or(|w| !w.iter().any(in_rest));
                ok &= ints_stay(idx, facts, &in_rest);
            }
            E::Const(t) => ok &= ints_stay(t, facts, &in_rest),
            E::Op(_, args, _) => stack.extend(args),
            E::Call { .. } => ok = false,
        }
    }
    ok
}

fn ints_stay(t: &TokenStream, facts: &Facts, in_rest: &dyn Fn(&Pos) -> bool) -> bool {
    let mut names = Vec::new();
    idents(t, &mut names);
    names
        .iter()
        .all(|n| facts.int_sets.get(n).is_none_or(|s| !s.iter().any(in_rest)))
}

/// The float variables and buffers whose values nothing reads, in `_vjp`: no expression,
/// call, index, bound, condition or assertion names them, and `_vjp` does not return the
/// result (a bare variable as the result is not a read; its adjoint is the seed). Writing
/// into them is dead code there (their saves are never needed: `plan` skips them).
fn unread(f: &AFn) -> HashSet<usize> {
    let mut read: HashSet<usize> = HashSet::new();
    let mut names: Vec<String> = Vec::new();
    let mut exprs: Vec<&E> = Vec::new();
    let mut stack: Vec<&[S]> = vec![&f.body];
    while let Some(list) = stack.pop() {
        for s in list {
            match s {
                S::Set {
                    place,
                    value,
                    save,
                    fresh,
                    ..
                } => {
                    exprs.push(value);
                    if let Place::Elem(_, idx) = place {
                        idents(idx, &mut names);
                    }
                    // a save on the tape stays (its pop needs it), and with it the variable
                    if *save == Save::Tape && !fresh {
                        read.insert(place.var());
                    }
                }
                S::Other { value, .. } => idents(value, &mut names),
                S::LocalBuf { init, .. } => idents(init, &mut names),
                S::For { lo, hi, body, .. } => {
                    idents(lo, &mut names);
                    idents(hi, &mut names);
                    stack.push(body);
                }
                S::If { cond, then, else_ } => {
                    idents(cond, &mut names);
                    stack.push(then);
                    stack.push(else_);
                }
                S::Call { args, .. } => {
                    for a in args {
                        match a {
                            Arg::Float(e) => exprs.push(e),
                            Arg::Buf { var, range, .. } => {
                                read.insert(*var);
                                idents(range, &mut names);
                            }
                            Arg::Other(t) => idents(t, &mut names),
                        }
                    }
                }
                S::Keep(t) => idents(t, &mut names),
            }
        }
    }
    for e in &f.ret {
        if !matches!(e, E::Var(_)) {
            exprs.push(e);
        }
    }
    while let Some(e) = exprs.pop() {
        match e {
            E::Var(v) => {
                read.insert(*v);
            }
            E::Load(v, idx, _) => {
                read.insert(*v);
                idents(idx, &mut names);
            }
            E::Const(t) => idents(t, &mut names),
            E::Op(_, args, _) => exprs.extend(args),
            E::Call { args, .. } => {
                for a in args {
                    match a {
                        Arg::Float(e) => exprs.push(e),
                        Arg::Buf { var, range, .. } => {
                            read.insert(*var);
                            idents(range, &mut names);
                        }
                        Arg::Other(t) => idents(t, &mut names),
                    }
                }
            }
        }
    }
    (f.vars.iter().enumerate())
        .filter(|(k, v)| {
            matches!(v.kind, VKind::Float | VKind::FBuf)
                && !read.contains(k)
                && !names.contains(&v.ident.to_string())
        })
        .map(|(k, _)| k)
        .collect()
}
