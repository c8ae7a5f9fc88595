//! The macro never panics: expansion over generated malformed and unsupported inputs.
//!
//! Inputs are generated from valid functions by truncating their token streams, deleting,
//! duplicating and replacing single tokens, swapping neighbours, and inserting unsupported
//! statements (alone and in pairs) into their bodies. Each must expand, without panicking, to
//! tokens that parse as Rust items (`compile_error!`s or a valid expansion).

use crate::expand;
use proc_macro2::TokenStream;
use std::panic::{catch_unwind, AssertUnwindSafe};

const VALID: &[&str] = &[
    "fn sphere(x: f64, y: f64) -> f64 { x * x + y * y }",
    "fn f(x: f64, n: usize) -> f64 { let mut y = 0.0; for i in 0..n { y += x * i as f64; } y }",
    "fn g(x: f64) -> f64 { if x < 0.0 { return -x; } let mut y = x.exp(); y *= 2.0; y }",
    "fn h(a: f32, b: f32) -> (f32, f32) { let (u, v) = polar(a, b); (u.max(v), a.powi(2)) }",
    "fn k(x: f64, flag: bool) -> f64 { let z = if flag { x.sin() } else if x > 1.0 { x.ln() } else { 1.0 }; f64::sqrt(z * z + 1.0) }",
    "fn m(x: f64) -> f64 { let mut s = x; for i in 1..=3 { for _ in 0..2 { s = s * x + 1.0; } if s > 9.0 { s /= i as f64; } } s }",
    "fn r#type(r#in: f64, r#loop: usize) -> f64 { let mut r#fn = r#in; for r#for in 0..r#loop { r#fn += r#type(r#fn, 1) * r#for as f64; } if r#fn > 1.0 { return r#fn.r#exp(); } r#fn }",
    "fn r#x(r#y: f64, r#z: f64) -> (f64, f64) { let (r#a, r#ref) = r#pair(r#y); let r#b = if r#a > r#z { r#a } else { y }; (r#b * r#ref, r#z * y) }",
    "fn lse(x: &[f64]) -> f64 { let mut mx = f64::NEG_INFINITY; for i in 0..x.len() { if mx < x[i] { mx = x[i]; } } x.iter().map(|v| (v - mx).exp()).sum::<f64>().ln() + mx }",
    "fn q(d: usize, l: &[f64; 4], x: &[f64], out: &mut [f64]) { let mut w = [0.0; 3]; let t = &x[1..]; for i in 0..d { w[i % 3] += t[i] * l[i]; out[i] = w[i % 3].sin(); } sub(d, &x[..], &l[1..], &mut out[..]); }",
];

const REPLACEMENTS: &[&str] = &[
    "while",
    "loop",
    "&",
    "mut",
    "unsafe",
    "return",
    "as",
    "i32",
    "|",
    "..",
    "?",
    "!",
    "{",
    "}",
    "(",
    ")",
    "match",
    "_",
    "1",
    "x",
    ";",
    ",",
    "=",
    "+=",
    "%",
    "self",
    "fn",
    "let",
    "for",
    "in",
    "if",
    "else",
    "f64",
    "(f64, f64)",
    "println!(\"{}\", x)",
    "[0]",
    "9223372036854775807",
    "18446744073709551615",
    "-9223372036854775808",
    ".foo()",
    ".0",
    "break",
    "continue",
    "async",
    "'a",
    "<T>",
    "::",
    "r#type",
    "r#x",
    "r#fn",
    "r#y_bar",
];

const UNSUPPORTED: &[&str] = &[
    "while x < 1.0 { }",
    "loop { break; }",
    "let c = |t: f64| t * 2.0;",
    "let r = &mut x;",
    "println!(\"{}\", x);",
    "unsafe { x }",
    "let n = x as i32;",
    "let q = unknown(x);",
    "let q = x.frobnicate();",
    "let q = match x { _ => x };",
    "let q = [x, x][0];",
    "let (a, b) = (x, x);",
    "let q;",
    "let Some(q) = None else { return 0.0; };",
    "fn inner() {}",
    "return;",
    "x %= 2.0;",
    "let q = x % 2.0;",
    "for i in v { }",
    "for (a, b) in 0..2 { }",
    "x = return 1.0;",
    "let q = if x > 0.0 { 1.0 };",
    "let q = (x, x);",
    "let q = x.powi(x);",
    "let q = x.max();",
    "let q = f64::nope(x);",
    "let q = async { x };",
    "let q = s.field;",
    "let q = 0..3;",
];

