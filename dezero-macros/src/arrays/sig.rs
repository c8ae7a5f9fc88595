//! The signature of an array function: its parameters' kinds, `wrt(..)`, the float type.

use crate::ast::{peel, scalar, FloatTy, Scalar};
use crate::errors::Errors;
use proc_macro2::{Ident, TokenStream};
use quote::ToTokens;

/// What a parameter is.
#[derive(Clone, Debug)]
pub enum Kind {
    Scalar(Scalar),
    /// `&[T]`, `&mut [T]`, `&[T; N]`, `&mut [T; N]`, `[T; N]`, `&Vec<T>`.
    Buf {
        float: bool,
        mutable: bool,
        /// `N` for arrays, `None` for slices and vectors.
        len: Option<Box<syn::Expr>>,
        /// `&mut F`: one float result (`*out = e`), a buffer of one element inside.
        cell: bool,
    },
}

/// One parameter.
pub struct Param {
    pub ident: Ident,
    pub ty: syn::Type,
    pub kind: Kind,
    /// Differentiated: named in `wrt(..)`, or a float parameter when there is no `wrt`.
    pub wrt: bool,
}

impl Param {
    /// A float slice or array: it has a shadow in `_vjp`.
    pub fn is_float_buf(&self) -> bool {
        matches!(self.kind, Kind::Buf { float: true, .. })
    }

    pub fn is_float_scalar(&self) -> bool {
        matches!(self.kind, Kind::Scalar(Scalar::Float(_)))
    }
}

/// `#[differentiable(wrt(a, b), grad = name, vjp = name, no_op)]` for array functions.
pub struct Options {
    pub wrt: Option<Vec<Ident>>,
    pub grad: Ident,
    pub vjp: Ident,
    /// The runtime-node companion's name (`op = name`), `None` with `no_op`.
    pub op: Option<Ident>,
}

/// The signature, read.
pub struct Sig {
    pub params: Vec<Param>,
    pub float: FloatTy,
    /// `-> F` or `-> [F; N]`: the function returns a value (else `()`: its results are its
    /// `&mut` buffers).
    pub returns: bool,
    /// `N` of `-> [F; N]`.
    pub ret_len: Option<Box<syn::Expr>>,
    pub opts: Options,
}

/// Whether `ty` is a reference or an array: the signature of an array function.
pub fn is_array_type(ty: &syn::Type) -> bool {
    matches!(peel(ty), syn::Type::Reference(_) | syn::Type::Array(_))
}

