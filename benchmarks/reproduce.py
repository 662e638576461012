"""The textbook's headline MNIST results, reproduced and timed (not run in CI: minutes to hours).

Run: .venv/bin/python benchmarks/reproduce.py [--model two_layer_net|simple_conv_net|deep_conv_net] [--epochs N]
     [--save PATH.npz] [--seed 0] [--book-batches] [--float64]

Without --model the three runs follow one another. Each trains on the 60,000 MNIST training images
(read from $ZEROGRAD_DATA or ~/.cache/zerograd) and measures accuracy on the 10,000 test images after
every epoch, with the settings of *Deep Learning from Scratch*:
- two_layer_net: 784-50-10 with sigmoid, weights N(0, 0.01²) as the book's TwoLayerNet, plain SGD lr 0.1,
  batch 100, 17 epochs (the book's 10,000 iterations of 100 are 16.7 epochs); the book reaches about 97%.
- simple_conv_net: conv 30×5×5 → ReLU → pool → 100 → ReLU → 10, weights N(0, 0.01²), Adam lr 0.001,
  batch 100, 20 epochs; the book reports 98.96%.
- deep_conv_net: the chapter-8 net (six 3×3 convs, He init, dropout 0.5), Adam lr 0.001, batch 100,
  20 epochs; the book reports 99.38% and warns its NumPy code takes more than half a day. Its dropout
  is the book's, not nn.Dropout (see BookDropout).
Both CNNs train with the book's Adam (BookAdam), whose eps differs from optim.Adam's.

Training shuffles every epoch (seeded); with --book-batches each step instead draws its 100 images at
random with replacement, 600 steps an epoch, as the book's Trainer does (BookBatches); with --float64 the
weights and images are float64, as the book's NumPy code has them (zerograd's layers make float32 weights).
Test accuracy is measured in eval mode (dropout off). Like the training command it calls
autograd.memory.keep_freed_memory(), which makes CNN steps faster. Each run prints one line per epoch and a
summary with the machine and the command; --save writes the trained weights (.npz, as Module.save) to the
path given, with the model's name before the suffix when several models run.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shlex
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
import nn
import optim
from autograd import Variable
from autograd.memory import keep_freed_memory
from nn.data import ArrayDataset, DataLoader
from nn.datasets import MNIST


def two_layer_net() -> nn.Module:
    model = nn.MLP([784, 50, 10], activation="sigmoid")
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.W, 0.01)  # the book's weight_init_std
    return model


class BookDropout(nn.Module):
    """The book's dropout: training multiplies by the 0/1 mask unscaled, evaluation by 1 − p.

    nn.Dropout is PyTorch's inverted form (training scales the kept elements by 1 / (1 − p), evaluation
    is the identity). The two agree at evaluation up to a scale, but DeepConvNet ends in a dropout
    before the softmax, where the inverted form trains on logits twice as large: a different loss.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Variable) -> Variable:
        if not self.training:
            return x * np.float32(1 - self.p)
        return x * (nn.init.generator().random(x.shape) >= self.p).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BookAdam(optim.Adam):
    """The book's Adam: lr_t = lr · √(1 − b2^t) / (1 − b1^t); p −= lr_t · m / (√v + 1e-7).

    optim.Adam is PyTorch's, p −= lr · m̂ / (√v̂ + 1e-8): the same up to where eps goes. In its terms the
    book's eps is 1e-7 / √(1 − b2^t): 3e-6 at the first step, 1e-7 (ten times optim.Adam's) from a few
    thousand steps on.
    """

    def __init__(self, params: list, lr: float) -> None:
        super().__init__(params, lr, eps=1e-7)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        b1, b2 = self.betas
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)
        v += (1 - b2) * (g * g - v)
        p -= self.lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + self.eps)


class BookBatches(DataLoader):
    """The book's batches: every step draws batch_size examples at random, with replacement (np.random.choice).

    An "epoch" is len(dataset) // batch_size such steps; it sees about 63% of the examples, some twice.
    """

    def __init__(self, dataset: ArrayDataset, batch_size: int, seed: int) -> None:
        # shuffle=True only because DataLoader takes a seed for shuffled batches; __iter__ below draws its own.
        super().__init__(dataset, batch_size, shuffle=True, drop_last=True, seed=seed)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for _ in range(len(self)):
            yield self.dataset[self.generator.integers(0, len(self.dataset), self.batch_size)]


