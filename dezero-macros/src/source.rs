//! The annotated function's surroundings, read from its own source file: whether it sits in an
//! `impl` block, and which functions of its module are plain (neither `#[differentiable]` nor
//! `#[custom_vjp]`).
//!
//! A proc macro sees only its item; this is a best effort for two things it cannot otherwise
//! know: `<fn>_op` in an `impl` block must call `Self::f`, and a call `g(x)` of a plain `g`
//! should be reported as such rather than as rustc's "cannot find function `g_vjp`". It answers
//! `None` whenever it cannot be sure (no file on disk, a file that does not parse, the function
//! not found or found twice, a module with glob imports or item macros that could define
//! `g_vjp`), and the expansion then does what it would without it.

use crate::errors::{self, Errors};
use crate::ir::{Block, Op, Program, Stmt};
use std::collections::HashSet;

/// Where the annotated function is, as its source file shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Surroundings {
    /// The function is an associated function of an `impl` block.
    pub in_impl: bool,
    /// Functions of the enclosing module with no derivative: defined there without an attribute
    /// that could generate one, and with no item named `<fn>_vjp` beside them.
    pub plain: HashSet<String>,
}

/// What a file says about each annotated function in it: `(attribute, signature)` -> where
/// (`None` for a module whose plain functions cannot be known). Text only, no tokens: tokens
/// belong to one macro invocation and must not outlive it.
type Summary = Vec<((String, String), Option<Surroundings>)>;

/// The surroundings of `item`, annotated `#[attr]`, from the file its name is in (only inside a
/// proc macro).
pub fn of(item: &syn::ItemFn, attr: &str) -> Option<Surroundings> {
    if !proc_macro::is_available() {
        return None;
    }
    // `None` before Rust 1.88, which has no `Span::local_file`.
    let path = item.sig.ident.span().local_file()?;
    lookup(&summary(&path)?[..], attr, &item.sig)
}

/// The place of the one function with signature `sig` and `#[attr]`; `None` if there is none
/// or more than one.
fn lookup(
    summary: &[((String, String), Option<Surroundings>)],
    attr: &str,
    sig: &syn::Signature,
) -> Option<Surroundings> {
    let key = (attr.to_string(), signature(sig));
    let mut places = summary.iter().filter(|(k, _)| *k == key);
    match (places.next(), places.next()) {
        (Some((_, place)), None) => place.clone(),
        _ => None,
    }
}