/// Reads a buffer type: `(float, mutable, len)`.
fn buf(ty: &syn::Type) -> Option<(Scalar, bool, Option<syn::Expr>)> {
    match peel(ty) {
        syn::Type::Array(a) => Some((scalar(&a.elem)?, false, Some(a.len.clone()))),
        syn::Type::Reference(r) => {
            let mutable = r.mutability.is_some();
            match peel(&r.elem) {
                syn::Type::Slice(s) => Some((scalar(&s.elem)?, mutable, None)),
                syn::Type::Array(a) => Some((scalar(&a.elem)?, mutable, Some(a.len.clone()))),
                syn::Type::Path(p) if !mutable => {
                    let last = p.path.segments.last()?;
                    if last.ident != "Vec" {
                        return None;
                    }
                    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                        return None;
                    };
                    match args.args.first()? {
                        syn::GenericArgument::Type(t) => Some((scalar(t)?, false, None)),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

pub fn read(attr: TokenStream, sig: &syn::Signature) -> syn::Result<Sig> {
    let mut errs = Errors::default();
    let opts = match options(attr, &sig.ident) {
        Ok(o) => Some(o),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    for g in &sig.generics.params {
        if let syn::GenericParam::Type(_) = g {
            errs.spanned(g, crate::errors::generic_type());
        }
    }
    let mut params = Vec::new();
    let mut floats: Vec<(FloatTy, &syn::Type)> = Vec::new();
    for input in &sig.inputs {
        let syn::FnArg::Typed(pt) = input else {
            errs.spanned(input, crate::errors::receiver());
            continue;
        };
        let ident = match &*pt.pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => pi.ident.clone(),
            other => {
                errs.spanned(other, crate::errors::param_pattern());
                continue;
            }
        };
        let cell = match peel(&pt.ty) {
            syn::Type::Reference(r) if r.mutability.is_some() => {
                matches!(scalar(&r.elem), Some(Scalar::Float(_)))
            }
            _ => false,
        };
        let kind = if let Some(s) = scalar(&pt.ty) {
            Kind::Scalar(s)
        } else if cell {
            Kind::Buf {
                float: true,
                mutable: true,
                len: None,
                cell: true,
            }
        } else if let Some((s, mutable, len)) = buf(&pt.ty) {
            if matches!(s, Scalar::Bool) {
                errs.spanned(&pt.ty, array_param_type());
                continue;
            }
            Kind::Buf {
                float: matches!(s, Scalar::Float(_)),
                mutable,
                len: len.map(Box::new),
                cell: false,
            }
        } else {
            errs.spanned(&pt.ty, array_param_type());
            continue;
        };
        let elem = match (&kind, peel(&pt.ty)) {
            (Kind::Scalar(Scalar::Float(f)), _) => Some(*f),
            (Kind::Buf { cell: true, .. }, syn::Type::Reference(r)) => match scalar(&r.elem) {
                Some(Scalar::Float(f)) => Some(f),
                _ => None,
            },
            (Kind::Buf { float: true, .. }, ty) => match buf(ty) {
                Some((Scalar::Float(f), ..)) => Some(f),
                _ => None,
            },
            _ => None,
        };
        if let Some(f) = elem {
            floats.push((f, &pt.ty));
        }
        params.push(Param {
            ident,
            ty: (*pt.ty).clone(),
            kind,
            wrt: false,
        });
    }
    let mut ret_len = None;
    let returns = match &sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => match (scalar(ty), peel(ty)) {
            (Some(Scalar::Float(f)), _) => Some(f),
            (None, syn::Type::Array(a)) if matches!(scalar(&a.elem), Some(Scalar::Float(_))) => {
                ret_len = Some(Box::new(a.len.clone()));
                match scalar(&a.elem) {
                    Some(Scalar::Float(f)) => Some(f),
                    _ => None,
                }
            }
            _ => {
                errs.spanned(ty, array_return_type());
                None
            }
        },
    };
    let float = floats.first().map(|f| f.0).or(returns);
    if let Some(float) = float {
        for (f, ty) in &floats {
            if *f != float {
                errs.spanned(ty, crate::errors::mixed_float());
            }
        }
    } else {
        errs.spanned(&sig.ident, crate::errors::no_float_param());
    }
    if let Some(opts) = &opts {
        mark_wrt(&mut params, opts, &mut errs);
    }
    errs.finish()?;
    match (opts, float) {
        (Some(opts), Some(float)) => Ok(Sig {
            params,
            float,
            returns: matches!(sig.output, syn::ReturnType::Type(..)),
            ret_len,
            opts,
        }),
        _ => Err(syn::Error::new_spanned(
            &sig.ident,
            crate::errors::no_float_param(),
        )),
    }
}

/// Marks the differentiated parameters: those `wrt(..)` names, else every float one. `&mut`
/// float buffers are results and always carry adjoints.
fn mark_wrt(params: &mut [Param], opts: &Options, errs: &mut Errors) {
    match &opts.wrt {
        None => {
            for p in params.iter_mut() {
                p.wrt = p.is_float_scalar() || p.is_float_buf();
            }
        }
        Some(names) => {
            for n in names {
                match params.iter_mut().find(|p| p.ident == *n) {
                    Some(p) if p.is_float_scalar() || p.is_float_buf() => p.wrt = true,
                    Some(_) => errs.spanned(n, wrt_not_float(n)),
                    None => errs.spanned(n, wrt_unknown(n)),
                }
            }
        }
    }
}

fn options(attr: TokenStream, f: &Ident) -> syn::Result<Options> {
    let mut opts = Options {
        wrt: None,
        grad: crate::names::grad_fn(f),
        vjp: crate::names::vjp_fn(f),
        op: Some(crate::op::op_fn(f)),
    };
    let parser = syn::meta::parser(|meta| {
        let key = meta.path.to_token_stream().to_string();
        match key.as_str() {
            "wrt" if opts.wrt.is_none() => {
                let mut names = Vec::new();
                meta.parse_nested_meta(|m| {
                    match m.path.get_ident() {
                        Some(i) => names.push(i.clone()),
                        None => return Err(m.error("name a parameter: `wrt(x, y)`")),
                    }
                    Ok(())
                })?;
                opts.wrt = Some(names);
            }
            "grad" => opts.grad = meta.value()?.parse()?,
            "vjp" => opts.vjp = meta.value()?.parse()?,
            "no_op" => opts.op = None,
            "op" => opts.op = Some(meta.value()?.parse()?),
            "dot" => return Err(meta.error(array_option(&key))),
            _ => return Err(meta.error(crate::errors::unknown_option(&key))),
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, attr)?;
    Ok(opts)
}

pub fn array_param_type() -> String {
    "unsupported parameter type for `#[differentiable]` over arrays; write `f64`/`f32`, an integer, `bool`, `&[f64]`, `&mut [f64]`, `&[f64; N]`, `&mut [f64; N]`, `[f64; N]`, `&Vec<f64>`, `&mut f64` or an integer slice".into()
}
pub fn array_return_type() -> String {
    "a function with slice parameters returns a float, an array of floats (`-> [f64; N]`) or nothing; return other results through a `&mut [f64]` parameter".into()
}
fn array_option(key: &str) -> String {
    format!("option `{key}` is not available yet for functions with slice or array parameters; remove it (`_grad` and `_vjp` are generated)")
}
fn wrt_not_float(n: &Ident) -> String {
    format!("`wrt({n})`: `{n}` is not a float or float slice parameter; name only parameters to differentiate")
}
fn wrt_unknown(n: &Ident) -> String {
    format!("`wrt({n})`: no parameter is named `{n}`")
}
