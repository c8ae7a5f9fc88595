//! `#[differentiable]` over slices, arrays and `&mut` buffers.
//!
//! A function with a slice or array parameter takes this path: its signature is read by
//! [`sig`], its body lowered into the place-based IR of [`ir`] by [`lower`], and [`emit`]
//! prints `<fn>_grad` and `<fn>_vjp`. The derivative of every primitive comes from the one
//! table, `crate::primitives::partials`, as in the scalar path. Before printing, [`plan`]
//! decides what the tape saves and [`reuse`] which values the reverse sweep takes from
//! variables instead of computing them again.
//!
//! The generated API (Enzyme's `Duplicated` convention):
//! - `f_vjp(params.., seed)`: after each float slice parameter `x` comes its shadow
//!   `x_bar: &mut [F]`, into which the gradient is ADDED; for a `&mut` buffer the shadow is
//!   also the seed (the adjoint of its final contents) and holds the adjoint of its initial
//!   contents on return. The float scalar parameters' gradients are returned (0 for those
//!   outside `wrt`). What a `&mut` buffer holds on return is unspecified: `_vjp` leaves out
//!   the forward code of results nothing reads, and undoes the writes its reverse sweep must
//!   see through. Call `f` for the results. The shadow of a constant slice (outside `wrt`)
//!   is scratch space, so that every caller passes the same arguments: helpers called on it
//!   add into it, and what it holds on return is unspecified.
//! - `f_grad(params..) -> (F, grads)` for a function returning a float: the gradients of the
//!   `wrt` parameters, `Vec<F>` for slices, `[F; N]` for arrays, `F` for scalars.

mod emit;
mod hoist;
pub mod ir;
mod lower;
mod op;
mod plan;
mod reuse;
pub mod sig;
mod split;

use proc_macro2::TokenStream;
use quote::quote;

/// Whether the function has a slice, array or reference parameter.
pub fn applies(item: &syn::ItemFn) -> bool {
    item.sig.inputs.iter().any(|a| match a {
        syn::FnArg::Typed(t) => sig::is_array_type(&t.ty),
        syn::FnArg::Receiver(_) => false,
    })
}

/// After an error, the function with its body replaced by `unreachable!()`: the error stops
/// the build, and rustc does not report the same mistake again in its own words (`x * 2.0`
/// on a slice, an `if` value without `else`) or warn about what the body no longer uses.
fn quieted(item: &syn::ItemFn) -> TokenStream {
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    quote! {
        #(#attrs)*
        #[allow(unused_variables, unused_mut, unreachable_code)]
        #vis #sig { ::core::unreachable!() }
    }
}

/// The user's function (as its tokens came), `<fn>_grad` and `<fn>_vjp`.
pub fn expand(
    attr: TokenStream,
    item: &syn::ItemFn,
    tokens: &TokenStream,
) -> syn::Result<TokenStream> {
    let sig = match sig::read(attr, &item.sig) {
        Ok(sig) => sig,
        Err(e) => {
            let (errs, quiet) = (e.to_compile_error(), quieted(item));
            return Ok(quote!(#errs #quiet));
        }
    };
    let mut f = match lower::lower(&sig, item) {
        Ok(f) => f,
        Err(e) => {
            // the error, the function, and stubs so that callers see no second error
            let (errs, quiet, stubs) =
                (e.to_compile_error(), quieted(item), emit::stubs(&sig, item));
            return Ok(quote!(#errs #quiet #stubs));
        }
    };
    plan::plan(&mut f);
    let generated = emit::expansion(&sig, &f, item);
    let op = op::companion(&sig, item);
    Ok(quote!(#tokens #generated #op))
}
