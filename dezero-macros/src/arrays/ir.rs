//! The IR of array functions: statements over named places (scalars and buffer elements),
//! float expressions as trees of the primitives of `crate::primitives`.
//!
//! Unlike the scalar IR (`crate::ir`, SSA), memory here is what the user wrote: a variable or
//! a buffer element is a place, and an assignment overwrites it. Integer and `bool` values
//! are kept as the user's tokens (they have no derivative).

use crate::ir::Op;
use proc_macro2::{Ident, Span, TokenStream};

pub type V = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VKind {
    Float,
    Int,
    Bool,
    /// A float buffer (parameter slice or array, or local `vec!`/`[0.0; N]`).
    FBuf,
    /// An integer slice (constant data).
    IBuf,
}

/// Where a variable is declared.
#[derive(Clone, Debug)]
pub enum Decl {
    Param,
    /// By a `let` at the top level of the body: declared there, first assignment.
    TopLet,
    /// By a `let` inside a loop or branch: declared at the top of the generated function, so
    /// the reverse sweep (another block) sees it; the `let` becomes an assignment.
    Hoisted,
}

#[derive(Clone, Debug)]
pub struct Var {
    pub ident: Ident,
    pub kind: VKind,
    pub decl: Decl,
    /// Carries an adjoint: depends on a differentiated parameter (or is a `&mut` result).
    pub active: bool,
    /// The user's type annotation on its `let`.
    pub annot: Option<syn::Type>,
    /// A local buffer's initializer (`vec![0.0; n]`, `[0.0; N]`).
    pub init: Option<TokenStream>,
    /// A `&mut F` parameter: a buffer of one element, written `*out`.
    pub cell: bool,
    /// A `&mut` buffer parameter: passed on bare (`g(out)`), it is passed as `&mut`.
    pub mutable: bool,
}

/// `=`, `+=`, `-=` (`*=` and `/=` become `=` of a product or quotient).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upd {
    Set,
    Add,
    Sub,
}

/// How the reverse sweep has the overwritten value of an assignment back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Save {
    /// Pushed on the tape by the forward sweep, popped by the reverse sweep.
    Tape,
    /// Not needed: nothing the reverse sweep reads sees the value (an accumulator `s += e`
    /// whose partial sums no derivative reads).
    Skip,
    /// A loop-local value: assigned once per iteration, read only after that in the same
    /// iteration, from inputs the rest of the iteration leaves alone. The reverse sweep
    /// assigns it again at the top of each iteration instead.
    Recompute,
    /// An integer `n += k` / `n -= k` of a constant `k`: the reverse sweep undoes it exactly
    /// (`n -= k`).
    Invert,
}

#[derive(Clone, Debug)]
pub enum Place {
    Var(V),
    /// `buf[index]`.
    Elem(V, TokenStream),
}

impl Place {
    pub fn var(&self) -> V {
        match self {
            Place::Var(v) | Place::Elem(v, _) => *v,
        }
    }
}

/// A float expression.
#[derive(Clone, Debug)]
pub enum E {
    Var(V),
    /// `buf[index]`.
    Load(V, TokenStream, Span),
    /// A constant: literal, constant path, a cast of an integer, a call on constants.
    Const(TokenStream),
    Op(Op, Vec<E>, Span),
    /// A call of another annotated function; its pullback is `vjp`.
    Call {
        func: syn::Path,
        vjp: syn::Path,
        args: Vec<Arg>,
        span: Span,
    },
}

/// An argument of a call.
#[derive(Clone, Debug)]
pub enum Arg {
    Float(E),
    /// `&x`, `&x[a..]`, `&mut v[a..b]`, `x` (a parameter slice passed on): `range` is the
    /// index part with brackets (`[a..]`) or empty.
    Buf {
        var: V,
        range: TokenStream,
        mutable: bool,
        span: Span,
        /// For a `&mut` argument of a call statement: the element every one of its places
        /// holds before the call, when that is known (a local buffer made just before, in the
        /// same block). The reverse sweep then fills it with that instead of saving it.
        known: Option<TokenStream>,
    },
    /// An integer, `bool` or integer-slice argument, as written.
    Other(TokenStream),
}

