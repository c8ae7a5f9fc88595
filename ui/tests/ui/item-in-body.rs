// An item (`fn`, `const`, `use`) inside the body is rejected at the item.
#[dezero::differentiable]
fn f(x: f64) -> f64 {
    const TWO: f64 = 2.0;
    x * TWO
}

fn main() {}
