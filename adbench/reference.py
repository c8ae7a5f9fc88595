"""Independent reference values for adbench/tests: the GMM objective and one BA residual.

Run from the repository root (NumPy only; lgamma from the standard library):

    python3 adbench/reference.py

It formulates the GMM objective differently from adbench/src/gmm.rs: it builds each
component's factor Q as a dense matrix and takes the Gaussian log-density
log N(x | mu, (Q^T Q)^-1) = -d/2 ln(2 pi) + ln|det Q| - |Q (x - mu)|^2 / 2 with matrix products
over all points at once; the mixture weights are softmax(alpha). Objective =
sum_i log sum_k softmax(alpha)_k N(x_i) (ADBench's sign) plus the Wishart prior of
data/adbench/README.md. It computes in numpy.longdouble (80-bit on x86-64) and prints the
result rounded to f64, so it is a truth for f64 code rather than a second f64 rounding. (Going
through the precision matrix P = Q^T Q, (x - mu)^T P (x - mu) and slogdet(P) in f64 instead is
3e-11 relative off on gmm_d10_K25, whose Q have condition numbers up to ~300.) The BA residual uses the rotation matrix
R = I + sin(t) K + (1 - cos(t)) K^2 (K the cross-product matrix of r / t), not the vector form.
"""
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "adbench")


def numbers(name):
    with open(os.path.join(DATA, name)) as f:
        return [float(t) for t in f.read().split()]


def gmm(name):
    v = numbers(name)
    d, k, n = int(v[0]), int(v[1]), int(v[2])
    pos = 3

    def take(count):
        nonlocal pos
        out = np.array(v[pos:pos + count], dtype=np.longdouble)
        pos += count
        return out

    alphas = take(k)
    means = take(k * d).reshape(k, d)
    icf = take(k * d * (d + 1) // 2).reshape(k, d * (d + 1) // 2)
    x = take(n * d).reshape(n, d)
    gamma, m = v[pos], int(v[pos + 1])
    assert pos + 2 == len(v)

    log_w = alphas - (alphas.max() + np.log(np.exp(alphas - alphas.max()).sum()))
    comp = np.empty((n, k), dtype=np.longdouble)
    frob = np.empty(k, dtype=np.longdouble)
    for j in range(k):
        q = np.zeros((d, d), dtype=np.longdouble)
        q[np.diag_indices(d)] = np.exp(icf[j, :d])
        idx = d
        for col in range(d):
            for row in range(col + 1, d):
                q[row, col] = icf[j, idx]
                idx += 1
        # Q is triangular: ln|det Q| is the sum of the logs of its diagonal.
        logdet = np.log(np.abs(np.diag(q))).sum()
        y = (x - means[j]) @ q.T
        quad = (y * y).sum(axis=1)
        comp[:, j] = log_w[j] - np.longdouble(0.5 * d) * np.log(2 * np.longdouble(np.pi)) + logdet - 0.5 * quad
        frob[j] = (q * q).sum()
    top = comp.max(axis=1, keepdims=True)
    loglik = (top[:, 0] + np.log(np.exp(comp - top).sum(axis=1))).sum()

    nn = d + m + 1
    lmgamma = 0.25 * d * (d - 1) * math.log(math.pi) + sum(
        math.lgamma(0.5 * nn + 0.5 * (1 - jj)) for jj in range(1, d + 1))
    c = nn * d * (math.log(gamma) - 0.5 * math.log(2)) - lmgamma
    prior = (0.5 * gamma * gamma * frob - m * icf[:, :d].sum(axis=1)).sum() - k * c
    return loglik + prior


def ba(name):
    v = numbers(name)
    cam = np.array(v[3:14])
    pt = np.array(v[14:17])
    w = v[17]
    feat = np.array(v[18:20])
    r = cam[0:3]
    t = np.linalg.norm(r)
    kx = np.array([[0, -r[2], r[1]], [r[2], 0, -r[0]], [-r[1], r[0], 0]]) / t
    rot = np.eye(3) + math.sin(t) * kx + (1 - math.cos(t)) * (kx @ kx)
    xc = rot @ (pt - cam[3:6])
    p = xc[:2] / xc[2]
    rsq = p @ p
    p = p * (1 + cam[9] * rsq + cam[10] * rsq * rsq)
    return w * (p * cam[6] + cam[7:9] - feat)


for f in ["gmm_d2_K5.txt", "gmm_d10_K25.txt"]:
    print(f"{f}: objective = {float(gmm(f))!r}")
res = ba("ba1_n49_m7776_p31843.txt")
print(f"ba1_n49_m7776_p31843.txt: residual = [{float(res[0])!r}, {float(res[1])!r}]")
