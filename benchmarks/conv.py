"""CNN training steps at batch 100 on 1×28×28 float32 input: ms per step and peak memory, beside PyTorch.

Run: .venv/bin/python benchmarks/conv.py [--batch 100] [--repeats 30] [--nets simple,deep]
     [--engines zerograd,PyTorch] [--keep-freed-memory]

A step is forward, backward (loss and every parameter gradient) and a plain SGD update.
- SimpleConvNet: conv 30 filters 5×5 → ReLU → max-pool 2×2 → affine 4320→100 → ReLU → affine 100→10
  → softmax cross entropy.
- DeepConvNet (the textbook's): 3×3 convs with 16, 16, 32, 32, 64, 64 filters, each followed by ReLU and
  every second by a 2×2 max-pool (pad 1, the fourth pad 2) → affine 1024→50 → ReLU → dropout 0.5
  → affine 50→10 → dropout 0.5 → softmax cross entropy.
Both nets are built from autograd.functions ops with float32 He-initialised parameters; PyTorch (when
installed, with its default thread count) runs the same nets from the same initial weights. The input
batch is an ndarray, so neither engine computes a gradient for it.

Time: the engines take turns step by step (after three warm-up steps each); median and quartiles of
`repeats` steps, by perf_counter.
Memory: peak RSS growth is how far the process's resident memory rises during one step above its
level before it (the same measure for both engines; Linux); peak traced is the most a step holds at
once beyond what existed before it, as tracemalloc sees NumPy's allocations (none of PyTorch's).

--keep-freed-memory calls autograd.memory.keep_freed_memory(), which asks glibc (mallopt) to serve
every allocation from its heap and never give freed memory back to the system, for both engines in
this process. By default large arrays are mapped afresh, their pages faulted in and zeroed on first
touch, on every step.
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
import optim
from autograd import Variable
from autograd.memory import keep_freed_memory
from benchmarks._measure import interleaved_ms, machine, rss_peak_growth_mb, summary, traced_peak_mb

Params = dict[str, np.ndarray]
LR = 0.01


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
    opt = optim.SGD(variables.values(), lr=LR)
    rng = np.random.default_rng(0)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(variables, x, t, rng)
        loss.backward()
        opt.step()
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
    opt = torch.optim.SGD(p.values(), lr=LR)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--nets", default="simple,deep")
    parser.add_argument("--engines", default="zerograd,PyTorch", help="which engines to run (in turns)")
    parser.add_argument("--keep-freed-memory", action="store_true", help="glibc keeps freed memory for reuse")
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"], help="cpu: process CPU time, all threads")
    args = parser.parse_args()
    if args.keep_freed_memory and not keep_freed_memory():
        parser.error("--keep-freed-memory needs glibc's mallopt")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, args.batch)
    names = {"simple": "SimpleConvNet", "deep": "DeepConvNet"}
    makers = {"zerograd": zerograd_step, "PyTorch": torch_step}
    malloc = "glibc keeping freed memory" if args.keep_freed_memory else "default malloc"
    print(machine())
    print(f"batch {args.batch}, 1×28×28 float32, forward + backward + SGD, {malloc}, {args.clock} clock:")
    print("| net | engine | ms per step | peak RSS growth | peak traced (tracemalloc) |")
    print("| --- | --- | ---: | ---: | ---: |")
    torch_missing = False
    for net in args.nets.split(","):
        params = simple_params(rng) if net == "simple" else deep_params(rng)
        steps = {}
        for engine in args.engines.split(","):
            step = makers[engine](net, params, x, t)
            if step is None:
                torch_missing = True
            else:
                steps[engine] = step
        times = interleaved_ms(steps, args.repeats, clock=args.clock)
        for engine, step in steps.items():
            rss = rss_peak_growth_mb(step)
            rss_text = "n/a" if rss is None else f"{rss:.1f} MB"
            traced = f"{traced_peak_mb(step):.1f} MB" if engine == "zerograd" else "n/a"
            print(f"| {names[net]} | {engine} | {summary(times[engine])} | {rss_text} | {traced} |")
        if len(steps) == 2:
            ratio = statistics.median(times["zerograd"]) / statistics.median(times["PyTorch"])
            print(f"| {names[net]} | zerograd / PyTorch | {ratio:.2f}× | | |")
    if torch_missing:
        print("(PyTorch not installed: `pip install torch==2.13.0` to compare)")


if __name__ == "__main__":
    main()
