//! The expansion at scale, on a thread with rustc's stack (8 MiB; syn and the macro are
//! unoptimized there, as proc macros are built by default): a body of one long expression,
//! thousands of `let`s, parentheses nested thousands deep, and past the nesting limits one
//! clean error instead of a crash. Timing is in the workspace's `benches/expand.rs`.

use crate::bodies;
use crate::tree::parse::{MAX_DEPTH, MAX_UNSPLIT};
use proc_macro2::TokenStream;

/// The expansion of `src`, run on an 8 MiB thread, as text.
fn expand_on_rustc_stack(src: String) -> String {
    let run = move || {
        let item: TokenStream = src.parse().expect("tokens");
        crate::expand::differentiable(TokenStream::new(), item).to_string()
    };
    let thread = std::thread::Builder::new().stack_size(8 << 20);
    thread.spawn(run).expect("thread").join().expect("expands")
}

/// The items of an expansion. Parsed on a large stack: rustc parses the user's function
/// (emitted unchanged) with a stack that grows, syn's parser needs one here.
fn items(out: String) -> Vec<String> {
    let parse = move || {
        let file = syn::parse_file(&out).expect("the expansion parses");
        let names = file
            .items
            .iter()
            .map(|i| match i {
                syn::Item::Fn(f) => f.sig.ident.to_string(),
                _ => "?".to_string(),
            })
            .collect();
        for item in file.items {
            crate::tree::drop::drop_item(item);
        }
        names
    };
    let thread = std::thread::Builder::new().stack_size(256 << 20);
    thread.spawn(parse).expect("thread").join().expect("parses")
}

/// Expands `src` (a function named `name`) on rustc's stack and checks it is the function and
/// its generated companions, without errors.
fn expands(src: String, name: &str) {
    expands_to(src, name, &["_grad", "_vjp", "_op"]);
}

/// [`expands`] for a function over slices, which also gets the halves of its pullback and
/// the `wrt` flags its callers check.
fn expands_over_slices(src: String, name: &str) {
    let companions = ["_grad", "_vjp", "_vjp_fwd", "_vjp_rev", "_vjp_wrt", "_op"];
    expands_to(src, name, &companions);
}

fn expands_to(src: String, name: &str, companions: &[&str]) {
    let out = expand_on_rustc_stack(src);
    assert!(
        !out.contains("compile_error"),
        "{}",
        &out[..out.len().min(600)]
    );
    let mut want = vec![name.to_string()];
    want.extend(companions.iter().map(|c| format!("{name}{c}")));
    assert_eq!(items(out), want);
}

/// The errors of an expansion of `src` on rustc's stack.
fn errors(src: String) -> Vec<String> {
    let out = expand_on_rustc_stack(src);
    let mut msgs = Vec::new();
    let mut rest = out.as_str();
    while let Some(at) = rest.find("compile_error ! {") {
        rest = &rest[at..];
        let start = rest.find('"').expect("a message") + 1;
        let end = start + rest[start..].find('"').expect("its end");
        msgs.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    msgs
}

#[test]
fn a_sum_of_2500_products_expands() {
    // 5,000 operations in one expression: syn's tree is 2,500 levels deep.
    expands(bodies::chain(5_000), "chain");
}

#[test]
fn a_sum_of_10000_products_expands() {
    expands(bodies::chain(20_000), "chain");
}

#[test]
fn thousands_of_lets_expand() {
    expands(bodies::lets(5_000), "lets");
}

#[test]
fn parentheses_500_deep_expand() {
    // syn alone parses 490 levels on this stack; the macro parses deep items in pieces.
    expands(bodies::nested(500), "nested");
}

#[test]
fn parentheses_up_to_the_limit_expand() {
    // The body's braces are one level: `MAX_DEPTH - 1` parentheses are the deepest accepted.
    expands(bodies::nested(MAX_DEPTH - 1), "nested");
}

#[test]
fn past_the_limit_one_error_not_a_crash() {
    let msg = crate::errors::nested_too_deep(MAX_DEPTH);
    assert_eq!(
        errors(bodies::nested(MAX_DEPTH)),
        std::slice::from_ref(&msg)
    );
    assert_eq!(errors(bodies::nested(4 * MAX_DEPTH)), [msg]);
    // Blocks and `if`s are not cut into pieces: their limit is lower.
    let mut ifs = String::from("fn f(x: f64) -> f64 { ");
    ifs += &"if x > 0.5 { 2.0 * ".repeat(MAX_UNSPLIT);
    ifs += "x";
    ifs += &" } else { x }".repeat(MAX_UNSPLIT);
    ifs += " }";
    let msg = crate::errors::nested_too_deep(MAX_UNSPLIT);
    assert_eq!(errors(ifs), std::slice::from_ref(&msg));
    let mut elifs = String::from("fn f(x: f64) -> f64 { if x < 0.0 { x } ");
    for k in 0..2 * MAX_UNSPLIT {
        elifs += &format!("else if x < {k}.5 {{ x * {k}.0 }} ");
    }
    elifs += "else { x } }";
    assert_eq!(errors(elifs), [msg]);
}

#[test]
fn nesting_just_inside_the_limits_expands() {
    let depth = MAX_UNSPLIT - 2;
    let mut ifs = String::from("fn f(x: f64) -> f64 { ");
    ifs += &"if x > 0.5 { 2.0 * ".repeat(depth);
    ifs += "x";
    ifs += &" } else { x }".repeat(depth);
    ifs += " }";
    expands(ifs, "f");
}

#[test]
fn an_error_in_a_deep_body_is_reported_not_a_crash() {
    // The wrong number of results, spanned over a 3,000-level expression.
    let deep = bodies::nested(3_000).replace("-> f64", "-> (f64, f64)");
    assert_eq!(errors(deep), [crate::errors::output_count(2, 1)]);
}

#[test]
fn long_body_file_is_current() {
    expect_test::expect_file!["../../tests/long_body.rs"].assert_eq(&bodies::long_body_file());
}

/// A function over a slice whose body is one sum of `ops / 2` products of its elements.
fn slice_chain(ops: usize) -> String {
    let terms: Vec<String> = (0..ops / 2)
        .map(|k| format!("x[{}] * {}.5", k % 4, k % 7))
        .collect();
    format!("fn chain(x: &[f64]) -> f64 {{ {} }}", terms.join(" + "))
}

#[test]
fn a_sum_over_a_slice_of_2500_products_expands() {
    expands_over_slices(slice_chain(5_000), "chain");
}

#[test]
fn a_sum_over_a_slice_of_10000_products_expands() {
    expands_over_slices(slice_chain(20_000), "chain");
}
