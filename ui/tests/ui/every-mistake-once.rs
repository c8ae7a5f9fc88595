// Several syntax mistakes in one function (the macro's first stage) are all reported in one
// compile, each once, at its own code. (Mistakes found by a later stage, such as an unknown
// method, appear once these are fixed: the macro stops between stages.)
#[dezero::differentiable]
fn f(x: f64, n: i32) -> f64 {
    let g = |t: f64| t * t;
    let mut z = match n {
        0 => x,
        _ => g(x),
    };
    loop {
        z = z * 2.0;
    }
}

fn main() {}
