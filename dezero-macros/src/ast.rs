//! `ItemFn` -> [`Function`]: the options, the signature read into parameters and outputs, and
//! the body checked node by node for syntax `#[differentiable]` does not support.

use crate::errors::{self, Errors};
use proc_macro2::{Ident, TokenStream};
use quote::{quote, ToTokens};
use syn::visit::Visit;

/// The float type a function computes in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    /// `f32` or `f64` as a type path.
    pub fn tokens(self) -> TokenStream {
        match self {
            FloatTy::F32 => quote!(f32),
            FloatTy::F64 => quote!(f64),
        }
    }
}

/// The type of a scalar parameter or local.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scalar {
    Float(FloatTy),
    Int,
    Bool,
}

/// `ty` without the invisible group a `macro_rules!` `$t:ty` wraps it in (and without
/// parentheses): `f64` passed through a declarative macro is still `f64`.
pub fn peel(mut ty: &syn::Type) -> &syn::Type {
    loop {
        match ty {
            syn::Type::Group(g) => ty = &g.elem,
            syn::Type::Paren(p) => ty = &p.elem,
            other => return other,
        }
    }
}

/// Reads `f64`, `f32`, integer types and `bool`.
pub fn scalar(ty: &syn::Type) -> Option<Scalar> {
    let syn::Type::Path(p) = peel(ty) else {
        return None;
    };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    if !last.arguments.is_none() {
        return None;
    }
    match last.ident.to_string().as_str() {
        "f64" => Some(Scalar::Float(FloatTy::F64)),
        "f32" => Some(Scalar::Float(FloatTy::F32)),
        "bool" => Some(Scalar::Bool),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" => Some(Scalar::Int),
        _ => None,
    }
}

/// One parameter: floats are differentiated, integers and `bool` are constants.
pub struct Param {
    pub ident: Ident,
    pub ty: syn::Type,
    pub scalar: Scalar,
}

impl Param {
    pub fn is_float(&self) -> bool {
        matches!(self.scalar, Scalar::Float(_))
    }
}

/// `#[differentiable(grad = .., vjp = .., op = .., no_op, dot)]`.
pub struct Options {
    pub grad: Ident,
    pub vjp: Ident,
    /// The fused-node companion's name (`op = name`), or `None` with `no_op`.
    pub op: Option<Ident>,
    /// `dot`: also generate the static-graph picture companion (`<fn>_dot`).
    pub dot: bool,
}

/// An annotated function, its signature read.
pub struct Function<'a> {
    pub item: &'a syn::ItemFn,
    pub params: Vec<Param>,
    pub float: FloatTy,
    /// Number of results: 1 for `-> f64`, n for an n-tuple.
    pub outputs: usize,
    pub opts: Options,
}

impl<'a> Function<'a> {
    /// Reads options and signature, and checks the body node by node.
    pub fn from_syn(attr: TokenStream, item: &'a syn::ItemFn) -> syn::Result<Self> {
        let mut errs = Errors::default();
        let opts = match parse_options(attr, &item.sig.ident) {
            Ok(o) => Some(o),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        second_attrs(item, "differentiable", &mut errs);
        let sig = signature(&item.sig, &mut errs);
        BodyCheck {
            errs: &mut errs,
            pending: Vec::new(),
        }
        .run(&item.block);
        errs.finish()?;
        match (opts, sig) {
            (Some(opts), Some((params, float, outputs))) => Ok(Function {
                item,
                params,
                float,
                outputs,
                opts,
            }),
            _ => Err(syn::Error::new_spanned(&item.sig, errors::return_type())),
        }
    }

    pub fn name(&self) -> &Ident {
        &self.item.sig.ident
    }

    /// The float parameters, in order.
    pub fn float_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.is_float())
    }
}

/// Whether `a` is `#[differentiable]` or `#[custom_vjp]` (by its last path segment): a
/// second one on a function the first one expands.
pub fn is_ours(a: &syn::Attribute) -> bool {
    matches!(attr_name(a).as_str(), "differentiable" | "custom_vjp")
}

