//! Operator overloading (steps 20–22): variables, numbers and arrays mix on either side of
//! `+ - * /`, with NumPy broadcasting, and `pow` takes a constant exponent.
//!
//! Run: `cargo run --example operators`

use dezero::Variable;
use ndarray::array;

fn main() {
    let (a, b, c) = (
        Variable::from(3.0),
        Variable::from(2.0),
        Variable::from(1.0),
    );
    let y = &a * &b + &c;
    y.backward();
    println!(
        "a * b + c = {y}; a.grad = {}, b.grad = {}",
        a.grad().unwrap(),
        b.grad().unwrap()
    );

    let x = Variable::from(2.0);
    println!("3 * x + 1 = {}", 3.0 * &x + 1.0);
    println!("2 - x     = {}", 2.0 - &x);
    println!("3 / x     = {}", 3.0 / &x);
    println!("-x        = {}", -&x);
    println!("x ** 3    = {}", x.pow(3.0));

    let x = Variable::from(1.0);
    let y = (&x + 3.0).pow(2.0);
    y.backward();
    println!("(x + 3) ** 2 = {y}; x.grad = {}", x.grad().unwrap());

    // Arrays broadcast; each gradient has its variable's shape.
    let x = Variable::from(array![1.0, 2.0, 3.0]);
    let y = array![[10.0], [20.0]] + &x;
    y.backward();
    println!("array + x =\n{y}");
    println!("x.grad = {}", x.grad().unwrap());
}