fn expand_ok(attr: TokenStream, item: TokenStream) -> Result<(), String> {
    let src = item.to_string();
    let out = catch_unwind(AssertUnwindSafe(|| expand::differentiable(attr, item)))
        .map_err(|_| format!("panicked on: {src}"))?;
    syn::parse2::<syn::File>(out.clone())
        .map(|_| ())
        .map_err(|e| format!("unparsable output ({e}) for: {src}\n{out}"))
}

fn tokens(src: &str) -> Option<TokenStream> {
    src.parse().ok()
}

/// Every generated variant of one valid function (as source strings of whitespace-split tokens).
fn variants(valid: &str) -> Vec<String> {
    let Some(ts) = tokens(valid) else {
        return Vec::new();
    };
    let flat = ts.to_string();
    let words: Vec<&str> = flat.split_whitespace().collect();
    let join = |w: &[&str]| w.join(" ");
    let mut out = Vec::new();
    for k in 0..words.len() {
        out.push(join(&words[..k]));
        let mut del = words.clone();
        del.remove(k);
        out.push(join(&del));
        let mut dup = words.clone();
        dup.insert(k, words[k]);
        out.push(join(&dup));
        if k + 1 < words.len() {
            let mut swap = words.clone();
            swap.swap(k, k + 1);
            out.push(join(&swap));
        }
        for r in REPLACEMENTS {
            let mut rep = words.clone();
            rep[k] = r;
            out.push(join(&rep));
        }
    }
    if let Some(open) = valid.find('{') {
        let (head, body) = valid.split_at(open + 1);
        for a in UNSUPPORTED {
            out.push(format!("{head} {a} {body}"));
            for b in UNSUPPORTED {
                out.push(format!("{head} {a} {b} {body}"));
            }
        }
    }
    out
}

/// Expands every generated variant of `VALID[k]` for the `k` of one `half` (0 or 1); returns
/// how many inputs it tried and the failures.
fn fuzz_half(half: usize) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut count = 0;
    for valid in VALID.iter().skip(half).step_by(2) {
        let item = tokens(valid).expect("valid case");
        expand_ok(TokenStream::new(), item.clone()).expect("valid case expands");
        let out = expand::differentiable(TokenStream::new(), item).to_string();
        assert!(!out.contains("compile_error"), "valid case rejected: {out}");
        for v in variants(valid) {
            // Unbalanced delimiters do not tokenize; the compiler never hands those to a macro.
            let Some(item) = tokens(&v) else { continue };
            count += 1;
            if let Err(e) = expand_ok(TokenStream::new(), item) {
                failures.push(e);
            }
        }
    }
    (count, failures)
}

