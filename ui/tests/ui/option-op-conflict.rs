// `op = name` and `no_op` contradict each other: an error on the second, saying to keep one.
#[dezero::differentiable(op = g, no_op)]
fn f(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable(no_op = true)]
fn f2(x: f64) -> f64 {
    x * x
}

fn main() {}
