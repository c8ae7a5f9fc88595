//! Generator of random `#[differentiable]` programs and their runtime twins.
//!
//! From a fixed seed it draws programs in the macro's accepted language (arithmetic, unary
//! functions on safe domains, `let`, shadowing, `let mut` with (compound) assignment, `if`/`else
//! if`/`else` on comparisons, early `return`, small `for` loops with `i as f64` and bounds from
//! literals or an integer parameter `n` (0 to 4, so some loops never run), calls of the annotated
//! `helper(a, b)` and of the tuple-returning `pair(a)` bound with `let (p, q) = pair(..);`) and
//! prints each twice: as an annotated plain-`f64` function, and as the same formula written with
//! the runtime's `Variable` ops. [`source`] returns the whole `programs.rs` text.
//!
//! Domains are kept safe by construction: `ln`, `log10`, `sqrt`, `powf` and `recip` only see
//! `1.0 + a * a`, divisions only divide by `1.0 + b * b`, `atan2`'s second argument is
//! `1.0 + b * b`, `exp`/`sinh`/`cosh` only take arguments whose magnitude bound is at most 2 and
//! `tan` at most 1.2 (bounds are tracked per expression). `abs`, `max` and `min` have kinks: the
//! property test skips the central difference within 2e-6 of one (see `check_program`).

use std::fmt::Write as _;

/// The seed `programs.rs` was generated from.
pub const SEED: u64 = 0x0dec_0de5_2024_0024;
/// How many programs to generate.
pub const COUNT: usize = 120;

/// SplitMix64: a tiny deterministic generator, so the output never depends on a crate version.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
}

impl Bin {
    fn token(self) -> &'static str {
        match self {
            Bin::Add => "+",
            Bin::Sub => "-",
            Bin::Mul => "*",
            Bin::Div => "/",
        }
    }

    fn prec(self) -> u8 {
        match self {
            Bin::Add | Bin::Sub => 1,
            Bin::Mul | Bin::Div => 2,
        }
    }
}

/// Unary primitives. `Ln`, `Log10`, `Sqrt`, `Powf`, `Recip` are applied to `1.0 + a * a` only.
#[derive(Clone, Copy, PartialEq)]
enum Unary {
    Sin,
    Cos,
    Tanh,
    Exp,
    Sigmoid,
    Square,
    Cube,
    Ln,
    Log10,
    Sqrt,
    Powf,
    Recip,
    Sinh,
    Cosh,
    Tan,
    Abs,
}

const UNARIES: [Unary; 16] = [
    Unary::Sin,
    Unary::Cos,
    Unary::Tanh,
    Unary::Exp,
    Unary::Sigmoid,
    Unary::Square,
    Unary::Cube,
    Unary::Ln,
    Unary::Log10,
    Unary::Sqrt,
    Unary::Powf,
    Unary::Recip,
    Unary::Sinh,
    Unary::Cosh,
    Unary::Tan,
    Unary::Abs,
];

/// Two-argument methods: `a.hypot(b)`, `a.atan2(1.0 + b * b)`, `a.max(b)`, `a.min(b)`.
#[derive(Clone, Copy, PartialEq)]
enum Method2 {
    Hypot,
    Atan2,
    Max,
    Min,
}

impl Method2 {
    fn name(self) -> &'static str {
        match self {
            Method2::Hypot => "hypot",
            Method2::Atan2 => "atan2",
            Method2::Max => "max",
            Method2::Min => "min",
        }
    }

    /// The runtime function (`maximum`/`minimum` for `max`/`min`).
    fn runtime(self) -> &'static str {
        match self {
            Method2::Hypot => "hypot",
            Method2::Atan2 => "atan2",
            Method2::Max => "maximum",
            Method2::Min => "minimum",
        }
    }
}

/// Constants: short, positive, far from clippy's approximate-constant list.
const CONSTS: [f64; 7] = [0.5, 0.25, 0.75, 1.5, 2.0, 3.0, 1.25];

#[derive(Clone)]
enum Expr {
    Var(String),
    Const(f64),
    /// `i as f64` for the innermost loop counter `i`.
    Index,
    Neg(Box<Expr>),
    Bin(Bin, Box<Expr>, Box<Expr>),
    /// `path` renders `f64::sin(a)` instead of `a.sin()`.
    Unary {
        op: Unary,
        arg: Box<Expr>,
        path: bool,
    },
    /// `a.hypot(b)` and friends; both operands live.
    Method2(Method2, Box<Expr>, Box<Expr>),
    /// `helper(a, b)`: a call of the annotated `helper` (`helper_runtime` in the twin).
    Call(Box<Expr>, Box<Expr>),
}

/// Precedence levels used for printing: 1 `+ -`, 2 `* /`, 3 unary `-`, 4 `as`, 5 atoms/calls.
const ATOM: u8 = 5;

impl Expr {
    fn bin(op: Bin, a: Expr, b: Expr) -> Expr {
        Expr::Bin(op, Box::new(a), Box::new(b))
    }

