//! The primal IR: one instruction per primitive, structured `if` and `for`, SSA variables.
//!
//! Every variable is assigned once; `let mut` reassignment and shadowing become new versions
//! (`y`, `y_1`, ..). An `if` merges the values its branches change ([`Merge`]); a `for` carries
//! the variables its body reassigns ([`Carry`]).

mod lower;

pub use lower::lower;

use crate::ast::Scalar;
use proc_macro2::{Ident, Span, TokenStream};
use quote::ToTokens;
use std::fmt;

/// Index into [`Program::vars`].
pub type VarId = usize;

/// One SSA variable.
#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    /// The user's identifier span for user names; `mixed_site` for generated ones.
    pub span: Span,
    pub ty: Scalar,
    /// Depends on a float parameter, so it gets an adjoint.
    pub active: bool,
    /// A user's `let x: f64` annotation, kept in the emitted `let`.
    pub annot: Option<syn::Type>,
}

impl VarInfo {
    pub fn ident(&self) -> Ident {
        crate::names::ident(&self.name, self.span)
    }
}

/// An instruction argument: a variable or a constant (literal, constant expression).
#[derive(Clone, Debug)]
pub enum Operand {
    Var(VarId),
    /// A literal or constant expression, with its type.
    Const(TokenStream, Scalar),
}

impl Operand {
    pub fn var(&self) -> Option<VarId> {
        match self {
            Operand::Var(v) => Some(*v),
            Operand::Const(..) => None,
        }
    }

    /// The value of an integer literal (`3`, not `n` or `-3`, which lower to variables).
    pub fn int_literal(&self) -> Option<i64> {
        match self {
            Operand::Const(t, _) => t.to_string().parse().ok(),
            Operand::Var(_) => None,
        }
    }

    /// Whether this is a float literal other than zero (`2.0`, `0.5`, not `0.0` or `k`).
    pub fn nonzero_float_literal(&self) -> bool {
        match self {
            Operand::Const(t, _) => t.to_string().parse::<f64>().is_ok_and(|v| v != 0.0),
            Operand::Var(_) => false,
        }
    }

    pub fn same(&self, other: &Operand) -> bool {
        match (self, other) {
            (Operand::Var(a), Operand::Var(b)) => a == b,
            (Operand::Const(a, _), Operand::Const(b, _)) => a.to_string() == b.to_string(),
            _ => false,
        }
    }
}

/// The primitives: `lower` produces these, `reverse` and `tangent` differentiate them with the
/// rules of `crate::primitives`, `emit` prints them.
#[derive(Clone, Debug)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    /// `x.powi(n)`, `n` an integer operand.
    Powi,
    Powf,
    Exp,
    Ln,
    Log10,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sinh,
    Cosh,
    Abs,
    Recip,
    Max,
    Min,
    Hypot,
    Atan2,
    Atan,
    Asin,
    Acos,
    Asinh,
    Acosh,
    Atanh,
    Cbrt,
    /// `x.ln_1p()`: ln(1 + x).
    Ln1p,
    /// `x.exp_m1()`: e^x - 1.
    ExpM1,
    Exp2,
    Log2,
    /// `a.mul_add(b, c)`: a b + c, rounded once.
    MulAdd,
    /// `x.clamp(lo, hi)`.
    Clamp,
    /// `signum`, `floor`, `ceil`, `round`, `trunc`: piecewise constant, derivative 0.
    Signum,
    Floor,
    Ceil,
    Round,
    Trunc,
    /// `dezero::math::sigmoid(x)`.
    Sigmoid,
    /// `dezero::math::softplus(x)`: ln(1 + e^x).
    Softplus,
    /// `dezero::math::erf(x)`.
    Erf,
    /// `dezero::math::erfc(x)`: 1 - erf(x).
    Erfc,
    /// `i as f64`: an integer made a float (a constant).
    Cast(TokenStream),
    /// A comparison `a < b` (bool, no adjoint).
    Cmp(syn::BinOp),
    /// `a && b`, `a || b` (bool, no adjoint).
    Logic(syn::BinOp),
    Not,
    /// `y = a`: a copy, made so an alias does not put the same value on both sides of
    /// `-`, `/`, a comparison or `max`/`min` (`let t = x; t - x` must not emit `x - x`), and so
    /// a typed `let s: f64 = 1.0;` keeps its type (`let s: f64 = 1.0;`, not the literal inlined).
    Copy,
    /// An integer or bool expression copied verbatim (locals renamed): a constant.
    Expr(Box<syn::Expr>),
    /// A call of another annotated function `g`: the reverse sweep calls `vjp`.
    Call {
        func: syn::Path,
        vjp: syn::Path,
        /// Which arguments are floats (get a gradient back from `vjp`).
        float_args: Vec<bool>,
    },
}

impl Op {
    /// The method name for method-style primitives (`x.exp()`), from `crate::primitives`.
    pub fn method(&self) -> Option<&'static str> {
        crate::primitives::method_name(self)
    }

    /// The primitive for a method name, with its number of arguments besides the receiver.
    pub fn from_method(name: &str) -> Option<(Op, usize)> {
        crate::primitives::from_method(name)
    }

    /// Whether the result is a float that can carry an adjoint.
    pub fn is_float(&self) -> bool {
        !matches!(self, Op::Cmp(_) | Op::Logic(_) | Op::Not | Op::Expr(_))
    }
}

/// `dsts = op(args)`; only calls have more than one destination.
#[derive(Clone, Debug)]
pub struct Inst {
    pub dsts: Vec<VarId>,
    pub op: Op,
    pub args: Vec<Operand>,
    /// The user's expression, for `quote_spanned!`.
    pub span: Span,
}

