// `#[differentiable]` on something other than a free `fn` is an error on that item.
#[dezero::differentiable]
const C: f64 = 1.0;

fn main() {}