    /// `1.0 + a * a`, the positive argument for the restricted unaries and divisions.
    fn one_plus_square(a: Expr) -> Expr {
        Expr::bin(
            Bin::Add,
            Expr::Const(1.0),
            Expr::bin(Bin::Mul, a.clone(), a),
        )
    }

    /// True if the value depends on a float variable (so it is a `Variable` at run time).
    fn is_live(&self) -> bool {
        match self {
            Expr::Var(_) => true,
            Expr::Const(_) | Expr::Index => false,
            Expr::Neg(a) => a.is_live(),
            Expr::Bin(_, a, b) | Expr::Method2(_, a, b) | Expr::Call(a, b) => {
                a.is_live() || b.is_live()
            }
            Expr::Unary { arg, .. } => arg.is_live(),
        }
    }

    fn uses(&self, name: &str) -> bool {
        match self {
            Expr::Var(v) => v == name,
            Expr::Const(_) | Expr::Index => false,
            Expr::Neg(a) => a.uses(name),
            Expr::Bin(_, a, b) | Expr::Method2(_, a, b) | Expr::Call(a, b) => {
                a.uses(name) || b.uses(name)
            }
            Expr::Unary { arg, .. } => arg.uses(name),
        }
    }

    fn prec(&self) -> u8 {
        match self {
            Expr::Var(_)
            | Expr::Const(_)
            | Expr::Unary { .. }
            | Expr::Method2(..)
            | Expr::Call(..) => ATOM,
            Expr::Index => 4,
            Expr::Neg(_) => 3,
            Expr::Bin(op, ..) => op.prec(),
        }
    }

    /// Plain Rust `f64` syntax, parenthesised only where precedence needs it.
    fn native(&self) -> String {
        match self {
            Expr::Var(v) => v.clone(),
            Expr::Const(c) => format!("{c:?}"),
            Expr::Index => "i as f64".to_string(),
            Expr::Neg(a) => format!("-{}", a.native_at(ATOM)),
            Expr::Bin(op, a, b) => {
                let p = op.prec();
                format!("{} {} {}", a.native_at(p), op.token(), b.native_at(p + 1))
            }
            Expr::Method2(op, a, b) => Expr::native_method2(*op, a, b),
            Expr::Call(a, b) => format!("helper({}, {})", a.native(), b.native()),
            Expr::Unary { op, arg, path } => {
                let (name, extra) = match op {
                    Unary::Sin => ("sin", ""),
                    Unary::Cos => ("cos", ""),
                    Unary::Tanh => ("tanh", ""),
                    Unary::Exp => ("exp", ""),
                    Unary::Square => ("powi", "2"),
                    Unary::Cube => ("powi", "3"),
                    Unary::Ln => ("ln", ""),
                    Unary::Log10 => ("log10", ""),
                    Unary::Sqrt => ("sqrt", ""),
                    Unary::Powf => ("powf", "1.5"),
                    Unary::Recip => ("recip", ""),
                    Unary::Sinh => ("sinh", ""),
                    Unary::Cosh => ("cosh", ""),
                    Unary::Tan => ("tan", ""),
                    Unary::Abs => ("abs", ""),
                    Unary::Sigmoid => {
                        return format!("dezero::math::sigmoid({})", arg.native());
                    }
                };
                let extra = if extra.is_empty() {
                    String::new()
                } else {
                    format!(", {extra}")
                };
                if *path {
                    format!("f64::{name}({}{extra})", arg.native())
                } else {
                    let extra = extra.trim_start_matches(", ");
                    format!("{}.{name}({extra})", arg.native_at(ATOM))
                }
            }
        }
    }

    fn native_method2(op: Method2, a: &Expr, b: &Expr) -> String {
        format!("{}.{}({})", a.native_at(ATOM), op.name(), b.native())
    }

    fn native_at(&self, min_prec: u8) -> String {
        if self.prec() >= min_prec {
            self.native()
        } else {
            format!("({})", self.native())
        }
    }

    /// Runtime syntax: an expression of type `Variable` if [`Expr::is_live`], else `f64`.
    fn runtime(&self) -> String {
        if !self.is_live() {
            return self.native();
        }
        match self {
            Expr::Var(v) => format!("{v}.clone()"),
            Expr::Const(_) | Expr::Index => unreachable!("constants are not live"),
            Expr::Neg(a) => format!("-{}", a.runtime_ref()),
            Expr::Bin(op, a, b) => {
                format!(
                    "{} {} {}",
                    a.runtime_operand(),
                    op.token(),
                    b.runtime_operand()
                )
            }
            Expr::Unary { op, arg, .. } => {
                let x = arg.runtime_arg();
                let recv = arg.runtime_recv();
                match op {
                    Unary::Sin => format!("F::sin({x})"),
                    Unary::Cos => format!("F::cos({x})"),
                    Unary::Tanh => format!("F::tanh({x})"),
                    Unary::Exp => format!("F::exp({x})"),
                    Unary::Sigmoid => format!("F::sigmoid({x})"),
                    Unary::Square => format!("{recv}.pow(2.0)"),
                    Unary::Cube => format!("{recv}.pow(3.0)"),
                    Unary::Ln => format!("F::log({x})"),
                    Unary::Log10 => format!("F::log10({x})"),
                    Unary::Sqrt => format!("F::sqrt({x})"),
                    Unary::Powf => format!("{recv}.pow(1.5)"),
                    Unary::Recip => format!("F::recip({x})"),
                    Unary::Sinh => format!("F::sinh({x})"),
                    Unary::Cosh => format!("F::cosh({x})"),
                    Unary::Tan => format!("F::tan({x})"),
                    Unary::Abs => format!("F::abs({x})"),
                }
            }
            Expr::Method2(op, a, b) => {
                format!(
                    "F::{}({}, {})",
                    op.runtime(),
                    a.runtime_arg(),
                    b.runtime_arg()
                )
            }
            Expr::Call(a, b) => {
                format!(
                    "helper_runtime({}, {})",
                    a.runtime_var_ref(),
                    b.runtime_var_ref()
                )
            }
        }
    }

