"""Data-parallel SimpleConvNet training steps over MPI: step time and time in Allreduce, 1 vs N processes.

Run (one BLAS thread per process, so N processes use N cores):
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/distributed.py
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/mpiexec -n 2 .venv/bin/python benchmarks/distributed.py

A step is what data-parallel training does per global batch (default 200 float32 1×28×28 images): take
this rank's shard, forward, backward, average the gradients with one Allreduce (`nn.distributed`), one
SGD update. Printed by rank 0: the median [quartiles] of `repeats` steps after three warm-up steps;
"Allreduce in step" is the gradient averaging as timed inside the step (it includes waiting for the
slowest rank); "Allreduce alone" is the same call on the same buffer right after a barrier, the transport
cost by itself. Then the ring-allreduce estimate 2·(N−1)/N · bytes / bandwidth for larger jobs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before NumPy loads its BLAS: one thread per process
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
import autograd.functions as F
import nn
import optim
from autograd.memory import keep_freed_memory
from nn import distributed


def quartiles(values: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(values, n=4)
    return f"{median:.1f} [{q1:.1f}, {q3:.1f}]"


def ring_allreduce_ms(parameters: int, nodes: int, gbit_per_s: float) -> float:
    """2·(N−1)/N · bytes / bandwidth for float32 gradients, in ms (bandwidth term only, no latency)."""
    return 2 * (nodes - 1) / nodes * parameters * 4 / (gbit_per_s * 1e9 / 8) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=200, help="global batch size")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--bandwidth", type=float, default=10.0, help="network bandwidth for the estimate, Gbit/s")
    args = parser.parse_args()
    keep_freed_memory()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, args.batch)
    nn.manual_seed(0)
    model = nn.SimpleConvNet()
    params = model.parameters()
    distributed.broadcast_parameters(params)
    opt = optim.SGD(params, lr=0.01)
    xs, ts = distributed.shard(x, t)
    weight = len(xs) / len(x)
    size = distributed.world_size()

    step_ms, allreduce_ms = [], []
    for i in range(3 + args.repeats):
        start = time.perf_counter()
        opt.zero_grad()
        F.softmax_cross_entropy(model(xs), ts).backward()
        before_allreduce = time.perf_counter()
        distributed.allreduce_gradients(params, weight)
        after_allreduce = time.perf_counter()
        opt.step()
        if i >= 3:
            step_ms.append((time.perf_counter() - start) * 1e3)
            allreduce_ms.append((after_allreduce - before_allreduce) * 1e3)

    alone_ms = []
    if size > 1:
        world = distributed.comm()
        for _ in range(args.repeats):
            world.Barrier()
            start = time.perf_counter()
            distributed.allreduce_gradients(params, weight)
            alone_ms.append((time.perf_counter() - start) * 1e3)

    n_params = sum(p.data.size for p in params)
    distributed.print0(
        f"SimpleConvNet ({n_params:,} float32 parameters, {n_params * 4 / 1e6:.2f} MB of gradients), "
        f"global batch {args.batch}, {size} process(es) of {len(xs)} examples, 1 BLAS thread each: "
        f"median [quartiles] of {args.repeats} steps, ms"
    )
    distributed.print0("| processes | step | Allreduce in step | Allreduce alone |")
    distributed.print0("| ---: | ---: | ---: | ---: |")
    alone = quartiles(alone_ms) if alone_ms else "–"
    in_step = quartiles(allreduce_ms) if size > 1 else "–"
    distributed.print0(f"| {size} | {quartiles(step_ms)} | {in_step} | {alone} |")
    distributed.print0(f"\nRing allreduce at {args.bandwidth:g} Gbit/s, 2·(N−1)/N · bytes / bandwidth, ms:")
    distributed.print0("| net | parameters | 8 nodes | 64 nodes |")
    distributed.print0("| --- | ---: | ---: | ---: |")
    for net in (nn.SimpleConvNet, nn.DeepConvNet):
        count = sum(p.data.size for p in net().parameters())
        eight, sixty_four = (ring_allreduce_ms(count, n, args.bandwidth) for n in (8, 64))
        distributed.print0(f"| {net.__name__} | {count:,} | {eight:.2f} | {sixty_four:.2f} |")


if __name__ == "__main__":
    main()
