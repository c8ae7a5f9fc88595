//! dezero-macros: `#[differentiable]`, compile-time reverse-mode automatic differentiation.
use proc_macro::TokenStream;

/// Placeholder until the macro lands: returns the item unchanged.
#[proc_macro_attribute]
pub fn differentiable(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
