// PENDING (macro bug, reported to the lead): a raw identifier parameter makes the macro panic
// ("custom attribute panicked: `"r#x"` is not a valid identifier") instead of compiling.
// Move this file to tests/ui/pass/ once `#[differentiable]` handles raw identifiers.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn f(r#type: f64) -> f64 {
    r#type * r#type
}

fn main() {
    assert_eq!(f_grad(3.0), (9.0, 6.0));
}
