"""Peer of benches/runtime.rs's `elementwise_1e6` rows: NumPy on one thread computing
`x * y + sin(x)` on 10^6 float64 elements (the same inputs), forward only.
Setup: pip install numpy
Run: python3 benches/numpy_peer.py   (right after `cargo bench --bench runtime`, same machine).
Prints the fastest of 7 runs of 20 calls (ms per call)."""
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

i = np.arange(1_000_000, dtype=np.float64)
x = np.modf(i * 0.618)[0]
y = np.modf(i * 0.414)[0]


def f():
    return x * y + np.sin(x)


f()
times = []
for _ in range(7):
    t = time.perf_counter()
    for _ in range(20):
        f()
    times.append((time.perf_counter() - t) / 20)
print("numpy x*y+sin(x) on 10^6 elements ms:", min(times) * 1e3, "numpy:", np.__version__)
