//! The reference cycles `create_graph` makes, and how they are freed.
//!
//! # Why there is a cycle
//!
//! A backward pass with [`create_graph`](crate::BackwardOptions::create_graph) records the
//! gradient computation: for `y = x²`, `x.grad = 2 x gy` is a variable whose creator (a `mul`
//! node) holds `x` as an input. So `x → x.grad → mul node → x` is a cycle of strong references.
//! It cannot be avoided while `x.grad` is the gradient *with its graph* (that is the point of
//! `create_graph`: `x.grad().backward()` differentiates again) and the graph's nodes hold their
//! inputs strongly (so that a later backward through them still has their values). Python's
//! garbage collector frees such cycles; `Rc` alone does not.
//!
//! # How it is freed
//!
//! Every cycle goes through the grad of some variable whose grad has a creator: the creator and
//! input links only ever point to older objects, so only a grad link can close a loop. Such
//! variables ("candidates") are registered (weakly) when a `create_graph` pass, or `set_grad`,
//! gives them a recorded gradient. A collection is trial deletion restricted to what a set of
//! candidates reaches through grad, creator and input links: the references that come from
//! inside that set are counted, every object with more strong references than that is held from
//! outside (a user's handle, a [`Node`](crate::Node), a running backward pass) and keeps alive
//! everything it reaches; the rest is unreachable, and clearing its variables' grads frees it.
//! References the collector cannot see (a variable inside a user's `Function` struct) only make
//! objects look held from outside: it never frees anything reachable.
//!
//! A collection runs
//! - when a handle to a candidate is dropped and others remain (the usual end of a Newton step:
//!   the variable outlives the gradients read from it, and its last handle goes), starting
//!   from that candidate, up to [`DROP_BUDGET`] objects;
//! - at the start of every backward pass, over all candidates (those whose grad was cleared or
//!   replaced by a constant are dropped from the list first, so after the usual `cleargrad`
//!   there is nothing to explore). This frees a cycle whose last handle was not a candidate's
//!   (the gradient dropped after its variable) by the next pass.
//!
//! The check on each dropped handle costs one relaxed atomic load while no candidate exists on
//! any thread. A collection costs time proportional to what the candidates reach, about one
//! backward pass over their gradients' graphs.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::function::NodeInner;
use crate::variable::{Variable, VariableInner};

/// A collection started at a dropped handle explores at most this many objects; a larger
/// graph is left to the next backward pass.
pub(crate) const DROP_BUDGET: usize = 1 << 14;

/// Candidates registered on all threads (an upper bound): the gate of [`on_drop`].
static REGISTERED: AtomicUsize = AtomicUsize::new(0);

/// A registered candidate.
struct Candidate {
    var: Weak<RefCell<VariableInner>>,
    /// The strong references to it from inside what it reaches, as last counted (`usize::MAX`
    /// before the first count). While it has more than this many other handles it is held from
    /// outside, so dropping one need not look (if the count is stale, the next pass will).
    internal: usize,
}

/// The candidates of this thread, by address.
type Registry = HashMap<usize, Candidate>;

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::new());
    /// Set while a collection runs (the drops it causes must not start another).
    static COLLECTING: Cell<bool> = const { Cell::new(false) };
}

fn addr(v: &Rc<RefCell<VariableInner>>) -> usize {
    Rc::as_ptr(v) as *const u8 as usize
}

/// Registers `v` as a candidate if its grad has a creator.
pub(crate) fn register(v: &Variable) {
    if !has_recorded_grad(&v.0) {
        return;
    }
    let _ = REGISTRY.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.entry(addr(&v.0)).or_insert_with(|| {
                REGISTERED.fetch_add(1, Ordering::Relaxed);
                Candidate {
                    var: Rc::downgrade(&v.0),
                    internal: usize::MAX,
                }
            });
        }
    });
}

/// Whether `v`'s grad has a creator (so `v` may be on a cycle through its grad).
fn has_recorded_grad(v: &RefCell<VariableInner>) -> bool {
    let Ok(inner) = v.try_borrow() else {
        return false;
    };
    inner
        .grad
        .as_ref()
        .is_some_and(|g| g.0.try_borrow().map_or(true, |g| g.creator.is_some()))
}

