"""Checkpoints: interrupted-then-resumed training equals uninterrupted training bit for bit, and a writer killed
between write and rename leaves the previous checkpoint loadable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import nn
import optim
from nn.checkpoint import load_checkpoint
from nn.data import DataLoader
from nn.datasets import Spiral
from optim.lr_scheduler import CosineAnnealingLR, StepLR

EPOCHS = 3


def build(seed: int = 0) -> tuple[nn.Module, optim.Optimizer, DataLoader]:
    """An MLP with batch norm (buffers) and dropout (nn.init's generator), Adam (state), a shuffling loader."""
    nn.manual_seed(seed)
    model = nn.MLP([2, 16, 3], batch_norm=True, dropout=0.2)
    return model, optim.Adam(model.parameters(), lr=0.01), DataLoader(Spiral(), 50, shuffle=True, seed=seed)


def weights(model: nn.Module) -> dict[str, np.ndarray]:
    return model.state_dict()


def assert_identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].tobytes() == b[key].tobytes(), key


def uninterrupted() -> tuple[dict[str, np.ndarray], dict[str, list[float]]]:
    model, opt, data = build()
    history = nn.fit(model, opt, data, EPOCHS, progress=False)
    return weights(model), history


class Interrupt(Exception):
    pass


def stop_after(opt: optim.Optimizer, stop_at: int) -> None:
    """Make opt raise Interrupt in the step after step stop_at, once that step's checkpoint is written."""
    steps = 0
    original_step = opt.step

    def step_then_maybe_stop() -> None:
        nonlocal steps
        original_step()
        steps += 1
        if steps > stop_at:
            raise Interrupt

    opt.step = step_then_maybe_stop


@pytest.mark.parametrize("stop_at", [1, 5, 6, 13])  # mid-epoch, an epoch's last step (6 per epoch), a later epoch
def test_interrupted_then_resumed_training_is_bit_identical(tmp_path: Path, stop_at: int) -> None:
    expected, expected_history = uninterrupted()
    path = tmp_path / "run.npz"
    model, opt, data = build()
    stop_after(opt, stop_at)
    with pytest.raises(Interrupt):
        nn.fit(model, opt, data, EPOCHS, progress=False, checkpoint=path, checkpoint_every=1)
    nn.manual_seed(123)  # the resumed run must not depend on the generators' state before it
    model, opt, data = build(seed=7)
    data.generator = np.random.default_rng(99)
    history = nn.fit(model, opt, data, EPOCHS, progress=False, resume=path)
    assert_identical(weights(model), expected)
    for key in ("train_loss", "train_acc"):
        assert history[key] == expected_history[key]


def test_checkpoint_every_writes_on_schedule_and_a_loaded_checkpoint_restores_everything(tmp_path: Path) -> None:
    path = tmp_path / "run.npz"
    model, opt, data = build()
    at_step_4: dict[str, object] = {}
    original_step = opt.step

    def step_and_record() -> None:
        original_step()
        if opt.state[0]["step"] == 4:
            at_step_4.update(
                weights=weights(model), optim=opt.state_dict(), init=nn.init.generator().bit_generator.state
            )

    opt.step = step_and_record
    nn.fit(model, opt, data, 1, progress=False, checkpoint=path, checkpoint_every=4)  # 6 steps: written at 4 only
    fresh, fresh_opt, _ = build(seed=5)
    progress = load_checkpoint(path, fresh, fresh_opt)
    assert progress.step == 4 and progress.history["train_loss"] == [] and progress.seen == 200
    assert_identical(weights(fresh), at_step_4["weights"])
    saved = at_step_4["optim"]
    assert fresh_opt.state_dict()["hyperparams"] == saved["hyperparams"]
    for mine, theirs in zip(fresh_opt.state, saved["state"].values()):
        assert mine["step"] == theirs["step"] == 4
        assert mine["exp_avg"].tobytes() == theirs["exp_avg"].tobytes()
    assert nn.init.generator().bit_generator.state == at_step_4["init"]
    with np.load(path, allow_pickle=False) as archive:  # every entry reads without pickle
        assert all(archive[key].dtype != object for key in archive.files)


def test_a_corrupt_checkpoint_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "run.npz"
    model, opt, data = build()
    nn.fit(model, opt, data, 1, progress=False, checkpoint=path)
    before = weights(model)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match="not a readable checkpoint"):
        load_checkpoint(path, model, opt)
    assert_identical(weights(model), before)
    with pytest.raises(ValueError, match="checkpoint_every"):
        nn.fit(model, opt, data, 1, progress=False, checkpoint=path, checkpoint_every=0)


