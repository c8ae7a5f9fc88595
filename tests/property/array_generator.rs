//! Generator of random `#[differentiable]` programs over slices.
//!
//! From a fixed seed it draws functions of `x: &[f64]` (length 3 to 5, fixed per program),
//! sometimes a second slice `y` of the same length, a loop bound `n: usize` (at most the length)
//! and a float `a`, returning one `f64`. Their bodies use `let mut s: f64 = 0.0;` accumulators,
//! `for` loops over `0..x.len()`, `0..n`, `0..4`, `0..t.len()` and `i + 1..x.len()` (nested up to
//! two deep), reads `x[i]`, `x[(i + 1) % x.len()]`, `x[x.len() - 1 - i]`, local buffers
//! `vec![0.0_f64; x.len()]` and `[0.0_f64; 4]` (typed: rustc itself cannot call a method on an
//! element of an untyped `vec![0.0; n]` before something fixes its type) written with `=`, `+=`, `*=` (including in-place
//! overwrites that read other elements of the same buffer), a view `let t = &x[1..];` (or from 2),
//! reductions (`x.iter().map(|u| ..).sum::<f64>()`, `v.iter().sum::<f64>()`,
//! `(0..n).map(|k| ..).sum::<f64>()`), `if` on elements inside loops, `let m = if c { .. } else
//! { .. };`, and calls of the annotated helpers `dot`, `scale_into` and `accumulate_sin` with
//! sub-slices (`&x[1..]`, `&mut v[..]`, `&mut w[1..]`). [`source`] returns `array_programs.rs`.
//!
//! Left out: `let m = if ..` outside loops (a macro bug: it does not compile, see
//! `arrays::bugs` in `tests/integration`), reductions over a view (`t.iter()`: the macro asks
//! for a slice or a buffer) and a closure parameter named like a buffer (`v.iter().map(|v| ..)`
//! beside `let mut v = ..`: the macro asks to rename it).
//!
//! Domains are safe by construction: `ln` and `sqrt` only see `1.0 + e * e`, divisions divide
//! by `1.0 + e * e`, `exp` only takes expressions of the inputs bounded by 2. Magnitudes are bounded by simulation: every statement is checked against
//! worst-case bounds of every variable over all loop trips (a statement that could push a
//! bound past [`LIMIT`], through `exp` or repeated products, is drawn again).

// `generator.rs`'s SplitMix64: the output never depends on a crate version.
use super::generator::Rng;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The seed `array_programs.rs` was generated from.
pub const SEED: u64 = 0x51ce_dec0_2026_0010;
/// How many programs to generate.
pub const COUNT: usize = 60;
/// The largest worst-case magnitude any variable may reach.
const LIMIT: f64 = 100.0;

/// Constants: short, positive, far from clippy's approximate-constant list.
const CONSTS: [f64; 6] = [0.5, 0.25, 0.75, 1.5, 2.0, 1.25];

/// The slices a program reads: parameters `x`, `y`, the view `t`, the buffers `v`, `w`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Buf {
    X,
    Y,
    T,
    V,
    W,
}

impl Buf {
    fn name(self) -> &'static str {
        match self {
            Buf::X => "x",
            Buf::Y => "y",
            Buf::T => "t",
            Buf::V => "v",
            Buf::W => "w",
        }
    }

    /// How an index expression spells this buffer's length.
    fn len_expr(self) -> &'static str {
        match self {
            Buf::X | Buf::V => "x.len()",
            Buf::Y => "y.len()",
            Buf::T => "t.len()",
            Buf::W => "4",
        }
    }
}

/// What a loop counter ranges over.
#[derive(Clone, Copy, PartialEq)]
enum Range {
    /// `0..x.len()`
    Len,
    /// `0..n`
    N,
    /// `0..4`
    Four,
    /// `0..t.len()`
    View,
    /// `i + 1..x.len()` for the enclosing counter `i`
    Tail(char),
}

#[derive(Clone, Copy)]
struct Loop {
    var: char,
    range: Range,
}

/// An index into a buffer.
#[derive(Clone, Copy)]
enum Ix {
    Var(char),
    /// `(i + 1) % len`
    Next(char),
    /// `len - 1 - i`
    Rev(char),
    /// `i % len`, where `i` may run past the buffer
    Mod(char),
    Const(usize),
}

#[derive(Clone, Copy, PartialEq)]
enum Un {
    Sin,
    Cos,
    Tanh,
    Exp,
    /// `(1.0 + e * e).ln()`
    Ln,
    /// `(1.0 + e * e).sqrt()`
    Sqrt,
}

/// A slice argument of a call: the whole buffer or its tail from 1.
#[derive(Clone, Copy)]
struct SArg {
    buf: Buf,
    tail: bool,
}

#[derive(Clone)]
enum E {
    C(f64),
    A,
    /// An accumulator or a `let`.
    Scalar(String),
    Read(Buf, Ix),
    /// `(i as f64 + 1.0)`
    Counter(char),
    /// The closure parameter (`u`, or `v` where there is no buffer `v`) of a `map`.
    U(char),
    Neg(Box<E>),
    Bin(char, Box<E>, Box<E>),
    /// `a / (1.0 + b * b)`
    Div(Box<E>, Box<E>),
    Un(Un, Box<E>),
    /// `buf.iter().map(|u| e).sum::<f64>()`
    MapSum(Buf, char, Box<E>),
    /// `buf.iter().sum::<f64>()`
    Sum(Buf),
    /// `(0..n).map(|k| x[k] * e).sum::<f64>()` (the range is `0..n` or `0..x.len()`)
    RangeSum(Range, char, Box<E>),
    Dot(SArg, SArg),
}

