//! The pipeline: parse, check, lower, differentiate, emit; on error, `compile_error!`s plus stubs.

use crate::ast::{self, Function};
use crate::errors::{self, Errors};
use crate::{dot, emit, ir, names, op, reverse, source, tree};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[differentiable]`: the user's function, `<fn>_grad` and `<fn>_vjp`.
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let parsed: syn::ItemFn = match crate::expand::parse_fn(item.clone()) {
        Ok(f) => f,
        Err(tokens) => return tokens,
    };
    let out = if crate::arrays::applies(&parsed) {
        // Slices, arrays and `&mut` buffers: the place-based path (see `arrays`).
        match crate::arrays::expand(attr, &parsed, &item) {
            Ok(tokens) => tokens,
            Err(e) => {
                let errs = e.to_compile_error();
                quote!(#errs #item)
            }
        }
    } else {
        match try_expand(attr.clone(), &parsed, &item) {
            Ok(tokens) => tokens,
            Err(e) => fallback(&attr, &parsed, &item, e),
        }
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
    // Read from the source file only when a call or `<fn>_op` needs it.
    let around = (primal.body.calls() || func.opts.op.is_some())
        .then(|| source::of(item, "differentiable"))
        .flatten();
    if let Some(around) = &around {
        source::check_calls(&primal, around)?;
    }
    let adjoint = reverse::adjoint(&primal)?;
    let expansion = emit::expansion(&func, &primal, &adjoint);
    // Companions (issue 5): `<fn>_op` (fused runtime node), `<fn>_dot` (static graph).
    let in_impl = around.is_some_and(|a| a.in_impl);
    let op = op::companion(&func, &func.opts.vjp, "#[differentiable]", in_impl);
    let dot = dot::companion(&func, &primal, &adjoint);
    Ok(quote!(#tokens #expansion #op #dot))
}

/// The errors, the user's function and, if the signature parsed, `unreachable!()` stubs of
/// the generated functions, so callers see one error rather than a cascade. The function is
/// printed as its tokens came, unless a second attribute of ours is removed from it or
/// [`quieted`] fixes a reported mistake in it.
fn fallback(
    attr: &TokenStream,
    item: &syn::ItemFn,
    tokens: &TokenStream,
    e: syn::Error,
) -> TokenStream {
    let errs = e.to_compile_error();
    let mut scratch = Errors::default();
    // A method (`&self`, rejected) gets method stubs: `s.f_grad(x)` must not error again.
    let mut bare = item.sig.clone();
    let receiver = bare.receiver().cloned();
    bare.inputs = (bare.inputs.into_iter())
        .filter(|a| !matches!(a, syn::FnArg::Receiver(_)))
        .collect();
    let sig = ast::signature(&bare, &mut scratch);
    let receiver = receiver.map(|r| quote!(#r,));
    let fixed = (sig.as_ref())
        .and_then(|(_, float, outputs)| quieted(item, &e, &errors::result_ty(*float, *outputs)));
    let fixed = match fixed {
        Some(mut f) => {
            f.attrs.retain(|a| !ast::is_ours(a));
            Some(f)
        }
        None if item.attrs.iter().any(ast::is_ours) => Some(ast::without_ours(item)),
        None => None,
    };
    let stubs = match (ast::parse_options(attr.clone(), &item.sig.ident), sig) {
        (Ok(opts), Some((params, float, outputs))) => {
            let op = op::stub(item, opts.op.as_ref(), &receiver, &params, float, outputs); // companion stubs (issue 5)
            let dot = dot::stub(item, opts.dot);
            let stubs = stubs(item, &opts, &receiver, &params, float.tokens(), outputs);
            quote!(#stubs #op #dot)
        }
        _ => quote!(),
    };
    let out = match &fixed {
        Some(f) => quote!(#errs #f #stubs),
        None => quote!(#errs #tokens #stubs),
    };
    if let Some(f) = fixed {
        tree::drop::drop_fn(f);
    }
    out
}

/// The user's function with the mistakes `e` reports made well-typed, so rustc does not report
/// them a second time in its own words: `return;` becomes `return Default::default();`, a body
/// without a result gets one, a `;` after the result is dropped, `f64::from(i)` reads
/// `(i) as f64`. The function never runs: the errors stop the build. `None` when `e` reports
/// none of these (the function is then emitted as its tokens came, and not walked or cloned).
fn quieted(item: &syn::ItemFn, e: &syn::Error, ty: &str) -> Option<syn::ItemFn> {
    let messages: Vec<String> = e.clone().into_iter().map(|e| e.to_string()).collect();
    let reported = |msg: String| messages.contains(&msg);
    let from = errors::float_from("", "");
    let from = &from[..from.find("; write").unwrap_or(from.len())];
    let returns = reported(errors::return_without_value(ty));
    let froms = messages.iter().any(|m| m.starts_with(from));
    let missing = reported(errors::missing_result(ty));
    let semicolon = reported(errors::result_semicolon());
    if !(returns || froms || missing || semicolon) {
        return None;
    }
    let original = item;
    let mut item = item.clone();
    let default: syn::Expr = syn::parse_quote!(::core::default::Default::default());
    if returns {
        struct Returns<'d>(&'d syn::Expr);
        impl syn::visit_mut::VisitMut for Returns<'_> {
            fn visit_expr_return_mut(&mut self, r: &mut syn::ExprReturn) {
                if r.expr.is_none() {
                    r.expr = Some(Box::new(self.0.clone()));
                }
            }
            // A closure's or a nested item's `return;` is not the function's.
            fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
            fn visit_item_mut(&mut self, _: &mut syn::Item) {}
        }
        syn::visit_mut::VisitMut::visit_block_mut(&mut Returns(&default), &mut item.block);
    }
    if froms {
        // `f64::from(i)` is always reported (write `i as f64`); rustc would add its own error
        // where `From` is not implemented (`usize`).
        struct Froms;
        impl syn::visit_mut::VisitMut for Froms {
            fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
                syn::visit_mut::visit_expr_mut(self, e);
                if let syn::Expr::Call(c) = e {
                    if let (syn::Expr::Path(p), 1) = (&*c.func, c.args.len()) {
                        let segs: Vec<String> = p
                            .path
                            .segments
                            .iter()
                            .map(|s| s.ident.to_string())
                            .collect();
                        if let [float, from] = segs.as_slice() {
                            if (float == "f64" || float == "f32") && from == "from" {
                                let (arg, ty) = (&c.args[0], &p.path.segments[0].ident);
                                *e = syn::parse_quote!((#arg) as #ty);
                            }
                        }
                    }
                }
            }
        }
        syn::visit_mut::VisitMut::visit_block_mut(&mut Froms, &mut item.block);
    }
    let stmts = &mut item.block.stmts;
    if missing {
        stmts.push(syn::Stmt::Expr(default, None));
    } else if semicolon {
        if let Some(syn::Stmt::Expr(_, semi)) = stmts.last_mut() {
            *semi = None;
        }
    }
    if item.block != original.block {
        // The values the result would have used are now unused.
        item.attrs
            .push(syn::parse_quote!(#[allow(unused_variables)]));
    }
    Some(item)
}

fn stubs(
    item: &syn::ItemFn,
    opts: &ast::Options,
    receiver: &Option<TokenStream>,
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
    let allow =
        quote!(#[allow(unused_variables, unused_mut, dead_code, clippy::too_many_arguments)]);
    let grad_fn = (outputs == 1).then(|| {
        quote! {
            #[doc(hidden)]
            #allow
            #vis fn #grad #generics (#receiver #(#ps),*) -> (#float, #grads) { unreachable!() }
        }
    });
    quote! {
        #grad_fn
        #[doc(hidden)]
        #allow
        #vis fn #vjp #generics (#receiver #(#ps2,)* #(#seeds: #float),*) -> #grads { unreachable!() }
    }
}

/// `#[custom_vjp(pullback)]`: the user's function plus `<fn>_vjp` forwarding to `pullback`
/// and `<fn>_grad`.
pub fn custom_vjp(attr: TokenStream, item: TokenStream) -> TokenStream {
    crate::custom::expand(attr, item)
}