    /// A live value as an argument of a runtime function (which takes `impl AsRef<Variable>`):
    /// a call's result by value (`F::sin(..)`, `a.pow(2.0)`), anything else borrowed (`&v`,
    /// `&(a + b)`).
    fn runtime_arg(&self) -> String {
        if self.runtime_is_call() {
            self.runtime()
        } else {
            self.runtime_ref()
        }
    }

    /// A value as `&Variable`, a constant one wrapped: `&Variable::from(0.5)`.
    fn runtime_var_ref(&self) -> String {
        if self.is_live() {
            self.runtime_ref()
        } else {
            format!("&Variable::from({})", self.native())
        }
    }

    /// A live operand as `&Variable` (`&v`, `&F::sin(..)`, `&(a + b)`); a dead one as `f64`.
    fn runtime_operand(&self) -> String {
        if self.is_live() {
            self.runtime_ref()
        } else {
            self.native_at(ATOM)
        }
    }

    /// A live value as a method receiver: `v`, `F::sin(..)`, `(a + b)`.
    fn runtime_recv(&self) -> String {
        match self {
            Expr::Var(v) => v.clone(),
            _ if self.runtime_is_call() => self.runtime(),
            _ => format!("({})", self.runtime()),
        }
    }

    /// True if the runtime rendering is a single call (`F::sin(..)`, `a.pow(2.0)`).
    fn runtime_is_call(&self) -> bool {
        matches!(
            self,
            Expr::Unary { .. } | Expr::Method2(..) | Expr::Call(..)
        )
    }

    fn runtime_ref(&self) -> String {
        match self {
            Expr::Var(v) => format!("&{v}"),
            _ if self.runtime_is_call() => format!("&{}", self.runtime()),
            _ => format!("&({})", self.runtime()),
        }
    }
}

/// A comparison `lhs < rhs` / `lhs > rhs` between a float variable and a variable or constant.
struct Cond {
    lhs: String,
    op: &'static str,
    rhs: Result<String, f64>,
}

impl Cond {
    /// True if both test the same thing (`x < y` and `y > x` included).
    fn same_as(&self, other: &Cond) -> bool {
        let flip = |op: &str| if op == "<" { ">" } else { "<" };
        let direct = self.lhs == other.lhs && self.op == other.op && self.rhs == other.rhs;
        let swapped = match (&self.rhs, &other.rhs) {
            (Ok(r), Ok(o)) => *r == other.lhs && *o == self.lhs && flip(self.op) == other.op,
            _ => false,
        };
        direct || swapped
    }

    fn native(&self) -> String {
        match &self.rhs {
            Ok(v) => format!("{} {} {v}", self.lhs, self.op),
            Err(c) => format!("{} {} {c:?}", self.lhs, self.op),
        }
    }

    fn runtime(&self) -> String {
        match &self.rhs {
            Ok(v) => format!("{}.item() {} {v}.item()", self.lhs, self.op),
            Err(c) => format!("{}.item() {} {c:?}", self.lhs, self.op),
        }
    }
}

enum Stmt {
    /// `let [mut] name = e;`
    Let {
        name: String,
        mutable: bool,
        e: Expr,
    },
    /// `name = e;` or `name op= e;`
    Assign {
        name: String,
        op: Option<Bin>,
        e: Expr,
    },
    /// `let name = if c0 { e0 } else if c1 { e1 } else { e2 };`
    LetIf {
        name: String,
        arms: Vec<(Cond, Expr)>,
        other: Expr,
    },
    /// `if c { stmts } else { stmts }` (assignments only)
    If {
        cond: Cond,
        then: Vec<Stmt>,
        other: Vec<Stmt>,
    },
    /// `for i in start..end { stmts }` with `end` a literal or the parameter `n`.
    For {
        start: usize,
        end: String,
        inclusive: bool,
        body: Vec<Stmt>,
    },
    /// `if c { return e; }`
    Return { cond: Cond, e: Expr },
    /// `let (p, q) = pair(e);`: a call of the annotated tuple-returning `pair`.
    LetPair { p: String, q: String, e: Expr },
}

