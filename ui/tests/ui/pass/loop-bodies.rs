// A `for` loop with both bounds from integer parameters, an `if` on the loop counter inside the
// body, two loop-carried floats and a call to an annotated function in the body compiles without
// warnings; an empty range leaves the values alone.
#![deny(warnings)]
use dezero::differentiable;

#[differentiable]
fn sq(t: f64) -> f64 {
    t * t
}

#[differentiable]
fn f(x: f64, lo: usize, hi: usize) -> f64 {
    let mut a = x;
    let mut b = 1.0;
    for i in lo..hi {
        if i % 2 == 0 {
            a *= x;
        } else {
            b += sq(a);
        }
    }
    a + b
}

pub fn main() {
    // 0..3: a = x^2, then b = 1 + x^4, then a = x^3: f = x^3 + x^4 + 1.
    // At 2: 8 + 16 + 1 = 25, f' = 3x^2 + 4x^3 = 12 + 32 = 44.
    assert_eq!(f_grad(2.0, 0, 3), (25.0, 44.0));
    // 1..1 is empty: f = x + 1.
    assert_eq!(f_grad(2.0, 1, 1), (3.0, 1.0));
}