/// The summary of the file at `path`, made once per compilation for all the annotated
/// functions in it (keyed by length and modification time: a proc-macro server may outlive an
/// edit).
fn summary(path: &std::path::Path) -> Option<std::rc::Rc<Summary>> {
    type Key = (std::path::PathBuf, u64, Option<std::time::SystemTime>);
    thread_local! {
        static FILES: std::cell::RefCell<Vec<(Key, std::rc::Rc<Summary>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let meta = std::fs::metadata(path).ok()?;
    let key: Key = (path.to_path_buf(), meta.len(), meta.modified().ok());
    let cached = FILES.with(|c| {
        let c = c.borrow();
        c.iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone())
    });
    if cached.is_some() {
        return cached;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let summary = std::rc::Rc::new(summarize(&syn::parse_file(&text).ok()?));
    FILES.with(|c| {
        let mut c = c.borrow_mut();
        c.retain(|(k, _)| k.0 != key.0);
        c.push((key, summary.clone()));
    });
    Some(summary)
}

/// Every module-level and `impl` function of `file` with `#[differentiable]` or
/// `#[custom_vjp]`, with its surroundings.
fn summarize(file: &syn::File) -> Summary {
    let mut out = Vec::new();
    visit(&file.items, &mut out);
    out
}

fn visit(items: &[syn::Item], out: &mut Summary) {
    let plain = plain_fns(items);
    let mut add = |attrs: &[syn::Attribute], sig: &syn::Signature, in_impl: bool| {
        for attr in ["differentiable", "custom_vjp"] {
            if attrs.iter().any(|a| named(a, attr)) {
                let place = plain.clone().map(|plain| Surroundings { in_impl, plain });
                out.push(((attr.to_string(), signature(sig)), place));
            }
        }
    };
    for i in items {
        match i {
            syn::Item::Fn(f) => add(&f.attrs, &f.sig, false),
            syn::Item::Impl(imp) => {
                for ii in &imp.items {
                    if let syn::ImplItem::Fn(f) = ii {
                        add(&f.attrs, &f.sig, true);
                    }
                }
            }
            _ => {}
        }
    }
    for i in items {
        if let syn::Item::Mod(syn::ItemMod {
            content: Some((_, inner)),
            ..
        }) = i
        {
            visit(inner, out);
        }
    }
}

/// Reports the first call of each plain function of the module whose pullback the reverse
/// sweep needs (a result that depends on a float parameter), at the callee's name.
pub fn check_calls(p: &Program, around: &Surroundings) -> syn::Result<()> {
    fn block(
        b: &Block,
        p: &Program,
        around: &Surroundings,
        errs: &mut Errors,
        seen: &mut HashSet<String>,
    ) {
        for s in &b.stmts {
            match s {
                Stmt::Inst(i) => {
                    let Op::Call { func, .. } = &i.op else {
                        continue;
                    };
                    let Some(name) = func.get_ident().map(crate::names::user) else {
                        continue;
                    };
                    let needed = i.dsts.iter().any(|d| p.vars[*d].active);
                    if needed && around.plain.contains(&name) && seen.insert(name.clone()) {
                        errs.spanned(func, errors::plain_callee(&name));
                    }
                }
                Stmt::If(i) => {
                    block(&i.then, p, around, errs, seen);
                    block(&i.else_, p, around, errs, seen);
                }
                Stmt::For(l) => block(&l.body, p, around, errs, seen),
            }
        }
    }
    let mut errs = Errors::default();
    block(&p.body, p, around, &mut errs, &mut HashSet::new());
    errs.finish()
}

/// `fn` signatures compared as tokens (whitespace-free text).
fn signature(s: &syn::Signature) -> String {
    quote::ToTokens::to_token_stream(s).to_string()
}

/// Whether `a` is `#[name]` or `#[path::name]`.
fn named(a: &syn::Attribute, name: &str) -> bool {
    a.path().segments.last().is_some_and(|s| s.ident == name)
}

/// The plain functions of a module, or `None` if a glob import or an item macro could bring or
/// make any `<fn>_vjp`.
fn plain_fns(items: &[syn::Item]) -> Option<HashSet<String>> {
    let mut plain = HashSet::new();
    let mut other = HashSet::new();
    for i in items {
        match i {
            syn::Item::Fn(f) if f.attrs.iter().all(inert) => {
                plain.insert(crate::names::user(&f.sig.ident));
            }
            syn::Item::Fn(f) => {
                other.insert(crate::names::user(&f.sig.ident));
            }
            syn::Item::Use(u) if !uses(&u.tree, &mut other) => return None,
            syn::Item::Macro(m) if !m.mac.path.is_ident("macro_rules") => return None,
            syn::Item::Const(c) => {
                other.insert(crate::names::user(&c.ident));
            }
            syn::Item::Static(s) => {
                other.insert(crate::names::user(&s.ident));
            }
            _ => {}
        }
    }
    // `g` is plain only if nothing else is named `g` (a `#[cfg]` twin) or `g_vjp`.
    let vjp = |g: &String| format!("{g}_vjp");
    Some(
        (plain.iter())
            .filter(|g| !other.contains(*g) && !other.contains(&vjp(g)) && !plain.contains(&vjp(g)))
            .cloned()
            .collect(),
    )
}

/// Records the names a `use` brings; `false` for a glob.
fn uses(tree: &syn::UseTree, out: &mut HashSet<String>) -> bool {
    match tree {
        syn::UseTree::Path(p) => uses(&p.tree, out),
        syn::UseTree::Name(n) => {
            out.insert(crate::names::user(&n.ident));
            true
        }
        syn::UseTree::Rename(r) => {
            out.insert(crate::names::user(&r.rename));
            true
        }
        syn::UseTree::Glob(_) => false,
        syn::UseTree::Group(g) => g.items.iter().all(|t| uses(t, out)),
    }
}

/// Attributes that cannot generate a pullback (or remove the function): docs and lints.
fn inert(a: &syn::Attribute) -> bool {
    let inert = [
        "doc",
        "allow",
        "warn",
        "deny",
        "expect",
        "inline",
        "must_use",
        "cold",
        "track_caller",
        "deprecated",
    ];
    inert.iter().any(|name| a.path().is_ident(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`of`] answers for `F` in a file `src`.
    fn find(src: &str) -> Option<Surroundings> {
        let f: syn::ItemFn = syn::parse_str(F).expect("fn parses");
        let summary = summarize(&syn::parse_str(src).expect("file parses"));
        lookup(&summary, "differentiable", &f.sig)
    }

    const F: &str = "#[differentiable] fn f(x: f64) -> f64 { norm_cdf(x) }";

    #[test]
    fn plain_functions_of_the_module() {
        let src = format!(
            "fn norm_cdf(x: f64) -> f64 {{ x }} #[inline] fn g(x: f64) -> f64 {{ x }} \
             fn h(x: f64) -> f64 {{ x }} fn h_vjp(x: f64, s: f64) -> f64 {{ s }} \
             #[custom_vjp(p)] fn k(x: f64) -> f64 {{ x }} \
             #[cfg(a)] fn m(x: f64) -> f64 {{ x }} #[cfg(not(a))] fn m(x: f64) -> f64 {{ x }} {F}"
        );
        let s = find(&src).expect("found");
        assert!(!s.in_impl);
        let mut plain: Vec<_> = s.plain.into_iter().collect();
        plain.sort();
        // `h` has a hand-written `h_vjp`; `h_vjp` itself has none.
        assert_eq!(plain, ["g", "h_vjp", "norm_cdf"]);
    }

    #[test]
    fn functions_in_impl_blocks_and_inline_modules() {
        let src = format!("struct M; impl M {{ {F} }} mod inner {{ fn norm_cdf() {{}} }}");
        let s = find(&src).expect("found");
        assert!(s.in_impl);
        assert!(s.plain.is_empty());
        let src = format!("mod inner {{ fn norm_cdf(x: f64) -> f64 {{ x }} {F} }}");
        let s = find(&src).expect("found");
        assert_eq!((s.in_impl, s.plain.len()), (false, 1));
    }

    #[test]
    fn unsure_is_none() {
        // Not found, found twice, a glob import, an item macro.
        assert_eq!(find("fn f() {}"), None);
        let twice = format!("{F} mod m {{ {F} }}");
        assert_eq!(find(&twice), None);
        let glob = format!("use super::*; fn norm_cdf(x: f64) -> f64 {{ x }} {F}");
        assert_eq!(find(&glob), None);
        let mac = format!("make_vjps!(); fn norm_cdf(x: f64) -> f64 {{ x }} {F}");
        assert_eq!(find(&mac), None);
    }
}