#[derive(Clone)]
struct Cond {
    lhs: E,
    greater: bool,
    rhs: E,
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Set,
    Add,
    Mul,
}

#[derive(Clone)]
enum Target {
    Scalar(&'static str),
    Elem(Buf, Ix),
}

#[derive(Clone)]
enum S {
    Write(Target, Op, E),
    LetIf(String, Cond, E, E),
    For(Loop, Vec<S>),
    If(Cond, Vec<S>, Vec<S>),
    /// `scale_into(d, k, src, dst)` or `accumulate_sin(d, src, dst)` (`k` is `None`).
    Call {
        d: &'static str,
        k: Option<E>,
        src: SArg,
        dst: Buf,
        dst_text: &'static str,
    },
}

/// Worst-case magnitudes of every variable (`s`, `r`, `v`, `w`, `let`s).
#[derive(Clone, Default)]
struct Bounds(BTreeMap<String, f64>);

impl Bounds {
    fn get(&self, name: &str) -> f64 {
        match name {
            "x" | "y" | "t" | "a" => 1.5,
            _ => self.0.get(name).copied().unwrap_or(0.0),
        }
    }

    fn set(&mut self, name: &str, b: f64) {
        self.0.insert(name.to_string(), b);
    }

    fn ok(&self) -> bool {
        self.0.values().all(|b| b.is_finite() && *b <= LIMIT)
    }

    fn merge(&mut self, other: &Bounds) {
        for (k, b) in &other.0 {
            let m = self.get(k).max(*b);
            self.set(k, m);
        }
    }
}

/// Per-program facts the bounds and printing need.
#[derive(Clone)]
struct Shape {
    len: usize,
    n: Option<usize>,
    y: bool,
    a: bool,
    v: bool,
    w: bool,
    /// The view `t = &x[t_off..]` or `&y[t_off..]`.
    t: Option<Buf>,
    /// A second accumulator `r`.
    r: bool,
    /// Where the view starts: `&x[t_off..]`.
    t_off: usize,
}

impl Shape {
    fn buf_len(&self, b: Buf) -> usize {
        match b {
            Buf::X | Buf::Y | Buf::V => self.len,
            Buf::T => self.len - self.t_off,
            Buf::W => 4,
        }
    }

    fn trips(&self, r: Range) -> usize {
        match r {
            Range::Len => self.len,
            Range::N => self.n.unwrap_or(0),
            Range::Four => 4,
            Range::View => self.len - self.t_off,
            Range::Tail(_) => self.len - 1,
        }
    }

    /// The largest value a counter of range `r` takes.
    fn max(&self, r: Range) -> usize {
        match r {
            Range::Len | Range::Tail(_) => self.len - 1,
            Range::N => self.n.unwrap_or(1).max(1) - 1,
            Range::Four => 3,
            Range::View => self.len - self.t_off - 1,
        }
    }

    fn sarg_len(&self, s: SArg) -> usize {
        self.buf_len(s.buf) - usize::from(s.tail)
    }

    fn bound(&self, e: &E, b: &Bounds, u: f64) -> f64 {
        match e {
            E::C(c) => c.abs(),
            E::A => 1.5,
            E::Scalar(name) => b.get(name),
            E::Read(buf, _) => b.get(buf.name()),
            E::Counter(_) => self.len as f64,
            E::U(_) => u,
            E::Neg(a) => self.bound(a, b, u),
            E::Bin(op, l, r) => {
                let (l, r) = (self.bound(l, b, u), self.bound(r, b, u));
                if *op == '*' {
                    l * r
                } else {
                    l + r
                }
            }
            E::Div(l, _) => self.bound(l, b, u),
            E::Un(op, a) => {
                let a = self.bound(a, b, u);
                match op {
                    Un::Sin | Un::Cos => 1.0,
                    Un::Tanh => a.min(1.0),
                    Un::Exp => a.exp(),
                    Un::Ln => (1.0 + a * a).ln(),
                    Un::Sqrt => (1.0 + a * a).sqrt(),
                }
            }
            E::MapSum(buf, _, body) => {
                self.buf_len(*buf) as f64 * self.bound(body, b, b.get(buf.name()))
            }
            E::Sum(buf) => self.buf_len(*buf) as f64 * b.get(buf.name()),
            E::RangeSum(r, _, body) => self.trips(*r) as f64 * 1.5 * self.bound(body, b, u),
            E::Dot(p, q) => self.sarg_len(*p) as f64 * b.get(p.buf.name()) * b.get(q.buf.name()),
        }
    }

