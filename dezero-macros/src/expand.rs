//! The pipeline: parse, check, lower, differentiate, emit; on error, `compile_error!`s plus stubs.

use crate::ast::{self, Function};
use crate::errors::{self, Errors};
use crate::{dot, emit, ir, names, op, reverse, tree};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[differentiable]`: the user's function, `<fn>_grad` and `<fn>_vjp`.
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let parsed: syn::ItemFn = match crate::expand::parse_fn(item.clone()) {
        Ok(f) => f,
        Err(tokens) => return tokens,
    };
    let out = match try_expand(attr.clone(), &parsed, &item) {
        Ok(tokens) => tokens,
        Err(e) => fallback(&attr, &parsed, &item, e),
    };
    tree::drop::drop_fn(parsed);
    out
}

/// The annotated `fn`, or what to emit instead: for another item, the error and the item
/// unchanged; for tokens that are not an item at all, syn's parse error alone.
///
/// The item is parsed in pieces where it nests deeply (see [`tree::parse`]); callers emit
/// the user's tokens as they came rather than printing the tree again, and drop it with
/// [`tree::drop::drop_fn`].
pub fn parse_fn(item: TokenStream) -> Result<syn::ItemFn, TokenStream> {
    match tree::parse::item(item.clone()) {
        Ok(syn::Item::Fn(f)) => Ok(f),
        Ok(other) => {
            tree::drop::drop_item(other);
            let err = syn::Error::new_spanned(&item, errors::not_a_fn()).to_compile_error();
            Err(quote!(#err #item))
        }
        Err(e) => Err(e.to_compile_error()),
    }
}

fn try_expand(
    attr: TokenStream,
    item: &syn::ItemFn,
    tokens: &TokenStream,
) -> syn::Result<TokenStream> {
    let func = Function::from_syn(attr, item)?;
    func.validate()?;
    let primal = ir::lower(&func)?;
    let adjoint = reverse::adjoint(&primal)?;
    let expansion = emit::expansion(&func, &primal, &adjoint);
    // Companions (issue 5): `<fn>_op` (fused runtime node), `<fn>_dot` (static graph).
    let op = op::companion(&func, &func.opts.vjp, "#[differentiable]");
    let dot = dot::companion(&func, &primal, &adjoint);
    Ok(quote!(#tokens #expansion #op #dot))
}

/// The errors, the user's function unchanged and, if the signature parsed, `unreachable!()`
/// stubs of the generated functions, so callers see one error rather than a cascade.
fn fallback(
    attr: &TokenStream,
    item: &syn::ItemFn,
    tokens: &TokenStream,
    e: syn::Error,
) -> TokenStream {
    let errs = e.to_compile_error();
    let mut scratch = Errors::default();
    let stubs = match (
        ast::parse_options(attr.clone(), &item.sig.ident),
        ast::signature(&item.sig, &mut scratch),
    ) {
        (Ok(opts), Some((params, float, outputs))) => {
            let op = op::stub(item, opts.op.as_ref(), &params, float, outputs); // companion stubs (issue 5)
            let dot = dot::stub(item, opts.dot);
            let stubs = stubs(item, &opts, &params, float.tokens(), outputs);
            quote!(#stubs #op #dot)
        }
        _ => quote!(),
    };
    quote!(#errs #tokens #stubs)
}

fn stubs(
    item: &syn::ItemFn,
    opts: &ast::Options,
    params: &[ast::Param],
    float: TokenStream,
    outputs: usize,
) -> TokenStream {
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let ps = params.iter().map(|p| {
        let (i, t) = (&p.ident, &p.ty);
        quote!(#i: #t)
    });
    let ps2 = ps.clone();
    let n = params.iter().filter(|p| p.is_float()).count();
    let grads = if n == 1 {
        float.clone()
    } else {
        let each = (0..n).map(|_| float.clone());
        quote!((#(#each),*))
    };
    let (grad, vjp) = (&opts.grad, &opts.vjp);
    let seeds = names::seeds(outputs);
    let allow = quote!(#[allow(unused_variables, dead_code, clippy::too_many_arguments)]);
    let grad_fn = (outputs == 1).then(|| {
        quote! {
            #[doc(hidden)]
            #allow
            #vis fn #grad #generics (#(#ps),*) -> (#float, #grads) { unreachable!() }
        }
    });
    quote! {
        #grad_fn
        #[doc(hidden)]
        #allow
        #vis fn #vjp #generics (#(#ps2,)* #(#seeds: #float),*) -> #grads { unreachable!() }
    }
}

/// `#[custom_vjp(pullback)]`: the user's function plus `<fn>_vjp` forwarding to `pullback`
/// and `<fn>_grad`.
pub fn custom_vjp(attr: TokenStream, item: TokenStream) -> TokenStream {
    crate::custom::expand(attr, item)
}