#[derive(Clone, Debug)]
pub enum S {
    /// A float assignment. `fresh`: the first assignment of a top-level `let`, which
    /// overwrites nothing.
    Set {
        place: Place,
        upd: Upd,
        value: E,
        fresh: bool,
        /// How the reverse sweep gets back the value this overwrites (planned by `plan`).
        save: Save,
    },
    /// An integer or `bool` assignment, as written.
    Other {
        var: V,
        /// `=`, or a compound operator (`+=`).
        op: TokenStream,
        value: TokenStream,
        fresh: bool,
        /// [`Save::Tape`], or [`Save::Invert`] for `+=`/`-=` of a constant.
        save: Save,
    },
    /// `let mut v = vec![0.0; n];` or `[0.0; N]`; inside a loop or branch (`[0.0; N]` only)
    /// the buffer is declared at the top and this zeroes it again.
    LocalBuf {
        var: V,
        init: TokenStream,
        /// The element of `init` (`0.0`).
        fill: TokenStream,
        /// Inside a loop, [`Save::Tape`]: what the previous iteration left is saved before it
        /// is zeroed again. Elsewhere [`Save::Skip`]: it runs once, over the declaration's
        /// own zeros.
        save: Save,
    },
    For {
        pat: TokenStream,
        lo: TokenStream,
        hi: TokenStream,
        inclusive: bool,
        body: Vec<S>,
    },
    If {
        cond: TokenStream,
        then: Vec<S>,
        else_: Vec<S>,
    },
    /// A call statement of another annotated function (its results are `&mut` buffers).
    Call {
        func: syn::Path,
        vjp: syn::Path,
        args: Vec<Arg>,
        span: Span,
    },
    /// `assert!(..)` and friends: kept in the forward sweep, no derivative.
    Keep(TokenStream),
}

/// A lowered array function.
pub struct AFn {
    pub vars: Vec<Var>,
    pub body: Vec<S>,
    /// The float variables and buffers nothing reads (decided by `plan`): `_vjp` leaves out
    /// the code that writes them.
    pub unread: std::collections::HashSet<V>,
    /// The result: one float, or the elements of `-> [F; N]`; empty for `()`.
    pub ret: Vec<E>,
}

impl AFn {
    /// Every node of every float expression the function evaluates: the statements' values,
    /// the calls' float arguments and the result.
    pub fn nodes(&self) -> Vec<&E> {
        let stmts = all_stmts(&self.body);
        let mut roots = stmt_exprs(&stmts);
        roots.extend(&self.ret);
        all_nodes(roots)
    }
}

impl Drop for E {
    /// Without recursion: a long sum is a tree as deep as it is long.
    fn drop(&mut self) {
        let mut stack: Vec<E> = match self {
            E::Op(_, args, _) => std::mem::take(args),
            _ => return,
        };
        while let Some(mut e) = stack.pop() {
            if let E::Op(_, args, _) = &mut e {
                stack.append(args);
            }
        }
    }
}

impl E {
    /// Whether the expression reads an active value (iterative: sums nest deep).
    pub fn active(&self, vars: &[Var]) -> bool {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                E::Var(v) | E::Load(v, ..) if vars[*v].active => return true,
                E::Var(_) | E::Load(..) | E::Const(_) => {}
                E::Op(_, args, _) => stack.extend(args),
                E::Call { args, .. } => {
                    for a in args {
                        match a {
                            Arg::Float(e) => stack.push(e),
                            Arg::Buf { var, .. } if vars[*var].active => return true,
                            _ => {}
                        }
                    }
                }
            }
        }
        false
    }
}

impl Arg {
    pub fn active(&self, vars: &[Var]) -> bool {
        match self {
            Arg::Float(e) => e.active(vars),
            Arg::Buf { var, .. } => vars[*var].active,
            Arg::Other(_) => false,
        }
    }
}

/// Every statement of `body`, those of loops and branches included (each block's in order).
pub fn all_stmts(body: &[S]) -> Vec<&S> {
    let mut out = Vec::new();
    let mut stack: Vec<&[S]> = vec![body];
    while let Some(list) = stack.pop() {
        for s in list {
            out.push(s);
            match s {
                S::For { body, .. } => stack.push(body),
                S::If { then, else_, .. } => {
                    stack.push(then);
                    stack.push(else_);
                }
                _ => {}
            }
        }
    }
    out
}

/// The float expressions the statements evaluate: values, and calls' float arguments.
pub fn stmt_exprs<'a>(stmts: &[&'a S]) -> Vec<&'a E> {
    let mut out = Vec::new();
    for s in stmts {
        match s {
            S::Set { value, .. } => out.push(value),
            S::Call { args, .. } => out.extend(float_args(args)),
            _ => {}
        }
    }
    out
}

/// Every node of the expressions `roots`, the float arguments of calls included.
pub fn all_nodes(roots: Vec<&E>) -> Vec<&E> {
    let mut out = Vec::new();
    let mut stack = roots;
    while let Some(e) = stack.pop() {
        out.push(e);
        match e {
            E::Op(_, args, _) => stack.extend(args),
            E::Call { args, .. } => stack.extend(float_args(args)),
            _ => {}
        }
    }
    out
}

fn float_args(args: &[Arg]) -> impl Iterator<Item = &E> {
    args.iter().filter_map(|a| match a {
        Arg::Float(e) => Some(e),
        _ => None,
    })
}

/// Every identifier in `t`, nested groups included: the names integer and `bool` tokens read.
pub fn idents(t: &TokenStream, out: &mut Vec<String>) {
    for tt in t.clone() {
        match tt {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => idents(&g.stream(), out),
            _ => {}
        }
    }
}
