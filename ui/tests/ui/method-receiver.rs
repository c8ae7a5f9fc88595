// A method with `self` is rejected at `&self`.
struct S;

impl S {
    #[dezero::differentiable]
    fn f(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {}
