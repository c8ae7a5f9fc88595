//! dezero-macros: `#[differentiable]`, compile-time reverse-mode automatic differentiation.
use proc_macro::TokenStream;

mod ast;
mod custom;
mod emit;
mod errors;
mod expand;
mod ir;
mod names;
mod reverse;
mod validate;

#[cfg(test)]
mod snapshots;

#[cfg(test)]
mod no_panic;

/// Generates the gradient and pullback of a float function at compile time.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(attr.into(), item.into()).into()
}

/// Attaches a hand-written pullback to a function.
#[proc_macro_attribute]
pub fn custom_vjp(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::custom_vjp(attr.into(), item.into()).into()
}