fn attr_name(a: &syn::Attribute) -> String {
    a.path()
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The item without its other `#[differentiable]` / `#[custom_vjp]` attributes: after the
/// error about them, they must not expand the function again.
pub fn without_ours(item: &syn::ItemFn) -> syn::ItemFn {
    let mut item = item.clone();
    item.attrs.retain(|a| !is_ours(a));
    item
}

/// Records an error at each other `#[differentiable]` / `#[custom_vjp]` on `item`, which is
/// expanded by `#[this]`.
pub fn second_attrs(item: &syn::ItemFn, this: &str, errs: &mut Errors) {
    for a in item.attrs.iter().filter(|a| is_ours(a)) {
        errs.spanned(a, errors::applied_twice(&attr_name(a), this));
    }
}

/// Parses `grad = name, vjp = name, dot` (each optional, each at most once, any order).
pub fn parse_options(attr: TokenStream, f: &Ident) -> syn::Result<Options> {
    let mut opts = Options {
        grad: crate::names::grad_fn(f),
        vjp: crate::names::vjp_fn(f),
        op: Some(crate::op::op_fn(f)),
        dot: false,
    };
    let mut seen: Vec<String> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        let key = meta.path.to_token_stream().to_string().replace(' ', "");
        if seen.contains(&key) {
            return Err(meta.error(errors::duplicate_option(&key)));
        }
        seen.push(key.clone());
        match key.as_str() {
            "grad" => opts.grad = option_name(&meta)?,
            "vjp" => opts.vjp = option_name(&meta)?,
            "op" | "no_op"
                if seen.iter().any(|k| k == "op") && seen.iter().any(|k| k == "no_op") =>
            {
                return Err(meta.error(errors::op_conflict()));
            }
            "op" => opts.op = Some(option_name(&meta)?),
            "no_op" => {
                flag(&meta, &key)?;
                opts.op = None;
            }
            "dot" => {
                flag(&meta, &key)?;
                opts.dot = true;
            }
            _ => return Err(meta.error(errors::unknown_option(&key))),
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, attr)?;
    Ok(opts)
}

/// A flag option (`dot`, `no_op`): a value after it is an error on the key.
fn flag(meta: &syn::meta::ParseNestedMeta, key: &str) -> syn::Result<()> {
    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        return Err(meta.error(errors::flag_option(key)));
    }
    Ok(())
}

/// The name after `grad =` / `vjp =`; a missing `= name` is an error on the key.
fn option_name(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Ident> {
    let key = meta.path.to_token_stream().to_string().replace(' ', "");
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(errors::option_value(&key)));
    }
    meta.value()?.parse()
}

/// Reads parameters, the float type and the number of results; records what is unsupported.
pub fn signature(sig: &syn::Signature, errs: &mut Errors) -> Option<(Vec<Param>, FloatTy, usize)> {
    let before = !errs.is_empty();
    if let Some(c) = &sig.constness {
        errs.spanned(c, errors::qualifier("const"));
    }
    if let Some(a) = &sig.asyncness {
        errs.spanned(a, errors::qualifier("async"));
    }
    if let Some(u) = &sig.unsafety {
        errs.spanned(u, errors::qualifier("unsafe"));
    }
    if let Some(abi) = &sig.abi {
        errs.spanned(abi, errors::qualifier("extern"));
    }
    if let Some(v) = &sig.variadic {
        errs.spanned(v, errors::param_pattern());
    }
    for g in &sig.generics.params {
        if let syn::GenericParam::Type(_) = g {
            errs.spanned(g, errors::generic_type());
        }
    }
    let mut params = Vec::new();
    let mut floats = Vec::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => errs.spanned(r, errors::receiver()),
            syn::FnArg::Typed(pt) => {
                let ident = match &*pt.pat {
                    syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        pi.ident.clone()
                    }
                    other => {
                        errs.spanned(other, errors::param_pattern());
                        continue;
                    }
                };
                match scalar(&pt.ty) {
                    Some(s) => {
                        if let Scalar::Float(ft) = s {
                            floats.push((ft, pt.ty.clone()));
                        }
                        params.push(Param {
                            ident,
                            ty: (*pt.ty).clone(),
                            scalar: s,
                        });
                    }
                    None => errs.spanned(&pt.ty, errors::param_type()),
                }
            }
        }
    }
    let outputs: Vec<(FloatTy, &syn::Type)> = match &sig.output {
        syn::ReturnType::Default => {
            errs.spanned(sig, errors::return_type());
            Vec::new()
        }
        syn::ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Tuple(t) if t.elems.len() >= 2 => t
                .elems
                .iter()
                .filter_map(|e| match scalar(e) {
                    Some(Scalar::Float(ft)) => Some((ft, e)),
                    _ => {
                        errs.spanned(e, errors::return_type());
                        None
                    }
                })
                .collect(),
            other => match scalar(other) {
                Some(Scalar::Float(ft)) => vec![(ft, other)],
                _ => {
                    errs.spanned(other, errors::return_type());
                    Vec::new()
                }
            },
        },
    };
    if floats.is_empty() && !params.is_empty() || sig.inputs.is_empty() {
        errs.spanned(&sig.ident, errors::no_float_param());
    }
    let float = floats.first().map(|f| f.0).or(outputs.first().map(|o| o.0));
    if let Some(float) = float {
        for (ft, ty) in &floats {
            if *ft != float {
                errs.spanned(ty, errors::mixed_float());
            }
        }
        for (ft, ty) in &outputs {
            if *ft != float {
                errs.spanned(ty, errors::mixed_float());
            }
        }
    }
    if before || !errs.is_empty() {
        return None;
    }
    Some((params, float?, outputs.len()))
}

