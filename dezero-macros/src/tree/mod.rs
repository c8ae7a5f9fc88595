//! syn trees of any depth without deep recursion.
//!
//! A body of one long expression is one deep tree: syn parses `a + b + .. + z` (2,500 terms)
//! into a left-nested `Binary` 2,500 levels deep, and `x * (y + (x * ..))` into one as deep as
//! its parentheses. Recursing once per level (a `Visit`, `Clone`, `Drop`, `ToTokens` or the
//! lowering itself) overflows the stack rustc runs a macro on (8 MiB, and syn is unoptimized
//! there). So the passes over a function body walk it from explicit stacks:
//!
//! - [`walk`]: the sub-expressions of an expression, as syn's `Visit` reaches them, and
//!   pre-order walks built on that;
//! - [`span`]: an expression's span from its first and last tokens, without printing it;
//! - [`drop`](mod@drop): dropping a parsed function level by level;
//! - [`parse`]: parsing a body nested deeper than syn's recursive parser can, piece by piece.

pub mod drop;
pub mod parse;
pub mod span;
pub mod walk;
