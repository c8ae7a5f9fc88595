"""Peer timing: the book's own DeZero (PyPI `dezero` 0.0.13, numpy) on the seed workloads.
Run it right beside the Rust benchmarks on the same machine; compare ratios, not absolute times.
Setup: pip install dezero numpy matplotlib   (dezero 0.0.13 needs the np.int shim below).
Rows: Goldstein-Price value + gradient at (1, 1) on fresh scalars; one scalar op forward +
backward (a chain of 1000 `v = v * 1.0001`, per op); Goldstein-Price forward + backward on
10^6 elements, goldstein(a, a * 0.5) on a 1000x1000 array (benches/runtime.rs's
`goldstein_array`); a chain of 20 unary ops (sin, cos, tanh, exp, five times) on 10^6 elements,
forward + backward (`chain20_1e6`). The array rows print the fastest of 5 runs.
Run: python3 benches/peers/dezero_peer.py   (from the project root, right after
`cargo bench --bench runtime`)."""
import time
import numpy as np

np.int = int  # dezero 0.0.13 predates numpy 1.24
from dezero import Variable  # noqa: E402
import dezero.functions as F  # noqa: E402


def goldstein(x, y):
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)) * \
           (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2))


x, y = Variable(np.array(1.0)), Variable(np.array(1.0))
z = goldstein(x, y)
z.backward()
assert (float(z.data), float(x.grad.data), float(y.grad.data)) == (1876.0, -5376.0, 8064.0)

n = 2000
t = time.perf_counter()
for _ in range(n):
    x, y = Variable(np.array(1.0)), Variable(np.array(1.0))
    goldstein(x, y).backward()
print("goldstein value+grad us", (time.perf_counter() - t) / n * 1e6)

x = Variable(np.array(1.0))
t = time.perf_counter()
for _ in range(20):
    v = x
    for _ in range(1000):
        v = v * 1.0001
    v.backward()
    x.cleargrad()
print("scalar op fwd+bwd us", (time.perf_counter() - t) / 20000 * 1e6)



def fastest(fn, repeat=5):
    """Milliseconds: the fastest of `repeat` runs (the least disturbed on a shared machine)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3


a = Variable(np.random.rand(1000, 1000))


def goldstein_a():
    b = goldstein(a, a * 0.5)
    b.backward()
    a.cleargrad()


print("goldstein on 10^6 elements value+grad ms", fastest(goldstein_a))

c = Variable(np.modf(np.arange(1_000_000) * 0.618034)[0] * 4.0 - 2.0)


def chain20():
    v = c
    for _ in range(5):
        v = F.exp(F.tanh(F.cos(F.sin(v))))
    v.backward()
    c.cleargrad()


print("chain of 20 unary ops on 10^6 elements fwd+bwd ms", fastest(chain20))
