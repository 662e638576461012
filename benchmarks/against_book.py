"""zerograd against the book's own NumPy code: the same training steps, and the book's own SimpleConvNet runs.

Not run in CI. Needs a clone of the book's code (git clone https://github.com/oreilly-japan/deep-learning-from-scratch)
and MNIST from $ZEROGRAD_DATA or ~/.cache/zerograd (the book's loader is not used: it downloads).

Run: .venv/bin/python benchmarks/against_book.py --book PATH [--steps 300]
     .venv/bin/python benchmarks/against_book.py --book PATH --train --seed S

The first form starts zerograd's SimpleConvNet and DeepConvNet (as benchmarks/reproduce.py trains them:
the book's Adam and dropout) from the book's initial weights, in float64 as the book's code has them,
feeds both the same batches and DeepConvNet the same dropout masks, and prints every 100 steps how far
apart the two sets of weights are (largest difference over a tensor's largest weight). Rounding alone
puts them about 1e-15 apart; a difference in the math shows as 1e-3 or more within a few steps.

The second form runs the book's ch07/train_convnet.py as it stands (its SimpleConvNet, its Trainer: Adam
lr 0.001, batches of 100 drawn with replacement, 20 epochs) after np.random.seed(S), and prints the final
accuracy on the 10,000 test images: what the book's own code gives, seed by seed, beside reproduce.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
from reproduce import BookAdam, BookDropout, deep_conv_net, machine

import autograd.functions as F
import nn
from autograd import Variable
from nn.datasets import MNIST


class NumPyDropout(BookDropout):
    """BookDropout drawing its mask from np.random, in the book's order, so both nets drop the same units."""

    def forward(self, x: Variable) -> Variable:
        if not self.training:
            return super().forward(x)
        return x * (np.random.rand(*x.shape) > self.p).astype(x.dtype)


def import_book(root: Path) -> None:
    """Put the book's common/, ch07/ and ch08/ on the import path (its modules import `common.layers`)."""
    missing = [d for d in ("common", "ch07", "ch08") if not (root / d).is_dir()]
    if missing:
        sys.exit(f"against_book: {root} has no {', '.join(missing)}: give the root of a clone of the book's code")
    sys.path[1:1] = [str(root), str(root / "ch07"), str(root / "ch08")]


def mnist(dtype: type) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, t_train, x_test, t_test) as the book's load_mnist(flatten=False) gives them: x / 255 in float32."""
    train, test = MNIST(train=True), MNIST(train=False)
    return train.float_images().astype(dtype), train.targets, test.float_images().astype(dtype), test.targets


def copy_weights(book_params: dict[str, np.ndarray], model: nn.Module) -> list[tuple[str, np.ndarray, Variable]]:
    """Set model's weights to the book's (W1, b1, W2, b2, ... in layer order); the (key, book array, ours) triples."""
    keys = [f"{kind}{i}" for i in range(1, len(book_params) // 2 + 1) for kind in "Wb"]
    pairs = list(zip(keys, (book_params[k] for k in keys), model.parameters(), strict=True))
    for key, theirs, ours in pairs:
        if theirs.shape != ours.shape:
            sys.exit(f"against_book: the book's {key} is {theirs.shape}, zerograd's is {ours.shape}")
        ours.data = theirs.copy()
    return pairs


def compare(name: str, book_net: Any, model: nn.Module, data: tuple[np.ndarray, ...], steps: int) -> None:
    from common.optimizer import Adam

    x, t = data[0], data[1]
    pairs = copy_weights(book_net.params, model)
    book_adam, adam = Adam(lr=0.001), BookAdam(model.parameters(), lr=1e-3)
    batches = np.random.RandomState(1)
    print(f"== {name}, float64, the same start, batches and dropout masks", flush=True)
    for step in range(1, steps + 1):
        index = batches.choice(len(x), 100)
        masks = np.random.get_state()
        book_adam.update(book_net.params, book_net.gradient(x[index], t[index]))
        np.random.set_state(masks)  # zerograd's forward draws the masks the book's just drew
        adam.zero_grad()
        loss = F.softmax_cross_entropy(model(x[index]), t[index])
        loss.backward()
        adam.step()
        if step % 100 == 0 or step == steps:
            apart = max(np.abs(ours.data - theirs).max() / np.abs(theirs).max() for _, theirs, ours in pairs)
            print(f"   step {step:4d}: loss {float(loss.data):.6f}, weights apart {apart:.1e}", flush=True)


def compare_both(steps: int) -> None:
    from deep_convnet import DeepConvNet
    from simple_convnet import SimpleConvNet

    data = mnist(np.float64)
    np.random.seed(0)
    compare("SimpleConvNet", SimpleConvNet(), nn.SimpleConvNet(), data, steps)
    ours = deep_conv_net()
    ours.classifier = nn.Sequential(*(NumPyDropout(m.p) if isinstance(m, BookDropout) else m for m in ours.classifier))
    compare("DeepConvNet", DeepConvNet(), ours, data, steps)


def train_book(seed: int) -> None:
    from common.trainer import Trainer
    from simple_convnet import SimpleConvNet

    x_train, t_train, x_test, t_test = mnist(np.float32)
    np.random.seed(seed)
    print(f"== the book's ch07/train_convnet.py, np.random.seed({seed})", flush=True)
    print(f"   machine at start: {machine()}", flush=True)
    conv = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
    network = SimpleConvNet(input_dim=(1, 28, 28), conv_param=conv, hidden_size=100, output_size=10,
                            weight_init_std=0.01)
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100, optimizer="Adam",
                      optimizer_param={"lr": 0.001}, evaluate_sample_num_per_epoch=1000, verbose=False)
    start = time.perf_counter()
    trainer.train()
    minutes = (time.perf_counter() - start) / 60
    accuracy = network.accuracy(x_test, t_test)
    print(f"   machine at end: {machine()}")
    print(f"   result | the book's SimpleConvNet | seed {seed} | {accuracy:.2%} | 20 epochs | {minutes:.1f} min |",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, required=True, help="root of a clone of the book's code")
    parser.add_argument("--steps", type=int, default=300, help="training steps to compare (default 300)")
    parser.add_argument("--train", action="store_true", help="train the book's own SimpleConvNet instead")
    parser.add_argument("--seed", type=int, default=0, help="np.random.seed for --train (default 0)")
    args = parser.parse_args()
    if args.steps < 1:
        parser.error(f"--steps must be positive, got {args.steps}")
    import_book(args.book.resolve())
    if args.train:
        train_book(args.seed)
    else:
        compare_both(args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
