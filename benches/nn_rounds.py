"""Alternates benches/nn.rs and its peers (benches/nn_peer.py) for several rounds, one right
after the other, and prints each round's ratios, their median, and the best of each side
against the best of the other.

On a shared machine one process of either side can land in a slow spell (1.5-2x, for the
whole process: the Rust side is 0.12 or 0.21 ms per spiral epoch from run to run, the book's
DeZero 2.9 or 5.2 ms), so the ratio of a single round says more about the machine than about
the code. The best of each side over the rounds is the same rule each side applies to its own
repeats ("fastest of 5"), taken across processes; the median round shows what a single
side-by-side run gives.

Setup: as benches/nn_peer.py (pip install dezero numpy torch).
Run: python3 benches/nn_rounds.py [rounds]   (from the project root; default 8 rounds)."""
import statistics
import subprocess
import sys

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
RUST = ["cargo", "bench", "-q", "-p", "dezero-benches", "--bench", "nn", "--",
        "--profile-time", "1", "spiral_epoch"]
PEER = [sys.executable, "benches/nn_peer.py"]


def lines(cmd):
    """The `name: value` lines a command prints, as a dict of floats."""
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        name, _, value = line.rpartition(":")
        try:
            found[name.strip()] = float(value)
        except ValueError:
            pass
    return found


def pick(found, prefix):
    return next(v for k, v in found.items() if k.startswith(prefix))


rows = []
for k in range(ROUNDS):
    rust = lines(RUST)
    peer = lines(PEER)
    row = {
        "rust spiral": pick(rust, "spiral epoch ms"),
        "dezero spiral": pick(peer, "dezero spiral epoch ms"),
        "torch spiral": pick(peer, "torch spiral epoch ms"),
        "rust mlp": pick(rust, "mlp 784-1000-10 step ms (best"),
        "torch mlp": pick(peer, "torch mlp 784-1000-10 step ms"),
    }
    rows.append(row)
    print(f"round {k + 1}: " + ", ".join(f"{n} {v:.3f} ms" for n, v in row.items()), flush=True)

RATIOS = [
    ("spiral epoch, DeZero / Rust", "dezero spiral", "rust spiral"),
    ("spiral epoch, PyTorch / Rust", "torch spiral", "rust spiral"),
    ("MLP 784-1000-10 step, Rust / PyTorch", "rust mlp", "torch mlp"),
]
for title, num, den in RATIOS:
    per_round = [r[num] / r[den] for r in rows]
    best = min(r[num] for r in rows) / min(r[den] for r in rows)
    print(f"{title}: median of rounds {statistics.median(per_round):.2f}x "
          f"(rounds {min(per_round):.2f}-{max(per_round):.2f}x), best against best {best:.2f}x")
