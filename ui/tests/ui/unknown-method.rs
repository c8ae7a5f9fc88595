// A method the macro does not know (here the user's own trait method) is rejected at the
// method's name, listing the supported ones; the same for a path call such as `f64::squish(x)`.
trait Squish {
    fn squish(self) -> f64;
}

impl Squish for f64 {
    fn squish(self) -> f64 {
        self / (1.0 + self.abs())
    }
}

#[dezero::differentiable]
fn f(x: f64) -> f64 {
    x.squish() + f64::squish(x)
}

fn main() {}
