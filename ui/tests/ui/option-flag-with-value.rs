// `dot` is a flag: `dot = ..` is an error on `dot`, saying to write it alone.
#[dezero::differentiable(dot = true)]
fn f(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable(grad = g2, dot(x))]
fn f2(x: f64) -> f64 {
    x * x
}

fn main() {}
