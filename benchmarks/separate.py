"""Wall-clock step times with each engine alone in its own process, the processes alternating, median of rounds.

Run: .venv/bin/python benchmarks/separate.py [--rounds 3] [--repeats 30] [--workloads overhead,mlp,simple,deep]

The other scripts time the engines in turns inside one process, which is right for CPU time but not for
elapsed time: PyTorch's OpenMP threads and OpenBLAS's keep spinning for a while after each parallel
region, so in one process each engine's threads steal the cores from the other's. Here every
(workload, engine) pair runs in a fresh process with that engine's default threads and nothing else
loaded; a round runs every pair once, the rounds alternate the engines, and each figure is the median
over rounds of a process's median step. The workloads are the other scripts' (same nets, same inputs,
data as plain arrays). zerograd runs twice: with the default allocator, and with glibc keeping freed
memory (autograd.memory.keep_freed_memory), as nn.fit and `python -m nn` leave it for their run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
from autograd.memory import keep_freed_memory
from benchmarks import conv, mlp, overhead
from benchmarks._measure import interleaved_ms, machine

OPS = 1000  # the overhead chain's length: its figure is µs per op

KEPT = "zerograd, as fit"  # zerograd with the allocator as nn.fit leaves it
ENGINES = {
    "overhead": ("zerograd", "PyTorch"),
    "mlp": ("zerograd", KEPT, "NumPy layers", "PyTorch"),
    "simple": ("zerograd", KEPT, "PyTorch"),
    "deep": ("zerograd", KEPT, "PyTorch"),
}
COLUMNS = ("zerograd", KEPT, "PyTorch", "NumPy layers")
TITLES = {
    "overhead": f"per-op overhead, {OPS} scalar ops forward + backward, µs per op",
    "mlp": "MLP 784-100-100-10 step, ms",
    "simple": "SimpleConvNet step, ms",
    "deep": "DeepConvNet step, ms",
}


def make_step(workload: str, engine: str, batch: int) -> Callable[[], object]:
    """The step the other benchmark scripts time for this workload and engine, built with their code."""
    if engine == KEPT:
        keep_freed_memory()
        engine = "zerograd"
    rng = np.random.default_rng(0)
    if workload == "overhead":
        return {"zerograd": overhead.zerograd_chain, "PyTorch": overhead.torch_chain}[engine](OPS)
    if workload == "mlp":
        params = mlp.init_params(rng)
        x = rng.standard_normal((batch, 784)).astype(np.float32)
        t = rng.integers(0, 10, batch)
        makers = {"zerograd": mlp.zerograd_step, "NumPy layers": mlp.numpy_step, "PyTorch": mlp.torch_step}
        return makers[engine](params, x, t)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, batch)
    params = conv.simple_params(rng) if workload == "simple" else conv.deep_params(rng)
    return {"zerograd": conv.zerograd_step, "PyTorch": conv.torch_step}[engine](workload, params, x, t)


def run_one(workload: str, engine: str, batch: int, repeats: int) -> None:
    """Child process: print the median step of this one engine (µs per op for the overhead chain, else ms)."""
    step = make_step(workload, engine, batch)
    median_ms = statistics.median(interleaved_ms({"engine": step}, repeats)["engine"])
    print(median_ms / OPS * 1e3 if workload == "overhead" else median_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=30, help="steps timed in each process")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workloads", default="overhead,mlp,simple,deep")
    parser.add_argument("--one", nargs=2, metavar=("WORKLOAD", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(*args.one, args.batch, args.repeats)
        return

    workloads = args.workloads.split(",")
    figures: dict[tuple[str, str], list[float]] = {(w, e): [] for w in workloads for e in ENGINES[w]}
    for r in range(args.rounds):
        for workload in workloads:
            engines = ENGINES[workload] if r % 2 == 0 else ENGINES[workload][::-1]
            for engine in engines:
                command = [sys.executable, __file__, "--one", workload, engine]
                command += ["--batch", str(args.batch), "--repeats", str(args.repeats)]
                out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                figures[workload, engine].append(float(out.split()[-1]))

    print(machine())
    print(f"each engine in its own process, default threads, wall clock; median of {args.rounds}")
    print(f"rounds of a process's median of {args.repeats} steps; batch {args.batch}, float32")
    print(f"'{KEPT}': zerograd with glibc keeping freed memory, as nn.fit and python -m nn set it")
    print("| workload | " + " | ".join(COLUMNS) + " | zerograd (default; as fit) / reference |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for workload in workloads:
        med = {e: statistics.median(figures[workload, e]) for e in ENGINES[workload]}
        cells = [f"{med[e]:.2f}" if e in med else "" for e in COLUMNS]
        ours = [med[e] for e in ("zerograd", KEPT) if e in med]
        ratios = []
        for reference in ("PyTorch", "NumPy layers"):
            if reference in med:
                ratios.append("; ".join(f"{m / med[reference]:.2f}×" for m in ours) + f" {reference}")
        print(f"| {TITLES[workload]} | " + " | ".join(cells) + " | " + ", ".join(ratios) + " |")
    spread = {k: f"{min(v):.2f}–{max(v):.2f}" for k, v in figures.items()}
    print("range over rounds: " + "; ".join(f"{w} {e} {s}" for (w, e), s in spread.items()))


if __name__ == "__main__":
    main()
