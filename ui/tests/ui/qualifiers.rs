// `const`, `async`, `unsafe` and `extern` functions are rejected, each error on its keyword.
#[dezero::differentiable]
const fn f(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable]
async fn g(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable]
unsafe fn h(x: f64) -> f64 {
    x * x
}

#[dezero::differentiable]
extern "C" fn k(x: f64) -> f64 {
    x * x
}

fn main() {}