/// Called by every dropped [`Variable`] handle: if it is a candidate's and not its last one, the
/// candidate may have just become unreachable; collect from it.
#[inline]
pub(crate) fn on_drop(v: &Variable) {
    if REGISTERED.load(Ordering::Relaxed) != 0 && Rc::strong_count(&v.0) > 1 {
        on_drop_slow(v);
    }
}

#[cold]
fn on_drop_slow(v: &Variable) {
    if COLLECTING.with(Cell::get) {
        return;
    }
    let key = addr(&v.0);
    // The handles left once this one is gone; held from outside while more than the internal
    // references last counted.
    let left = Rc::strong_count(&v.0) - 1;
    let worth = REGISTRY
        .try_with(|r| {
            r.try_borrow()
                .is_ok_and(|r| r.get(&key).is_some_and(|c| left <= c.internal))
        })
        .unwrap_or(false);
    if worth && has_recorded_grad(&v.0) {
        // Too large a graph is left to the next backward pass.
        collect(vec![Rc::clone(&v.0)], Some(DROP_BUDGET), Some(key));
    }
}

/// Called at the start of a backward pass: a collection over every candidate.
pub(crate) fn before_pass() {
    if REGISTERED.load(Ordering::Relaxed) == 0 || COLLECTING.with(Cell::get) {
        return;
    }
    let roots = REGISTRY.try_with(|r| {
        let mut r = r.try_borrow_mut().ok()?;
        prune(&mut r);
        Some(
            r.values()
                .filter_map(|c| c.var.upgrade())
                .collect::<Vec<_>>(),
        )
    });
    if let Ok(Some(roots)) = roots {
        if !roots.is_empty() {
            collect(roots, None, None);
        }
    }
}

/// Drops the registry's entries that are dead or no longer candidates.
fn prune(r: &mut Registry) {
    let before = r.len();
    r.retain(|_, c| c.var.upgrade().is_some_and(|v| has_recorded_grad(&v)));
    REGISTERED.fetch_sub(before - r.len(), Ordering::Relaxed);
    if r.is_empty() {
        // No candidate left: no memory kept for them either.
        *r = Registry::new();
    }
}

/// An object of the explored graph, held by one extra strong handle while the collection runs.
enum Object {
    Var(Rc<RefCell<VariableInner>>),
    Node(Rc<NodeInner>),
}

impl Object {
    fn strong_count(&self) -> usize {
        match self {
            Object::Var(v) => Rc::strong_count(v),
            Object::Node(n) => Rc::strong_count(n),
        }
    }
}

struct Entry {
    object: Object,
    /// Strong references from other explored objects.
    internal: usize,
    /// The objects this one references (indices).
    edges: Vec<usize>,
    /// A variable that was borrowed, so its links could not be read: treated as held from
    /// outside.
    opaque: bool,
}

/// The explored graph: every object reachable from the roots.
#[derive(Default)]
struct Graph {
    entries: Vec<Entry>,
    index: HashMap<usize, usize>,
}

impl Graph {
    /// The index of `object`, adding it (and `todo`-ing it) if it is new.
    fn add(&mut self, key: usize, object: impl FnOnce() -> Object, todo: &mut Vec<usize>) -> usize {
        *self.index.entry(key).or_insert_with(|| {
            self.entries.push(Entry {
                object: object(),
                internal: 0,
                edges: Vec::new(),
                opaque: false,
            });
            todo.push(self.entries.len() - 1);
            self.entries.len() - 1
        })
    }

    fn add_var(&mut self, v: &Rc<RefCell<VariableInner>>, todo: &mut Vec<usize>) -> usize {
        self.add(addr(v), || Object::Var(Rc::clone(v)), todo)
    }

    /// [`add_var`](Graph::add_var) with the handle the graph keeps given (not cloned).
    fn add_root(&mut self, v: Rc<RefCell<VariableInner>>, todo: &mut Vec<usize>) -> usize {
        self.add(addr(&v), || Object::Var(v), todo)
    }

