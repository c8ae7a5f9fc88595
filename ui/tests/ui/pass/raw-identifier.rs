// Raw identifiers (`r#type`, `r#x`) work as function names, parameters, locals, loop variables
// and callees; the generated names drop the `r#` (`type_grad`, `type_vjp`). No warnings.
#![deny(warnings)]
use dezero::differentiable;

// f(t) = t^2: f'(t) = 2t.
#[differentiable]
fn f(r#type: f64) -> f64 {
    r#type * r#type
}

// A keyword-named function with a keyword-named parameter and locals, including a
// reassigned `let mut` (SSA versions `r#fn_1` would be `fn_1`) and a compound assignment.
// g(a) = (a + 1) * a * 2 + a: g'(a) = 4a + 2 + 1.
#[differentiable]
fn r#type(r#in: f64) -> f64 {
    let r#fn = r#in + 1.0;
    let mut r#let = r#fn * r#in;
    r#let *= 2.0;
    r#let += r#in;
    r#let
}

// A raw non-keyword name is the same identifier as the bare name.
#[differentiable]
fn r#plain(r#x: f64) -> f64 {
    x.r#exp() + r#x
}

// Loops, branches and calls to a raw-named annotated function.
// h(x) = sum_{i=0..2} type(x) + (x if x > 0 else -x) = 3 (2x^2 + 3x) + |x|.
#[differentiable]
fn h(r#match: f64, r#loop: usize) -> f64 {
    let mut r#acc = 0.0;
    for r#for in 0..r#loop {
        let r#else = r#type(r#match);
        r#acc += r#else + (r#for as f64) * 0.0;
    }
    let r#if = if r#match > 0.0 { r#match } else { -r#match };
    r#acc + r#if
}

// Tuple results bound to raw names.
#[differentiable]
fn pair(r#x: f64) -> (f64, f64) {
    (r#x * 2.0, r#x * r#x)
}

#[differentiable]
fn use_pair(r#y: f64) -> f64 {
    let (r#ref, r#mut) = pair(r#y);
    r#ref + r#mut
}

pub fn main() {
    assert_eq!(f_grad(3.0), (9.0, 6.0));
    // type(2) = 2 * (3 * 2) + 2 = 14, type'(2) = 4 * 2 + 3 = 11.
    assert_eq!(r#type(2.0), 14.0);
    assert_eq!(type_grad(2.0), (14.0, 11.0));
    assert_eq!(type_vjp(2.0, 0.5), 5.5);
    // plain(x) = e^x + x: plain'(0) = 2.
    assert_eq!(plain_grad(0.0), (1.0, 2.0));
    // h(2, 3) = 3 * 14 + 2 = 44, h'(2) = 3 * 11 + 1 = 34; at x = -1: 3 * (2 - 3) + 1, 3 * (-1) - 1.
    assert_eq!(h_grad(2.0, 3), (44.0, 34.0));
    assert_eq!(h_grad(-1.0, 3), (-2.0, -4.0));
    // use_pair(y) = 2y + y^2: at 3, 15 and 2 + 6 = 8.
    assert_eq!(use_pair_grad(3.0), (15.0, 8.0));
}
