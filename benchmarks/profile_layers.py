"""Where a CNN training step spends its time: each op's forward and backward, beside the GEMM limit.

Run: .venv/bin/python benchmarks/profile_layers.py [--net simple|deep] [--batch 100] [--repeats 20]

Every op of one step (forward and backward, no update) is timed by wrapping `Function.__call__` and
each op class's `backward`; an op's backward is timed as a whole, the autograd ops it runs inside
included, and those inner ops are not counted again. The median over `repeats` steps is printed per
op and per phase, with the floating-point work each op does and, beside it, the time that work takes
at this machine's float32 GEMM rate (measured here on a 1000×1000 product): the physical limit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
from autograd.core import Function
from autograd.memory import keep_freed_memory
from benchmarks.conv import deep_params, simple_params, zerograd_step

clock = time.perf_counter


def gemm_gflops(size: int = 1000, repeats: int = 10) -> float:
    a = np.random.default_rng(0).standard_normal((size, size)).astype(np.float32)
    a @ a
    times = []
    for _ in range(repeats):
        start = clock()
        a @ a
        times.append(clock() - start)
    return 2 * size**3 / min(times) / 1e9


class Timer:
    """Wraps Function so that each op's own forward time and whole backward time are recorded per step."""

    def __init__(self) -> None:
        self.depth = 0
        self.step: dict[tuple[int, str, str], float] = defaultdict(float)
        self.order = 0
        self.keys: dict[tuple[str, str, int], tuple[int, str, str]] = {}
        self.seen: dict[tuple[str, str], int] = defaultdict(int)
        self.flops: dict[tuple[int, str, str], float] = {}

    def key(self, phase: str, name: str) -> tuple[int, str, str]:
        # The k-th op of a kind in a phase keeps its row from step to step.
        k = self.seen[phase, name]
        self.seen[phase, name] += 1
        if (phase, name, k) not in self.keys:
            self.keys[phase, name, k] = (len(self.keys), phase, f"{name} #{k + 1}" if k else name)
        return self.keys[phase, name, k]

    def install(self) -> None:
        call = Function.__call__
        timer = self

        def timed_call(f: Function, *inputs: object) -> object:
            if timer.depth:
                return call(f, *inputs)
            key = timer.key("forward", type(f).__name__)
            timer.depth += 1
            start = clock()
            try:
                return call(f, *inputs)
            finally:
                timer.step[key] += clock() - start
                timer.depth -= 1
                timer.flops[key] = gemm_flops(f, "forward")

        Function.__call__ = timed_call  # type: ignore[method-assign]
        for cls in _subclasses(Function):
            if "backward" in vars(cls):
                cls.backward = self._timed_backward(cls.backward, cls.__name__)

    def _timed_backward(self, backward: Callable, name: str) -> Callable:
        timer = self

        def timed(f: Function, *gys: object) -> object:
            key = timer.key("backward", name)
            timer.depth += 1
            start = clock()
            try:
                return backward(f, *gys)
            finally:
                timer.step[key] += clock() - start
                timer.depth -= 1
                timer.flops[key] = gemm_flops(f, "backward")

        return timed

    def new_step(self) -> None:
        self.step = defaultdict(float)
        self.seen = defaultdict(int)


def gemm_flops(f: Function, phase: str) -> float:
    """The floating-point operations (2 per multiply-add) of the matrix products in an op's forward or
    backward: convolutions and affine layers; 0 for the rest, whose work is data movement."""
    name = type(f).__name__
    if name not in ("Conv2d", "Linear") or not hasattr(f, "inputs"):
        return 0.0
    x, W = f.inputs[0].data, f.inputs[1].data
    if name == "Conv2d":
        oh, ow = f.win.out_size(x.shape)
        product = 2.0 * x.shape[0] * oh * ow * W.size
        input_gradient = not getattr(f, "constant_input", False)
    else:
        product = 2.0 * (x.size // x.shape[-1]) * W.size
        input_gradient = True
    return product if phase == "forward" else product * (1 + input_gradient)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net", default="simple", choices=["simple", "deep"])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep-freed-memory", action="store_true", help="glibc keeps freed memory for reuse")
    parser.add_argument(
        "--clock", default="wall", choices=["wall", "cpu"], help="cpu: process CPU time (steadier when busy)"
    )
    args = parser.parse_args()
    global clock
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    if args.keep_freed_memory and not keep_freed_memory():
        parser.error("--keep-freed-memory needs glibc's mallopt")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, args.batch)
    params = simple_params(rng) if args.net == "simple" else deep_params(rng)
    step = zerograd_step(args.net, params, x, t)
    for _ in range(3):
        step()
    timer = Timer()
    timer.install()
    per_op: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    totals = []
    for _ in range(args.repeats):
        timer.new_step()
        start = clock()
        step()
        totals.append(clock() - start)
        for key, seconds in timer.step.items():
            per_op[key].append(seconds)
    rate = gemm_gflops()
    print(f"{args.net} batch {args.batch}: median of {args.repeats} steps; float32 GEMM {rate:.0f} GFLOP/s")
    print("| phase | op | ms (median) | ms (fastest) | MFLOP | GEMM limit, ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    accounted = [0.0, 0.0]
    for key in sorted(per_op):
        ms = statistics.median(per_op[key]) * 1e3, min(per_op[key]) * 1e3
        accounted = [a + m for a, m in zip(accounted, ms)]
        flops = timer.flops.get(key, 0.0)
        limit = f"{flops / rate / 1e6:.2f}" if flops else ""
        print(f"| {key[1]} | {key[2]} | {ms[0]:.2f} | {ms[1]:.2f} | {flops / 1e6:.0f} | {limit} |")
    total = statistics.median(totals) * 1e3, min(totals) * 1e3
    flops = sum(timer.flops.values())
    print(f"| | engine and Python between ops | {total[0] - accounted[0]:.2f} | {total[1] - accounted[1]:.2f} | | |")
    step_row = f"| | step (timed, instrumented) | {total[0]:.2f} | {total[1]:.2f}"
    print(f"{step_row} | {flops / 1e6:.0f} | {flops / rate / 1e6:.2f} |")


if __name__ == "__main__":
    main()
