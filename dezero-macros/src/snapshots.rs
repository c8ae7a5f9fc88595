//! Snapshot tests of the expansion: `tests/expand/<case>.rs` holds one annotated function,
//! `<case>.expanded.rs` its IR (as `//` lines), with `#[differentiable(dot)]` the DOT text of
//! `<fn>_dot()` (also as `//` lines: the expansion holds it as one long string literal), and
//! the prettyplease-formatted expansion.
//! Refresh with `UPDATE_EXPECT=1 cargo test -p dezero-macros`.

use crate::{ast, dot, expand, ir, reverse};
use proc_macro2::TokenStream;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expand")
}

/// The annotated function of a case file, its attribute's name and arguments.
fn case(name: &str) -> (String, TokenStream, syn::ItemFn) {
    let src = std::fs::read_to_string(dir().join(format!("{name}.rs"))).expect("case file");
    let file: syn::File = syn::parse_file(&src).expect("case parses");
    for item in file.items {
        if let syn::Item::Fn(mut f) = item {
            let pos = f.attrs.iter().position(|a| {
                let last = a.path().segments.last().map(|s| s.ident.to_string());
                matches!(last.as_deref(), Some("differentiable" | "custom_vjp"))
            });
            if let Some(pos) = pos {
                let attr = f.attrs.remove(pos);
                let kind = attr.path().segments.last().map(|s| s.ident.to_string());
                let args = match attr.meta {
                    syn::Meta::List(l) => l.tokens,
                    _ => TokenStream::new(),
                };
                return (kind.unwrap_or_default(), args, f);
            }
        }
    }
    panic!("no annotated function in {name}.rs")
}

fn snapshot(name: &str) {
    let (kind, attr, item) = case(name);
    let item_tokens = quote::quote!(#item);
    let (ir, tokens) = if crate::arrays::applies(&item) {
        (String::new(), expand::differentiable(attr, item_tokens))
    } else if kind == "custom_vjp" {
        (String::new(), expand::custom_vjp(attr, item_tokens))
    } else {
        let func = ast::Function::from_syn(attr.clone(), &item).expect("case is valid");
        let primal = ir::lower(&func).expect("case lowers");
        let mut ir = primal.to_string();
        if func.opts.dot {
            let adjoint = reverse::adjoint(&primal).expect("case differentiates");
            ir += "\n";
            ir += &dot::graph_of(&func, &primal, &adjoint);
        }
        let ir: String = ir.lines().map(|l| format!("// {l}\n")).collect();
        (ir, expand::differentiable(attr, item_tokens))
    };
    let pretty = prettyplease::unparse(&syn::parse2(tokens).expect("expansion parses"));
    let path = dir().join(format!("{name}.expanded.rs"));
    expect_test::expect_file![path].assert_eq(&format!("{ir}\n{pretty}"));
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { snapshot(stringify!($name)); })*
    };
}

cases!(
    sphere,
    matyas,
    goldstein_price,
    square_exp_chain,
    sigmoid_tanh,
    piecewise,
    taylor_sin,
    composition,
    custom_vjp,
    tuple_return,
    single_f32,
    renamed,
    shadowing,
    nested_loops,
    loop_two_inputs,
    loop_param_bound,
    loop_with_call,
    tuple_early_return,
    typed_accumulator,
    dot,
    array_subtract,
    array_log_sum_exp,
    array_qtimesx,
    array_overwrite,
    array_project,
    array_rodrigues,
    array_calls,
);