/// One generated program: float parameters, an optional `n: usize`, statements and the tail.
pub struct Program {
    name: String,
    params: Vec<String>,
    n: Option<usize>,
    body: Vec<Stmt>,
    tail: Expr,
}

/// A float variable in scope, with a bound on its magnitude.
#[derive(Clone)]
struct Scope {
    vars: Vec<(String, f64)>,
    in_loop: bool,
    next_temp: usize,
}

impl Scope {
    fn bound(&self, name: &str) -> f64 {
        self.vars
            .iter()
            .rev()
            .find(|(v, _)| v == name)
            .map_or(1.5, |(_, b)| *b)
    }

    fn define(&mut self, name: &str, bound: f64) {
        self.vars.retain(|(v, _)| v != name);
        self.vars.push((name.to_string(), bound));
    }
}

struct Gen {
    rng: Rng,
}

impl Gen {
    /// A random expression of depth at most `depth` that uses at least one variable.
    /// Returns it with a bound on its magnitude.
    fn expr(&mut self, scope: &Scope, depth: usize) -> (Expr, f64) {
        if depth == 0 || self.rng.chance(1, 4) {
            let (v, b) = scope.vars[self.rng.below(scope.vars.len())].clone();
            return (Expr::Var(v), b);
        }
        match self.rng.below(12) {
            0..=4 => {
                let op = self
                    .rng
                    .pick(&[Bin::Add, Bin::Sub, Bin::Mul, Bin::Mul, Bin::Div]);
                let (a, ba) = self.expr(scope, depth - 1);
                let (b, bb) = if self.rng.chance(1, 3) {
                    self.leaf_const(scope)
                } else {
                    self.expr(scope, depth - 1)
                };
                let (a, ba, b, bb) = if self.rng.chance(1, 3) {
                    (b, bb, a, ba)
                } else {
                    (a, ba, b, bb)
                };
                match op {
                    // `a - a` is clippy's `eq_op`: write `a + a` instead.
                    Bin::Sub if a.native() == b.native() => (Expr::bin(Bin::Add, a, b), ba + bb),
                    Bin::Add | Bin::Sub => (Expr::bin(op, a, b), ba + bb),
                    Bin::Mul => (Expr::bin(op, a, b), ba * bb),
                    // a / (1 + b^2): |.| <= |a|; keep `b` live so the denominator is a Variable.
                    Bin::Div => {
                        let (a, ba, b) = if b.is_live() { (a, ba, b) } else { (b, bb, a) };
                        (Expr::bin(Bin::Div, a, Expr::one_plus_square(b)), ba)
                    }
                }
            }
            5 => {
                let (a, ba) = self.expr(scope, depth - 1);
                (Expr::Neg(Box::new(a)), ba)
            }
            10 => {
                let op =
                    self.rng
                        .pick(&[Method2::Hypot, Method2::Atan2, Method2::Max, Method2::Min]);
                let (a, ba) = self.expr(scope, depth - 1);
                let (b, bb) = self.expr(scope, depth - 1);
                // atan2 only sees a positive second argument, away from its branch cut.
                let (b, bound) = match op {
                    Method2::Hypot => (b, ba + bb),
                    Method2::Atan2 => (Expr::one_plus_square(b), std::f64::consts::PI),
                    Method2::Max | Method2::Min => (b, ba.max(bb)),
                };
                (Expr::Method2(op, Box::new(a), Box::new(b)), bound)
            }
            // helper(a, b) = a * sin(b) + b
            11 => {
                let (a, ba) = self.expr(scope, depth - 1);
                let (b, bb) = self.expr(scope, depth - 1);
                (Expr::Call(Box::new(a), Box::new(b)), ba + bb)
            }
            _ => {
                let (a, ba) = self.expr(scope, depth - 1);
                let mut op = self.rng.pick(&UNARIES);
                if matches!(op, Unary::Exp | Unary::Sinh | Unary::Cosh) && ba > 2.0 {
                    op = Unary::Tanh;
                }
                if matches!(op, Unary::Square | Unary::Cube) && ba > 10.0 {
                    op = Unary::Sin;
                }
                let single = !matches!(
                    op,
                    Unary::Sigmoid | Unary::Square | Unary::Cube | Unary::Powf
                );
                let path = single && self.rng.chance(1, 4);
                let (arg, bound) = match op {
                    Unary::Sin | Unary::Cos | Unary::Tanh | Unary::Sigmoid => (a, 1.0),
                    Unary::Exp => (a, ba.exp()),
                    Unary::Square => (a, ba * ba),
                    Unary::Cube => (a, ba * ba * ba),
                    Unary::Ln => (Expr::one_plus_square(a), (1.0 + ba * ba).ln()),
                    Unary::Log10 => (Expr::one_plus_square(a), (1.0 + ba * ba).log10()),
                    Unary::Sqrt => (Expr::one_plus_square(a), (1.0 + ba * ba).sqrt()),
                    Unary::Powf => (Expr::one_plus_square(a), (1.0 + ba * ba).powf(1.5)),
                    Unary::Recip => (Expr::one_plus_square(a), 1.0),
                    Unary::Sinh => (a, ba.sinh()),
                    Unary::Cosh => (a, ba.cosh()),
                    // tan only sees (-1, 1) (or a itself when |a| <= 1.2), far from its poles.
                    Unary::Tan if ba <= 1.2 => (a, ba.tan()),
                    Unary::Tan => {
                        let squashed = Expr::Unary {
                            op: Unary::Tanh,
                            arg: Box::new(a),
                            path: false,
                        };
                        (squashed, 1.0_f64.tan())
                    }
                    Unary::Abs => (a, ba),
                };
                (
                    Expr::Unary {
                        op,
                        arg: Box::new(arg),
                        path,
                    },
                    bound,
                )
            }
        }
    }

