"""MLP 784-100-100-10 training step at batch 100 (float32): zerograd beside the textbook's NumPy layers and PyTorch.

Run: .venv/bin/python benchmarks/mlp.py [--batch 100] [--repeats 200] [--keep-freed-memory]

A step is forward, backward and a plain SGD update (lr 0.1) of every parameter. The reference is
the textbook's way of writing the net by hand (ch. 5): layer objects Affine, ReLU and SoftmaxWithLoss,
each with its own forward and backward in NumPy, chained by hand with no graph, written here. PyTorch
(when installed, with its default thread count) runs the same net from the same initial weights.
The engines take turns step by step; each row is the median [quartiles] in ms.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
import autograd.functions as F
import optim
from autograd import Variable
from autograd.memory import keep_freed_memory
from benchmarks._measure import interleaved_ms, machine, summary

SIZES = (784, 100, 100, 10)
LR = 0.1
Params = list[np.ndarray]


def init_params(rng: np.random.Generator) -> Params:
    """W (in, out) He-initialised and b zero for each layer, float32."""
    params = []
    for fan_in, fan_out in pairwise(SIZES):
        params.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return params


class Affine:
    """out = x W + b; backward: dx = dout Wᵀ, dW = xᵀ dout, db = Σ_rows dout."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class ReLU:
    """out = max(x, 0) through a mask of the non-positive inputs, which backward zeroes in dout."""

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout[self.mask] = 0
        return dout


class SoftmaxWithLoss:
    """loss = −Σ log softmax(x)[label] / N; backward: (softmax(x) − onehot) / N."""

    def __init__(self) -> None:
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        shifted = x - x.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        self.y = e / e.sum(axis=1, keepdims=True)
        self.t = t
        n = x.shape[0]
        return float(-np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n)

    def backward(self) -> np.ndarray:
        n = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / n


def numpy_step(params: Params, x: np.ndarray, t: np.ndarray) -> Callable[[], float]:
    params = [p.copy() for p in params]
    affines = [Affine(params[i], params[i + 1]) for i in range(0, len(params), 2)]
    layers: list[Affine | ReLU] = []
    for affine in affines:
        layers += [affine, ReLU()]
    layers.pop()
    last = SoftmaxWithLoss()

    def step() -> float:
        h = x
        for layer in layers:
            h = layer.forward(h)
        loss = last.forward(h, t)
        g = last.backward()
        for layer in reversed(layers):
            g = layer.backward(g)
        for affine in affines:
            affine.W -= LR * affine.dW
            affine.b -= LR * affine.db
        return loss

    return step


def zerograd_step(params: Params, x: np.ndarray, t: np.ndarray) -> Callable[[], float]:
    variables = [Variable(p.copy()) for p in params]
    opt = optim.SGD(variables, lr=LR)

    def step() -> float:
        opt.zero_grad()
        h = x
        for i in range(0, len(variables), 2):
            h = F.linear(h, variables[i], variables[i + 1])
            if i + 2 < len(variables):
                h = F.relu(h)
        loss = F.softmax_cross_entropy(h, t)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_step(params: Params, x: np.ndarray, t: np.ndarray) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    opt = torch.optim.SGD(tensors, lr=LR)
    tx, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step() -> float:
        opt.zero_grad()
        h = tx
        for i in range(0, len(tensors), 2):
            h = h @ tensors[i] + tensors[i + 1]
            if i + 2 < len(tensors):
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, tt)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--keep-freed-memory", action="store_true", help="glibc keeps freed memory for reuse")
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"], help="cpu: process CPU time, all threads")
    args = parser.parse_args()
    if args.keep_freed_memory and not keep_freed_memory():
        parser.error("--keep-freed-memory needs glibc's mallopt")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, SIZES[0])).astype(np.float32)
    t = rng.integers(0, SIZES[-1], args.batch)
    params = init_params(rng)
    steps = {"zerograd": zerograd_step(params, x, t), "textbook NumPy layers": numpy_step(params, x, t)}
    torch_run = torch_step(params, x, t)
    if torch_run is not None:
        steps["PyTorch"] = torch_run
    times = interleaved_ms(steps, args.repeats, clock=args.clock)
    malloc = "glibc keeping freed memory" if args.keep_freed_memory else "default malloc"
    print(machine())
    net = "-".join(map(str, SIZES))
    print(f"MLP {net}, batch {args.batch}, float32, forward + backward + SGD, {malloc}, {args.clock} clock")
    print("| engine | ms per step, median [quartiles] |")
    print("| --- | ---: |")
    for name, ms in times.items():
        print(f"| {name} | {summary(ms)} |")
    medians = {name: sorted(ms)[len(ms) // 2] for name, ms in times.items()}
    print(f"zerograd / textbook NumPy layers: {medians['zerograd'] / medians['textbook NumPy layers']:.2f}")
    if torch_run is None:
        print("(PyTorch not installed: `pip install torch==2.13.0` to compare)")
    else:
        print(f"zerograd / PyTorch: {medians['zerograd'] / medians['PyTorch']:.2f}")


if __name__ == "__main__":
    main()
