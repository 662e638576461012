"""python -m nn: train a model on MNIST, Fashion-MNIST or the generated Spiral, with a progress bar.

By default SimpleConvNet on MNIST for one epoch. When no --dataset is given and MNIST can be neither
found nor downloaded, it says so and trains the MLP on the Spiral data instead.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path

import numpy as np

import autograd.functions as F
import nn
import optim
from autograd.memory import keep_freed_memory
from nn import distributed
from nn.checkpoint import load_checkpoint
from nn.data import ArrayDataset, DataLoader
from nn.datasets import DatasetNotFound, FashionMNIST, Spiral

IMAGE_DATASETS = {"mnist": nn.datasets.MNIST, "fashion-mnist": FashionMNIST}
MODELS = ("mlp", "simple_cnn", "deep_cnn")
# name -> (constructor, default learning rate)
OPTIMIZERS: dict[str, tuple[Callable[..., optim.Optimizer], float]] = {
    "sgd": (lambda params, lr: optim.SGD(params, lr=lr), 0.1),
    "momentum": (lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9), 0.01),
    "adagrad": (lambda params, lr: optim.Adagrad(params, lr=lr), 0.01),
    "rmsprop": (lambda params, lr: optim.RMSprop(params, lr=lr), 0.001),
    "adam": (lambda params, lr: optim.Adam(params, lr=lr), 0.001),
    "adamw": (lambda params, lr: optim.AdamW(params, lr=lr), 0.001),
}
# dataset -> (epochs, batch size) when not given
DEFAULTS = {"mnist": (1, 100), "fashion-mnist": (1, 100), "spiral": (200, 30)}
GRAPH_FORMATS = (".svg", ".png", ".pdf", ".dot")
PLOT_FORMATS = (".png", ".svg", ".pdf")
# SimpleConvNet's and the MLP's steps (about 25 nodes) are drawn whole; DeepConvNet's (about 70) is cut
# to its part nearest the loss, which a page can still show legibly.
GRAPH_MAX_NODES = 40


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def seed_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    if value == math.inf:
        raise argparse.ArgumentTypeError(f"must be finite, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    lrs = ", ".join(f"{name} {lr:g}" for name, (_, lr) in OPTIMIZERS.items())
    parser = argparse.ArgumentParser(
        prog="python -m nn",
        description=__doc__.split("\n\n")[0].split(": ", 1)[1],
        epilog="Datasets are read from --data-dir, else $ZEROGRAD_DATA, else ~/.cache/zerograd (downloaded there "
        "once when online). The run calls autograd.memory.keep_freed_memory(), which makes CNN steps faster.",
    )
    parser.add_argument(
        "--model", choices=MODELS, help="mlp (784-100-100-10, or 2-100-100-3 on spiral), simple_cnn "
        "(conv 30x5x5, pool, 100, 10) or deep_cnn (the textbook's chapter 8 net); default simple_cnn, mlp on spiral"
    )
    parser.add_argument(
        "--dataset", choices=("mnist", "fashion-mnist", "spiral"),
        help="default mnist, falling back to spiral (with a note) when MNIST cannot be had",
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="passes over the training data; default 1, 200 on spiral"
    )
    parser.add_argument("--batch-size", type=positive_int, help="examples per step; default 100, 30 on spiral")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam", help="default adam")
    parser.add_argument("--lr", type=positive_float, help=f"learning rate; default per optimizer: {lrs}")
    parser.add_argument(
        "--seed", type=seed_int, default=0,
        help="seeds the initial weights, dropout and the shuffling: the same seed gives the same weights; default 0",
    )
    parser.add_argument("--limit", type=positive_int, metavar="N", help="train on the first N training examples only")
    parser.add_argument("--save", metavar="PATH", help="save the trained weights to PATH (.npz)")
    parser.add_argument("--plot", metavar="PATH", help="plot loss and accuracy per epoch to PATH (.png, .svg, .pdf)")
    parser.add_argument(
        "--graph", metavar="PATH",
        help="draw the computational graph of one training step's loss, condensed to the part nearest the loss "
        "when large, to PATH (.svg, .png, .pdf need Graphviz; .dot writes the DOT text)",
    )
    parser.add_argument(
        "--checkpoint", metavar="PATH",
        help="write a checkpoint (weights, optimizer, random states, counters) to PATH (.npz) while training",
    )
    parser.add_argument(
        "--checkpoint-every", type=positive_int, metavar="N", help="steps between checkpoints; default one epoch"
    )
    parser.add_argument(
        "--resume", metavar="PATH",
        help="continue the run saved in checkpoint PATH (give the options of that run: same data, model, seed)",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help="folder holding mnist/ and fashion-mnist/ with the IDX .gz files (as $ZEROGRAD_DATA)",
    )
    return parser


def check_outputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a bad output path before training, not after."""
    outputs = (("save", (".npz",)), ("checkpoint", (".npz",)), ("plot", PLOT_FORMATS), ("graph", GRAPH_FORMATS))
    for option, suffixes in outputs:
        value = getattr(args, option)
        if value is None:
            continue
        path = Path(value)
        if path.suffix.lower() not in suffixes:
            parser.error(f"--{option} {value}: the name must end in {', '.join(suffixes)}")
        if not path.parent.is_dir():
            parser.error(f"--{option} {value}: folder {path.parent} does not exist")
    if args.checkpoint_every is not None and args.checkpoint is None:
        parser.error("--checkpoint-every needs --checkpoint PATH")
    if args.resume is not None and not Path(args.resume).is_file():
        parser.error(f"--resume {args.resume}: no such file")
    if args.graph and Path(args.graph).suffix.lower() != ".dot":
        if shutil.which("dot") is None and find_spec("pygraphviz") is None:
            parser.error(f"--graph {args.graph}: drawing images needs Graphviz; install it, or give a .dot path")