    fn simulate(&self, stmts: &[S], b: &mut Bounds) {
        for s in stmts {
            match s {
                S::Write(target, op, e) => {
                    let be = self.bound(e, b, 0.0);
                    let (name, elem) = match target {
                        Target::Scalar(n) => (*n, false),
                        Target::Elem(buf, _) => (buf.name(), true),
                    };
                    let old = b.get(name);
                    let new = match op {
                        Op::Set if elem => old.max(be),
                        Op::Set => be,
                        Op::Add => old + be,
                        Op::Mul => old * be,
                    };
                    b.set(name, new);
                }
                S::LetIf(name, _, x, y) => {
                    let m = self.bound(x, b, 0.0).max(self.bound(y, b, 0.0));
                    b.set(name, m);
                }
                S::For(lp, body) => {
                    for _ in 0..self.trips(lp.range) {
                        self.simulate(body, b);
                    }
                }
                S::If(_, then, other) => {
                    let mut t = b.clone();
                    self.simulate(then, &mut t);
                    self.simulate(other, b);
                    b.merge(&t);
                }
                S::Call { k, src, dst, .. } => {
                    let old = b.get(dst.name());
                    let new = match k {
                        Some(k) => old.max(self.bound(k, b, 0.0) * b.get(src.buf.name())),
                        None => old + 1.0,
                    };
                    b.set(dst.name(), new);
                }
            }
        }
    }
}

/// Precedence levels used for printing: 1 `+ -`, 2 `* /`, 3 unary `-`, 5 atoms and calls.
const ATOM: u8 = 5;

impl E {
    fn b(self) -> Box<E> {
        Box::new(self)
    }

    /// The bound of an expression of the inputs only (no accumulators, buffers, reductions or
    /// `exp`): what `exp` may take, so that no derivative grows past `e^2` times the rest.
    fn pure_bound(&self) -> Option<f64> {
        match self {
            E::C(c) => Some(c.abs()),
            E::A | E::U(_) => Some(1.5),
            E::Read(Buf::X | Buf::Y | Buf::T, _) => Some(1.5),
            E::Counter(_) => Some(5.0),
            E::Neg(a) => a.pure_bound(),
            E::Bin(op, l, r) => {
                let (l, r) = (l.pure_bound()?, r.pure_bound()?);
                Some(if *op == '*' { l * r } else { l + r })
            }
            E::Div(l, r) => {
                r.pure_bound()?;
                l.pure_bound()
            }
            E::Un(Un::Exp, _) => None,
            E::Un(op, a) => {
                let a = a.pure_bound()?;
                Some(match op {
                    Un::Ln => (1.0 + a * a).ln(),
                    Un::Sqrt => (1.0 + a * a).sqrt(),
                    Un::Tanh => a.min(1.0),
                    _ => 1.0,
                })
            }
            _ => None,
        }
    }

    /// Whether the expression has a type of its own (a variable, not only literals).
    fn typed(&self) -> bool {
        match self {
            E::C(_) => false,
            E::Neg(a) => a.typed(),
            E::Bin(_, l, r) | E::Div(l, r) => l.typed() || r.typed(),
            E::Un(_, a) => a.typed(),
            _ => true,
        }
    }

    fn prec(&self) -> u8 {
        match self {
            E::Neg(_) => 3,
            E::Bin(op, ..) => {
                if *op == '*' {
                    2
                } else {
                    1
                }
            }
            E::Div(..) => 2,
            _ => ATOM,
        }
    }

    fn at(&self, min: u8) -> String {
        if self.prec() < min {
            format!("({})", self.text())
        } else {
            self.text()
        }
    }

    fn text(&self) -> String {
        match self {
            E::C(c) => format!("{c:?}"),
            E::A => "a".into(),
            E::Scalar(n) => n.clone(),
            E::Read(buf, ix) => format!("{}[{}]", buf.name(), ix_text(*buf, *ix)),
            E::Counter(c) => format!("({c} as f64 + 1.0)"),
            E::U(c) => c.to_string(),
            E::Neg(a) => format!("-{}", a.at(4)),
            E::Bin(op, l, r) => {
                let p = self.prec();
                format!("{} {op} {}", l.at(p), r.at(p + 1))
            }
            E::Div(l, r) => {
                format!("{} / (1.0 + {} * {})", l.at(2), r.at(3), r.at(3))
            }
            E::Un(op, a) => match op {
                Un::Ln => format!("(1.0 + {} * {}).ln()", a.at(3), a.at(3)),
                Un::Sqrt => format!("(1.0 + {} * {}).sqrt()", a.at(3), a.at(3)),
                _ => {
                    let m = match op {
                        Un::Sin => "sin",
                        Un::Cos => "cos",
                        Un::Tanh => "tanh",
                        _ => "exp",
                    };
                    format!("{}.{m}()", a.at(ATOM))
                }
            },
            E::MapSum(buf, u, body) => {
                format!(
                    "{}.iter().map(|{u}| {}).sum::<f64>()",
                    buf.name(),
                    body.text()
                )
            }
            E::Sum(buf) => format!("{}.iter().sum::<f64>()", buf.name()),
            E::RangeSum(r, k, body) => {
                let end = if *r == Range::N { "n" } else { "x.len()" };
                format!("(0..{end}).map(|{k}| x[{k}] * {}).sum::<f64>()", body.at(3))
            }
            E::Dot(p, q) => format!("dot({}, {})", sarg_text(*p), sarg_text(*q)),
        }
    }
}

fn ix_text(buf: Buf, ix: Ix) -> String {
    let len = buf.len_expr();
    match ix {
        Ix::Var(c) => c.to_string(),
        Ix::Next(c) => format!("({c} + 1) % {len}"),
        Ix::Rev(c) if buf == Buf::W => format!("3 - {c}"),
        Ix::Rev(c) => format!("{len} - 1 - {c}"),
        Ix::Mod(c) => format!("{c} % {len}"),
        Ix::Const(k) => k.to_string(),
    }
}

fn sarg_text(s: SArg) -> String {
    let n = s.buf.name();
    match (s.buf, s.tail) {
        (Buf::X | Buf::Y | Buf::T, false) => n.to_string(),
        (_, false) => format!("&{n}"),
        (_, true) => format!("&{n}[1..]"),
    }
}

impl Cond {
    fn text(&self) -> String {
        let op = if self.greater { ">" } else { "<" };
        format!("{} {op} {}", self.lhs.text(), self.rhs.text())
    }
}

/// One generated program.
struct Program {
    name: String,
    shape: Shape,
    body: Vec<S>,
    ret: E,
}

/// Generation context: the program's shape, the enclosing loops, the `let`s in scope.
struct Gen {
    rng: Rng,
    shape: Shape,
    loops: Vec<Loop>,
    lets: Vec<String>,
    next_let: usize,
    /// Inside a `map` closure (`Some(k)` for `(0..n).map(|k| ..)`, `None` for `|u|`).
    closure: Option<Option<Loop>>,
    /// The parameter of the innermost `map(|u| ..)` closure.
    closure_var: char,
}

impl Gen {
    fn bufs(&self) -> Vec<Buf> {
        let s = &self.shape;
        let mut out = vec![Buf::X];
        if s.y {
            out.push(Buf::Y);
        }
        if s.t.is_some() {
            out.push(Buf::T);
        }
        if s.v {
            out.push(Buf::V);
        }
        if s.w {
            out.push(Buf::W);
        }
        out
    }