/// Rejects, node by node, syntax with no place in the supported language.
///
/// A `Visit` whose `visit_expr` and `visit_stmt` only queue the node: [`BodyCheck::run`]
/// checks the queue from a stack, in the order a recursive visit would, so a body of any
/// depth is fine.
struct BodyCheck<'e, 'ast> {
    errs: &'e mut Errors,
    pending: Vec<Node<'ast>>,
}

enum Node<'ast> {
    Expr(&'ast syn::Expr),
    Stmt(&'ast syn::Stmt),
}

impl<'ast> BodyCheck<'_, 'ast> {
    fn run(&mut self, block: &'ast syn::Block) {
        self.visit_block(block);
        self.pending.reverse();
        while let Some(n) = self.pending.pop() {
            let at = self.pending.len();
            match n {
                Node::Expr(e) => self.check(e),
                Node::Stmt(s) => self.check_stmt(s),
            }
            self.pending[at..].reverse();
        }
    }

    fn check(&mut self, e: &'ast syn::Expr) {
        use syn::Expr as E;
        let msg = match e {
            E::While(w) => {
                self.errs.spanned(w.while_token, errors::while_loop());
                return;
            }
            E::Loop(l) => {
                self.errs.spanned(l.loop_token, errors::loop_loop());
                return;
            }
            E::Closure(_) => Some(errors::closure()),
            E::Unsafe(_) => Some(errors::unsafe_block()),
            E::Macro(_) => Some(errors::macro_call()),
            E::Reference(_) | E::RawAddr(_) => Some(errors::reference()),
            E::Match(_) => Some(errors::match_expr()),
            E::Break(_) | E::Continue(_) => Some(errors::break_continue()),
            E::Assign(a) => (!is_local(&a.left)).then(errors::assign_target),
            E::Binary(b) if is_compound(&b.op) => (!is_local(&b.left)).then(errors::assign_target),
            E::ForLoop(f) => {
                if !matches!(&*f.pat, syn::Pat::Ident(_) | syn::Pat::Wild(_)) {
                    self.errs.spanned(&f.pat, errors::for_pattern());
                }
                let mut range = &*f.expr;
                while let E::Paren(p) = range {
                    range = &p.expr;
                }
                match range {
                    E::Range(r) if r.start.is_some() && r.end.is_some() => {
                        for bound in r.start.iter().chain(r.end.iter()) {
                            self.visit_expr(bound);
                        }
                    }
                    other => self.errs.spanned(other, errors::for_range()),
                }
                self.visit_block(&f.body);
                return;
            }
            E::Call(c) => {
                (!matches!(&*c.func, E::Path(p) if p.qself.is_none())).then(errors::call_target)
            }
            E::Let(_)
            | E::Array(_)
            | E::Async(_)
            | E::Await(_)
            | E::Const(_)
            | E::Field(_)
            | E::Index(_)
            | E::Infer(_)
            | E::Repeat(_)
            | E::Struct(_)
            | E::Try(_)
            | E::TryBlock(_)
            | E::Yield(_)
            | E::Verbatim(_) => Some(errors::unsupported_expr()),
            E::Range(_) => Some(errors::for_range()),
            E::Cast(c) if scalar(&c.ty).is_none() => {
                self.errs.spanned(&c.ty, errors::cast_type());
                return;
            }
            _ => None,
        };
        match msg {
            Some(m) => self.errs.spanned(e, m),
            None => syn::visit::visit_expr(self, e),
        }
    }

    fn check_stmt(&mut self, s: &'ast syn::Stmt) {
        match s {
            syn::Stmt::Item(i) => self.errs.spanned(i, errors::item_in_body()),
            syn::Stmt::Macro(m) => self.errs.spanned(m, errors::macro_call()),
            syn::Stmt::Local(l) => {
                if !let_pattern_ok(&l.pat) {
                    self.errs.spanned(&l.pat, errors::let_pattern());
                }
                match &l.init {
                    None => self.errs.spanned(l, errors::let_uninit()),
                    Some(init) => {
                        if let Some((_, div)) = &init.diverge {
                            self.errs.spanned(div, errors::let_else());
                        }
                        self.visit_expr(&init.expr);
                    }
                }
            }
            syn::Stmt::Expr(e, _) => self.visit_expr(e),
        }
    }
}

