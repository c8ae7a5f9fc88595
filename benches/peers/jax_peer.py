"""Peer timing: JAX (jit, CPU, float64) on the seed workloads: what a user would pick instead of
dezero's `#[differentiable]` code and fused nodes. Run it right beside the Rust benchmarks on the
same machine; compare ratios, not absolute times.
Rows: Goldstein-Price and Rosenbrock value + gradient at one scalar point with
jax.jit(jax.value_and_grad(f, argnums=(0, 1))) (per call after warm-up, JAX's dispatch included);
on 10^6-element float64 arrays (the inputs benches/fused.rs makes), jax.jit of value and gradient
of sum(f(x, y)), forward + backward, and jax.jit of f's full output with its vjp seeded with ones
(what dezero's fused node returns: z, dz/dx, dz/dy); per element on 1024 points with jax.vmap.
Threads: XLA sizes its CPU thread pool at start-up from the CPUs the process may use, so each
thread count runs in its own child process pinned to that many CPUs: 1 for every row (the Rust
rows are single-threaded), then 2 for the array rows, alternating, the fastest of each kept.
Setup: pip install jax numpy
Run: python3 benches/peers/jax_peer.py   (from the project root, right after
`cargo bench --bench fused`)."""
import os
import subprocess
import sys
import time


def child(threads, rows):
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:threads]))
    os.environ["JAX_PLATFORMS"] = "cpu"
    import numpy as np
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def goldstein(x, y):
        return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)) * \
               (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2))

    def rosenbrock(x, y):
        return 100 * (y - x * x) ** 2 + (1 - x) ** 2

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

    # Check the right thing is computed.
    vg = jax.jit(jax.value_and_grad(goldstein, argnums=(0, 1)))
    z, (gx, gy) = vg(jnp.array(1.0), jnp.array(1.0))
    assert (float(z), float(gx), float(gy)) == (1876.0, -5376.0, 8064.0)
    assert z.dtype == jnp.float64

    n = 1_000_000
    i = np.arange(n, dtype=np.float64)
    xa = jnp.asarray(np.modf(i * 0.618034)[0] * 4.0 - 2.0)  # as benches/fused.rs: [-2, 2)
    ya = jnp.asarray(np.modf(i * 0.414214)[0] * 4.0 - 2.0)
    xs, ys = xa[:1024], ya[:1024]

    for name, f in (("goldstein", goldstein), ("rosenbrock", rosenbrock)):
        if "scalar" in rows:
            vg = jax.jit(jax.value_and_grad(f, argnums=(0, 1)))
            x, y = jnp.array(0.3), jnp.array(-0.7)
            t = best(lambda: jax.block_until_ready(vg(x, y)), 2000, 7)
            print(f"{name} scalar value_and_grad jit, threads={threads}: {t * 1e6:.3f} us per call")
            vm = jax.jit(jax.vmap(jax.value_and_grad(f, argnums=(0, 1))))
            t = best(lambda: jax.block_until_ready(vm(xs, ys)), 500, 7)
            print(f"{name} 1024 points vmap(value_and_grad) jit, threads={threads}: "
                  f"{t * 1e6:.2f} us per call, {t / 1024 * 1e9:.2f} ns per point")
        if "arrays" in rows:
            vs = jax.jit(jax.value_and_grad(lambda x, y: jnp.sum(f(x, y)), argnums=(0, 1)))

            def full_fn(x, y):
                z, pull = jax.vjp(f, x, y)
                return (z,) + pull(jnp.ones_like(z))

            full = jax.jit(full_fn)
            # Both give the same gradients.
            _, (g1x, g1y) = vs(xa, ya)
            _, g2x, g2y = full(xa, ya)
            assert np.allclose(g1x, g2x, rtol=1e-12) and np.allclose(g1y, g2y, rtol=1e-12)
            for _ in range(3):  # alternate the two forms
                t_sum = best(lambda: jax.block_until_ready(vs(xa, ya)), 5, 4)
                t_full = best(lambda: jax.block_until_ready(full(xa, ya)), 5, 4)
                print(f"{name} 10^6 value_and_grad(sum f) jit, threads={threads}: {t_sum * 1e3:.3f} ms"
                      f" ({t_sum / n * 1e9:.2f} ns per element)")
                print(f"{name} 10^6 f + vjp(ones) jit (z, gx, gy out), threads={threads}: "
                      f"{t_full * 1e3:.3f} ms ({t_full / n * 1e9:.2f} ns per element)")
    sys.stdout.flush()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3].split(","))
        return
    runs = [(1, "scalar")] + [(t, "arrays") for _ in range(3) for t in (1, 2)]
    lines = {}
    for threads, rows in runs:
        out = subprocess.run([sys.executable, __file__, "--child", str(threads), rows],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            key, value = line.split(": ", 1)
            lines.setdefault(key, []).append(value)
    for key, values in lines.items():
        # The fastest of the alternated runs (the least disturbed on a shared machine).
        print(f"{key}: {min(values, key=lambda v: float(v.split()[0]))}")


if __name__ == "__main__":
    main()