    /// A constant, or `i as f64` inside a loop.
    fn leaf_const(&mut self, scope: &Scope) -> (Expr, f64) {
        if scope.in_loop && self.rng.chance(1, 2) {
            (Expr::Index, 4.0)
        } else {
            let c = self.rng.pick(&CONSTS);
            (Expr::Const(c), c)
        }
    }

    fn cond(&mut self, scope: &Scope) -> Cond {
        let lhs = scope.vars[self.rng.below(scope.vars.len())].0.clone();
        let op = self.rng.pick(&["<", ">"]);
        let others: Vec<&String> = scope
            .vars
            .iter()
            .map(|(v, _)| v)
            .filter(|v| **v != lhs)
            .collect();
        let rhs = if !others.is_empty() && self.rng.chance(1, 2) {
            Ok(others[self.rng.below(others.len())].clone())
        } else {
            Err(self.rng.pick(&[0.0, 0.5, -0.5, 1.0]))
        };
        Cond { lhs, op, rhs }
    }

    fn temp(&mut self, scope: &mut Scope) -> String {
        let name = format!("t{}", scope.next_temp);
        scope.next_temp += 1;
        name
    }

    /// An assignment to the mutable `name`, contracting so loops stay bounded.
    fn assign(&mut self, scope: &mut Scope, name: &str) -> Stmt {
        let (e, be) = self.expr(scope, 2);
        let old = scope.bound(name);
        let (op, e, bound) = match self.rng.below(4) {
            // name = name * c + e
            0 | 1 => {
                let c = self.rng.pick(&[0.5, 0.25, 0.75]);
                let e = Expr::bin(
                    Bin::Add,
                    Expr::bin(Bin::Mul, Expr::Var(name.to_string()), Expr::Const(c)),
                    e,
                );
                (None, e, old * c + be)
            }
            2 => {
                let op = self.rng.pick(&[Bin::Add, Bin::Sub]);
                // `t -= t` is clippy's `eq_op` in the runtime twin: write `t += t` instead.
                let same = matches!(&e, Expr::Var(v) if v == name);
                let op = if same { Bin::Add } else { op };
                // `t -= t - x` is clippy's `misrefactored_assign_op`: use the other operator.
                let is_name = |x: &Expr| matches!(x, Expr::Var(v) if v == name);
                let op = match &e {
                    Expr::Bin(b, l, r) if *b == op && (is_name(l) || is_name(r)) => {
                        if op == Bin::Add {
                            Bin::Sub
                        } else {
                            Bin::Add
                        }
                    }
                    _ => op,
                };
                (Some(op), e, old + be)
            }
            // name *= sin(e) / cos(e) / tanh(e): stays within |name|
            _ => {
                let op = self.rng.pick(&[Unary::Sin, Unary::Cos, Unary::Tanh]);
                let e = Expr::Unary {
                    op,
                    arg: Box::new(e),
                    path: false,
                };
                (Some(Bin::Mul), e, old)
            }
        };
        scope.define(name, bound.min(1e6));
        Stmt::Assign {
            name: name.to_string(),
            op,
            e,
        }
    }

