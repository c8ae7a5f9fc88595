// A repeated option is an error on the second occurrence of the key (not silently the last wins).
#[dezero::differentiable(grad = first, grad = second)]
fn f(x: f64) -> f64 {
    x * x
}

// Also for `vjp`, and for the flag `dot`, even when other options sit between them.
#[dezero::differentiable(vjp = a, dot, vjp = b)]
fn g(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable(dot, grad = h_g, dot)]
fn h(x: f64) -> f64 {
    x * x
}

fn main() {}