    /// An index into `buf` from the innermost counters, or a constant.
    fn index(&mut self, buf: Buf, counters: &[Loop]) -> Ix {
        let len = self.shape.buf_len(buf);
        if counters.is_empty() || self.rng.chance(1, 8) {
            return Ix::Const(self.rng.below(len));
        }
        let lp = counters[counters.len() - 1 - self.rng.below(counters.len().min(2))];
        let fits = self.shape.max(lp.range) < len;
        let c = lp.var;
        match self.rng.below(6) {
            0..=2 if fits => Ix::Var(c),
            3 if fits => Ix::Rev(c),
            0..=3 => Ix::Mod(c),
            _ => Ix::Next(c),
        }
    }

    fn leaf(&mut self) -> E {
        let s = self.shape.clone();
        match self.closure {
            Some(None) => {
                return match self.rng.below(6) {
                    0 | 1 => E::U(self.closure_var),
                    2 if s.a => E::A,
                    3 => E::Scalar("s".into()),
                    // the closure captures an element at the enclosing loop's counter
                    4 if !self.loops.is_empty() => {
                        let loops = self.loops.clone();
                        let ix = self.index(Buf::X, &loops);
                        E::Read(Buf::X, ix)
                    }
                    _ => E::C(self.rng.pick(&CONSTS)),
                };
            }
            Some(Some(k)) => {
                return match self.rng.below(5) {
                    0..=2 => {
                        let buf = self.rng.pick(&self.bufs());
                        let ix = self.index(buf, &[k]);
                        E::Read(buf, ix)
                    }
                    3 if s.a => E::A,
                    _ => E::C(self.rng.pick(&CONSTS)),
                }
            }
            None => {}
        }
        match self.rng.below(12) {
            0..=5 => {
                let bufs = self.bufs();
                let buf = self.rng.pick(&bufs);
                let loops = self.loops.clone();
                let ix = self.index(buf, &loops);
                E::Read(buf, ix)
            }
            6 if s.a => E::A,
            7 if !self.loops.is_empty() => E::Counter(self.loops.last().unwrap().var),
            8 if s.r && self.rng.chance(1, 2) => E::Scalar("r".into()),
            8 => E::Scalar("s".into()),
            9 if !self.lets.is_empty() => {
                let k = self.rng.below(self.lets.len());
                E::Scalar(self.lets[k].clone())
            }
            6..=9 => {
                let loops = self.loops.clone();
                let ix = self.index(Buf::X, &loops);
                E::Read(Buf::X, ix)
            }
            _ => E::C(self.rng.pick(&CONSTS)),
        }
    }

