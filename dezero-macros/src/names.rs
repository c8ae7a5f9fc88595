//! Naming scheme of generated code: user names kept, `name_1` for later SSA versions,
//! `t0, t1, ..` for intermediates, `c0` for saved conditions, `tape0` for loop tapes,
//! `x_bar` for adjoints, `f_grad` / `f_vjp` for the generated functions.
//!
//! Stable (documented) names: `<fn>_grad`, `<fn>_vjp`. Everything inside the bodies is not.

use proc_macro2::{Ident, Span};
use quote::format_ident;
use std::collections::HashSet;
use syn::ext::IdentExt;

/// Hands out unique local names for one generated function.
#[derive(Default)]
pub struct Namer {
    used: HashSet<String>,
    /// Per base name, where the search for its next version starts.
    versions: std::collections::HashMap<String, usize>,
    temps: usize,
    conds: usize,
    tapes: usize,
}

impl Namer {
    /// A namer that never reuses any of `reserved` (every identifier of the user's function).
    pub fn new(reserved: impl IntoIterator<Item = String>) -> Self {
        Namer {
            used: reserved.into_iter().collect(),
            ..Namer::default()
        }
    }

    /// Claims `name` (the user's own first binding).
    pub fn claim(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// A fresh SSA version of a user variable: `x_1`, `x_2`, ... (the first free one; the
    /// search resumes after the last version handed out, every name below it being taken).
    pub fn version(&mut self, base: &str) -> String {
        let from = self.versions.get(base).copied().unwrap_or(1);
        let (k, name) = (from..)
            .map(|k| (k, format!("{base}_{k}")))
            .find(|(_, n)| self.fresh(n))
            .unwrap_or_default();
        self.versions.insert(base.to_string(), k + 1);
        name
    }

    /// A fresh intermediate: `t0`, `t1`, ...
    pub fn temp(&mut self) -> String {
        loop {
            let n = format!("t{}", self.temps);
            self.temps += 1;
            if self.fresh(&n) {
                return n;
            }
        }
    }

    /// A fresh saved condition: `c0`, `c1`, ...
    pub fn cond(&mut self) -> String {
        loop {
            let n = format!("c{}", self.conds);
            self.conds += 1;
            if self.fresh(&n) {
                return n;
            }
        }
    }

    /// A fresh loop tape: `tape0`, `tape1`, ...
    pub fn tape(&mut self) -> String {
        loop {
            let n = format!("tape{}", self.tapes);
            self.tapes += 1;
            if self.fresh(&n) {
                return n;
            }
        }
    }

    /// `name` itself if not yet used (and claims it), else a version of it.
    pub fn named(&mut self, name: &str) -> String {
        if self.fresh(name) {
            name.to_string()
        } else {
            self.version(name)
        }
    }

    fn fresh(&mut self, n: &str) -> bool {
        self.used.insert(n.to_string())
    }
}

/// The name a user's identifier goes by in the IR and in derived names: `r#type` -> `type`.
///
/// `r#x` and `x` are the same identifier, so keeping the bare name loses nothing;
/// [`ident`] puts the `r#` back where the bare name would read as a keyword.
pub fn user(i: &Ident) -> String {
    i.unraw().to_string()
}

/// The identifier for a stored name: `r#type` if `type` is a keyword (in any edition), else
/// `type` as written. Derived names (`type_bar`, `type_1`) are never keywords.
pub fn ident(name: &str, span: Span) -> Ident {
    let keyword = is_keyword(name) || name == "gen";
    if keyword && !matches!(name, "self" | "Self" | "super" | "crate" | "_") {
        Ident::new_raw(name, span)
    } else {
        Ident::new(name, span)
    }
}

/// Whether syn refuses `name` as an identifier: the keywords of any edition, strict or
/// reserved, as syn lists them (asking syn to parse the name costs a lexer run per use).
fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// The adjoint of a local: `x` -> `x_bar`, hygienic so it never captures a user's `x_bar`.
pub fn bar(name: &str) -> Ident {
    format_ident!("{}_bar", name, span = Span::mixed_site())
}

/// A generated local (temporary, version, tape, seed).
pub fn local(name: &str) -> Ident {
    ident(name, Span::mixed_site())
}

/// Default name of the value-and-gradient function: `f` -> `f_grad` (`r#type` -> `type_grad`).
pub fn grad_fn(f: &Ident) -> Ident {
    format_ident!("{}_grad", f)
}

/// Default name of the pullback: `f` -> `f_vjp`.
pub fn vjp_fn(f: &Ident) -> Ident {
    format_ident!("{}_vjp", f)
}

/// The seed parameter(s) of a `_vjp`: `seed`, or `seed0, seed1, ..` for tuple results.
pub fn seeds(outputs: usize) -> Vec<Ident> {
    if outputs == 1 {
        vec![local("seed")]
    } else {
        (0..outputs).map(|k| local(&format!("seed{k}"))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_skip_the_users() {
        let mut n = Namer::new(["t0".to_string(), "x".to_string(), "x_1".to_string()]);
        assert_eq!(n.temp(), "t1");
        assert_eq!(n.temp(), "t2");
        assert_eq!(n.version("x"), "x_2");
        assert_eq!(n.version("x"), "x_3");
        assert_eq!(n.named("out"), "out");
        assert_eq!(n.named("out"), "out_1");
        assert_eq!(n.cond(), "c0");
        assert_eq!(n.tape(), "tape0");
    }

    #[test]
    fn raw_identifiers_derive_bare_names() {
        let ty = Ident::new_raw("type", Span::call_site());
        let x = Ident::new_raw("x", Span::call_site());
        assert_eq!(user(&ty), "type");
        assert_eq!(user(&x), "x");
        assert_eq!(bar(&user(&ty)).to_string(), "type_bar");
        assert_eq!(grad_fn(&ty).to_string(), "type_grad");
        assert_eq!(vjp_fn(&ty).to_string(), "type_vjp");
        assert_eq!(ident("type", Span::call_site()).to_string(), "r#type");
        assert_eq!(ident("gen", Span::call_site()).to_string(), "r#gen");
        assert_eq!(ident("x", Span::call_site()).to_string(), "x");
        assert_eq!(ident("type_1", Span::call_site()).to_string(), "type_1");
        // The list is syn's: every keyword it refuses, and nothing else.
        for k in [
            "type", "in", "loop", "yield", "try", "dyn", "async", "abstract", "x", "t0",
        ] {
            assert_eq!(is_keyword(k), syn::parse_str::<Ident>(k).is_err(), "{k}");
        }
        let mut n = Namer::new([user(&ty)]);
        assert_eq!(n.version("type"), "type_1");
    }

    #[test]
    fn adjoint_and_function_names() {
        let f = Ident::new("sphere", Span::call_site());
        assert_eq!(bar("x").to_string(), "x_bar");
        assert_eq!(grad_fn(&f).to_string(), "sphere_grad");
        assert_eq!(vjp_fn(&f).to_string(), "sphere_vjp");
        let s: Vec<String> = seeds(2).iter().map(|s| s.to_string()).collect();
        assert_eq!(s, ["seed0", "seed1"]);
    }
}
