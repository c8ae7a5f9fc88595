// Every annotation on a `let` keeps its type in the generated code: a typed accumulator carried
// through a loop (reverse mode with a tape, forward mode), `f32`, typed values of `if`s and
// blocks, literals assigned to typed variables in branches and loops, integer and `bool` types.
// Without it `s.sin()` on `let mut s: f64 = 1.0` is "ambiguous numeric type" (E0689).
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn reverse(x: f64, y: f64, n: usize) -> f64 {
    let mut s: f64 = 1.0;
    for _ in 0..n {
        s = s.sin() * x + y;
    }
    s
}

#[differentiable]
fn forward(x: f64, n: usize) -> f64 {
    let mut s: f64 = 1.0;
    for _ in 0..n {
        s = s.sin() * x;
    }
    s
}

#[differentiable]
fn single(x: f32, y: f32, n: usize) -> f32 {
    let mut s: f32 = 0.5;
    let t: f32 = 2.0;
    for _ in 0..n {
        s = s.cos() * x + t.sqrt() * y;
    }
    s
}

#[differentiable]
#[allow(unused_assignments)]
fn branches(x: f64, y: f64, n: usize) -> f64 {
    let a: f64 = if x > y { 1.0 } else { 2.0 };
    let mut b: f64 = 0.0;
    if x > 0.0 {
        b = 3.0;
    } else {
        b = 4.0;
    }
    let c: f64 = {
        let t: f64 = 0.5;
        t.exp()
    };
    let mut acc: f64 = x;
    let mut k: u64 = 1;
    let mut flip: bool = false;
    for i in 0..n {
        let mut s: f64 = 0.0;
        if i % 2 == 0 {
            s = 1.0;
        } else {
            s = 2.0;
        }
        acc += s.sin() * y;
        k *= 3;
        flip = !flip;
    }
    let sign: f64 = if flip { -1.0 } else { 1.0 };
    a.sin() * x + b.ln() * y + c * acc + (k as f64).ln() * sign
}

pub fn main() {
    // s_1 = sin(1) x + y at (x, y) = (2, 0.5): ds/dx = sin 1, ds/dy = 1
    let (v, (dx, dy)) = reverse_grad(2.0, 0.5, 1);
    assert_eq!((v, dx, dy), (1f64.sin() * 2.0 + 0.5, 1f64.sin(), 1.0));
    assert_eq!(reverse_vjp(2.0, 0.5, 1, 2.0), (2.0 * dx, 2.0));
    // s_1 = sin(1) x: ds/dx = sin 1
    assert_eq!(forward_grad(2.0, 1), (1f64.sin() * 2.0, 1f64.sin()));
    assert_eq!(forward_vjp(2.0, 1, 3.0), 3.0 * 1f64.sin());
    // s = 0.5 after no iteration: a constant
    assert_eq!(single_grad(1.0, 1.0, 0), (0.5, (0.0, 0.0)));
    // n = 0: f = sin(2) x + ln(4) y + e^0.5 x at (-1, 1): df/dx = sin 2 + e^0.5, df/dy = ln 4
    let (_, (dx, dy)) = branches_grad(-1.0, 1.0, 0);
    assert_eq!((dx, dy), (2f64.sin() + 0.5f64.exp(), 4f64.ln()));
    let _ = branches_vjp(1.0, 2.0, 3, 1.0);
    let _ = (reverse(1.0, 1.0, 1), forward(1.0, 1), single(1.0, 1.0, 1), branches(1.0, 1.0, 1));
}
