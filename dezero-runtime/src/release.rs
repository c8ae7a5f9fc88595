//! Freeing a graph without recursion: dropping the last handle to the output of a chain of a
//! million functions is a loop, not a million nested `drop` calls.

use std::rc::Rc;

use crate::function::NodeInner;
use crate::variable::{Variable, VariableInner};

impl Drop for VariableInner {
    /// Frees the graph behind this variable iteratively: a chain of a million functions is
    /// dropped with a loop, not a million nested `drop` calls. An array a fused node allocated
    /// goes back to the fused nodes' buffer cache instead of the allocator, one a built-in function
    /// allocated to the runtime's pool.
    fn drop(&mut self) {
        if self.recycle {
            if let Some(data) = self.data.take() {
                crate::fused::buffers::give(data);
            }
        } else if self.pooled {
            if let Some(data) = self.data.take() {
                crate::pool::give(data);
            }
        }
        if self.creator.is_none() && self.grad.is_none() {
            return;
        }
        let mut nodes: Vec<Rc<NodeInner>> = Vec::new();
        let mut vars: Vec<Variable> = Vec::new();
        nodes.extend(self.creator.take());
        vars.extend(self.grad.take());
        loop {
            if let Some(v) = vars.pop() {
                // The last handle: take what it owns, so its own drop has nothing to walk.
                // (In place: moving the whole VariableInner out would copy it.)
                if Rc::strong_count(&v.0) == 1 {
                    let mut inner = v.0.borrow_mut();
                    nodes.extend(inner.creator.take());
                    vars.extend(inner.grad.take());
                }
            } else if let Some(mut node) = nodes.pop() {
                // The last handle (nodes are never held weakly): move its inputs out first.
                if let Some(node) = Rc::get_mut(&mut node) {
                    node.inputs.take_into(&mut vars);
                }
            } else {
                break;
            }
        }
    }
}
