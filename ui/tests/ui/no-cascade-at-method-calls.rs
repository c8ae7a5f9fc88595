// A method (`&self`) is rejected at `&self`; its stubs are methods too, so the calls
// `s.f_grad(..)`, `s.f_vjp(..)`, `s.f_op(..)` add no error.
struct S;

impl S {
    #[dezero::differentiable]
    fn f(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {
    let s = S;
    let (_value, _slope) = s.f_grad(1.0);
    let _pulled: f64 = s.f_vjp(1.0, 0.5);
    let _node: dezero::Variable = s.f_op(&dezero::Variable::from(1.0));
}