    fn expr(&mut self, depth: usize) -> E {
        if depth == 0 || self.rng.chance(1, 4) {
            return self.leaf();
        }
        let reduce = self.closure.is_none();
        match self.rng.below(if reduce { 14 } else { 11 }) {
            0..=2 => {
                let op = self.rng.pick(&['+', '-', '*']);
                let (l, r) = (self.expr(depth - 1), self.expr(depth - 1));
                if op == '-' && l.text() == r.text() {
                    return l;
                }
                E::Bin(op, l.b(), r.b())
            }
            3 => match self.expr(depth - 1) {
                e @ (E::Neg(_) | E::C(_)) => e,
                e => E::Neg(e.b()),
            },
            4 => E::Div(self.expr(depth - 1).b(), self.expr(depth - 1).b()),
            5..=10 => {
                let op = self
                    .rng
                    .pick(&[Un::Sin, Un::Cos, Un::Tanh, Un::Exp, Un::Ln, Un::Sqrt]);
                let mut a = self.expr(depth - 1);
                if !a.typed() {
                    // a method of a bare literal (`0.5.sin()`) has no type: read an element
                    let loops = self.loops.clone();
                    let ix = self.index(Buf::X, &loops);
                    a = E::Bin('*', a.b(), E::Read(Buf::X, ix).b());
                }
                let op = if op == Un::Exp && !a.pure_bound().is_some_and(|b| b <= 2.0) {
                    Un::Tanh
                } else {
                    op
                };
                E::Un(op, a.b())
            }
            11 => {
                // the macro reduces slices and buffers, not views (`t.iter()` is rejected)
                let bufs: Vec<Buf> = self.bufs().into_iter().filter(|b| *b != Buf::T).collect();
                let buf = self.rng.pick(&bufs);
                if self.rng.chance(1, 3) && buf != Buf::X && buf != Buf::Y {
                    return E::Sum(buf);
                }
                // `|v|` where there is no buffer `v` (the macro rejects the shadowing: "`v` is
                // declared again with another type")
                self.closure_var = if !self.shape.v && self.rng.chance(1, 2) {
                    'v'
                } else {
                    'u'
                };
                self.closure = Some(None);
                let body = self.expr(2);
                self.closure = None;
                E::MapSum(buf, self.closure_var, body.b())
            }
            12 => {
                let range = if self.shape.n.is_some() && self.rng.chance(2, 3) {
                    Range::N
                } else {
                    Range::Len
                };
                // `|i|` outside loops, `|k|` inside them
                let var = if self.loops.is_empty() { 'i' } else { 'k' };
                self.closure = Some(Some(Loop { var, range }));
                let body = self.expr(1);
                self.closure = None;
                E::RangeSum(range, var, body.b())
            }
            _ => {
                let (p, q) = self.dot_args();
                E::Dot(p, q)
            }
        }
    }

    /// Two slice arguments whose second is at least as long as the first.
    fn dot_args(&mut self) -> (SArg, SArg) {
        let bufs = self.bufs();
        loop {
            let p = SArg {
                buf: self.rng.pick(&bufs),
                tail: self.rng.chance(1, 2),
            };
            let q = SArg {
                buf: self.rng.pick(&bufs),
                tail: self.rng.chance(1, 2),
            };
            if self.shape.sarg_len(p) <= self.shape.sarg_len(q) {
                return (p, q);
            }
        }
    }

    fn cond(&mut self) -> Cond {
        let loops = self.loops.clone();
        let bufs = self.bufs();
        let buf = self.rng.pick(&bufs);
        let ix = self.index(buf, &loops);
        let lhs = match self.rng.below(6) {
            0 => E::Scalar("s".into()),
            1 if self.shape.a => E::A,
            _ => E::Read(buf, ix),
        };
        let rhs = match self.rng.below(3) {
            0 => E::C(0.0),
            1 => E::C(self.rng.pick(&[0.5, 0.25, -0.5])),
            _ => {
                let b = if self.shape.y { Buf::Y } else { Buf::X };
                let ix = self.index(b, &loops);
                E::Read(b, ix)
            }
        };
        let rhs = if rhs.text() == lhs.text() {
            E::C(0.0)
        } else {
            rhs
        };
        Cond {
            lhs,
            greater: self.rng.chance(1, 2),
            rhs,
        }
    }

    /// A factor for `*=`, of magnitude at most 1 whatever its argument.
    fn factor(&mut self) -> E {
        let mut e = self.expr(2);
        if !e.typed() {
            let loops = self.loops.clone();
            let ix = self.index(Buf::X, &loops);
            e = E::Bin('*', e.b(), E::Read(Buf::X, ix).b());
        }
        match self.rng.below(4) {
            0 => E::Un(Un::Cos, e.b()),
            1 => E::Un(Un::Tanh, e.b()),
            2 => E::Div(E::C(1.0).b(), e.b()),
            _ => E::Un(Un::Sin, e.b()),
        }
    }

    fn write(&mut self) -> S {
        let loops = self.loops.clone();
        let mut targets = vec![Target::Scalar("s")];
        if self.shape.r {
            targets.push(Target::Scalar("r"));
        }
        for buf in [Buf::V, Buf::W] {
            if self.bufs().contains(&buf) {
                let ix = self.index(buf, &loops);
                targets.push(Target::Elem(buf, ix));
            }
        }
        let target = targets[self.rng.below(targets.len())].clone();
        // The hard case for the tape: an in-place overwrite reading a neighbour.
        if let (Target::Elem(buf, Ix::Var(c)), Some(lp)) = (&target, loops.last()) {
            if lp.var == *c && self.rng.chance(1, 2) {
                let xi = self.index(Buf::X, &loops);
                let e = E::Bin(
                    '+',
                    E::Bin(
                        '*',
                        E::Read(*buf, Ix::Var(*c)).b(),
                        E::Read(*buf, Ix::Next(*c)).b(),
                    )
                    .b(),
                    E::Read(Buf::X, xi).b(),
                );
                return S::Write(target, Op::Set, e);
            }
        }
        let op = self.rng.pick(&[Op::Add, Op::Add, Op::Set, Op::Mul]);
        let e = if op == Op::Mul {
            self.factor()
        } else {
            self.expr(3)
        };
        let name = match &target {
            Target::Scalar(n) => n.to_string(),
            Target::Elem(buf, ix) => format!("{}[{}]", buf.name(), ix_text(*buf, *ix)),
        };
        // `s = s;` is a useless self-assignment
        let op = if op == Op::Set && e.text() == name {
            Op::Add
        } else {
            op
        };
        S::Write(target, op, e)
    }