def deep_conv_net() -> nn.Module:
    model = nn.DeepConvNet()
    model.classifier = nn.Sequential(*(BookDropout(m.p) if isinstance(m, nn.Dropout) else m for m in model.classifier))
    return model


@dataclass(frozen=True)
class Run:
    model: Callable[[], nn.Module]
    optimizer: Callable[[list], optim.Optimizer]
    settings: str
    epochs: int
    book: str


RUNS = {
    "two_layer_net": Run(two_layer_net, lambda ps: optim.SGD(ps, lr=0.1), "sigmoid, SGD lr 0.1, batch 100", 17, "~97%"),
    "simple_conv_net": Run(nn.SimpleConvNet, lambda ps: BookAdam(ps, lr=1e-3), "the book's Adam lr 0.001, batch 100",
                           20, "98.96%"),
    "deep_conv_net": Run(deep_conv_net, lambda ps: BookAdam(ps, lr=1e-3), "the book's Adam lr 0.001, batch 100", 20,
                         "99.38%"),
}


def machine() -> str:
    """CPU model, logical cores, NumPy version and the load average (other processes share the cores)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return f"{cpu}, {os.cpu_count()} logical cores, NumPy {np.__version__}, load average {load}"


def train(name: str, epochs: int, seed: int, save: Path | None, book_batches: bool, float64: bool) -> None:
    run = RUNS[name]
    train_set, test_set = (MNIST(train=split) for split in (True, False))
    dtype = np.float64 if float64 else np.float32
    images = ArrayDataset(train_set.float_images().astype(dtype), train_set.targets)
    train_data = BookBatches(images, 100, seed) if book_batches else DataLoader(images, 100, shuffle=True, seed=seed)
    test_data = DataLoader(ArrayDataset(test_set.float_images().astype(dtype), test_set.targets), 1000)
    nn.manual_seed(seed)
    model = run.model()
    for p in model.parameters():
        p.data = p.data.astype(dtype)  # before any graph is recorded: the same initial values, widened
    optimizer = run.optimizer(model.parameters())
    batches = "the book's batches (drawn with replacement)" if book_batches else "shuffled batches"
    print(f"== {name}: {run.settings}, {batches}, {np.dtype(dtype).name}, {epochs} epochs on {len(train_set)} images, "
          f"seed {seed}", flush=True)
    print(f"   machine at start: {machine()}", flush=True)
    seconds = []
    for epoch in range(1, epochs + 1):
        # One epoch per call: the loader's generator carries the shuffling on, and each epoch is logged.
        history = nn.fit(model, optimizer, train_data, 1, test_data, progress=False)
        seconds.append(history["seconds"][0])
        loss, train_acc, test_acc = (history[key][0] for key in ("train_loss", "train_acc", "test_acc"))
        print(f"   epoch {epoch:2d}: train loss {loss:.4f}, train acc {train_acc:.4f}, test acc {test_acc:.4f}, "
              f"{seconds[-1]:.1f} s", flush=True)
    if save is not None:
        model.save(save)
        print(f"   weights: {save} ({save.stat().st_size / 1e6:.2f} MB)")
    total = sum(seconds)
    print(f"   machine at end: {machine()}")
    print(f"   command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"   result | {name} | {test_acc:.2%} | book {run.book} | {epochs} epochs | "
          f"{total / 60:.1f} min | {total / epochs:.1f} s/epoch |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=tuple(RUNS), help="one run only (default: all three, in order)")
    parser.add_argument("--epochs", type=int, help="passes over the training images (default: the run's own)")
    parser.add_argument("--seed", type=int, default=0, help="initial weights, dropout and shuffling (default 0)")
    parser.add_argument("--save", type=Path, metavar="PATH.npz", help="write the trained weights there")
    parser.add_argument("--book-batches", action="store_true", help="draw each batch with replacement, as the book")
    parser.add_argument("--float64", action="store_true", help="float64 weights and images, as the book's NumPy code")
    args = parser.parse_args()
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be positive, got {args.epochs}")
    if args.save is not None and (args.save.suffix != ".npz" or not args.save.parent.is_dir()):
        parser.error(f"--save {args.save}: give a .npz path in an existing folder")
    names = [args.model] if args.model else list(RUNS)
    keep_freed_memory()
    for name in names:
        save = args.save
        if save is not None and len(names) > 1:
            save = save.with_name(f"{save.stem}-{name}{save.suffix}")
        train(name, args.epochs or RUNS[name].epochs, args.seed, save, args.book_batches, args.float64)
    return 0


if __name__ == "__main__":
    sys.exit(main())
