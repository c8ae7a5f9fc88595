"""Peers of benches/nn.rs: the book's DeZero (PyPI `dezero` 0.0.13 on NumPy) and PyTorch eager,
both in float64 on one thread, on the same two workloads:

- spiral epoch: one epoch of step 48 (MLP(10, 3) with sigmoid, 10 batches of 30 drawn by a fresh
  permutation, softmax cross entropy, SGD lr 1.0), written as the book writes it.
- MLP 784-1000-10 step: forward (sigmoid), softmax cross entropy, zero grads, backward, SGD
  lr 0.01 on a batch of 100 random inputs.

DeZero defaults its Linear weights and spiral data to float32; here both are float64, like the
Rust side. Each row prints the fastest of its repeats (ms per call).
Setup: pip install dezero numpy torch
Run: python3 benches/nn_peer.py   (right after `cargo bench --bench nn`, same machine)."""
import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

np.int = int  # dezero 0.0.13 predates numpy 1.24
import dezero  # noqa: E402
import dezero.functions as F  # noqa: E402
import dezero.layers as L  # noqa: E402
from dezero import optimizers  # noqa: E402
from dezero.models import MLP  # noqa: E402
import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


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


# DeZero in float64: its Linear takes dtype=np.float32 by default.
_linear_init = L.Linear.__init__


def _linear_f64(self, out_size, nobias=False, dtype=np.float64, in_size=None):
    _linear_init(self, out_size, nobias=nobias, dtype=dtype, in_size=in_size)


L.Linear.__init__ = _linear_f64

x_spiral, t_spiral = dezero.datasets.get_spiral(train=True)
x_spiral = x_spiral.astype(np.float64)
batch_size, data_size = 30, len(x_spiral)
max_iter = math.ceil(data_size / batch_size)

np.random.seed(0)
dz_model = MLP((10, 3))
dz_opt = optimizers.SGD(1.0).setup(dz_model)


def dezero_spiral_epoch():
    index = np.random.permutation(data_size)
    sum_loss = 0
    for i in range(max_iter):
        batch_index = index[i * batch_size:(i + 1) * batch_size]
        batch_x, batch_t = x_spiral[batch_index], t_spiral[batch_index]
        y = dz_model(batch_x)
        loss = F.softmax_cross_entropy(y, batch_t)
        dz_model.cleargrads()
        loss.backward()
        dz_opt.update()
        sum_loss += float(loss.data) * len(batch_t)
    return sum_loss / data_size


first = dezero_spiral_epoch()
assert dz_model.l0.W.data.dtype == np.float64
for _ in range(20):
    later = dezero_spiral_epoch()
assert later < first

torch.manual_seed(0)
tx, tt = torch.tensor(x_spiral), torch.tensor(t_spiral, dtype=torch.long)
th_model = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.Sigmoid(), torch.nn.Linear(10, 3))
th_opt = torch.optim.SGD(th_model.parameters(), lr=1.0)
cross_entropy = torch.nn.functional.cross_entropy


def torch_spiral_epoch():
    index = torch.randperm(data_size)
    sum_loss = 0
    for i in range(max_iter):
        batch_index = index[i * batch_size:(i + 1) * batch_size]
        y = th_model(tx[batch_index])
        loss = cross_entropy(y, tt[batch_index])
        th_opt.zero_grad()
        loss.backward()
        th_opt.step()
        sum_loss += loss.item() * len(batch_index)
    return sum_loss / data_size


first = torch_spiral_epoch()
for _ in range(20):
    later = torch_spiral_epoch()
assert later < first

rng = np.random.default_rng(0)
x_mlp = rng.random((100, 784))
t_mlp = rng.integers(0, 10, 100)

np.random.seed(0)
dz_big = MLP((1000, 10))
dz_big_opt = optimizers.SGD(0.01).setup(dz_big)


def dezero_mlp_step():
    loss = F.softmax_cross_entropy(dz_big(x_mlp), t_mlp)
    dz_big.cleargrads()
    loss.backward()
    dz_big_opt.update()


th_big = torch.nn.Sequential(torch.nn.Linear(784, 1000), torch.nn.Sigmoid(), torch.nn.Linear(1000, 10))
th_big_opt = torch.optim.SGD(th_big.parameters(), lr=0.01)
tx_mlp, tt_mlp = torch.tensor(x_mlp), torch.tensor(t_mlp, dtype=torch.long)


def torch_mlp_step():
    loss = cross_entropy(th_big(tx_mlp), tt_mlp)
    th_big_opt.zero_grad()
    loss.backward()
    th_big_opt.step()


print("dezero spiral epoch ms:", best(dezero_spiral_epoch, 20, 5) * 1e3)
print("torch spiral epoch ms:", best(torch_spiral_epoch, 50, 5) * 1e3)
print("dezero mlp 784-1000-10 step ms:", best(dezero_mlp_step, 10, 5) * 1e3)
print("torch mlp 784-1000-10 step ms:", best(torch_mlp_step, 10, 5) * 1e3)
print("torch threads:", torch.get_num_threads(), "numpy:", np.__version__, "torch:", torch.__version__)