/// The fuzz in two halves, two tests, so that the test harness runs them on two threads.
fn fuzz_check(half: usize) {
    let (count, failures) = fuzz_half(half);
    println!("{count} generated inputs");
    assert!(count > 5_000, "only {count} inputs generated");
    assert!(
        failures.is_empty(),
        "{} failures, first: {}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn never_panics_on_generated_inputs() {
    fuzz_check(0);
}

#[test]
fn never_panics_on_generated_inputs_second_half() {
    fuzz_check(1);
}

#[test]
fn never_panics_on_generated_attributes() {
    let keys = ["grad", "vjp", "dot", "other", "", "grad = a", "1", "r#grad"];
    let values = [
        "= name",
        "= 1",
        "=",
        "",
        "(x)",
        "= a b",
        ", vjp = v",
        "= r#type",
        ", dot",
    ];
    let item = tokens(VALID[0]).expect("valid");
    let mut failures = Vec::new();
    for k in keys {
        for v in values {
            for sep in ["", ",", ", grad = g2"] {
                let Some(attr) = tokens(&format!("{k} {v} {sep}")) else {
                    continue;
                };
                if let Err(e) = expand_ok(attr, item.clone()) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn custom_vjp_never_panics() {
    for valid in VALID {
        for v in variants(valid).into_iter().step_by(7) {
            let Some(item) = tokens(&v) else { continue };
            for attr in ["pullback", "", "1 +", "a::b"] {
                let attr = tokens(attr).expect("attr");
                let r = catch_unwind(AssertUnwindSafe(|| expand::custom_vjp(attr, item.clone())));
                let out = r.unwrap_or_else(|_| panic!("custom_vjp panicked on {v}"));
                assert!(syn::parse2::<syn::File>(out).is_ok(), "unparsable for {v}");
            }
        }
    }
}

#[test]
fn errors_come_with_the_function_and_stubs() {
    let item = tokens("pub fn f(x: f64, y: f64) -> f64 { while x < y { } x }").expect("item");
    let out = expand::differentiable(TokenStream::new(), item).to_string();
    assert!(out.contains("compile_error"), "{out}");
    assert!(
        out.contains("while"),
        "the message names the construct: {out}"
    );
    assert!(out.contains("pub fn f_grad"), "{out}");
    assert!(out.contains("pub fn f_vjp"), "{out}");
}

#[test]
fn literal_bounds_and_exponents_at_the_integer_limits() {
    // Loop counts and `k - 1` of a literal exponent overflow i64 here: checked, never a panic.
    let cases = [
        "fn f(x: f64) -> f64 { let mut s = x; for i in 0..=9223372036854775807 { s += x * i as f64; } s }",
        "fn f(x: f64, y: f64) -> f64 { let mut s = x; for _ in 0..=9223372036854775807 { s *= y; } s }",
        "fn f(x: f64, y: f64) -> f64 { let mut s = x; for _ in 1..18446744073709551615 { s *= y; } s }",
        "fn f(x: f64) -> f64 { x.powi(-9223372036854775808) }",
        "fn f(x: f64, y: f64) -> f64 { x.powi(9223372036854775807) * y }",
    ];
    for src in cases {
        let item = tokens(src).expect("item");
        expand_ok(TokenStream::new(), item).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The property test's generated programs (`tests/property/programs.rs`): 120+ more varied
/// valid functions (calls, tuple calls, loops over a parameter, early returns) as seeds.
const PROPERTY_PROGRAMS: &str = include_str!("../../tests/property/programs.rs");

fn property_programs() -> Vec<TokenStream> {
    let file = syn::parse_file(PROPERTY_PROGRAMS).expect("programs.rs parses");
    file.items
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Fn(mut f) if f.attrs.iter().any(|a| a.path().is_ident("differentiable")) => {
                f.attrs.clear();
                Some(quote::ToTokens::into_token_stream(f))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn property_programs_expand_and_their_mutations_never_panic() {
    let programs = property_programs();
    assert!(programs.len() > 100, "{} programs", programs.len());
    let mut failures = Vec::new();
    let mut count = 0;
    for (k, item) in programs.iter().enumerate() {
        let out = expand::differentiable(TokenStream::new(), item.clone()).to_string();
        assert!(
            !out.contains("compile_error"),
            "valid program rejected: {out}"
        );
        // Truncations and single-token deletions, sampled (a different offset per program).
        let flat = item.to_string();
        let words: Vec<&str> = flat.split_whitespace().collect();
        for i in (k % 5..words.len()).step_by(5) {
            let mut del = words.clone();
            del.remove(i);
            for v in [words[..i].join(" "), del.join(" ")] {
                let Some(item) = tokens(&v) else { continue };
                count += 1;
                if let Err(e) = expand_ok(TokenStream::new(), item) {
                    failures.push(e);
                }
            }
        }
    }
    println!("{count} mutated property programs");
    assert!(
        failures.is_empty(),
        "{} failures, first: {}",
        failures.len(),
        failures[0]
    );
}