    fn add_node(&mut self, n: &Rc<NodeInner>, todo: &mut Vec<usize>) -> usize {
        let key = Rc::as_ptr(n) as *const u8 as usize;
        self.add(key, || Object::Node(Rc::clone(n)), todo)
    }
}

/// Trial deletion from `roots` (see the module doc), whose handles become the collection's own
/// (one per explored object). `dropping` is the address of a variable one of whose handles is
/// being dropped (that handle does not count as a reference from outside). Returns the number
/// of variables freed, or `None` if `budget` objects were explored first (nothing is freed
/// then).
fn collect(
    roots: Vec<Rc<RefCell<VariableInner>>>,
    budget: Option<usize>,
    dropping: Option<usize>,
) -> Option<usize> {
    let _collecting = Collecting::start();
    let mut graph = Graph::default();
    let mut todo = Vec::new();
    for r in roots {
        graph.add_root(r, &mut todo);
    }
    // Explore, counting the references between explored objects.
    while let Some(i) = todo.pop() {
        if budget.is_some_and(|b| graph.entries.len() > b) {
            return None;
        }
        let mut edges = Vec::new();
        match &graph.entries[i].object {
            Object::Var(v) => {
                let v = Rc::clone(v);
                let links = v
                    .try_borrow()
                    .map(|inner| {
                        let grad = inner.grad.as_ref().map(|g| Rc::clone(&g.0));
                        (grad, inner.creator.clone())
                    })
                    .ok();
                match links {
                    Some((grad, creator)) => {
                        if let Some(g) = &grad {
                            edges.push(graph.add_var(g, &mut todo));
                        }
                        if let Some(c) = &creator {
                            edges.push(graph.add_node(c, &mut todo));
                        }
                    }
                    None => graph.entries[i].opaque = true,
                }
            }
            Object::Node(n) => {
                let n = Rc::clone(n);
                for x in n.inputs.iter() {
                    edges.push(graph.add_var(&x.0, &mut todo));
                }
            }
        }
        for &j in &edges {
            graph.entries[j].internal += 1;
        }
        graph.entries[i].edges = edges;
    }
    // Held from outside: more strong references than the explored ones, our own handle and
    // the one being dropped.
    let mut live = vec![false; graph.entries.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in graph.entries.iter().enumerate() {
        let dropped = match (&e.object, dropping) {
            (Object::Var(v), Some(d)) if addr(v) == d => 1,
            _ => 0,
        };
        if e.opaque || e.object.strong_count() > 1 + e.internal + dropped {
            live[i] = true;
            stack.push(i);
        }
    }
    while let Some(i) = stack.pop() {
        for &j in &graph.entries[i].edges {
            if !live[j] {
                live[j] = true;
                stack.push(j);
            }
        }
    }
    // Remember, for the candidates held from outside, how many references come from inside.
    let _ = REGISTRY.try_with(|r| {
        let Ok(mut r) = r.try_borrow_mut() else {
            return;
        };
        for (e, &live) in graph.entries.iter().zip(&live) {
            if let (Object::Var(v), true) = (&e.object, live) {
                if let Some(c) = r.get_mut(&addr(v)) {
                    c.internal = e.internal;
                }
            }
        }
    });
    // The rest is unreachable: cut its grad links (every cycle has one), then let go.
    let mut grads = Vec::new();
    let mut freed = 0;
    for (e, &live) in graph.entries.iter().zip(&live) {
        if let (Object::Var(v), false) = (&e.object, live) {
            if let Ok(mut inner) = v.try_borrow_mut() {
                grads.extend(inner.grad.take());
            }
            freed += 1;
        }
    }
    drop(graph);
    drop(grads);
    if freed > 0 {
        // Their entries (and those of anything freed with them) are dead now.
        let _ = REGISTRY.try_with(|r| {
            if let Ok(mut r) = r.try_borrow_mut() {
                prune(&mut r);
            }
        });
    }
    Some(freed)
}

/// Sets [`COLLECTING`] for its lifetime.
struct Collecting;

impl Collecting {
    fn start() -> Self {
        COLLECTING.with(|c| c.set(true));
        Collecting
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        COLLECTING.with(|c| c.set(false));
    }
}
