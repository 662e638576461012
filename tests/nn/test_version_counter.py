"""Saved-tensor safety in training: what nn and optim change in place between forward and backward makes
backward raise, and the usual loop (forward, backward, step, repeat) never does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
import nn
import optim
from autograd import InplaceModificationError, Variable
from nn.checkpoint import Progress, load_checkpoint, save_checkpoint


def model_and_loss(seed: int = 0) -> tuple[nn.Module, Variable]:
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = np.random.default_rng(seed).standard_normal((5, 3)).astype(np.float32)
    return model, F.softmax_cross_entropy(model(x), np.array([0, 1, 0, 1, 1]))


OPTIMIZERS: list[Callable[[list[nn.Parameter]], optim.Optimizer]] = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps),
    lambda ps: optim.AdamW(ps),
    lambda ps: optim.RMSprop(ps, lr=0.01),
    lambda ps: optim.Adagrad(ps, lr=0.01),
    lambda ps: optim.Adadelta(ps),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_an_optimizer_step_between_forward_and_backward_makes_backward_raise_naming_the_op(make) -> None:
    model, loss = model_and_loss()
    opt = make(model.parameters())
    loss.backward()
    before = max(p.version for p in model.parameters())
    opt.step()
    assert all(p.version > before for p in model.parameters())
    with pytest.raises(InplaceModificationError, match=r"input 1 of Linear \(shape \(4, 2\), dtype float32") as caught:
        loss.backward()
    assert "optimizer step" in str(caught.value)


def test_a_step_leaves_parameters_without_a_gradient_and_their_version_alone() -> None:
    a, b = nn.Parameter(np.ones(2, np.float32)), nn.Parameter(np.ones(2, np.float32))
    opt = optim.SGD([a, b], lr=0.1)
    F.sum(a * a).backward()
    opt.step()
    assert a.version > 0 and b.version == 0


@pytest.mark.parametrize("init", [nn.init.he_normal_, nn.init.xavier_normal_, nn.init.zeros_])
def test_nn_init_on_a_weight_between_forward_and_backward_makes_backward_raise(init) -> None:
    model, loss = model_and_loss()
    init(model[2].W)
    with pytest.raises(InplaceModificationError, match=r"input 1 of Linear .*name '2\.W'"):
        loss.backward()


def test_load_state_dict_between_forward_and_backward_makes_backward_raise(tmp_path: Path) -> None:
    model, loss = model_and_loss()
    model.load_state_dict(model_and_loss(seed=1)[0].state_dict())
    with pytest.raises(InplaceModificationError, match="Linear"):
        loss.backward()
    model, loss = model_and_loss()
    model.save(tmp_path / "w.npz")
    model.load(tmp_path / "w.npz")
    with pytest.raises(InplaceModificationError):
        loss.backward()


def test_a_refused_load_changes_no_version() -> None:
    model, loss = model_and_loss()
    versions = [p.version for p in model.parameters()]
    with pytest.raises(ValueError):
        model.load_state_dict({"0.W": np.zeros((3, 4), np.float32)}, strict=True)
    assert [p.version for p in model.parameters()] == versions
    loss.backward()


def test_loading_a_checkpoint_between_forward_and_backward_makes_backward_raise(tmp_path: Path) -> None:
    model, loss = model_and_loss()
    opt = optim.Adam(model.parameters())
    save_checkpoint(tmp_path / "c.npz", model, opt, Progress())
    load_checkpoint(tmp_path / "c.npz", model, opt)
    with pytest.raises(InplaceModificationError):
        loss.backward()


@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    batch=st.integers(2, 6),
    make=st.sampled_from(OPTIMIZERS),
)
def test_the_usual_training_loop_never_raises(sizes: list[int], batch: int, make) -> None:
    nn.manual_seed(0)
    model = nn.MLP(sizes, batch_norm=True, dropout=0.1)
    opt = make(model.parameters())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    t = rng.integers(0, sizes[-1], batch)
    for _ in range(3):
        loss = F.softmax_cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert np.isfinite(loss.item())
