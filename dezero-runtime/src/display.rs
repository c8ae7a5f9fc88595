//! Printing: `variable(...)` as DeZero's `__repr__`, with NumPy-like formatting of `f64` arrays.
//!
//! - A 0-dim variable prints its value as the shortest text that reads back exactly:
//!   `variable(7.0)`, `variable(0.09112821805819912)`.
//! - An n-dim variable prints like NumPy's `str(array)`: `variable([1. 2. 3.])`; fractions are
//!   rounded to at most 8 digits and padded to a common width (`[1.5  2.   3.25]`); scientific
//!   notation is used when the magnitudes need it (`[1.e-05 1.e+00]`); rows of a matrix go on
//!   continuation lines indented under `variable(`:
//!
//! ```text
//! variable([[1. 2. 3.]
//!           [4. 5. 6.]])
//! ```
//! - Arrays of more than 1000 elements are summarised with `...` (3 items at each edge), as
//!   NumPy does. Unlike NumPy, long rows are not wrapped at 75 columns.
//! - A variable with no data prints `variable(None)`.
//!
//! `Debug` prints the same text as `Display`.

use std::fmt;

use ndarray::{ArrayViewD, Axis};

use crate::variable::Variable;

const SUMMARY_THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_data() {
            None => f.write_str("variable(None)"),
            Some(data) => {
                let text = format_array(data.view());
                write!(f, "variable({})", text.replace('\n', "\n         "))
            }
        }
    }
}

impl fmt::Debug for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An array as NumPy's `str()` prints it (see the module docs for the rules).
pub(crate) fn format_array(a: ArrayViewD<'_, f64>) -> String {
    if a.ndim() == 0 {
        return format_scalar(*a.first().expect("0-dim has one element"));
    }
    if a.is_empty() {
        return "[]".to_string();
    }
    let summarize = a.len() > SUMMARY_THRESHOLD;
    let style = Style::for_values(a.iter().copied());
    let mut out = String::new();
    write_block(&mut out, a, 0, summarize, &style);
    out
}

/// A single `f64` like Python's `repr(float)`: `7.0`, `0.1`, `1e-05`, `nan`, `inf`.
pub(crate) fn format_scalar(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        return format!("{mantissa}e{}", exponent(exp));
    }
    format!("{v:?}")
}

/// `-5` -> `-05`, `16` -> `+16` (Python's exponent style).
fn exponent(exp: &str) -> String {
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{sign}{digits:0>2}")
}

/// How every element of one array is printed, so that columns line up.
struct Style {
    scientific: bool,
    int_width: usize,
    frac_width: usize,
}

impl Style {
    fn for_values(values: impl Iterator<Item = f64> + Clone) -> Style {
        let finite = values
            .clone()
            .filter(|v| v.is_finite() && *v != 0.0)
            .map(f64::abs);
        let max = finite.clone().fold(0.0_f64, f64::max);
        let min = finite.fold(f64::INFINITY, f64::min);
        let scientific = max >= 1e8 || (min.is_finite() && (min < 1e-4 || max / min > 1e3));
        let mut style = Style {
            scientific,
            int_width: 0,
            frac_width: 0,
        };
        for v in values.clone().filter(|v| v.is_finite()) {
            let (int, frac) = style.parts(v);
            style.int_width = style.int_width.max(int.len());
            style.frac_width = style.frac_width.max(frac.len());
        }
        // NumPy widens every element so that `nan`, `inf` (and `-inf`) fit too.
        let any_nan = values.clone().any(f64::is_nan);
        let any_inf = values.clone().any(f64::is_infinite);
        let neg_inf = values.clone().any(|v| v == f64::NEG_INFINITY);
        let nonfinite = match (any_nan, any_inf) {
            (_, true) => 3 + usize::from(neg_inf),
            (true, false) => 3,
            (false, false) => 0,
        };
        style.int_width = style
            .int_width
            .max(nonfinite.saturating_sub(style.frac_width));
        style
    }

    /// The text before the end of the fraction digits, and the fraction digits plus exponent.
    fn parts(&self, v: f64) -> (String, String) {
        if !v.is_finite() {
            return (format_scalar(v), String::new());
        }
        if self.scientific {
            let s = format!("{v:.8e}");
            let (mantissa, exp) = s.split_once('e').expect("exponent form");
            let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            let frac = frac.trim_end_matches('0');
            (format!("{int}."), format!("{frac}e{}", exponent(exp)))
        } else {
            let s = format!("{v:.8}");
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            let int = if int == "-0" && v == 0.0 && v.is_sign_negative() {
                "-0"
            } else {
                int
            };
            (format!("{int}."), frac.trim_end_matches('0').to_string())
        }
    }

    fn format(&self, v: f64) -> String {
        let (int, frac) = self.parts(v);
        if !v.is_finite() {
            let width = self.int_width + self.frac_width;
            return format!("{int:>width$}");
        }
        if self.scientific {
            // Pad the mantissa's fraction with zeros so the exponents line up (as NumPy).
            let (digits, exp) = frac.split_once('e').expect("exponent");
            let pad = self.frac_width - frac.len();
            return format!(
                "{int:>iw$}{digits}{}e{exp}",
                "0".repeat(pad),
                iw = self.int_width
            );
        }
        format!(
            "{int:>iw$}{frac:<fw$}",
            iw = self.int_width,
            fw = self.frac_width
        )
    }
}

fn write_block(
    out: &mut String,
    a: ArrayViewD<'_, f64>,
    depth: usize,
    summarize: bool,
    style: &Style,
) {
    let n = a.len_of(Axis(0));
    let shown: Vec<Option<usize>> = if summarize && n > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGE_ITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    };
    out.push('[');
    if a.ndim() == 1 {
        for (k, i) in shown.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            match i {
                Some(i) => out.push_str(&style.format(a[[*i]])),
                None => out.push_str("..."),
            }
        }
    } else {
        let separator = format!("{}{}", "\n".repeat(a.ndim() - 1), " ".repeat(depth + 1));
        for (k, i) in shown.iter().enumerate() {
            if k > 0 {
                out.push_str(&separator);
            }
            match i {
                Some(i) => write_block(out, a.index_axis(Axis(0), *i), depth + 1, summarize, style),
                None => out.push_str("..."),
            }
        }
    }
    out.push(']');
}
