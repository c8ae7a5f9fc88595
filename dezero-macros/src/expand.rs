//! The pipeline: parse, check, lower, differentiate, emit; on error, `compile_error!`s plus stubs.

use crate::ast::{self, Function};
use crate::errors::{self, Errors};
use crate::{dot, emit, ir, names, op, reverse, source};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[differentiable]`: the user's function, `<fn>_grad` and `<fn>_vjp`.
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemFn = match crate::expand::parse_fn(item) {
        Ok(f) => f,
        Err(tokens) => return tokens,
    };
    match try_expand(attr.clone(), &item) {
        Ok(tokens) => tokens,
        Err(e) => fallback(&attr, &item, e),
    }
}

/// The annotated `fn`, or what to emit instead: for another item, the error and the item
/// unchanged; for tokens that are not an item at all, syn's parse error alone.
pub fn parse_fn(item: TokenStream) -> Result<syn::ItemFn, TokenStream> {
    match syn::parse2::<syn::Item>(item) {
        Ok(syn::Item::Fn(f)) => Ok(f),
        Ok(other) => {
            let err = syn::Error::new_spanned(&other, errors::not_a_fn()).to_compile_error();
            Err(quote!(#err #other))
        }
        Err(e) => Err(e.to_compile_error()),
    }
}

fn try_expand(attr: TokenStream, item: &syn::ItemFn) -> syn::Result<TokenStream> {
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
    Ok(quote!(#expansion #op #dot))
}

/// The errors, the user's function (unchanged but for [`quieted`]) and, if the signature
/// parsed, `unreachable!()` stubs of the generated functions, so callers see one error rather
/// than a cascade.
fn fallback(attr: &TokenStream, item: &syn::ItemFn, e: syn::Error) -> TokenStream {
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
    let item = &ast::without_ours(item);
    let item = match sig {
        Some((_, float, outputs)) => quieted(item, &e, &errors::result_ty(float, outputs)),
        None => item.clone(),
    };
    let stubs = match (ast::parse_options(attr.clone(), &item.sig.ident), sig) {
        (Ok(opts), Some((params, float, outputs))) => {
            let op = op::stub(&item, opts.op.as_ref(), &receiver, &params, float, outputs); // companion stubs (issue 5)
            let dot = dot::stub(&item, opts.dot);
            let stubs = stubs(&item, &opts, &receiver, &params, float.tokens(), outputs);
            quote!(#stubs #op #dot)
        }
        _ => quote!(),
    };
    quote!(#errs #item #stubs)
}

/// The user's function with the mistakes `e` reports made well-typed, so rustc does not report
/// them a second time in its own words: `return;` becomes `return Default::default();`, a body
/// without a result gets one, a `;` after the result is dropped, `f64::from(i)` reads
/// `(i) as f64`. The function never runs: the errors stop the build.
fn quieted(item: &syn::ItemFn, e: &syn::Error, ty: &str) -> syn::ItemFn {
    let reported = |msg: String| e.clone().into_iter().any(|e| e.to_string() == msg);
    let original = item;
    let mut item = item.clone();
    let default: syn::Expr = syn::parse_quote!(::core::default::Default::default());
    if reported(errors::return_without_value(ty)) {
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
    {
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
    if reported(errors::missing_result(ty)) {
        stmts.push(syn::Stmt::Expr(default, None));
    } else if reported(errors::result_semicolon()) {
        if let Some(syn::Stmt::Expr(_, semi)) = stmts.last_mut() {
            *semi = None;
        }
    }
    if item.block != original.block {
        // The values the result would have used are now unused.
        item.attrs
            .push(syn::parse_quote!(#[allow(unused_variables)]));
    }
    item
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
