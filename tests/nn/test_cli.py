"""python -m nn: end to end on Spiral with every output, reproducible with a seed, the MNIST fallback and
errors. Runs main(argv) in-process except where the command itself is the point."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from nn.__main__ import main
from nn.datasets import MNIST

ROOT = Path(__file__).resolve().parents[2]
GRAPHVIZ = shutil.which("dot") is not None or find_spec("pygraphviz") is not None
needs_mnist = pytest.mark.skipif(
    not MNIST.is_available(), reason="MNIST not found in $ZEROGRAD_DATA or ~/.cache/zerograd (tests never download)"
)


@pytest.fixture
def no_datasets(monkeypatch, tmp_path):
    """Offline, with an empty ZEROGRAD_DATA and an empty home: no dataset can be had."""
    for name in ("data", "home"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("ZEROGRAD_OFFLINE", "1")
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_spiral_end_to_end_writes_weights_plot_and_graph(tmp_path, capsys):
    graph = tmp_path / ("step.svg" if GRAPHVIZ else "step.dot")
    argv = ["--dataset", "spiral", "--epochs", "3", "--save", str(tmp_path / "w.npz")]
    assert main([*argv, "--plot", str(tmp_path / "h.png"), "--graph", str(graph)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "training MLP on 300 spiral examples for 3 epoch(s): adam lr 0.001, batch 30, seed 0"
    assert lines[1:4] == [
        f"wrote the weights to {tmp_path / 'w.npz'}",
        f"wrote the loss and accuracy plot to {tmp_path / 'h.png'}",
        f"wrote the graph of one training step to {graph}",
    ]
    assert lines[4].startswith("test accuracy 0.") and "on 300 spiral test examples after 3 epoch(s) in " in lines[4]
    assert "epoch 3/3" in err and "30/30" in err  # the progress bar
    with np.load(tmp_path / "w.npz", allow_pickle=False) as weights:
        shapes = sorted(weights[k].shape for k in weights.files)
    assert shapes == sorted([(2, 100), (100,), (100, 100), (100,), (100, 3), (3,)])
    assert (tmp_path / "h.png").read_bytes().startswith(b"\x89PNG")
    drawing = graph.read_text()
    assert "loss" in drawing and ("<svg" in drawing if GRAPHVIZ else drawing.startswith("digraph"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["w.npz", "h.png", graph.name])


def test_the_same_seed_gives_the_same_weights(tmp_path, capsys):
    """One run in this process, one as the command: identical weights; another seed differs."""
    common = ["--dataset", "spiral", "--epochs", "2", "--model", "mlp"]
    main([*common, "--seed", "7", "--save", str(tmp_path / "a.npz")])
    main([*common, "--seed", "8", "--save", str(tmp_path / "c.npz")])
    command = [sys.executable, "-m", "nn", *common, "--seed", "7", "--save", str(tmp_path / "b.npz")]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with np.load(tmp_path / "a.npz") as a, np.load(tmp_path / "b.npz") as b, np.load(tmp_path / "c.npz") as c:
        assert a.files == b.files == c.files
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])
        assert any(not np.array_equal(a[key], c[key]) for key in a.files)


def test_a_run_killed_before_a_checkpoint_rename_resumes_to_the_uninterrupted_weights(tmp_path):
    """The command killed (SIGKILL, test hook) writing its 5th checkpoint (step 15 of 20), resumed from the 4th."""
    common = [sys.executable, "-m", "nn", "--dataset", "spiral", "--epochs", "2", "--seed", "3"]
    subprocess.run([*common, "--save", str(tmp_path / "a.npz")], cwd=ROOT, check=True, capture_output=True)
    checkpoint = ["--checkpoint", str(tmp_path / "c.npz"), "--checkpoint-every", "3"]
    env = os.environ | {"ZEROGRAD_TEST_KILL_BEFORE_RENAME": "5"}
    killed = subprocess.run([*common, *checkpoint], cwd=ROOT, env=env, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    resume = ["--resume", str(tmp_path / "c.npz"), "--save", str(tmp_path / "b.npz")]
    subprocess.run([*common, *resume], cwd=ROOT, check=True, capture_output=True)
    with np.load(tmp_path / "a.npz") as a, np.load(tmp_path / "b.npz") as b:
        assert a.files == b.files
        for key in a.files:
            assert a[key].tobytes() == b[key].tobytes()


def test_without_mnist_the_default_run_falls_back_to_the_spiral(no_datasets, capsys):
    assert main(["--epochs", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    data, cache = no_datasets / "data" / "mnist", no_datasets / "home" / ".cache" / "zerograd" / "mnist"
    assert lines[0] == (
        f"MNIST is not in {data} or {cache} (ZEROGRAD_OFFLINE is set, so nothing was downloaded): training the "
        "MLP on the generated Spiral data instead (point ZEROGRAD_DATA or --data-dir at a folder holding mnist/ "
        "with its IDX .gz files to train on it)"
    )
    assert lines[1].startswith("training MLP on 300 spiral examples for 2 epoch(s)")
    assert lines[-1].startswith("test accuracy ")
    assert list((no_datasets / "data").iterdir()) == list((no_datasets / "home").iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "name", "folder"),
    [
        (["--dataset", "mnist"], "MNIST", "mnist"),
        (["--dataset", "fashion-mnist"], "FashionMNIST", "fashion-mnist"),
        (["--model", "simple_cnn"], "MNIST", "mnist"),  # a CNN cannot fall back to the spiral
    ],
)
def test_a_dataset_that_was_asked_for_and_is_missing_is_an_error(no_datasets, capsys, argv, name, folder):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    data, cache = no_datasets / "data" / folder, no_datasets / "home" / ".cache" / "zerograd" / folder
    assert out == ""
    assert err == (
        f"python -m nn: error: {name} not found in {data} or {cache} (ZEROGRAD_OFFLINE is set, so nothing was "
        f"downloaded); point ZEROGRAD_DATA or --data-dir at a folder holding {folder}/ with its IDX .gz files\n"
    )
    assert list((no_datasets / "data").iterdir()) == list((no_datasets / "home").iterdir()) == []


def test_the_missing_dataset_error_names_data_dir(no_datasets, capsys):
    with pytest.raises(SystemExit):
        main(["--dataset", "mnist", "--data-dir", str(no_datasets / "copy")])
    assert f"not found in {no_datasets / 'copy' / 'mnist'} (" in capsys.readouterr().err
    assert not (no_datasets / "copy").exists()


@needs_mnist
def test_mnist_from_data_dir_with_a_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZEROGRAD_OFFLINE", "1")
    data_dir = MNIST(train=False).folder.parent
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path))  # so only --data-dir can find it
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["--data-dir", str(data_dir), "--model", "mlp", "--limit", "300", "--optimizer", "sgd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "training MLP on 300 mnist examples for 1 epoch(s): sgd lr 0.1, batch 100, seed 0"
    assert lines[-1].startswith("test accuracy ") and "on 10000 mnist test examples" in lines[-1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "spiral", "--model", "simple_cnn"], "--model simple_cnn needs images"),
        (["--save", "w.txt"], "--save w.txt: the name must end in .npz"),
        (["--plot", "/nonexistent/h.png"], "--plot /nonexistent/h.png: folder /nonexistent does not exist"),
        (["--graph", "g.gif"], "--graph g.gif: the name must end in .svg, .png, .pdf, .dot"),
        (["--lr", "-1"], "argument --lr: must be positive, got -1"),
        (["--epochs", "0"], "argument --epochs: must be a positive integer, got 0"),
        (["--seed", "-3"], "argument --seed: must be a non-negative integer, got -3"),
        (["--optimizer", "lbfgs"], "argument --optimizer: invalid choice: 'lbfgs'"),
        (["--checkpoint", "c.pt"], "--checkpoint c.pt: the name must end in .npz"),
        (["--checkpoint-every", "5"], "--checkpoint-every needs --checkpoint PATH"),
        (["--checkpoint-every", "0"], "argument --checkpoint-every: must be a positive integer, got 0"),
        (["--resume", "/nonexistent/c.npz"], "--resume /nonexistent/c.npz: no such file"),
    ],
)
def test_bad_options_are_refused_before_training(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err


def test_help_explains_each_option():
    result = subprocess.run([sys.executable, "-m", "nn", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    for option in ("--model", "--dataset", "--epochs", "--batch-size", "--optimizer", "--lr", "--seed", "--limit",
                   "--save", "--plot", "--graph", "--data-dir",
                   "--checkpoint", "--checkpoint-every", "--resume", "simple_cnn", "fashion-mnist", "adamw"):
        assert option in result.stdout
