// A pullback whose signature does not match `(x, seed) -> f64` (wrong arity, wrong result):
// rustc's error must land on the pullback's name in the attribute or on its definition.
#[dezero::custom_vjp(pullback)]
fn f(x: f64) -> f64 {
    x * x
}

fn pullback(x: f64) -> f64 {
    2.0 * x
}

#[dezero::custom_vjp(pullback2)]
fn g(x: f64) -> f64 {
    x * 3.0
}

fn pullback2(x: f64, seed: f64) -> (f64, f64) {
    (seed * 3.0, x)
}

fn main() {}
