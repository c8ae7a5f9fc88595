"""Peer timing: PyTorch eager (CPU, float64) on the seed workloads: what a user would pick instead of
dezero's define-by-run runtime. Run it right beside the Rust benchmarks on the same machine;
compare ratios, not absolute times.
Rows, as benches/runtime.rs and benches/fused.rs run them: one scalar op forward + backward (a
chain of 1000 `v = v * 1.0001` from a 0-dim tensor, then backward; per op), Goldstein-Price value +
gradient on fresh 0-dim tensors at (1, 1), and Goldstein-Price forward + backward on 10^6-element
tensors: x, y as benches/fused.rs makes them, seeded with ones (its `goldstein_1e6` rows), and
goldstein(a, a * 0.5) (benches/runtime.rs's `goldstein_array`, the DeZero peer's last row), and a
chain of 20 unary ops (sin, cos, tanh, exp, five times) on 10^6 elements, forward + backward
(benches/runtime.rs's `chain20_1e6`).
Threads: 1 for every row (the Rust rows are single-threaded), 2 as well for the 10^6 rows,
alternating; each row prints the fastest of its runs.
Setup: pip install torch numpy   (PyPI's wheel bundles the CUDA libraries, about 6 GB installed;
only the CPU is used here)
Run: python3 benches/peers/torch_peer.py   (from the project root, right after
`cargo bench --bench runtime` and `cargo bench --bench fused`)."""
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def goldstein(x, y):
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)) * \
           (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2))


def best(fn, number, repeat):
    """Seconds per call: the fastest of `repeat` runs of `number` calls."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t) / number)
    return min(times)


x, y = torch.tensor(1.0, requires_grad=True), torch.tensor(1.0, requires_grad=True)
z = goldstein(x, y)
z.backward()
assert (z.item(), x.grad.item(), y.grad.item()) == (1876.0, -5376.0, 8064.0)
assert z.dtype == torch.float64

x = torch.tensor(1.0, requires_grad=True)


def chain():
    v = x
    for _ in range(1000):
        v = v * 1.0001
    v.backward()
    x.grad = None


print("scalar op fwd+bwd us, threads=1:", best(chain, 20, 7) / 1000 * 1e6)


def goldstein_scalar():
    x, y = torch.tensor(1.0, requires_grad=True), torch.tensor(1.0, requires_grad=True)
    goldstein(x, y).backward()
    return x.grad, y.grad


print("goldstein scalar value+grad us, threads=1:", best(goldstein_scalar, 2000, 7) * 1e6)

n = 1_000_000
i = np.arange(n, dtype=np.float64)
xa = torch.tensor(np.modf(i * 0.618034)[0] * 4.0 - 2.0, requires_grad=True)  # [-2, 2)
ya = torch.tensor(np.modf(i * 0.414214)[0] * 4.0 - 2.0, requires_grad=True)
a = torch.tensor(np.random.default_rng(0).random((1000, 1000)), requires_grad=True)


def goldstein_xy():
    z = goldstein(xa, ya)
    z.backward(torch.ones_like(z))
    xa.grad = ya.grad = None


def goldstein_a():
    z = goldstein(a, a * 0.5)
    z.backward(torch.ones_like(z))
    a.grad = None


c = torch.tensor(np.modf(i * 0.618034)[0] * 4.0 - 2.0, requires_grad=True)


def chain20():
    v = c
    for _ in range(5):
        v = torch.exp(torch.tanh(torch.cos(torch.sin(v))))
    v.backward(torch.ones_like(v))
    c.grad = None


rows = {}
for _ in range(3):  # alternate thread counts
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for name, fn in (("goldstein 10^6 (x, y) fwd+bwd ms", goldstein_xy),
                         ("goldstein 10^6 (a, a*0.5) fwd+bwd ms", goldstein_a),
                         ("chain of 20 unary ops 10^6 fwd+bwd ms", chain20)):
            key = f"{name}, threads={threads}"
            rows[key] = min(rows.get(key, float("inf")), best(fn, 3, 3) * 1e3)
for key, ms in rows.items():
    print(f"{key}: {ms}")
