//! Step 17's loop keeps memory flat: a counting global allocator (this test binary's own)
//! shows that the bytes live after each iteration do not grow.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use dezero_runtime::functions::square;
use dezero_runtime::Variable;
use ndarray::ArrayD;

struct Counting;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread (tests run on their own threads).
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    // `try_with`: the slot may be gone while the thread is being torn down.
    let _ = LIVE.try_with(|l| l.set(l.get() + delta));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.with(|l| l.get())
}

/// Runs step 17's loop: x is 10,000 elements, y = square(square(square(x))).
fn run(iterations: usize, backward: bool) -> Vec<isize> {
    let mut after = Vec::with_capacity(iterations); // no reallocation inside the loop
    let mut keep = None;
    for i in 0..iterations {
        let x = Variable::new(ArrayD::from_elem(vec![10_000], 0.5 + i as f64 * 1e-3));
        let y = square(&square(&square(&x)));
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