def load_images(name: str, data_dir: str | None) -> tuple[ArrayDataset, ArrayDataset]:
    cls = IMAGE_DATASETS[name]
    root = None if data_dir is None else Path(data_dir) / cls.name
    splits = (cls(root=root, train=True), cls(root=root, train=False))
    return tuple(ArrayDataset(s.float_images(), s.targets) for s in splits)


def make_model(name: str, sample: np.ndarray, classes: int) -> nn.Module:
    if name == "mlp":
        hidden = [100, 100]
        return nn.MLP([int(np.prod(sample.shape)), *hidden, classes])
    cls = nn.SimpleConvNet if name == "simple_cnn" else nn.DeepConvNet
    return cls(input_dim=sample.shape, classes=classes)


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def draw_step(model: nn.Module, x: np.ndarray, t: np.ndarray, path: Path) -> None:
    """One training step's forward and backward (no update), drawn with its gradients."""
    from autograd.viz import draw

    loss = F.softmax_cross_entropy(model(x), t)
    loss.name = "loss"
    loss.backward(retain_grad=True)
    graph = draw(loss, max_nodes=GRAPH_MAX_NODES)
    model.zero_grad()
    fmt = path.suffix.lower().lstrip(".")
    write_atomic(path, graph.source.encode() if fmt == "dot" else graph.pipe(fmt))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_outputs(parser, args)

    dataset = args.dataset or "mnist"
    model_name = args.model
    if dataset == "spiral":
        train_set, test_set = Spiral(seed=0), Spiral(seed=1)
    else:
        try:
            train_set, test_set = load_images(dataset, args.data_dir)
        except ValueError as e:  # files there but corrupt: a wrong MD5 or an unreadable IDX file
            parser.error(" ".join(str(e).split()))
        except DatasetNotFound as e:
            hint = f"point ZEROGRAD_DATA or --data-dir at a folder holding {e.folder_name}/ with its IDX .gz files"
            if args.dataset is not None or model_name not in (None, "mlp"):
                parser.exit(2, f"{parser.prog}: error: {e.dataset} not found in {e.places()} ({e.reason}); {hint}\n")
            print(f"{e.dataset} is not in {e.places()} ({e.reason}): training the MLP on the generated Spiral data "
                  f"instead ({hint} to train on it)")
            dataset, train_set, test_set = "spiral", Spiral(seed=0), Spiral(seed=1)
    if model_name is None:
        model_name = "mlp" if dataset == "spiral" else "simple_cnn"
    if dataset == "spiral" and model_name != "mlp":
        parser.error(f"--model {model_name} needs images; the spiral data are points in the plane: use --model mlp")
    if args.limit is not None and args.limit < len(train_set):
        train_set = ArrayDataset(train_set.data[: args.limit], train_set.targets[: args.limit])
    epochs, batch_size = DEFAULTS[dataset]
    epochs, batch_size = args.epochs or epochs, args.batch_size or batch_size
    make_optimizer, lr = OPTIMIZERS[args.optimizer]
    lr = args.lr or lr
    # Under mpiexec the ranks train data-parallel: --batch-size is the global batch, rank 0 reports and writes.
    ranks = distributed.world_size()
    if 0 < len(train_set) % batch_size < ranks:
        parser.error(
            f"--batch-size {batch_size}: the last batch of {len(train_set) % batch_size} example(s) cannot be shared "
            f"by {ranks} processes; choose a batch size that leaves no remainder or one of at least {ranks}"
        )
    main_rank = distributed.is_main()
    if ranks > 1 and (args.checkpoint or args.resume):
        parser.error("--checkpoint and --resume are not supported under mpiexec")

    nn.manual_seed(args.seed)
    classes = int(test_set.targets.max()) + 1
    model = make_model(model_name, train_set.data[0], classes)
    optimizer = make_optimizer(model.parameters(), lr)
    if args.resume:
        try:
            # fit loads it again; reading it here first makes a bad file a usage error, before any output.
            load_checkpoint(args.resume, model, optimizer)
        except ValueError as e:
            parser.error(f"--resume {args.resume}: " + " ".join(str(e).split()))
    train_data = DataLoader(train_set, batch_size, shuffle=True, seed=args.seed)
    test_data = DataLoader(test_set, 1000)
    processes = f", {ranks} processes" if ranks > 1 else ""
    distributed.print0(f"training {type(model).__name__} on {len(train_set)} {dataset} examples for {epochs} "
                       f"epoch(s): {args.optimizer} lr {lr:g}, batch {batch_size}, seed {args.seed}{processes}")
    start = time.perf_counter()
    history = nn.fit(model, optimizer, train_data, epochs, test_data if main_rank else None,
                     progress=main_rank, distributed=ranks > 1, checkpoint=args.checkpoint,
                     checkpoint_every=args.checkpoint_every, resume=args.resume)
    seconds = time.perf_counter() - start
    if ranks > 1:
        # BatchNorm running statistics were kept per rank: keep their mean (a collective, so on every rank).
        model.load_state_dict(model.state_dict() | distributed.average_buffers(dict(model.named_buffers())))
    if not main_rank:
        return 0

    if args.save:
        model.save(args.save)
        print(f"wrote the weights to {args.save}")
    if args.plot:
        nn.plot_history(history, args.plot)
        print(f"wrote the loss and accuracy plot to {args.plot}")
    if args.graph:
        draw_step(model, *train_set[:batch_size], Path(args.graph))
        print(f"wrote the graph of one training step to {args.graph}")
    print(f"test accuracy {history['test_acc'][-1]:.4f} on {len(test_set)} {dataset} test examples "
          f"after {epochs} epoch(s) in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    # Process-wide and lasting, so only for the command, not for main() called from a program.
    keep_freed_memory()
    sys.exit(main())
