"""How cost grows: a SimpleConvNet step against the batch size, and a chain's backward against its length.

Run: .venv/bin/python benchmarks/growth.py [--batches 25,50,100,200,400] [--lengths 1000,3000,10000,30000,100000]
     [--repeats 10] [--keep-freed-memory] [--clock wall|cpu] [--plot docs/perf_growth.png]

- SimpleConvNet step (forward, backward, SGD update; benchmarks/conv.py's net) at each batch size:
  median ms, and the step's peak memory growth (RSS, and tracemalloc's count of NumPy's arrays).
- A chain of n scalar ops (add, mul, tanh alternating, as benchmarks/overhead.py) built once per
  run: median ms of its backward() alone, and µs per op.
Both should grow linearly; the per-unit columns (ms per sample, µs per op) stay flat when they do.
--plot draws both as a two-panel matplotlib figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
from autograd.memory import keep_freed_memory
from benchmarks._measure import CLOCKS, interleaved_ms, machine, rss_peak_growth_mb, traced_peak_mb
from benchmarks.conv import simple_params, zerograd_step
from benchmarks.overhead import chain


def batch_growth(batches: list[int], repeats: int, clock: str) -> list[tuple[int, float, float, float]]:
    """(batch, median ms, peak RSS growth MB, peak traced MB) of a SimpleConvNet step per batch size."""
    rng = np.random.default_rng(0)
    params = simple_params(rng)
    rows = []
    for batch in batches:
        x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
        t = rng.integers(0, 10, batch)
        step = zerograd_step("simple", params, x, t)
        ms = statistics.median(interleaved_ms({"step": step}, repeats, clock=clock)["step"])
        rss = rss_peak_growth_mb(step)
        rows.append((batch, ms, float("nan") if rss is None else rss, traced_peak_mb(step)))
    return rows


def chain_growth(lengths: list[int], repeats: int, clock: str) -> list[tuple[int, float]]:
    """(length, median ms of backward()) for chains of scalar ops."""
    now = CLOCKS[clock]
    rows = []
    for n in lengths:
        times = []
        for _ in range(max(3, repeats * 1000 // n)):
            _, y = chain(n)
            start = now()
            y.backward()
            times.append((now() - start) * 1e3)
        rows.append((n, statistics.median(times)))
    return rows


def plot(path: str, batches: list[tuple[int, float, float, float]], chains: list[tuple[int, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    sizes = [b for b, *_ in batches]
    left.plot(sizes, [ms for _, ms, _, _ in batches], "o-", color="tab:blue", label="step time")
    left.set_xlabel("batch size")
    left.set_ylabel("ms per step", color="tab:blue")
    left.set_title("SimpleConvNet step (forward, backward, SGD)")
    memory = left.twinx()
    memory.plot(sizes, [mb for *_, mb in batches], "s--", color="tab:red", label="peak memory (traced)")
    memory.set_ylabel("peak memory growth, MB", color="tab:red")
    lengths = [n for n, _ in chains]
    right.loglog(lengths, [ms for _, ms in chains], "o-", label="backward()")
    slope = chains[-1][1] / chains[-1][0]
    right.loglog(lengths, [slope * n for n in lengths], ":", color="gray", label="linear")
    right.set_xlabel("ops in the chain")
    right.set_ylabel("ms")
    right.set_title("backward() of a chain of scalar ops")
    right.legend()
    fig.tight_layout()
    target = Path(path)
    temporary = target.with_name(target.stem + ".tmp" + target.suffix)
    fig.savefig(temporary, dpi=100)
    temporary.replace(target)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="25,50,100,200,400")
    parser.add_argument("--lengths", default="1000,3000,10000,30000,100000")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--keep-freed-memory", action="store_true", help="glibc keeps freed memory for reuse")
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"], help="cpu: process CPU time, all threads")
    parser.add_argument("--plot", help="write the figure to this path (PNG)")
    args = parser.parse_args()
    if args.keep_freed_memory and not keep_freed_memory():
        parser.error("--keep-freed-memory needs glibc's mallopt")

    batches = batch_growth([int(b) for b in args.batches.split(",")], args.repeats, args.clock)
    malloc = "glibc keeping freed memory" if args.keep_freed_memory else "default malloc"
    print(machine())
    print(f"SimpleConvNet step, forward + backward + SGD, {malloc}, {args.clock} clock: median of {args.repeats}")
    print("| batch | ms per step | ms per sample | peak RSS growth | peak traced |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for batch, ms, rss, traced in batches:
        print(f"| {batch} | {ms:.1f} | {ms / batch:.3f} | {rss:.1f} MB | {traced:.1f} MB |")
    chains = chain_growth([int(n) for n in args.lengths.split(",")], args.repeats, args.clock)
    print("\nbackward() of a chain of scalar ops (add, mul, tanh), median")
    print("| ops | ms | µs per op |")
    print("| ---: | ---: | ---: |")
    for n, ms in chains:
        print(f"| {n} | {ms:.1f} | {ms * 1e3 / n:.2f} |")
    if args.plot:
        plot(args.plot, batches, chains)
        print(f"\nfigure: {args.plot}")


if __name__ == "__main__":
    main()
