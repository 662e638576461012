"""nn.fit, nn.evaluate, nn.plot_history: learning happens, evaluation is side-effect free, the plot is written."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd.functions as F
import nn
import optim
from nn.data import ArrayDataset, DataLoader
from nn.datasets import MNIST, Spiral

needs_mnist = pytest.mark.skipif(
    not MNIST.is_available(), reason="MNIST not found in $ZEROGRAD_DATA or ~/.cache/zerograd (tests never download)"
)


def spiral_loaders(batch_size: int = 30) -> tuple[DataLoader, DataLoader]:
    return DataLoader(Spiral(), batch_size, shuffle=True, seed=0), DataLoader(Spiral(seed=1), 300)


def test_an_mlp_learns_the_spiral():
    nn.manual_seed(0)
    model = nn.MLP([2, 100, 3])
    train, test = spiral_loaders()
    history = nn.fit(model, optim.Adam(model.parameters(), lr=0.01), train, 100, test, progress=False)
    assert set(history) == {"train_loss", "train_acc", "test_acc", "seconds"}
    assert all(len(v) == 100 for v in history.values())
    assert history["train_acc"][-1] > 0.95 and history["test_acc"][-1] > 0.95
    assert history["train_loss"][-1] < history["train_loss"][0] / 5
    assert all(s > 0 for s in history["seconds"])
    assert model.training  # back in training mode after each evaluation
    assert nn.evaluate(model, test) == history["test_acc"][-1]


def test_fit_keeps_freed_memory_for_its_run(monkeypatch):
    import nn.train

    calls = []
    monkeypatch.setattr(nn.train, "keep_freed_memory", lambda: calls.append("kept") or True)
    model = nn.MLP([2, 3])
    train, _ = spiral_loaders()
    nn.fit(model, optim.SGD(model.parameters(), lr=0.1), train, 1, progress=False)
    assert calls == ["kept"]


@needs_mnist
def test_simple_convnet_learns_mnist_in_one_epoch_of_5000_images():
    train, test = MNIST(train=True), MNIST(train=False)
    # 100 steps: with its weights at std 0.01 the net needs Adam's lr 5e-3 (not 1e-3) to pass 90% this soon
    # (93-94% over seeds 0-2 when measured).
    train_data = DataLoader(ArrayDataset(train.float_images()[:5000], train.targets[:5000]), 50, shuffle=True, seed=0)
    nn.manual_seed(0)
    model = nn.SimpleConvNet()
    history = nn.fit(model, optim.Adam(model.parameters(), lr=5e-3), train_data, 1, progress=False)
    assert history["test_acc"] == []
    accuracy = nn.evaluate(model, DataLoader(ArrayDataset(test.float_images(), test.targets), 1000))
    assert accuracy > 0.90


class Probe(nn.Module):
    """A linear model that records, on each call, its mode and whether a graph was recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 3)
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x):
        y = self.linear(x)
        self.calls.append((self.training, y.creator is not None))
        return y


def test_evaluation_runs_in_eval_mode_without_a_graph_and_restores_the_mode():
    model = Probe()
    loader = DataLoader(Spiral(n_per_class=4), 5)
    nn.evaluate(model, loader)
    assert model.calls == [(False, False)] * 3 and model.training
    model.eval()
    nn.evaluate(model, loader)
    assert not model.training
    model.calls.clear()
    nn.fit(model, optim.SGD(model.parameters(), lr=0.1), loader, 2, loader, progress=False)
    assert model.calls == ([(True, True)] * 3 + [(False, False)] * 3) * 2
    assert model.training


def test_accuracy_counts_argmax_against_labels_or_one_hot_rows():
    class Fixed(nn.Module):
        def forward(self, x):
            return F.linear(x, np.eye(2, dtype=np.float32))

    x = np.array([[1, 0], [0, 1], [2, 1], [0, 3]], np.float32)  # argmax 0, 1, 0, 1
    labels = np.array([0, 1, 1, 1])
    assert nn.evaluate(Fixed(), DataLoader(ArrayDataset(x, labels), 3)) == 0.75
    one_hot = np.eye(2, dtype=np.float32)[labels]
    assert nn.evaluate(Fixed(), DataLoader(ArrayDataset(x, one_hot), 3)) == 0.75


def test_the_progress_bar_shows_epoch_loss_and_accuracy(capsys):
    nn.manual_seed(0)
    model = nn.MLP([2, 10, 3])
    train, test = spiral_loaders(100)
    nn.fit(model, optim.Adam(model.parameters(), lr=0.01), train, 2, test)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "6/6" in err
    for key in ("loss=", "acc=", "test_acc="):
        assert key in err


def test_fit_refuses_bad_arguments():
    model = nn.MLP([2, 3])
    opt = optim.SGD(model.parameters(), lr=0.1)
    train, _ = spiral_loaders()
    for epochs in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match=r"fit: epochs must be a positive integer, got"):
            nn.fit(model, opt, train, epochs)
    with pytest.raises(TypeError, match=r"fit: train_data must be an nn.data.DataLoader, got Spiral"):
        nn.fit(model, opt, Spiral(), 1)
    with pytest.raises(TypeError, match=r"fit: test_data must be an nn.data.DataLoader, got tuple"):
        nn.fit(model, opt, train, 1, (np.zeros((1, 2)), np.zeros(1)))
    with pytest.raises(TypeError, match=r"fit: scheduler must be an optim.lr_scheduler schedule, got float"):
        nn.fit(model, opt, train, 1, scheduler=0.5)
    other = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"fit: scheduler schedules another optimizer"):
        nn.fit(model, opt, train, 1, scheduler=optim.lr_scheduler.StepLR(other, 1))


def test_fit_steps_the_scheduler_once_after_each_epoch():
    nn.manual_seed(0)
    model = nn.MLP([2, 8, 3])
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    train, _ = spiral_loaders()
    lrs = []
    original_step = opt.step

    def step_and_record() -> None:
        lrs.append(opt.lr)
        original_step()

    opt.step = step_and_record
    nn.fit(model, opt, train, 3, progress=False, scheduler=scheduler)
    per_epoch = len(train)
    assert lrs == [0.1] * (2 * per_epoch) + [pytest.approx(0.01)] * per_epoch
    assert scheduler.last_epoch == 3


HISTORY = {"train_loss": [1.0, 0.5, 0.3], "train_acc": [0.5, 0.8, 0.9], "test_acc": [0.6, 0.7, 0.8], "seconds": [1] * 3}


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_plot_history_writes_the_picture(tmp_path, suffix, magic):
    path = tmp_path / f"history{suffix}"
    assert nn.plot_history(HISTORY, path) == path
    assert path.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    no_test = {**HISTORY, "test_acc": []}
    nn.plot_history(no_test, path)
    assert path.stat().st_size > 0


def test_plot_history_refuses_bad_input(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"plot_history: path must end in .png, .svg or .pdf, got '.*h.txt'"):
        nn.plot_history(HISTORY, tmp_path / "h.txt")
    with pytest.raises(ValueError, match="plot_history: history lacks test_acc"):
        nn.plot_history({"train_loss": [1.0], "train_acc": [0.5]}, tmp_path / "h.png")
    for module in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.ticker"):
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(ImportError, match="plot_history needs matplotlib: pip install matplotlib"):
        nn.plot_history(HISTORY, tmp_path / "h.png")
    assert list(tmp_path.iterdir()) == []