@pytest.mark.parametrize("key", ["optimizer", "step", "history", "seen"])
def test_a_checkpoint_missing_an_entry_is_refused_and_changes_nothing(tmp_path: Path, key: str) -> None:
    path = tmp_path / "run.npz"
    model, opt, data = build()
    nn.fit(model, opt, data, 1, progress=False, checkpoint=path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(str(arrays["meta"][()]))
    del meta[key]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    model_before, opt_before = weights(model), opt.state_dict()
    with pytest.raises(ValueError, match=f"missing or garbles an entry: KeyError\\('{key}'\\)"):
        load_checkpoint(path, model, opt)
    assert_identical(weights(model), model_before)
    assert opt.state_dict()["hyperparams"] == opt_before["hyperparams"]
    for i, state in opt_before["state"].items():
        assert_identical(*({k: np.asarray(v) for k, v in s.items()} for s in (opt.state_dict()["state"][i], state)))


WORKER = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{root!r}, {tests!r}]
    import test_checkpoint as t
    import nn
    model, opt, data = t.build()
    nn.fit(model, opt, data, t.EPOCHS, progress=False, checkpoint=sys.argv[1], checkpoint_every=1)
    """
)


@pytest.mark.parametrize("killed_at", [2, 9])
def test_a_writer_killed_before_the_rename_leaves_the_previous_checkpoint_loadable(
    tmp_path: Path, killed_at: int
) -> None:
    path = tmp_path / "run.npz"
    root = str(Path(__file__).resolve().parents[2])
    script = WORKER.format(root=root, tests=str(Path(__file__).resolve().parent))
    env = os.environ | {"ZEROGRAD_TEST_KILL_BEFORE_RENAME": str(killed_at)}
    done = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the killed write was complete but not renamed
    model, opt, data = build()
    assert load_checkpoint(path, model, opt).step == killed_at - 1
    # ... and resuming from it still ends where an uninterrupted run does.
    nn.fit(model, opt, data, EPOCHS, progress=False, resume=path)
    assert_identical(weights(model), uninterrupted()[0])


def build_with_scheduler(seed: int = 0) -> tuple[nn.Module, optim.Optimizer, DataLoader, StepLR]:
    model, opt, data = build(seed)
    return model, opt, data, StepLR(opt, step_size=1, gamma=0.5)  # a new lr every epoch


@pytest.mark.parametrize("stop_at", [5, 6, 13])  # mid-epoch, an epoch's last step (before the scheduler's), later
def test_interrupted_then_resumed_training_with_a_scheduler_is_bit_identical(tmp_path: Path, stop_at: int) -> None:
    model, opt, data, scheduler = build_with_scheduler()
    expected_history = nn.fit(model, opt, data, EPOCHS, progress=False, scheduler=scheduler)
    expected, expected_lr = weights(model), opt.lr
    path = tmp_path / "run.npz"
    model, opt, data, scheduler = build_with_scheduler()
    stop_after(opt, stop_at)
    with pytest.raises(Interrupt):
        nn.fit(model, opt, data, EPOCHS, progress=False, checkpoint=path, checkpoint_every=1, scheduler=scheduler)
    model, opt, data, scheduler = build_with_scheduler(seed=7)
    history = nn.fit(model, opt, data, EPOCHS, progress=False, resume=path, scheduler=scheduler)
    assert_identical(weights(model), expected)
    assert history["train_loss"] == expected_history["train_loss"]
    assert (scheduler.last_epoch, opt.lr) == (EPOCHS, expected_lr) == (EPOCHS, 0.01 * 0.5**EPOCHS)


def test_a_resume_with_a_scheduler_missing_or_extra_is_refused_before_anything_changes(tmp_path: Path) -> None:
    with_scheduler, without = tmp_path / "with.npz", tmp_path / "without.npz"
    model, opt, data, scheduler = build_with_scheduler()
    nn.fit(model, opt, data, 1, progress=False, checkpoint=with_scheduler, scheduler=scheduler)
    model, opt, data = build()
    nn.fit(model, opt, data, 1, progress=False, checkpoint=without)

    model, opt, data, scheduler = build_with_scheduler(seed=3)
    before, optim_before, lr_before = weights(model), opt.state_dict(), opt.lr
    with pytest.raises(ValueError, match="holds the state of a StepLR learning-rate scheduler"):
        nn.fit(model, opt, data, 2, progress=False, resume=with_scheduler)
    with pytest.raises(ValueError, match="saved without a learning-rate scheduler, but a StepLR was given"):
        nn.fit(model, opt, data, 2, progress=False, resume=without, scheduler=scheduler)
    # Another kind of scheduler: refused by the scheduler itself, and everything is rolled back.
    cosine = CosineAnnealingLR(opt, T_max=4)
    lr_before = opt.lr
    with pytest.raises(ValueError, match="CosineAnnealingLR"):
        nn.fit(model, opt, data, 2, progress=False, resume=with_scheduler, scheduler=cosine)
    assert_identical(weights(model), before)
    assert opt.state_dict()["state"] == optim_before["state"] == {}
    assert (opt.lr, cosine.last_epoch, scheduler.last_epoch) == (lr_before, 0, 0)
