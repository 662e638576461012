"""zerograd against the book's own NumPy code: the same training steps, and the book's own SimpleConvNet runs.

Not run in CI. Needs a clone of the book's code (git clone https://github.com/oreilly-japan/deep-learning-from-scratch)
and MNIST from $ZEROGRAD_DATA or ~/.cache/zerograd (the book's loader is not used: it downloads).

Run: .venv/bin/python benchmarks/against_book.py --book PATH [--steps 300]
     .venv/bin/python benchmarks/against_book.py --book PATH --train book|zerograd [--seed S]

The first form starts zerograd's SimpleConvNet and DeepConvNet (as benchmarks/reproduce.py trains them:
the book's Adam and dropout) from the book's initial weights, in float64 as the book's code has them,
feeds both the same batches and DeepConvNet the same dropout masks, and prints every 100 steps how far
apart the two sets of weights are (largest difference over a tensor's largest weight). Rounding alone
puts them about 1e-15 apart; a difference in the math shows as 1e-3 or more within a few steps.

The second form trains SimpleConvNet for the book's 20 epochs after np.random.seed(S) and prints the
final accuracy on the 10,000 test images. `--train book` runs the book's ch07/train_convnet.py as it
stands (its SimpleConvNet, its Trainer: Adam lr 0.001, batches of 100 drawn with replacement);
`--train zerograd` trains zerograd's from the same initial weights on the same batches, in float64. The
two differ only by rounding, which grows over 12,000 steps: what is left is the spread of the book's
own results and how much of it rounding alone makes.
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
from nn.data import ArrayDataset, DataLoader
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

    data = mnist(np.float64)
    np.random.seed(0)
    compare("SimpleConvNet", book_simple_conv_net(), nn.SimpleConvNet(), data, steps)
    ours = deep_conv_net()
    ours.classifier = nn.Sequential(*(NumPyDropout(m.p) if isinstance(m, BookDropout) else m for m in ours.classifier))
    compare("DeepConvNet", DeepConvNet(), ours, data, steps)


def book_simple_conv_net() -> Any:
    """The book's SimpleConvNet with train_convnet.py's arguments (its initial weights drawn from np.random)."""
    from simple_convnet import SimpleConvNet

    conv = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
    return SimpleConvNet(input_dim=(1, 28, 28), conv_param=conv, hidden_size=100, output_size=10, weight_init_std=0.01)


def train_book(x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray, t_test: np.ndarray) -> float:
    from common.trainer import Trainer

    network = book_simple_conv_net()
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100, optimizer="Adam",
                      optimizer_param={"lr": 0.001}, evaluate_sample_num_per_epoch=1000, verbose=False)
    trainer.train()
    return network.accuracy(x_test, t_test)


def train_zerograd(x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray, t_test: np.ndarray) -> float:
    model = nn.SimpleConvNet()
    copy_weights(book_simple_conv_net().params, model)
    adam = BookAdam(model.parameters(), lr=1e-3)
    for _ in range(20 * len(x_train) // 100):
        index = np.random.choice(len(x_train), 100)  # the Trainer's draw; nothing else in its loop is random
        adam.zero_grad()
        F.softmax_cross_entropy(model(x_train[index]), t_train[index]).backward()
        adam.step()
    return nn.evaluate(model, DataLoader(ArrayDataset(x_test, t_test), 1000))


def train(which: str, seed: int) -> None:
    # The book's images are float32; its float64 weights widen them at the first layer, so float64 is the same.
    data = mnist(np.float32 if which == "book" else np.float64)
    np.random.seed(seed)
    print(f"== SimpleConvNet, {which}'s code, np.random.seed({seed}), the book's ch07/train_convnet.py", flush=True)
    print(f"   machine at start: {machine()}", flush=True)
    start = time.perf_counter()
    accuracy = (train_book if which == "book" else train_zerograd)(*data)
    minutes = (time.perf_counter() - start) / 60
    print(f"   machine at end: {machine()}")
    print(f"   result | SimpleConvNet, {which} | seed {seed} | {accuracy:.2%} | 20 epochs | {minutes:.1f} min |",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, required=True, help="root of a clone of the book's code")
    parser.add_argument("--steps", type=int, default=300, help="training steps to compare (default 300)")
    parser.add_argument("--train", choices=("book", "zerograd"), help="train SimpleConvNet with this code instead")
    parser.add_argument("--seed", type=int, default=0, help="np.random.seed for --train (default 0)")
    args = parser.parse_args()
    if args.steps < 1:
        parser.error(f"--steps must be positive, got {args.steps}")
    import_book(args.book.resolve())
    if args.train:
        train(args.train, args.seed)
    else:
        compare_both(args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