    fn call(&mut self) -> S {
        let s = self.shape.clone();
        let mut options: Vec<(&'static str, SArg, Buf, &'static str)> = Vec::new();
        let x = SArg {
            buf: Buf::X,
            tail: false,
        };
        let xt = SArg {
            buf: Buf::X,
            tail: true,
        };
        if s.v {
            options.push(("x.len()", x, Buf::V, "&mut v"));
            options.push(("x.len() - 1", xt, Buf::V, "&mut v[..]"));
            options.push(("x.len() - 1", xt, Buf::V, "&mut v[1..]"));
            if s.y {
                let y = SArg {
                    buf: Buf::Y,
                    tail: false,
                };
                options.push(("x.len()", y, Buf::V, "&mut v[..]"));
            }
            if s.t.is_some() {
                let t = SArg {
                    buf: Buf::T,
                    tail: false,
                };
                options.push(("t.len()", t, Buf::V, "&mut v"));
            }
        }
        if s.w {
            options.push(("3", x, Buf::W, "&mut w[1..]"));
            if s.v {
                let v = SArg {
                    buf: Buf::V,
                    tail: false,
                };
                options.push(("3", v, Buf::W, "&mut w"));
            }
        }
        let (d, src, dst, dst_text) = self.rng.pick(&options);
        let k = if self.rng.chance(2, 3) {
            Some(match self.rng.below(4) {
                0 if s.a => E::A,
                1 => E::Un(Un::Tanh, E::Scalar("s".into()).b()),
                _ => E::C(self.rng.pick(&CONSTS)),
            })
        } else {
            None
        };
        S::Call {
            d,
            k,
            src,
            dst,
            dst_text,
        }
    }

    fn let_if(&mut self, out: &mut Vec<S>) {
        let name = format!("m{}", self.next_let);
        self.next_let += 1;
        let c = self.cond();
        let (a, b) = (self.expr(2), self.expr(2));
        out.push(S::LetIf(name.clone(), c, a, b));
        self.lets.push(name.clone());
        let e = E::Bin('*', E::Scalar(name).b(), self.expr(1).b());
        out.push(S::Write(Target::Scalar("s"), Op::Add, e));
    }

    fn range(&mut self, outer: Option<Loop>) -> Range {
        let s = self.shape.clone();
        let mut options = vec![Range::Len];
        if s.n.is_some() {
            options.push(Range::N);
        }
        match outer {
            None => {
                if s.w {
                    options.push(Range::Four);
                }
                if s.t.is_some() {
                    options.push(Range::View);
                }
            }
            Some(o) => {
                options.push(Range::Tail(o.var));
                options.push(Range::Tail(o.var));
            }
        }
        self.rng.pick(&options)
    }

    /// The statements of one arm of an `if` inside a loop: writes, calls, `let`s of `if`s.
    fn branch(&mut self) -> Vec<S> {
        let mut out = Vec::new();
        let lets = self.lets.len();
        let calls = self.shape.v || self.shape.w;
        for _ in 0..1 + self.rng.below(2) {
            match self.rng.below(6) {
                0 if calls => out.push(self.call()),
                1 => self.let_if(&mut out),
                _ => out.push(self.write()),
            }
        }
        self.lets.truncate(lets);
        out
    }

    fn body(&mut self, out: &mut Vec<S>) {
        let count = 1 + self.rng.below(3);
        let lets = self.lets.len();
        for _ in 0..count {
            let calls = self.shape.v || self.shape.w;
            match self.rng.below(12) {
                0 | 1 if self.loops.len() < 2 => out.push(self.for_()),
                2 if !self.loops.is_empty() => {
                    let c = self.cond();
                    let then = self.branch();
                    let other = self.branch();
                    out.push(S::If(c, then, other));
                }
                3 => self.let_if(out),
                4 if calls && self.rng.chance(1, 2) => out.push(self.call()),
                _ => out.push(self.write()),
            }
        }
        self.lets.truncate(lets);
    }

    fn for_(&mut self) -> S {
        let outer = self.loops.last().copied();
        let range = self.range(outer);
        let var = if outer.is_some() { 'j' } else { 'i' };
        let lp = Loop { var, range };
        self.loops.push(lp);
        let mut body = Vec::new();
        self.body(&mut body);
        self.loops.pop();
        S::For(lp, body)
    }

    fn top(&mut self) -> Vec<S> {
        let mut out = Vec::new();
        match self.rng.below(10) {
            0..=5 => out.push(self.for_()),
            6 if self.shape.v || self.shape.w => out.push(self.call()),
            // (`let m = if ..` at the top level: tests/integration/arrays.rs, module `bugs`)
            _ => out.push(self.write()),
        }
        self.lets.clear();
        out
    }

