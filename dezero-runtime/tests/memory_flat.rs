//! Step 17's loop keeps memory flat: a counting global allocator (this test binary's own)
//! shows that the bytes live after each iteration do not grow. So does a loop of a fused node
//! over 10^6 elements, whose buffers are reused from the fused nodes' bounded cache.

use dezero_runtime::functions::square;
use dezero_runtime::fused::{cached_buffer_bytes, clear_buffer_cache, elementwise};
use dezero_runtime::Variable;
use ndarray::ArrayD;

mod counting;
use counting::live;

/// Runs step 17's loop: x is 10,000 elements, y = square(square(square(x))).
fn run(iterations: usize, backward: bool) -> Vec<isize> {
    let mut after = Vec::with_capacity(iterations); // no reallocation inside the loop
    let mut keep = None;
    for i in 0..iterations {
        let x = Variable::new(ArrayD::from_elem(vec![10_000], 0.5 + i as f64 * 1e-3));
        let y = square(square(square(&x)));
        if backward {
            y.backward();
        }
        keep = Some((x, y)); // the previous iteration's graph is dropped here, as in Python
        after.push(live());
    }
    drop(keep);
    after
}

#[test]
fn step17_loop_keeps_memory_flat() {
    for backward in [false, true] {
        let start = live();
        let after = run(10, backward);
        // one graph (x, three nodes, y: ~4 arrays of 80 kB, 5 with the grad) is alive at a time
        let first = after[0];
        assert!(
            first - start > 4 * 80_000,
            "a graph holds its arrays: {}",
            first - start
        );
        assert!(
            after.iter().all(|&b| b == first),
            "live bytes per iteration (backward: {backward}): {after:?}"
        );
        drop(after);
        assert_eq!(
            live(),
            start,
            "everything freed after the loop (backward: {backward})"
        );
    }
}

#[test]
fn fused_node_loop_on_a_million_elements_keeps_memory_flat() {
    const N: usize = 1_000_000;
    const MB8: isize = N as isize * 8;
    clear_buffer_cache();
    let start = live();
    let mut after = Vec::with_capacity(10); // no reallocation inside the loop
    let mut keep = None;
    for i in 0..10 {
        let x = Variable::new(ArrayD::from_elem(vec![N], 0.5 + i as f64 * 1e-3));
        let y = elementwise("square", [&x], |[x]| x * x, |[x], g| [2.0 * x * g]);
        y.backward();
        assert_eq!(x.grad().unwrap().data()[0], 2.0 * (0.5 + i as f64 * 1e-3));
        keep = Some((x, y)); // the previous iteration's graph is dropped here
        after.push(live());
    }
    // alive: x, y, x.grad; cached from the second iteration on: the previous y and x.grad
    // (the seed is one number, not a buffer; the cache never holds more than 4 buffers)
    assert!((after[0] - start - 3 * MB8).abs() < 4096, "{after:?}");
    assert!(
        after[1..].iter().all(|&b| b == after[1]),
        "live bytes per iteration: {after:?}"
    );
    // the two cached buffers, and the cache's own list of them (a few pointers)
    assert!(
        (0..1024).contains(&(after[1] - after[0] - 2 * MB8)),
        "{after:?}"
    );
    assert_eq!(cached_buffer_bytes() as isize, 2 * MB8);
    drop(keep);
    drop(after);
    // y and x.grad join the cache: 4 buffers, its bound
    assert_eq!(cached_buffer_bytes() as isize, 4 * MB8);
    let left = live() - start - 4 * MB8; // the cache's own list of buffers: a few pointers
    assert!(
        (0..1024).contains(&left),
        "only the bounded cache is left: {left}"
    );
    clear_buffer_cache();
    assert_eq!(
        live(),
        start,
        "everything freed after the loop and clear_buffer_cache"
    );
}

/// Goldstein–Price from runtime ops, as the benchmarks write it.
fn goldstein(x: &Variable, y: &Variable) -> Variable {
    (1.0 + (x + y + 1.0).pow(2.0)
        * (19.0 - 14.0 * x + 3.0 * x.pow(2.0) - 14.0 * y + 6.0 * x * y + 3.0 * y.pow(2.0)))
        * (30.0
            + (2.0 * x - 3.0 * y).pow(2.0)
                * (18.0 - 32.0 * x + 12.0 * x.pow(2.0) + 48.0 * y - 36.0 * x * y
                    + 27.0 * y.pow(2.0)))
}

#[test]
fn runtime_loop_on_large_arrays_reuses_the_pool_and_keeps_memory_flat() {
    use dezero_runtime::functions::{sin, tanh};
    use dezero_runtime::pool::{clear_pool, pool_limit, pooled_bytes, set_pool_limit};
    const N: usize = 100_000; // above the pool's 65,536 elements
    clear_pool();
    let start = live();
    let grid = |k: f64| ArrayD::from_shape_fn(vec![N], |i| (i[0] as f64 * k).fract() * 4.0 - 2.0);
    let (x, y) = (
        Variable::new(grid(0.618_034)),
        Variable::new(grid(0.414_214)),
    );
    let inputs = live();
    let run = || {
        let z = sin(tanh(goldstein(&x, &y)));
        z.backward();
        let out = (
            z.data().clone(),
            x.grad().unwrap().data().clone(),
            y.grad().unwrap().data().clone(),
        );
        x.cleargrad();
        y.cleargrad();
        out
    };
    // Pooling off: every array fresh, the reference values.
    set_pool_limit(0);
    let reference = run();
    assert_eq!(pooled_bytes(), 0);
    set_pool_limit(pool_limit().max(dezero_runtime::pool::DEFAULT_LIMIT));
    let mut after = Vec::with_capacity(10);
    for _ in 0..10 {
        let out = run();
        assert!(out == reference, "pooled buffers give the same bits");
        drop(out);
        after.push(live());
    }
    // The first run fills the pool; every later one takes all its arrays from it.
    assert!(pooled_bytes() > 20 * N * 8, "{}", pooled_bytes());
    assert!(
        after.iter().all(|&b| b == after[0]),
        "live bytes per iteration: {after:?}"
    );
    // Live: the inputs, the three reference arrays, the pool (and its list of buffers).
    let left = after[0] - inputs - 3 * (N * 8) as isize - pooled_bytes() as isize;
    assert!((0..4096).contains(&left), "only the pool is left: {left}");
    drop((reference, after));
    clear_pool();
    assert_eq!(live(), inputs, "the pool freed");
    drop((x, y));
    assert_eq!(live(), start, "everything freed");
}
