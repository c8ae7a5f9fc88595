//! Every message `#[differentiable]` and `#[custom_vjp]` can emit, and the error collector.
//!
//! One function per distinct message, so each has one ui case; messages are lowercase, end
//! without a period, put code in backticks and say what to write instead.

use proc_macro2::Span;
use quote::ToTokens;

/// Collects the errors of one stage; [`Errors::finish`] folds them into one `syn::Error`.
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// Records an error spanning `tokens`.
    pub fn spanned(&mut self, tokens: impl ToTokens, msg: String) {
        self.list.push(syn::Error::new_spanned(tokens, msg));
    }

    /// Records an error at `span`.
    pub fn at(&mut self, span: Span, msg: String) {
        self.list.push(syn::Error::new(span, msg));
    }

    /// Records an already built error.
    pub fn push(&mut self, err: syn::Error) {
        self.list.push(err);
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok(())` if nothing was recorded, else every error combined.
    pub fn finish(self) -> syn::Result<()> {
        let mut iter = self.list.into_iter();
        match iter.next() {
            None => Ok(()),
            Some(mut first) => {
                for e in iter {
                    first.combine(e);
                }
                Err(first)
            }
        }
    }
}

const ATTR: &str = "`#[differentiable]`";

pub fn unknown_option(key: &str) -> String {
    format!("unknown option `{key}` for {ATTR}; write `#[differentiable]` or `#[differentiable(grad = name, vjp = name, op = name, no_op, dot)]`")
}
pub fn duplicate_option(key: &str) -> String {
    format!("duplicate option `{key}` for {ATTR}; give each option at most once")
}
pub fn op_conflict() -> String {
    format!("options `op` and `no_op` of {ATTR} contradict each other; keep one")
}
pub fn option_value(key: &str) -> String {
    format!("option `{key}` of {ATTR} needs a name; write `{key} = name`")
}
pub fn flag_option(key: &str) -> String {
    format!("option `{key}` of {ATTR} takes no value; write `{key}` alone")
}
pub fn applied_twice(second: &str, first: &str) -> String {
    if second == first {
        format!("`#[{first}]` applied twice; remove one")
    } else {
        format!("`#[{first}]` and `#[{second}]` on one function; keep `#[custom_vjp]` for a hand-written pullback, or `#[differentiable]` to derive it")
    }
}
pub fn not_a_fn() -> String {
    format!("{ATTR} applies to a free `fn`; put it on a function such as `fn f(x: f64) -> f64 {{ .. }}`")
}
pub fn qualifier(what: &str) -> String {
    format!("{ATTR} does not support `{what}` functions; remove `{what}`")
}
pub fn generic_type() -> String {
    format!("{ATTR} does not support type parameters; write the function for `f64` or `f32`")
}
pub fn receiver() -> String {
    format!("{ATTR} does not support methods (`self`); write a free function that takes the values as parameters")
}
pub fn param_pattern() -> String {
    format!("{ATTR} needs a plain name for each parameter; write `x: f64`")
}
pub fn param_type() -> String {
    format!("{ATTR} does not support this parameter type; use `f64` or `f32` (differentiated), an integer type or `bool` (constants)")
}
pub fn return_type() -> String {
    format!("{ATTR} needs the function to return `f64` or `f32`, or a tuple of them such as `(f64, f64)`")
}
pub fn no_float_param() -> String {
    format!("{ATTR} needs at least one `f64` or `f32` parameter to differentiate with respect to")
}
pub fn mixed_float() -> String {
    format!("{ATTR} needs one float type per function; use `f64` everywhere or `f32` everywhere")
}
pub fn while_loop() -> String {
    format!("{ATTR} does not support `while` loops; use `for i in a..b` with integer bounds, or move the loop out of the function")
}
pub fn loop_loop() -> String {
    format!("{ATTR} does not support `loop`; use `for i in a..b` with integer bounds, or move the loop out of the function")
}
pub fn closure() -> String {
    format!("{ATTR} does not support closures; write a separate `#[differentiable]` function and call it")
}
pub fn unsafe_block() -> String {
    format!("{ATTR} does not support `unsafe` blocks; move the unsafe code out of the function")
}
pub fn macro_call() -> String {
    format!("{ATTR} does not support macros inside the body; write the expression out, or move the macro call out of the function")
}
pub fn reference() -> String {
    format!("{ATTR} does not support references (`&`, `&mut`); pass and return `f64` values")
}
pub fn match_expr() -> String {
    format!("{ATTR} does not support `match`; use `if`/`else if`/`else`")
}
pub fn break_continue() -> String {
    format!("{ATTR} does not support `break` or `continue`; use `if` inside the loop body")
}
pub fn for_pattern() -> String {
    format!("{ATTR} needs a plain loop variable; write `for i in a..b`")
}
pub fn for_range() -> String {
    format!("{ATTR} supports `for` only over a range `a..b` or `a..=b` with integer bounds")
}
pub fn item_in_body() -> String {
    format!("{ATTR} does not support items inside the body; move the `fn`, `const` or `use` out of the function")
}
pub fn let_pattern() -> String {
    format!("{ATTR} supports `let x = ..;`, `let mut x = ..;` and `let (a, b) = g(..);`; write one of those")
}
pub fn let_else() -> String {
    format!("{ATTR} does not support `let .. else`; use `if`/`else`")
}
pub fn let_uninit() -> String {
    format!("{ATTR} needs a value in every `let`; write `let x = value;`")
}
pub fn assign_target() -> String {
    format!("{ATTR} can only assign to a local variable; write `x = value;` or `x += value;`")
}
pub fn compound_op(op: &str) -> String {
    format!("{ATTR} does not support `{op}` on floats; use `+=`, `-=`, `*=` or `/=`")
}
pub fn binary_op(op: &str) -> String {
    format!("{ATTR} does not support `{op}` on floats; use `+`, `-`, `*`, `/` and the supported methods")
}
pub fn unknown_method(name: &str) -> String {
    format!(
        "{ATTR} does not know the method `{name}`; use one of {}, or write a `#[differentiable]` function",
        crate::primitives::method_list()
    )
}
pub fn no_rule(name: &str) -> String {
    format!("{ATTR} has no derivative rule for `{name}` yet; call it in a function marked `#[custom_vjp(pullback)]`, where `pullback` returns `seed` times its derivative")
}
pub fn float_from(arg: &str, float: &str) -> String {
    format!("{ATTR} converts integers to floats with `as`; write `{arg} as {float}`")
}
pub fn method_arity(name: &str, n: usize) -> String {
    format!("`{name}` takes {n} argument(s) here; write it as `x.{name}(..)` with {n} argument(s)")
}
pub fn call_arity(name: &str, n: usize) -> String {
    format!("`{name}` takes {n} argument(s); write `{name}(..)` with {n} argument(s)")
}
pub fn plain_callee(name: &str) -> String {
    format!("`{name}` has no derivative: annotate `{name}` with `#[differentiable]`, or give it a pullback with `#[custom_vjp(pullback)]`")
}
pub fn call_target() -> String {
    format!("{ATTR} can only call functions by name; write `g(x)` where `g` is `#[differentiable]` or has `#[custom_vjp]`")
}
pub fn float_to_int() -> String {
    format!("{ATTR} does not support casting a float to an integer (it has no derivative); keep the value a float, or compute the integer outside the function")
}
pub fn cast_type() -> String {
    format!("{ATTR} supports `as` casts only to `f64`, `f32` or an integer type")
}
pub fn unsupported_expr() -> String {
    format!("{ATTR} does not support this expression; use float arithmetic, the supported methods, `let`, `if`/`else`, `for` over a range, and calls to `#[differentiable]` functions")
}
pub fn tuple_position() -> String {
    format!("{ATTR} supports tuples only as the function's result; return `(a, b)` at the end or bind `let (a, b) = g(..);`")
}
pub fn return_position() -> String {
    format!("{ATTR} supports `return` only at the end of the function or in an `if` at the top level of the body; restructure with `if`/`else`")
}
pub fn output_count(want: usize, got: usize) -> String {
    if want == 1 {
        format!("the function returns one value but this gives {got}; return a single float, not a tuple")
    } else {
        format!("the function returns {want} value(s) but this gives {got}; return a tuple with {want} element(s)")
    }
}
/// The declared result type as messages write it: `f64`, or `(f64, f64)` for two results.
pub fn result_ty(float: crate::ast::FloatTy, outputs: usize) -> String {
    let float = float.tokens().to_string();
    match outputs {
        1 => float,
        n => format!("({})", vec![float; n].join(", ")),
    }
}
pub fn return_without_value(ty: &str) -> String {
    format!("`return;` gives no value and the function returns `{ty}`; write `return value;`")
}
pub fn missing_result(ty: &str) -> String {
    format!("the function ends without its result; end the body with the `{ty}` it returns, an expression without `;`")
}
pub fn result_semicolon() -> String {
    "the `;` after the last expression discards the function's result; remove the `;`".to_string()
}
pub fn missing_value() -> String {
    format!("{ATTR} needs a value here; end the block with an expression")
}
pub fn unknown_variable(name: &str) -> String {
    format!("{ATTR} cannot find the variable `{name}` here; define it with `let` before use")
}
pub fn custom_vjp_attr() -> String {
    "`#[custom_vjp]` needs the pullback function; write `#[custom_vjp(my_pullback)]`".to_string()
}
pub fn powi_int_type(n: &str, ty: &str) -> String {
    format!("`powi` takes an `i32` exponent and `{n}` is `{ty}`; write `x.powi({n} as i32)`")
}
pub fn int_literal_arg(name: &str, lit: &str) -> String {
    let powi = if name == "powf" {
        format!(", or `x.powi({lit})` for an integer power")
    } else {
        String::new()
    };
    format!("`{name}` takes a float here and `{lit}` is an integer; write `{lit}.0`{powi}")
}
pub fn powi_exponent() -> String {
    "`powi` needs an integer exponent; write `x.powi(2)`, or `x.powf(e)` for a float exponent"
        .to_string()
}
pub fn nested_too_deep(limit: usize) -> String {
    format!("{ATTR} does not support expressions nested deeper than {limit} levels; split the expression with `let`")
}
