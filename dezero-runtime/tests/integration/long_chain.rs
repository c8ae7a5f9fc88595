//! A chain of 1,000,000 operations is built, differentiated and dropped without stack
//! overflow: `backward` is a loop and `Drop` of the chain is iterative.

use dezero_runtime::Variable;

#[test]
fn million_operation_chain() {
    let x = Variable::from(1.0);
    let mut y = x.clone();
    for _ in 0..1_000_000 {
        y = &y + 1.0;
    }
    assert_eq!(y.item(), 1_000_001.0);
    assert_eq!(y.generation(), 1_000_000);
    y.backward();
    assert_eq!(x.grad().unwrap().item(), 1.0);
    let wy = y.downgrade();
    drop(y);
    assert!(!wy.is_alive());
}
