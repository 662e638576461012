"""Framework overhead per op: a chain of scalar ops (add, mul, tanh alternating), forward + backward.

Run: .venv/bin/python benchmarks/overhead.py [--ops 1000] [--repeats 15] [--clock wall|cpu]
Prints microseconds per op (median of the repeats) for zerograd, a plain NumPy forward/backward
without any graph, and PyTorch's eager CPU mode when torch is installed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
import autograd.functions as F
from autograd import Variable
from benchmarks._measure import interleaved_ms, machine


def chain(n_ops: int) -> tuple[Variable, Variable]:
    """x and y = n_ops scalar ops on x (add, mul, tanh in turn), recorded as a graph."""
    x = Variable(np.array(0.5))
    w = Variable(np.array(0.9))
    y = x
    for i in range(n_ops):
        k = i % 3
        y = y + w if k == 0 else (y * w if k == 1 else F.tanh(y))
    return x, y


def zerograd_chain(n_ops: int) -> Callable[[], float]:
    def run() -> float:
        x, y = chain(n_ops)
        y.backward()
        return float(x.grad.data)

    return run


def numpy_chain(n_ops: int) -> Callable[[], float]:
    """The same chain by hand: forward storing what backward needs, then the chain rule in reverse."""

    def run() -> float:
        x, w = np.array(0.5), np.array(0.9)
        y, tape = x, []
        for i in range(n_ops):
            k = i % 3
            if k == 0:
                y = y + w
            elif k == 1:
                tape.append((1, y))
                y = y * w
            else:
                y = np.tanh(y)
                tape.append((2, y))
        gy = np.array(1.0)
        for kind, value in reversed(tape):
            gy = gy * w if kind == 1 else gy * (1 - value * value)
        return float(gy)

    return run


def torch_chain(n_ops: int) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)

    def run() -> float:
        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        w = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
        y = x
        for i in range(n_ops):
            k = i % 3
            y = y + w if k == 0 else (y * w if k == 1 else torch.tanh(y))
        y.backward()
        return float(x.grad)

    return run


def median_us_per_op(runs: dict[str, Callable[[], float]], n_ops: int, repeats: int, clock: str) -> dict[str, float]:
    """Median µs per op of each chain, the engines taking turns run by run."""
    times = interleaved_ms(runs, repeats, warmup=1, clock=clock)
    return {name: statistics.median(ms) / n_ops * 1e3 for name, ms in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"], help="cpu: process CPU time, all threads")
    args = parser.parse_args()

    rows = [("zerograd", zerograd_chain(args.ops)), ("NumPy by hand, no graph", numpy_chain(args.ops))]
    torch_run = torch_chain(args.ops)
    if torch_run is not None:
        rows.append(("PyTorch eager (2 threads)", torch_run))
    results = median_us_per_op(dict(rows), args.ops, args.repeats, args.clock)

    print(machine())
    chain = f"chain of {args.ops} scalar ops (add, mul, tanh)"
    print(f"{chain}, forward + backward, {args.clock} clock, median of {args.repeats}")
    print("| engine | us per op |")
    print("| --- | ---: |")
    for name, us in results.items():
        print(f"| {name} | {us:.2f} |")
    if torch_run is None:
        print("(PyTorch not installed: `pip install torch==2.13.0` to compare)")
    else:
        ratio = results["zerograd"] / results["PyTorch eager (2 threads)"]
        print(f"zerograd / PyTorch: {ratio:.2f}")


if __name__ == "__main__":
    main()