/// A value an `if` merges: `dst = if c { then } else { else_ }`.
#[derive(Clone, Debug)]
pub struct Merge {
    pub dst: VarId,
    pub then: Operand,
    pub else_: Operand,
}

/// A loop-carried variable: `phi` holds `init` before the loop and `next` after each iteration.
#[derive(Clone, Debug)]
pub struct Carry {
    pub phi: VarId,
    pub init: Operand,
    pub next: Operand,
}

#[derive(Clone, Debug)]
pub struct If {
    pub cond: VarId,
    pub then: Block,
    pub else_: Block,
    pub merges: Vec<Merge>,
}

#[derive(Clone, Debug)]
pub struct For {
    pub var: VarId,
    pub lo: Operand,
    pub hi: Operand,
    pub inclusive: bool,
    pub carried: Vec<Carry>,
    pub body: Block,
    /// The forward sweep's `Vec` of carried values, one entry per iteration.
    pub tape: String,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Inst(Inst),
    If(If),
    For(For),
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

impl Block {
    /// Whether the block (nested blocks included) calls another annotated function (or a
    /// `#[custom_vjp]` one).
    pub fn calls(&self) -> bool {
        self.stmts.iter().any(|s| match s {
            Stmt::Inst(i) => matches!(i.op, Op::Call { .. }),
            Stmt::If(i) => i.then.calls() || i.else_.calls(),
            Stmt::For(l) => l.body.calls(),
        })
    }

    /// Every variable defined inside the block (nested blocks included).
    pub fn defs(&self, out: &mut std::collections::BTreeSet<VarId>) {
        for s in &self.stmts {
            match s {
                Stmt::Inst(i) => out.extend(i.dsts.iter().copied()),
                Stmt::If(i) => {
                    i.then.defs(out);
                    i.else_.defs(out);
                    out.extend(i.merges.iter().map(|m| m.dst));
                }
                Stmt::For(f) => {
                    f.body.defs(out);
                    out.insert(f.var);
                    out.extend(f.carried.iter().map(|c| c.phi));
                }
            }
        }
    }
}

/// A lowered function.
#[derive(Clone, Debug)]
pub struct Program {
    pub vars: Vec<VarInfo>,
    /// The parameters' variables, in signature order.
    pub params: Vec<VarId>,
    pub body: Block,
    /// The results, one per output.
    pub outputs: Vec<Operand>,
}

impl Program {
    /// `o` as an expression of the generated code: the variable's name or the literal.
    pub fn tokens(&self, o: &Operand) -> TokenStream {
        match o {
            Operand::Var(v) => self.vars[*v].ident().into_token_stream(),
            Operand::Const(t, _) => t.clone(),
        }
    }

    fn operand(&self, o: &Operand) -> String {
        match o {
            Operand::Var(v) => self.vars[*v].name.clone(),
            Operand::Const(t, _) => t.to_string(),
        }
    }
}

impl fmt::Display for Program {
    /// One line per instruction, `*` marking active (differentiated) variables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self.params.iter().map(|p| self.name(*p)).collect();
        writeln!(f, "fn({})", params.join(", "))?;
        self.block(f, &self.body, 1)?;
        let outs: Vec<String> = self.outputs.iter().map(|o| self.operand(o)).collect();
        write!(f, "  return {}", outs.join(", "))
    }
}

impl Program {
    fn name(&self, v: VarId) -> String {
        let info = &self.vars[v];
        format!("{}{}", info.name, if info.active { "*" } else { "" })
    }

    fn block(&self, f: &mut fmt::Formatter<'_>, b: &Block, depth: usize) -> fmt::Result {
        let pad = "  ".repeat(depth);
        for s in &b.stmts {
            match s {
                Stmt::Inst(i) => {
                    let dsts: Vec<String> = i.dsts.iter().map(|d| self.name(*d)).collect();
                    let args: Vec<String> = i.args.iter().map(|a| self.operand(a)).collect();
                    let op = match &i.op {
                        Op::Cast(t) => format!("cast<{t}>"),
                        Op::Cmp(o) | Op::Logic(o) => o.to_token_stream().to_string(),
                        Op::Expr(e) => format!("const<{}>", e.to_token_stream()),
                        Op::Call { func, .. } => format!("call<{}>", func.to_token_stream()),
                        other => format!("{other:?}").to_lowercase(),
                    };
                    writeln!(f, "{pad}{} = {op}({})", dsts.join(", "), args.join(", "))?;
                }
                Stmt::If(i) => {
                    writeln!(f, "{pad}if {} {{", self.vars[i.cond].name)?;
                    self.block(f, &i.then, depth + 1)?;
                    writeln!(f, "{pad}}} else {{")?;
                    self.block(f, &i.else_, depth + 1)?;
                    writeln!(f, "{pad}}}")?;
                    for m in &i.merges {
                        writeln!(
                            f,
                            "{pad}{} = phi({}, {})",
                            self.name(m.dst),
                            self.operand(&m.then),
                            self.operand(&m.else_)
                        )?;
                    }
                }
                Stmt::For(l) => {
                    let range = if l.inclusive { "..=" } else { ".." };
                    let carried: Vec<String> = l
                        .carried
                        .iter()
                        .map(|c| {
                            format!(
                                "{} = loop({}, {})",
                                self.name(c.phi),
                                self.operand(&c.init),
                                self.operand(&c.next)
                            )
                        })
                        .collect();
                    writeln!(
                        f,
                        "{pad}for {} in {}{range}{} carrying [{}] {{",
                        self.vars[l.var].name,
                        self.operand(&l.lo),
                        self.operand(&l.hi),
                        carried.join(", ")
                    )?;
                    self.block(f, &l.body, depth + 1)?;
                    writeln!(f, "{pad}}}")?;
                }
            }
        }
        Ok(())
    }
}