    fn program(&mut self, index: usize) -> Program {
        let arity = self.rng.pick(&[1, 2, 2, 2, 3]);
        let params: Vec<String> = ["x", "y", "z"][..arity]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let n = self.rng.chance(1, 5).then(|| self.rng.below(5));
        let mut scope = Scope {
            vars: params.iter().map(|p| (p.clone(), 1.5)).collect(),
            in_loop: false,
            next_temp: 0,
        };
        let mut body = Vec::new();
        let statements = 2 + self.rng.below(4);
        let mut loops = 0;
        for _ in 0..statements {
            let stmt = match self.rng.below(13) {
                0..=3 => {
                    let name = self.temp(&mut scope);
                    let (e, b) = self.expr(&scope, 3);
                    scope.define(&name, b);
                    Stmt::Let {
                        name,
                        mutable: false,
                        e,
                    }
                }
                4 => {
                    // Shadow a parameter with an expression that reads it.
                    let p = params[self.rng.below(params.len())].clone();
                    let (e, b) = self.expr(&scope, 2);
                    let e = Expr::bin(
                        Bin::Add,
                        Expr::bin(Bin::Mul, Expr::Var(p.clone()), Expr::Const(0.5)),
                        e,
                    );
                    let bound = scope.bound(&p) * 0.5 + b;
                    scope.define(&p, bound);
                    Stmt::Let {
                        name: p,
                        mutable: false,
                        e,
                    }
                }
                5 | 6 => {
                    let name = self.temp(&mut scope);
                    let mut arms = Vec::new();
                    let mut bound: f64 = 0.0;
                    for _ in 0..1 + self.rng.below(2) {
                        let c = self.cond(&scope);
                        let (e, b) = self.expr(&scope, 2);
                        // Two arms on one condition (`ifs_same_cond`) or with one body
                        // (`if_same_then_else`) upset clippy: drop the second.
                        if arms
                            .iter()
                            .any(|(d, f): &(Cond, Expr)| d.same_as(&c) || f.native() == e.native())
                        {
                            continue;
                        }
                        bound = bound.max(b);
                        arms.push((c, e));
                    }
                    let (mut other, mut b) = self.expr(&scope, 2);
                    if arms.iter().any(|(_, f)| f.native() == other.native()) {
                        other = Expr::bin(Bin::Mul, other, Expr::Const(0.5));
                        b *= 0.5;
                    }
                    scope.define(&name, bound.max(b));
                    Stmt::LetIf { name, arms, other }
                }
                7 => {
                    let name = self.temp(&mut scope);
                    let (e, b) = self.expr(&scope, 2);
                    scope.define(&name, b);
                    body.push(Stmt::Let {
                        name: name.clone(),
                        mutable: true,
                        e,
                    });
                    let cond = self.cond(&scope);
                    let mut then_scope = scope.clone();
                    let then = vec![self.assign(&mut then_scope, &name)];
                    let mut other_scope = scope.clone();
                    let mut other = vec![self.assign(&mut other_scope, &name)];
                    // Identical branches are clippy's `if_same_then_else`: draw again.
                    while render(&then) == render(&other) {
                        other_scope = scope.clone();
                        other = vec![self.assign(&mut other_scope, &name)];
                    }
                    scope.define(&name, then_scope.bound(&name).max(other_scope.bound(&name)));
                    Stmt::If { cond, then, other }
                }
                8..=10 if loops < 2 => {
                    loops += 1;
                    let name = self.temp(&mut scope);
                    let (e, b) = self.expr(&scope, 2);
                    scope.define(&name, b);
                    body.push(Stmt::Let {
                        name: name.clone(),
                        mutable: true,
                        e,
                    });
                    let start = self.rng.below(2);
                    let (end, inclusive) = match n {
                        Some(_) if self.rng.chance(1, 2) => ("n".to_string(), false),
                        _ => (
                            (start + 1 + self.rng.below(3)).to_string(),
                            self.rng.chance(1, 3),
                        ),
                    };
                    let mut inner = scope.clone();
                    inner.in_loop = true;
                    let mut stmts = vec![self.assign(&mut inner, &name)];
                    if self.rng.chance(1, 3) {
                        stmts.push(self.assign(&mut inner, &name));
                    }
                    // Loop-carried bound: iterate the worst case a few times.
                    scope.define(&name, (inner.bound(&name) * 4.0).min(1e6));
                    Stmt::For {
                        start,
                        end,
                        inclusive,
                        body: stmts,
                    }
                }
                // pair(a) = (cos a, a^2)
                11 => {
                    let (p, q) = (self.temp(&mut scope), self.temp(&mut scope));
                    let (mut e, mut b) = self.expr(&scope, 2);
                    if b > 3.0 {
                        e = Expr::Unary {
                            op: Unary::Tanh,
                            arg: Box::new(e),
                            path: false,
                        };
                        b = 1.0;
                    }
                    scope.define(&p, 1.0);
                    scope.define(&q, b * b);
                    Stmt::LetPair { p, q, e }
                }
                _ => {
                    let cond = self.cond(&scope);
                    let (e, _) = self.expr(&scope, 2);
                    Stmt::Return { cond, e }
                }
            };
            body.push(stmt);
        }
        // The tail reads every temporary and every parameter's latest binding.
        let mut tail = self.expr(&scope, 2).0;
        let mut names: Vec<String> = Vec::new();
        for stmt in &body {
            let bound: Vec<&String> = match stmt {
                Stmt::Let { name, .. } | Stmt::LetIf { name, .. } => vec![name],
                Stmt::LetPair { p, q, .. } => vec![p, q],
                _ => Vec::new(),
            };
            for name in bound {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        for p in &params {
            if !names.contains(p) {
                names.push(p.clone());
            }
        }
        for name in names {
            if !tail.uses(&name) {
                let b = scope.bound(&name);
                let term = if b > 3.0 {
                    Expr::Unary {
                        op: Unary::Tanh,
                        arg: Box::new(Expr::Var(name)),
                        path: false,
                    }
                } else {
                    Expr::Var(name)
                };
                tail = Expr::bin(Bin::Add, tail, term);
            }
        }
        let n = n.filter(|_| {
            body.iter()
                .any(|s| matches!(s, Stmt::For { end, .. } if end == "n"))
        });
        Program {
            name: format!("p{index:02}"),
            params,
            n,
            body,
            tail,
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn write_stmts(out: &mut String, stmts: &[Stmt], level: usize, runtime: bool) {
    let ex = |e: &Expr| if runtime { e.runtime() } else { e.native() };
    let cond = |c: &Cond| if runtime { c.runtime() } else { c.native() };
    for stmt in stmts {
        indent(out, level);
        match stmt {
            Stmt::Let { name, mutable, e } => {
                let m = if *mutable { "mut " } else { "" };
                let e = if runtime && !e.is_live() {
                    format!("Variable::from({})", e.native())
                } else {
                    ex(e)
                };
                writeln!(out, "let {m}{name} = {e};").unwrap();
            }
            Stmt::Assign { name, op, e } => match (op, runtime) {
                (None, _) => writeln!(out, "{name} = {};", ex(e)).unwrap(),
                (Some(op), false) => {
                    writeln!(out, "{name} {}= {};", op.token(), e.native()).unwrap()
                }
                (Some(op), true) => writeln!(
                    out,
                    "{name} = &{name} {} {};",
                    op.token(),
                    e.runtime_operand()
                )
                .unwrap(),
            },
            Stmt::LetIf { name, arms, other } => {
                write!(out, "let {name} = ").unwrap();
                for (i, (c, e)) in arms.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" else ");
                    }
                    writeln!(out, "if {} {{", cond(c)).unwrap();
                    indent(out, level + 1);
                    writeln!(out, "{}", ex(e)).unwrap();
                    indent(out, level);
                    out.push('}');
                }
                writeln!(out, " else {{").unwrap();
                indent(out, level + 1);
                writeln!(out, "{}", ex(other)).unwrap();
                indent(out, level);
                writeln!(out, "}};").unwrap();
            }
            Stmt::If {
                cond: c,
                then,
                other,
            } => {
                writeln!(out, "if {} {{", cond(c)).unwrap();
                write_stmts(out, then, level + 1, runtime);
                indent(out, level);
                writeln!(out, "}} else {{").unwrap();
                write_stmts(out, other, level + 1, runtime);
                indent(out, level);
                writeln!(out, "}}").unwrap();
            }
            Stmt::For {
                start,
                end,
                inclusive,
                body,
            } => {
                let dots = if *inclusive { "..=" } else { ".." };
                let i = if uses_index(body) { "i" } else { "_" };
                writeln!(out, "for {i} in {start}{dots}{end} {{").unwrap();
                write_stmts(out, body, level + 1, runtime);
                indent(out, level);
                writeln!(out, "}}").unwrap();
            }
            Stmt::LetPair { p, q, e } => {
                if runtime {
                    let e = e.runtime_var_ref();
                    writeln!(out, "let ({p}, {q}) = pair_runtime({e});").unwrap();
                } else {
                    writeln!(out, "let ({p}, {q}) = pair({});", e.native()).unwrap();
                }
            }
            Stmt::Return { cond: c, e } => {
                writeln!(out, "if {} {{", cond(c)).unwrap();
                indent(out, level + 1);
                let e = if runtime && !e.is_live() {
                    format!("Variable::from({})", e.native())
                } else {
                    ex(e)
                };
                writeln!(out, "return {e};").unwrap();
                indent(out, level);
                writeln!(out, "}}").unwrap();
            }
        }
    }
}

/// The native rendering of `stmts`, to compare two branches.
fn render(stmts: &[Stmt]) -> String {
    let mut out = String::new();
    write_stmts(&mut out, stmts, 0, false);
    out
}

fn uses_index(stmts: &[Stmt]) -> bool {
    fn expr_uses(e: &Expr) -> bool {
        match e {
            Expr::Index => true,
            Expr::Var(_) | Expr::Const(_) => false,
            Expr::Neg(a) => expr_uses(a),
            Expr::Bin(_, a, b) => expr_uses(a) || expr_uses(b),
            Expr::Unary { arg, .. } => expr_uses(arg),
            Expr::Method2(_, a, b) | Expr::Call(a, b) => expr_uses(a) || expr_uses(b),
        }
    }
    stmts.iter().any(|s| match s {
        Stmt::Assign { e, .. } => expr_uses(e),
        Stmt::If { then, other, .. } => uses_index(then) || uses_index(other),
        _ => false,
    })
}

impl Program {
    fn write(&self, out: &mut String) {
        let floats: Vec<String> = self.params.iter().map(|p| format!("{p}: f64")).collect();
        let vars: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{p}: Variable"))
            .collect();
        let n_param = if self.n.is_some() { ", n: usize" } else { "" };
        let name = &self.name;

        writeln!(out, "#[differentiable]").unwrap();
        writeln!(
            out,
            "pub fn {name}({}{n_param}) -> f64 {{",
            floats.join(", ")
        )
        .unwrap();
        self.write_body(out, false);
        writeln!(out, "}}\n").unwrap();

        writeln!(
            out,
            "pub fn {name}_runtime({}{n_param}) -> Variable {{",
            vars.join(", ")
        )
        .unwrap();
        self.write_body(out, true);
        writeln!(out, "}}\n").unwrap();
    }

    fn write_body(&self, out: &mut String, runtime: bool) {
        write_stmts(out, &self.body, 1, runtime);
        indent(out, 1);
        let tail = if runtime {
            self.tail.runtime()
        } else {
            self.tail.native()
        };
        writeln!(out, "{tail}").unwrap();
    }

    /// The table entry: adapters from `&[f64]` to each engine.
    fn write_entry(&self, out: &mut String) {
        let name = &self.name;
        let k = self.params.len();
        let args: Vec<String> = (0..k).map(|i| format!("v[{i}]")).collect();
        let args = args.join(", ");
        let n_arg = self.n.map_or(String::new(), |n| format!(", {n}"));
        let grads: Vec<String> = (0..k).map(|i| format!("g{i}")).collect();
        let (pattern, list) = if k == 1 {
            ("g0".to_string(), "vec![g0]".to_string())
        } else {
            (
                format!("({})", grads.join(", ")),
                format!("vec![{}]", grads.join(", ")),
            )
        };
        let vars: Vec<String> = (0..k).map(|i| format!("Variable::from(v[{i}])")).collect();
        writeln!(out, "    Program {{").unwrap();
        writeln!(out, "        name: \"{name}\",").unwrap();
        writeln!(out, "        arity: {k},").unwrap();
        writeln!(out, "        primal: |v| {name}({args}{n_arg}),").unwrap();
        writeln!(out, "        grad: |v| {{").unwrap();
        writeln!(
            out,
            "            let (f, {pattern}) = {name}_grad({args}{n_arg});"
        )
        .unwrap();
        writeln!(out, "            (f, {list})").unwrap();
        writeln!(out, "        }},").unwrap();
        writeln!(out, "        vjp: |v, seed| {{").unwrap();
        writeln!(
            out,
            "            let {pattern} = {name}_vjp({args}{n_arg}, seed);"
        )
        .unwrap();
        writeln!(out, "            {list}").unwrap();
        writeln!(out, "        }},").unwrap();
        writeln!(out, "        runtime: |v| {{").unwrap();
        writeln!(out, "            let inputs = [{}];", vars.join(", ")).unwrap();
        let clones: Vec<String> = (0..k).map(|i| format!("inputs[{i}].clone()")).collect();
        writeln!(
            out,
            "            let out = {name}_runtime({}{n_arg});",
            clones.join(", ")
        )
        .unwrap();
        writeln!(out, "            backward_all(&out, &inputs)").unwrap();
        writeln!(out, "        }},").unwrap();
        writeln!(out, "    }},").unwrap();
    }
}

/// The annotated functions the programs call, with their runtime twins.
const HELPERS: &str = "\
/// Called by the programs: `a sin(b) + b`.
#[differentiable]
pub fn helper(a: f64, b: f64) -> f64 {
    a * b.sin() + b
}

pub fn helper_runtime(a: &Variable, b: &Variable) -> Variable {
    &(a * &F::sin(b)) + b
}

/// Called by the programs through `let (p, q) = pair(..);`: `(cos a, a^2)`.
#[differentiable]
pub fn pair(a: f64) -> (f64, f64) {
    (a.cos(), a * a)
}

pub fn pair_runtime(a: &Variable) -> (Variable, Variable) {
    (F::cos(a), a * a)
}

";

/// The complete text of `tests/property/programs.rs`.
pub fn source() -> String {
    let mut gen = Gen { rng: Rng(SEED) };
    let programs: Vec<Program> = (0..COUNT).map(|i| gen.program(i)).collect();
    let mut out = String::new();
    writeln!(
        out,
        "//! @generated by `tests/property/generator.rs` from seed {SEED:#018x}: do not edit."
    )
    .unwrap();
    writeln!(
        out,
        "//! Regenerate with `REGENERATE=1 cargo test --test property`."
    )
    .unwrap();
    writeln!(out, "//!").unwrap();
    writeln!(
        out,
        "//! Each `pNN` is a random program in `#[differentiable]`'s language; `pNN_runtime`"
    )
    .unwrap();
    writeln!(
        out,
        "//! is the same formula written with the runtime's `Variable` ops."
    )
    .unwrap();
    writeln!(out, "use dezero::differentiable;").unwrap();
    writeln!(out, "use dezero::functions as F;").unwrap();
    writeln!(out, "use dezero::Variable;").unwrap();
    writeln!(out).unwrap();
    writeln!(out, "use super::{{backward_all, Program}};").unwrap();
    writeln!(out).unwrap();
    out.push_str(HELPERS);
    for p in &programs {
        p.write(&mut out);
    }
    writeln!(
        out,
        "/// Every program, with adapters from `&[f64]` inputs to each engine."
    )
    .unwrap();
    writeln!(out, "pub static PROGRAMS: &[Program] = &[").unwrap();
    for p in &programs {
        p.write_entry(&mut out);
    }
    writeln!(out, "];").unwrap();
    out
}