impl<'ast> Visit<'ast> for BodyCheck<'_, 'ast> {
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        self.pending.push(Node::Expr(e));
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        self.pending.push(Node::Stmt(s));
    }
}

/// `x`, `mut x`, `x: f64`, or a tuple of those (for calls with several results).
pub fn let_pattern_ok(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::Ident(pi) => pi.by_ref.is_none() && pi.subpat.is_none(),
        syn::Pat::Type(pt) => let_pattern_ok(&pt.pat) && scalar(&pt.ty).is_some(),
        syn::Pat::Tuple(t) => t.elems.iter().all(|e| {
            matches!(e, syn::Pat::Ident(_) | syn::Pat::Wild(_)) && let_pattern_ok_or_wild(e)
        }),
        syn::Pat::Wild(_) => true,
        _ => false,
    }
}

fn let_pattern_ok_or_wild(p: &syn::Pat) -> bool {
    matches!(p, syn::Pat::Wild(_)) || let_pattern_ok(p)
}

/// A single-segment path: a local variable.
pub fn is_local(e: &syn::Expr) -> bool {
    matches!(e, syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some())
}

/// `+=`, `-=`, ... (syn 2 parses compound assignment as a binary expression).
pub fn is_compound(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::AddAssign(_)
            | B::SubAssign(_)
            | B::MulAssign(_)
            | B::DivAssign(_)
            | B::RemAssign(_)
            | B::BitXorAssign(_)
            | B::BitAndAssign(_)
            | B::BitOrAssign(_)
            | B::ShlAssign(_)
            | B::ShrAssign(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::format_ident;

    fn opts(attr: TokenStream) -> syn::Result<Options> {
        parse_options(attr, &format_ident!("f"))
    }

    #[test]
    fn dot_is_a_flag_combinable_with_names() {
        let o = opts(quote!(grad = g, dot)).unwrap();
        assert_eq!(
            (o.grad.to_string(), o.vjp.to_string(), o.dot),
            ("g".into(), "f_vjp".into(), true)
        );
        let o = opts(quote!(dot)).unwrap();
        assert!(o.dot);
        assert!(!opts(quote!()).unwrap().dot);
        let o = opts(quote!(dot, vjp = p)).unwrap();
        assert_eq!((o.vjp.to_string(), o.dot), ("p".into(), true));
    }

    #[test]
    fn option_mistakes_are_errors_naming_the_key() {
        let msg = |a| opts(a).err().map(|e: syn::Error| e.to_string()).unwrap();
        assert_eq!(msg(quote!(dot = true)), errors::flag_option("dot"));
        assert_eq!(
            msg(quote!(grad = a, grad = b)),
            errors::duplicate_option("grad")
        );
        assert_eq!(msg(quote!(dot, dot)), errors::duplicate_option("dot"));
        assert_eq!(msg(quote!(grad)), errors::option_value("grad"));
        assert_eq!(msg(quote!(vjp, grad = g)), errors::option_value("vjp"));
        assert_eq!(msg(quote!(no_op = x)), errors::flag_option("no_op"));
        assert_eq!(msg(quote!(op)), errors::option_value("op"));
        assert_eq!(msg(quote!(op = g, no_op)), errors::op_conflict());
        assert_eq!(msg(quote!(no_op, op = g)), errors::op_conflict());
    }

    #[test]
    fn op_is_named_renamed_or_switched_off() {
        let op = |a| opts(a).unwrap().op.map(|i| i.to_string());
        assert_eq!(op(quote!()), Some("f_op".into()));
        assert_eq!(op(quote!(op = fused_f)), Some("fused_f".into()));
        assert_eq!(op(quote!(no_op, dot)), None);
    }
}
