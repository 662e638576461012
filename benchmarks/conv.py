"""CNN training steps at batch 100 on 1×28×28 float32 input: ms per step and peak memory, beside PyTorch.

Run: .venv/bin/python benchmarks/conv.py [--batch 100] [--repeats 30] [--nets simple,deep] [--keep-freed-memory]

A step is one forward and backward pass (loss and every parameter gradient; no update).
- SimpleConvNet: conv 30 filters 5×5 → ReLU → max-pool 2×2 → affine 4320→100 → ReLU → affine 100→10
  → softmax cross entropy.
- DeepConvNet (the textbook's): 3×3 convs with 16, 16, 32, 32, 64, 64 filters, each followed by ReLU and
  every second by a 2×2 max-pool (pad 1, the fourth pad 2) → affine 1024→50 → ReLU → dropout 0.5
  → affine 50→10 → dropout 0.5 → softmax cross entropy.
Both nets are built from autograd.functions ops with float32 He-initialised parameters; PyTorch (when
installed, with its default thread count) runs the same nets from the same initial weights. The input
batch is an ndarray, so neither engine computes a gradient for it.

Time: the median (and the quartiles) of `repeats` steps after three warm-up steps, by perf_counter.
Memory: how much a step adds at its peak over what was allocated before it, as traced by tracemalloc
(NumPy reports its allocations to it); PyTorch's allocator is not traced, so it has no figure here.

--keep-freed-memory calls autograd.memory.keep_freed_memory(), which asks glibc (mallopt) to serve
every allocation from its heap and never give freed memory back to the system. By default large
arrays are mapped afresh, their pages faulted in and zeroed on first touch, on every step: ~4,500
page faults per SimpleConvNet step and ~10,000 per DeepConvNet step, measured at about half of
zerograd's SimpleConvNet step on a 2-core VM.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
import autograd.functions as F
from autograd import Variable
from autograd.memory import keep_freed_memory

Params = dict[str, np.ndarray]


def he(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def simple_params(rng: np.random.Generator) -> Params:
    return {
        "W1": he(rng, (30, 1, 5, 5), 25),
        "b1": np.zeros(30, np.float32),
        "W2": he(rng, (4320, 100), 4320),
        "b2": np.zeros(100, np.float32),
        "W3": he(rng, (100, 10), 100),
        "b3": np.zeros(10, np.float32),
    }


# (filters, pad) of DeepConvNet's six 3×3 convolutions; a 2×2 max-pool follows every second one.
DEEP_CONVS = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]


def deep_params(rng: np.random.Generator) -> Params:
    params, channels = {}, 1
    for i, (filters, _) in enumerate(DEEP_CONVS, 1):
        params[f"W{i}"] = he(rng, (filters, channels, 3, 3), channels * 9)
        params[f"b{i}"] = np.zeros(filters, np.float32)
        channels = filters
    params["W7"], params["b7"] = he(rng, (64 * 4 * 4, 50), 64 * 4 * 4), np.zeros(50, np.float32)
    params["W8"], params["b8"] = he(rng, (50, 10), 50), np.zeros(10, np.float32)
    return params


def simple_loss(p: dict[str, Variable], x: np.ndarray, t: np.ndarray, rng: np.random.Generator) -> Variable:
    h = F.max_pool2d(F.relu(F.conv2d(x, p["W1"], p["b1"])), 2)
    h = F.relu(F.linear(F.reshape(h, (x.shape[0], -1)), p["W2"], p["b2"]))
    return F.softmax_cross_entropy(F.linear(h, p["W3"], p["b3"]), t)


def deep_loss(p: dict[str, Variable], x: np.ndarray, t: np.ndarray, rng: np.random.Generator) -> Variable:
    h = x
    for i, (_, pad) in enumerate(DEEP_CONVS, 1):
        h = F.relu(F.conv2d(h, p[f"W{i}"], p[f"b{i}"], pad=pad))
        if i % 2 == 0:
            h = F.max_pool2d(h, 2)
    h = F.dropout(F.relu(F.linear(F.reshape(h, (x.shape[0], -1)), p["W7"], p["b7"])), 0.5, rng=rng)
    return F.softmax_cross_entropy(F.dropout(F.linear(h, p["W8"], p["b8"]), 0.5, rng=rng), t)


def zerograd_step(net: str, params: Params, x: np.ndarray, t: np.ndarray) -> Callable[[], float]:
    variables = {name: Variable(value.copy(), name=name) for name, value in params.items()}
    loss_fn = simple_loss if net == "simple" else deep_loss
    rng = np.random.default_rng(0)

    def step() -> float:
        for v in variables.values():
            v.cleargrad()
        loss = loss_fn(variables, x, t, rng)
        loss.backward()
        return loss.item()

    return step


def torch_step(net: str, params: Params, x: np.ndarray, t: np.ndarray) -> Callable[[], float] | None:
    try:
        import torch
        import torch.nn.functional as TF
    except ImportError:
        return None
    p = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)

    def simple() -> torch.Tensor:
        h = TF.max_pool2d(torch.relu(TF.conv2d(tx, p["W1"], p["b1"])), 2)
        h = torch.relu(h.reshape(len(tx), -1) @ p["W2"] + p["b2"])
        return TF.cross_entropy(h @ p["W3"] + p["b3"], tt)

    def deep() -> torch.Tensor:
        h = tx
        for i, (_, pad) in enumerate(DEEP_CONVS, 1):
            h = torch.relu(TF.conv2d(h, p[f"W{i}"], p[f"b{i}"], padding=pad))
            if i % 2 == 0:
                h = TF.max_pool2d(h, 2)
        h = TF.dropout(torch.relu(h.reshape(len(tx), -1) @ p["W7"] + p["b7"]), 0.5)
        return TF.cross_entropy(TF.dropout(h @ p["W8"] + p["b8"], 0.5), tt)

    loss_fn = simple if net == "simple" else deep

    def step() -> float:
        for v in p.values():
            v.grad = None
        loss = loss_fn()
        loss.backward()
        return loss.item()

    return step


def timings_ms(step: Callable[[], float], repeats: int) -> list[float]:
    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def traced_peak_mb(step: Callable[[], float]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        return (tracemalloc.get_traced_memory()[1] - before) / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--nets", default="simple,deep")
    parser.add_argument("--keep-freed-memory", action="store_true", help="glibc keeps freed memory for reuse")
    args = parser.parse_args()
    if args.keep_freed_memory and not keep_freed_memory():
        parser.error("--keep-freed-memory needs glibc's mallopt")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, args.batch)
    names = {"simple": "SimpleConvNet", "deep": "DeepConvNet"}
    malloc = "glibc keeping freed memory" if args.keep_freed_memory else "default malloc"
    print(f"batch {args.batch}, 1×28×28 float32, forward + backward, {malloc}: median [quartiles] of {args.repeats}")
    print("| net | engine | ms per step | peak memory growth (tracemalloc) |")
    print("| --- | --- | ---: | ---: |")
    torch_missing = False
    for net in args.nets.split(","):
        params = simple_params(rng) if net == "simple" else deep_params(rng)
        medians = {}
        for engine, make in (("zerograd", zerograd_step), ("PyTorch", torch_step)):
            step = make(net, params, x, t)
            if step is None:
                torch_missing = True
                continue
            times = timings_ms(step, args.repeats)
            q1, median, q3 = statistics.quantiles(times, n=4)
            medians[engine] = median
            traced = f"{traced_peak_mb(step):.1f} MB" if engine == "zerograd" else "n/a"
            print(f"| {names[net]} | {engine} | {median:.1f} [{q1:.1f}, {q3:.1f}] | {traced} |")
        if len(medians) == 2:
            print(f"| {names[net]} | zerograd / PyTorch | {medians['zerograd'] / medians['PyTorch']:.2f}× | |")
    if torch_missing:
        print("(PyTorch not installed: `pip install torch==2.13.0` to compare)")


if __name__ == "__main__":
    main()
