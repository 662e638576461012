"""Saving and loading weights: .npz without pickle, atomic, every entry checked before anything changes."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn


def _model(seed: int) -> nn.Module:
    nn.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))


X = np.random.default_rng(0).standard_normal((4, 1, 6, 6)).astype(np.float32)


def _trained(seed: int = 0) -> nn.Module:
    model = _model(seed)
    model(X)  # one training-mode pass moves the batch-norm running statistics off their start
    return model.eval()


def _assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype
        np.testing.assert_array_equal(a[key], b[key])


def test_save_then_load_into_a_fresh_model_gives_identical_outputs(tmp_path):
    model = _trained(0)
    path = model.save(tmp_path / "weights.npz")
    assert path == tmp_path / "weights.npz" and os.listdir(tmp_path) == ["weights.npz"]
    fresh = _model(1).eval()
    assert not np.array_equal(fresh(X).data, model(X).data)
    fresh.load(path)
    np.testing.assert_array_equal(fresh(X).data, model(X).data)
    _assert_same_state(fresh.state_dict(), model.state_dict())


def test_save_writes_exactly_the_path_given(tmp_path):
    _trained().save(tmp_path / "weights")
    assert os.listdir(tmp_path) == ["weights"]


def test_state_dict_holds_copies():
    model = _trained()
    state = model.state_dict()
    state["0.W"][...] = 0
    assert not np.all(model[0].W.data == 0)


def _write(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "change, error, message",
    [
        (lambda s: s.pop("4.b"), ValueError, r"missing entries \['4.b'\]"),
        (lambda s: s.update(extra=np.zeros(1, np.float32)), ValueError, r"unexpected entries \['extra'\]"),
        (lambda s: s.update({"0.W": np.zeros((2, 1, 3, 4), np.float32)}), ValueError, "'0.W' has shape"),
        (lambda s: s.update({"0.b": np.zeros(2, np.int64)}), TypeError, "'0.b' has dtype int64"),
    ],
)
def test_load_refuses_a_wrong_entry_and_leaves_the_model_untouched(tmp_path, change, error, message):
    model = _trained()
    before = model.state_dict()
    state = _trained(5).state_dict()
    change(state)
    path = _write(tmp_path / "bad.npz", **state)
    with pytest.raises(error, match=message):
        model.load(path)
    _assert_same_state(model.state_dict(), before)


def test_load_refuses_an_object_array_without_unpickling(tmp_path):
    model = _trained()
    before = model.state_dict()
    state = {k: v for k, v in model.state_dict().items()}
    state["0.W"] = np.array([{"payload": 1}], dtype=object)
    path = tmp_path / "pickled.npz"
    np.savez(path, **state)
    with pytest.raises(ValueError, match=r"'0\.W' cannot be read"):
        model.load(path)
    _assert_same_state(model.state_dict(), before)


@given(st.floats(0.0, 0.999))
def test_load_refuses_a_truncated_file(tmp_path_factory, fraction):
    folder = tmp_path_factory.mktemp("truncated")
    model = _trained()
    path = model.save(folder / "w.npz")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    before = model.state_dict()
    with pytest.raises(ValueError, match="is not a readable weights file"):
        model.load(path)
    _assert_same_state(model.state_dict(), before)


@pytest.mark.parametrize("content", [b"not an archive at all", b"\x93NUMPY"])
def test_load_refuses_a_file_that_is_not_an_npz(tmp_path, content):
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"w\.npz is not a readable weights file"):
        _trained().load(path)


def test_load_refuses_a_single_npy_array(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match=r"single array, not an \.npz archive"):
        _trained().load(path)


def test_load_state_dict_casts_float64_into_float32_parameters():
    model = _trained()
    state = {k: v.astype(np.float64) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_a_failed_save_leaves_no_temporary_file_and_the_old_weights(tmp_path, monkeypatch):
    model = _trained()
    path = model.save(tmp_path / "w.npz")
    old = path.read_bytes()

    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert os.listdir(tmp_path) == ["w.npz"] and path.read_bytes() == old
