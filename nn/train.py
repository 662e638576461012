"""The training loop: `fit` runs epochs with a progress bar and returns a history, `evaluate` measures
accuracy, `plot_history` draws the history (matplotlib, imported only here)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

import autograd.functions as F
from autograd import Variable, no_grad
from autograd.memory import keep_freed_memory
from nn.checkpoint import Progress, load_checkpoint, save_checkpoint
from nn.data import DataLoader

if TYPE_CHECKING:
    from nn.module import Module
    from optim.lr_scheduler import LRScheduler

__all__ = ["evaluate", "fit", "plot_history"]

History = dict[str, list[float]]


class Optimizer(Protocol):
    """What fit needs of an optimizer (every optim.Optimizer is one)."""

    def zero_grad(self) -> None: ...

    def step(self) -> None: ...


def _correct(logits: np.ndarray, t: np.ndarray) -> int:
    """How many rows of logits have their largest entry at the label (t: labels or one-hot rows)."""
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    return int((logits.argmax(axis=1) == labels).sum())


def _is_count(n: object) -> bool:
    return not isinstance(n, bool) and isinstance(n, (int, np.integer)) and n >= 1


def evaluate(model: Module, loader: DataLoader) -> float:
    """Accuracy of model on every batch of loader: the fraction of argmax(logits) equal to the label.

    Runs under no_grad with model.eval() (dropout off, batch norm on its running statistics) and
    puts the model back in the mode it was in.
    """
    was_training = model.training
    model.eval()
    correct = seen = 0
    try:
        with no_grad():
            for x, t in loader:
                correct += _correct(model(x).data, t)
                seen += len(t)
    finally:
        model.train(was_training)
    return correct / seen


def fit(
    model: Module,
    optimizer: Optimizer,
    train_data: DataLoader,
    epochs: int,
    test_data: DataLoader | None = None,
    loss: Callable[[Variable, np.ndarray], Variable] = F.softmax_cross_entropy,
    progress: bool = True,
    distributed: bool = False,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    resume: str | os.PathLike | None = None,
    scheduler: LRScheduler | None = None,
) -> History:
    """Train model with optimizer for `epochs` passes over train_data; return the history.

    Each step: logits = model(x), L = loss(logits, t), optimizer.zero_grad(), L.backward(),
    optimizer.step(). After each epoch the model is evaluated on test_data (when given) under
    no_grad and eval(), then set back to train(). A tqdm bar counts the steps of all epochs and
    shows the epoch, the running training loss and accuracy, and the last test accuracy;
    progress=False turns it off.

    scheduler (an optim.lr_scheduler schedule of this optimizer) steps once after each epoch, its
    evaluation included, as in PyTorch's usual loop; its state is saved in checkpoints, and resuming
    needs a scheduler exactly when the checkpoint has one.

    The history holds one entry per epoch: "train_loss" (mean over the epoch's examples),
    "train_acc" (on the batches as they were trained, while the model changed), "test_acc" (empty
    without test_data) and "seconds" (wall time of the epoch, its evaluation included).

    distributed=True trains data-parallel over MPI (nn.distributed, under mpiexec): every rank starts
    from rank 0's parameters, takes its shard of each global batch of train_data (which must yield the
    same batches on every rank: shuffle with the same seed) and averages the gradients before each
    step, so the weights follow the one-process run; the loss and accuracy shown are this rank's shards'.

    The run calls autograd.memory.keep_freed_memory() (as `python -m nn` does): glibc then keeps freed
    memory for the next step instead of mapping each activation afresh, which makes CNN steps up to a
    third faster. It is process-wide and stays on after fit returns.
    """
    if not _is_count(epochs):
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    for name, loader in (("train_data", train_data), ("test_data", test_data)):
        if loader is not None and not isinstance(loader, DataLoader):
            raise TypeError(f"fit: {name} must be an nn.data.DataLoader, got {type(loader).__name__}")
    steps = len(train_data)
    if checkpoint_every is not None and not _is_count(checkpoint_every):
        raise ValueError(f"fit: checkpoint_every must be a positive integer, got {checkpoint_every!r}")
    if scheduler is not None:
        if not all(callable(getattr(scheduler, m, None)) for m in ("step", "state_dict", "load_state_dict")):
            raise TypeError(f"fit: scheduler must be an optim.lr_scheduler schedule, got {type(scheduler).__name__}")
        if getattr(scheduler, "optimizer", None) is not optimizer:
            raise ValueError("fit: scheduler schedules another optimizer than the one given to fit")
    if distributed and (checkpoint is not None or resume is not None):
        raise ValueError("fit: checkpoint and resume are not supported with distributed=True")
    every = steps if checkpoint_every is None else int(checkpoint_every)
    state = Progress() if resume is None else load_checkpoint(resume, model, optimizer, scheduler)
    if state.step > epochs * steps:
        raise ValueError(f"fit: {resume} is at step {state.step}, past the {epochs * steps} steps of {epochs} epochs")
    from tqdm.auto import tqdm

    keep_freed_memory()
    history: History = state.history
    bar = tqdm(total=epochs * steps, initial=state.step, unit="step", disable=not progress, dynamic_ncols=True)
    model.train()
    if distributed:
        from nn import distributed as mpi

        mpi.broadcast_parameters(model.parameters())
    try:
        for epoch in range(len(history["train_loss"]) + 1, epochs + 1):
            start = time.perf_counter()
            # Steps of this epoch a resumed checkpoint has done already: replay its batch order, skip them.
            done = state.step - (epoch - 1) * steps
            if done > 0:
                train_data.generator.bit_generator.state = state.epoch_start_state
            else:
                state.epoch_start_state = train_data.generator.bit_generator.state
                state.total_loss, state.correct, state.seen = 0.0, 0, 0
            bar.set_description(f"epoch {epoch}/{epochs}")
            for index, (x, t) in enumerate(train_data):
                if index < done:
                    continue
                if distributed:
                    global_batch = len(t)
                    x, t = mpi.shard(x, t)
                logits = model(x)
                value = loss(logits, t)
                optimizer.zero_grad()
                value.backward()
                if distributed:
                    mpi.allreduce_gradients(model.parameters(), len(t) / global_batch)
                optimizer.step()
                state.total_loss += value.item() * len(t)
                state.correct += _correct(logits.data, t)
                state.seen += len(t)
                state.step += 1
                del logits, value  # frees the graph before the next batch is built
                if checkpoint is not None and state.step % every == 0:
                    save_checkpoint(checkpoint, model, optimizer, state, scheduler)
                postfix = {"loss": f"{state.total_loss / state.seen:.4f}", "acc": f"{state.correct / state.seen:.4f}"}
                if history["test_acc"]:
                    postfix["test_acc"] = f"{history['test_acc'][-1]:.4f}"
                bar.set_postfix(postfix, refresh=False)
                bar.update(1)
            history["train_loss"].append(state.total_loss / state.seen)
            history["train_acc"].append(state.correct / state.seen)
            if test_data is not None:
                history["test_acc"].append(evaluate(model, test_data))
                bar.set_postfix(postfix | {"test_acc": f"{history['test_acc'][-1]:.4f}"})
            if scheduler is not None:
                scheduler.step()
            history["seconds"].append(time.perf_counter() - start)
    finally:
        bar.close()
    return history


def plot_history(history: History, path: str | os.PathLike) -> Path:
    """Draw the loss and the accuracies per epoch side by side into path (.png, .svg, .pdf); return it.

    Uses matplotlib's Agg renderer without pyplot, so no window opens and no global backend
    changes. The picture is written to a temporary file in the same folder, then renamed into place.
    """
    missing = [k for k in ("train_loss", "train_acc", "test_acc") if k not in history]
    if missing:
        raise ValueError(f"plot_history: history lacks {', '.join(missing)} (give what fit returned)")
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"plot_history: path must end in .png, .svg or .pdf, got {str(path)!r}")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise ImportError(
            "plot_history needs matplotlib: pip install matplotlib (it comes with zerograd's dev extra)"
        ) from None

    fig = Figure(figsize=(9, 3.5), layout="constrained")
    FigureCanvasAgg(fig)
    loss_ax, acc_ax = fig.subplots(1, 2)
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    # Markers show single epochs while there are few; past that they only hide the line.
    dot, square = ("o", "s") if len(epochs) <= 30 else (None, None)
    loss_ax.plot(epochs, history["train_loss"], marker=dot, label="train")
    loss_ax.set(xlabel="epoch", ylabel="loss", title="training loss")
    acc_ax.plot(epochs, history["train_acc"], marker=dot, label="train")
    if history["test_acc"]:
        acc_ax.plot(epochs, history["test_acc"], marker=square, label="test")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    acc_ax.legend()
    for ax in (loss_ax, acc_ax):
        if len(epochs) <= 15:
            ax.set_xticks(epochs)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format=fmt)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
