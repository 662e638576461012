"""Training checkpoints: model, optimizer, random states and counters in one .npz (no pickle), written atomically.

Arrays are stored as entries "model/<name>" and "optim/<i>/<key>"; everything else (optimizer type,
hyperparameters and scalar state, the learning-rate scheduler's state, the data-order and nn.init generator
states, the counters, the history) is one JSON string in the entry "meta".
"""

from __future__ import annotations

import json
import os
import signal
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nn import init

if TYPE_CHECKING:
    from nn.module import Module
    from optim.lr_scheduler import LRScheduler
    from optim.optimizer import Optimizer

__all__ = ["Progress", "load_checkpoint", "save_checkpoint"]

FORMAT = "zerograd-checkpoint-1"
# Test hook: the n-th checkpoint this process writes kills the process (SIGKILL) after the temporary file is
# complete and fsynced but before it is renamed into place, the worst moment for a crash.
_KILL_BEFORE_RENAME = "ZEROGRAD_TEST_KILL_BEFORE_RENAME"
_writes = 0


@dataclass
class Progress:
    """Where training stands: steps done in all, the data generator's state when the current epoch began, and
    the running sums of the current epoch and the history of the finished ones (so a resumed fit reports alike)."""

    step: int = 0
    epoch_start_state: dict[str, Any] | None = None
    total_loss: float = 0.0
    correct: int = 0
    seen: int = 0
    history: dict[str, list[float]] = field(
        default_factory=lambda: {"train_loss": [], "train_acc": [], "test_acc": [], "seconds": []}
    )


def save_checkpoint(
    path: str | os.PathLike,
    model: Module,
    optimizer: Optimizer,
    progress: Progress,
    scheduler: LRScheduler | None = None,
) -> Path:
    """Write model, optimizer, scheduler, the nn.init generator and progress to path atomically (temp file, fsync,
    rename)."""
    global _writes
    path = Path(path)
    optim_state = optimizer.state_dict()
    arrays = {f"model/{name}": value for name, value in model.state_dict().items()}
    scalars: dict[str, dict[str, Any]] = {}
    for i, entries in optim_state["state"].items():
        for key, value in entries.items():
            if isinstance(value, np.ndarray):
                arrays[f"optim/{i}/{key}"] = value
            else:
                scalars.setdefault(str(i), {})[key] = value.item() if isinstance(value, np.generic) else value
    meta = {
        "format": FORMAT,
        "optimizer": {
            "type": optim_state["type"],
            "hyperparams": optim_state["hyperparams"],
            "shapes": [list(s) for s in optim_state["shapes"]],
            "scalars": scalars,
        },
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "init_generator": init.generator().bit_generator.state,
        "step": progress.step,
        "epoch_start_state": progress.epoch_start_state,
        "total_loss": progress.total_loss,
        "correct": progress.correct,
        "seen": progress.seen,
        "history": progress.history,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        _writes += 1
        if os.environ.get(_KILL_BEFORE_RENAME) == str(_writes):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _read(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        meta = json.loads(str(arrays.pop("meta")[()]))
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, AttributeError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(f"load_checkpoint: {path} is not a readable checkpoint: {error}") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"load_checkpoint: {path} is not a {FORMAT} file")
    return arrays, meta


def load_checkpoint(
    path: str | os.PathLike, model: Module, optimizer: Optimizer, scheduler: LRScheduler | None = None
) -> Progress:
    """Restore what save_checkpoint wrote into model, optimizer, scheduler and nn.init's generator; return the
    progress.

    A checkpoint saved with a scheduler needs one to load into, and one saved without refuses one (ValueError).
    Everything is checked before anything changes: on any error the model, optimizer, scheduler and generator are
    as before.
    """
    arrays, meta = _read(path)
    saved_scheduler = meta.get("scheduler")  # absent from checkpoints written before schedulers were saved
    if saved_scheduler is not None and not isinstance(saved_scheduler, dict):
        raise ValueError(f"load_checkpoint: {path} holds a bad scheduler state: {saved_scheduler!r}")
    if (saved_scheduler is None) != (scheduler is None):
        if scheduler is None:
            raise ValueError(
                f"load_checkpoint: {path} holds the state of a {saved_scheduler.get('type')} learning-rate "
                "scheduler; pass the same kind of scheduler to resume with it"
            )
        raise ValueError(
            f"load_checkpoint: {path} was saved without a learning-rate scheduler, but a "
            f"{type(scheduler).__name__} was given"
        )
    try:
        model_state, optim_state, progress = _parse(arrays, meta)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"load_checkpoint: {path} is missing or garbles an entry: {error!r}") from error
    probe = np.random.Generator(np.random.PCG64())
    try:
        probe.bit_generator.state = meta["init_generator"]
        if meta["epoch_start_state"] is not None:
            probe.bit_generator.state = meta["epoch_start_state"]
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"load_checkpoint: {path} holds a bad generator state: {error}") from error
    before = optimizer.state_dict()
    scheduler_before = None if scheduler is None else scheduler.state_dict()
    optimizer.load_state_dict(optim_state)
    try:
        if scheduler is not None:
            scheduler.load_state_dict(saved_scheduler)
        model.load_state_dict(model_state)
    except BaseException:
        if scheduler is not None:
            scheduler.load_state_dict(scheduler_before)  # sets the optimizer's lr, which the next line restores
        optimizer.load_state_dict(before)
        raise
    init.generator().bit_generator.state = meta["init_generator"]
    return progress


def _parse(
    arrays: dict[str, np.ndarray], meta: dict[str, Any]
) -> tuple[dict[str, np.ndarray], dict[str, Any], Progress]:
    """The model's state dict, the optimizer's state dict and the progress that a checkpoint's entries hold."""
    model_state = {key[len("model/") :]: value for key, value in arrays.items() if key.startswith("model/")}
    saved = meta["optimizer"]
    state: dict[int, dict[str, Any]] = {}
    for key, value in arrays.items():
        if key.startswith("optim/"):
            _, i, name = key.split("/", 2)
            state.setdefault(int(i), {})[name] = value
    for i, entries in saved["scalars"].items():
        state.setdefault(int(i), {}).update(entries)
    optim_state = {
        "type": saved["type"],
        # JSON has no tuples: hyperparameters such as Adam's betas come back as lists.
        "hyperparams": {k: tuple(v) if isinstance(v, list) else v for k, v in saved["hyperparams"].items()},
        "shapes": [tuple(s) for s in saved["shapes"]],
        "state": state,
    }
    progress = Progress(
        step=int(meta["step"]),
        epoch_start_state=meta["epoch_start_state"],
        total_loss=float(meta["total_loss"]),
        correct=int(meta["correct"]),
        seen=int(meta["seen"]),
        history=meta["history"],
    )
    return model_state, optim_state, progress