    fn program(&mut self, index: usize) -> Program {
        let len = self.rng.pick(&[3, 4, 5]);
        let n = self.rng.chance(1, 2).then(|| {
            if self.rng.chance(1, 8) {
                0
            } else {
                1 + self.rng.below(len)
            }
        });
        let y = self.rng.chance(1, 2);
        let t = self.rng.chance(1, 3).then(|| {
            if y && self.rng.chance(1, 2) {
                Buf::Y
            } else {
                Buf::X
            }
        });
        self.shape = Shape {
            len,
            n,
            y,
            a: self.rng.chance(1, 2),
            v: self.rng.chance(1, 2),
            w: self.rng.chance(1, 3),
            t,
            r: self.rng.chance(1, 2),
            t_off: if len > 3 && self.rng.chance(1, 3) {
                2
            } else {
                1
            },
        };
        let mut bounds = Bounds::default();
        let mut body = Vec::new();
        let count = 2 + self.rng.below(3);
        for _ in 0..count {
            for _attempt in 0..10 {
                let stmts = self.top();
                let mut b = bounds.clone();
                self.shape.simulate(&stmts, &mut b);
                if b.ok() {
                    bounds = b;
                    body.extend(stmts);
                    break;
                }
            }
        }
        let mut ret = E::Scalar("s".into());
        let mut push = |e: E| ret = E::Bin('+', ret.clone().b(), e.b());
        if self.shape.r {
            push(E::Un(Un::Sin, E::Scalar("r".into()).b()));
        }
        if self.shape.v {
            push(match self.rng.below(3) {
                0 => E::Sum(Buf::V),
                1 => E::MapSum(Buf::V, 'u', E::Bin('*', E::U('u').b(), E::U('u').b()).b()),
                _ => E::MapSum(Buf::V, 'u', E::Un(Un::Sin, E::U('u').b()).b()),
            });
        }
        if self.shape.w {
            push(E::Bin(
                '*',
                E::Read(Buf::W, Ix::Const(0)).b(),
                E::Read(Buf::W, Ix::Const(3)).b(),
            ));
            push(E::Sum(Buf::W));
        }
        Program {
            name: format!("ap{index:02}"),
            shape: self.shape.clone(),
            body,
            ret,
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn write_stmts(out: &mut String, stmts: &[S], level: usize) {
    for s in stmts {
        indent(out, level);
        match s {
            S::Write(target, op, e) => {
                let t = match target {
                    Target::Scalar(n) => n.to_string(),
                    Target::Elem(buf, ix) => format!("{}[{}]", buf.name(), ix_text(*buf, *ix)),
                };
                let op = match op {
                    Op::Set => "=",
                    Op::Add => "+=",
                    Op::Mul => "*=",
                };
                writeln!(out, "{t} {op} {};", e.text()).unwrap();
            }
            S::LetIf(name, c, a, b) => {
                writeln!(out, "let {name} = if {} {{", c.text()).unwrap();
                indent(out, level + 1);
                writeln!(out, "{}", a.text()).unwrap();
                indent(out, level);
                writeln!(out, "}} else {{").unwrap();
                indent(out, level + 1);
                writeln!(out, "{}", b.text()).unwrap();
                indent(out, level);
                writeln!(out, "}};").unwrap();
            }
            S::For(lp, body) => {
                let range = match lp.range {
                    Range::Len => "0..x.len()".to_string(),
                    Range::N => "0..n".to_string(),
                    Range::Four => "0..4".to_string(),
                    Range::View => "0..t.len()".to_string(),
                    Range::Tail(o) => format!("{o} + 1..x.len()"),
                };
                writeln!(out, "for {} in {range} {{", lp.var).unwrap();
                write_stmts(out, body, level + 1);
                indent(out, level);
                writeln!(out, "}}").unwrap();
            }
            S::If(c, then, other) => {
                writeln!(out, "if {} {{", c.text()).unwrap();
                write_stmts(out, then, level + 1);
                indent(out, level);
                writeln!(out, "}} else {{").unwrap();
                write_stmts(out, other, level + 1);
                indent(out, level);
                writeln!(out, "}}").unwrap();
            }
            S::Call {
                d,
                k,
                src,
                dst_text,
                ..
            } => {
                let src = sarg_text(*src);
                match k {
                    Some(k) => {
                        writeln!(out, "scale_into({d}, {}, {src}, {dst_text});", k.text()).unwrap()
                    }
                    None => writeln!(out, "accumulate_sin({d}, {src}, {dst_text});").unwrap(),
                }
            }
        }
    }
}

impl Program {
    fn params(&self) -> String {
        let s = &self.shape;
        let mut p = vec!["x: &[f64]".to_string()];
        if s.y {
            p.push("y: &[f64]".into());
        }
        if s.n.is_some() {
            p.push("n: usize".into());
        }
        if s.a {
            p.push("a: f64".into());
        }
        p.join(", ")
    }

    fn write(&self, out: &mut String) {
        let s = &self.shape;
        writeln!(out, "#[differentiable]").unwrap();
        writeln!(out, "pub fn {}({}) -> f64 {{", self.name, self.params()).unwrap();
        if let Some(b) = s.t {
            writeln!(out, "    let t = &{}[{}..];", b.name(), s.t_off).unwrap();
        }
        if s.v {
            writeln!(out, "    let mut v = vec![0.0_f64; x.len()];").unwrap();
        }
        if s.w {
            writeln!(out, "    let mut w = [0.0_f64; 4];").unwrap();
        }
        writeln!(out, "    let mut s: f64 = 0.0;").unwrap();
        if s.r {
            writeln!(out, "    let mut r: f64 = 0.0;").unwrap();
        }
        write_stmts(out, &self.body, 1);
        writeln!(out, "    {}", self.ret.text()).unwrap();
        writeln!(out, "}}").unwrap();
        writeln!(out).unwrap();
    }

    /// The arguments, read from the flat input `v`: `&v[..L], &v[L..2L], n, v[2L]`.
    fn args(&self) -> (String, usize) {
        let s = &self.shape;
        let l = s.len;
        let mut args = vec![format!("&v[..{l}]")];
        let mut at = l;
        if s.y {
            args.push(format!("&v[{at}..{}]", at + l));
            at += l;
        }
        if let Some(n) = s.n {
            args.push(n.to_string());
        }
        if s.a {
            args.push(format!("v[{at}]"));
            at += 1;
        }
        (args.join(", "), at)
    }

    fn write_entry(&self, out: &mut String) {
        let s = &self.shape;
        let name = &self.name;
        let (args, arity) = self.args();
        let l = s.len;
        writeln!(out, "    ArrayProgram {{").unwrap();
        writeln!(out, "        name: \"{name}\",").unwrap();
        writeln!(out, "        arity: {arity},").unwrap();
        writeln!(out, "        primal: |v| {name}({args}),").unwrap();
        // grad: concatenate the gradients in parameter order
        let mut grads = vec!["g0".to_string()];
        if s.y {
            grads.push("g1".into());
        }
        if s.a {
            grads.push("ga".into());
        }
        writeln!(out, "        grad: |v| {{").unwrap();
        if grads.len() == 1 {
            writeln!(out, "            {name}_grad({args})").unwrap();
        } else {
            writeln!(
                out,
                "            let (f, ({})) = {name}_grad({args});",
                grads.join(", ")
            )
            .unwrap();
            writeln!(out, "            let mut g = g0;").unwrap();
            if s.y {
                writeln!(out, "            g.extend(g1);").unwrap();
            }
            if s.a {
                writeln!(out, "            g.push(ga);").unwrap();
            }
            writeln!(out, "            (f, g)").unwrap();
        }
        writeln!(out, "        }},").unwrap();
        // vjp: split the flat shadow into the slices' shadows, add the scalar's gradient
        writeln!(out, "        vjp: |v, bar, seed| {{").unwrap();
        let mut vargs = vec![format!("&v[..{l}]"), "b0".to_string()];
        let rest = if s.y || s.a { "bar" } else { "_" };
        writeln!(out, "            let (b0, {rest}) = bar.split_at_mut({l});").unwrap();
        if s.y {
            let rest = if s.a { "bar" } else { "_" };
            writeln!(out, "            let (b1, {rest}) = bar.split_at_mut({l});").unwrap();
            vargs.push(format!("&v[{l}..{}]", 2 * l));
            vargs.push("b1".into());
        }
        if let Some(n) = s.n {
            vargs.push(n.to_string());
        }
        if s.a {
            vargs.push(format!("v[{}]", arity - 1));
        }
        vargs.push("seed".into());
        if s.a {
            writeln!(
                out,
                "            bar[0] += {name}_vjp({});",
                vargs.join(", ")
            )
            .unwrap();
        } else {
            writeln!(out, "            {name}_vjp({});", vargs.join(", ")).unwrap();
        }
        writeln!(out, "        }},").unwrap();
        writeln!(out, "    }},").unwrap();
    }
}

const HELPERS: &str = "\
/// Called by the programs: the dot product of `x` and the first `x.len()` elements of `y`.
#[differentiable]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

/// Called by the programs: `out[i] = k x[i]` for `i < d` (a `&mut` workspace).
#[differentiable]
pub fn scale_into(d: usize, k: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] = k * x[i];
    }
}

/// Called by the programs: `out[i] += sin x[i]` for `i < d` (reads the workspace too).
#[differentiable]
pub fn accumulate_sin(d: usize, x: &[f64], out: &mut [f64]) {
    for i in 0..d {
        out[i] += x[i].sin();
    }
}

";

/// The whole text of `array_programs.rs`.
pub fn source() -> String {
    let mut gen = Gen {
        rng: Rng(SEED),
        shape: Shape {
            len: 3,
            n: None,
            y: false,
            a: false,
            v: false,
            w: false,
            t: None,
            r: false,
            t_off: 1,
        },
        loops: Vec::new(),
        lets: Vec::new(),
        next_let: 0,
        closure: None,
        closure_var: 'u',
    };
    let programs: Vec<Program> = (0..COUNT)
        .map(|i| {
            gen.next_let = 0;
            gen.program(i)
        })
        .collect();
    let mut out = String::new();
    writeln!(
        out,
        "//! @generated by `tests/property/array_generator.rs` from seed {SEED:#018x}: do not edit."
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
        "//! Each `apNN` is a random program over slices in `#[differentiable]`'s language."
    )
    .unwrap();
    writeln!(
        out,
        "#![allow(clippy::needless_range_loop, clippy::manual_memcpy, clippy::map_identity, unused_mut, unused_variables, unused_assignments, unused_parens, clippy::if_same_then_else)]"
    )
    .unwrap();
    writeln!(out, "use dezero::differentiable;").unwrap();
    writeln!(out).unwrap();
    writeln!(out, "use super::ArrayProgram;").unwrap();
    writeln!(out).unwrap();
    out.push_str(HELPERS);
    for p in &programs {
        p.write(&mut out);
    }
    writeln!(
        out,
        "/// Every program, with adapters from a flat `&[f64]` input (`x`, then `y`, then `a`)."
    )
    .unwrap();
    writeln!(out, "pub static ARRAY_PROGRAMS: &[ArrayProgram] = &[").unwrap();
    for p in &programs {
        p.write_entry(&mut out);
    }
    writeln!(out, "];").unwrap();
    out
}
